package tlog

// appendCaptures writes captured headers as HAProxy's %hr: {a|b|}, each
// value encoded with '#' for '"', '#', '{', '|', '}' and non-printables.
func appendCaptures(dst []byte, caps [][]byte, opts uint8) []byte {
	dst = quoteOpen(dst, opts)
	dst = append(dst, '{')
	for i, c := range caps {
		if i > 0 {
			dst = append(dst, '|')
		}
		dst = appendEncoded(dst, c, &hdrEncode, opts)
	}
	dst = append(dst, '}')
	return quoteOpen(dst, opts)
}

// appendCaptureList writes captured headers as HAProxy's %hrl: space
// separated, "-" for an absent one (unless quoted).
func appendCaptureList(dst []byte, caps [][]byte, opts uint8) []byte {
	for i, c := range caps {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = quoteOpen(dst, opts)
		if c != nil {
			dst = appendEncoded(dst, c, &hdrEncode, opts)
		} else if opts&optQuote == 0 {
			dst = append(dst, '-')
		}
		dst = quoteOpen(dst, opts)
	}
	return dst
}

// encodeMap marks the bytes to write as <escape><hex><hex>.
type encodeMap [256]bool

var hdrEncode, urlEncode = func() (h, u encodeMap) {
	for i := 0; i < 32; i++ {
		h[i], u[i] = true, true
	}
	for i := 127; i < 256; i++ {
		h[i], u[i] = true, true
	}
	for _, c := range []byte(`"#{|}`) {
		h[c] = true
	}
	for _, c := range []byte(`"#`) {
		u[c] = true
	}
	return
}()

// appendEncoded writes s with bytes of m as #XX; with +E, '"', '\' and
// ']' are escaped with a backslash as well (RFC 5424 structured data).
func appendEncoded[T string | []byte](dst []byte, s T, m *encodeMap, opts uint8) []byte {
	esc := opts&optEsc != 0
	for i := 0; i < len(s); i++ {
		// copy the run of bytes that need nothing in one append
		j := i
		for j < len(s) && !m[s[j]] && (!esc || s[j] != '"' && s[j] != '\\' && s[j] != ']') {
			j++
		}
		if j > i {
			dst = append(dst, s[i:j]...)
			if i = j; i == len(s) {
				break
			}
		}
		c := s[i]
		switch {
		case m[c]:
			dst = append(dst, '#', hexDigits[c>>4], hexDigits[c&15])
		case esc && (c == '"' || c == '\\' || c == ']'):
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

var badReq, http09 = []byte("<BADREQ>"), []byte("HTTP/0.9")

func isSPHT(c byte) bool { return c == ' ' || c == '\t' }

// reqPart cuts the part of the request line a %H variable prints, the way
// HAProxy 2.6 does (including its "<BADREQ>" and "HTTP/0.9" cases).
func reqPart(line []byte, k opKind) []byte {
	if line == nil {
		return badReq
	}
	end := len(line)
	// method
	i := 0
	for i < end && !isSPHT(line[i]) {
		i++
	}
	if k == opHTTPMethod {
		if i == end {
			return badReq
		}
		return line[:i]
	}
	if k == opHTTPQuery {
		q := 0
		for q < end && line[q] != '?' {
			q++
		}
		j := q
		for j < end && !isSPHT(line[j]) {
			j++
		}
		return line[q:j]
	}
	spaces := 0
	for i < end && isSPHT(line[i]) {
		i++
		spaces++
	}
	if spaces == 0 {
		return badReq
	}
	uri := i
	j := uri
	switch k {
	case opHTTPPath:
		for j < end && line[j] != '?' && !isSPHT(line[j]) {
			j++
		}
		return line[uri:j]
	case opHTTPURI:
		for j < end && !isSPHT(line[j]) {
			j++
		}
		return line[uri:j]
	case opHTTPPathOnly:
		for j < end && !isSPHT(line[j]) {
			j++
		}
		return pathOnly(line[uri:j])
	}
	// version
	for j < end && !isSPHT(line[j]) {
		j++
	}
	for j < end && isSPHT(line[j]) {
		j++
	}
	if j == end {
		return http09
	}
	return line[j:]
}

// pathOnly returns the path of a request target without scheme, authority
// and query string ("http://h/a/b?c" -> "/a/b").
func pathOnly(u []byte) []byte {
	if len(u) > 0 && u[0] != '/' && u[0] != '*' {
		// absolute form: skip scheme://authority
		for i := 0; i+2 < len(u); i++ {
			if u[i] == ':' && u[i+1] == '/' && u[i+2] == '/' {
				rest := u[i+3:]
				k := 0
				for k < len(rest) && rest[k] != '/' {
					k++
				}
				u = rest[k:]
				break
			}
		}
	}
	for i, c := range u {
		if c == '?' {
			return u[:i]
		}
	}
	return u
}
