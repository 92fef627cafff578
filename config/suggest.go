package config

// wordFingerprint is HAProxy's make_word_fingerprint(): a 32x32 matrix of
// character-class transitions (1..26 letters, 27 digits, 28 anything
// else and begin/end), whose row 0 marks which classes are present.
func wordFingerprint(word string) [1024]uint8 {
	var fp [1024]uint8
	from := 28
	for i := 0; i < len(word); i++ {
		c := word[i]
		var to int
		switch {
		case c >= 'a' && c <= 'z':
			to = int(c-'a') + 1
		case c >= 'A' && c <= 'Z':
			to = int(c-'A') + 1
		case c >= '0' && c <= '9':
			to = 27
		default:
			to = 28
		}
		fp[to] = 1
		fp[32*from+to]++
		from = to
	}
	fp[32*from+28]++
	return fp
}

// fingerprintDistance is HAProxy's word_fingerprint_distance().
func fingerprintDistance(a, b *[1024]uint8) int {
	d := 0
	for i := range a {
		k := int(a[i]) - int(b[i])
		if k < 0 {
			k = -k
		}
		d += k
	}
	return d
}

// bestMatch returns the candidate closest to word the way HAProxy's
// cfg_find_best_match() picks it (first best wins on ties), or "" when
// even the best is too far (more than twice the length of either word).
func bestMatch(word string, lists ...[]string) string {
	wf := wordFingerprint(word)
	best, bestDist := "", int(^uint(0)>>1)
	for _, l := range lists {
		for _, cand := range l {
			cf := wordFingerprint(cand)
			if d := fingerprintDistance(&wf, &cf); d < bestDist {
				best, bestDist = cand, d
			}
		}
	}
	if best == "" || bestDist > 2*len(word) || bestDist > 2*len(best) {
		return ""
	}
	return best
}
