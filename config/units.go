package config

import (
	"fmt"
	"time"
)

// timeResult says how a time value failed to parse.
type timeResult int

const (
	timeOK timeResult = iota
	timeBadChar
	timeOver
	timeUnder
)

// parseTime parses an HAProxy time value (HAProxy's parse_time_err()):
// digits then an optional unit among us, ms, s, m, h, d; a bare number is
// in defUnit. It returns the duration, the failure kind, the offending
// character (for timeBadChar) and trailing garbage after a valid unit
// (HAProxy only warns about it).
func parseTime(s string, defUnit time.Duration) (d time.Duration, res timeResult, bad byte, trailing string) {
	if s == "" || !isDigit(s[0]) {
		return 0, timeBadChar, byteAt(s, 0), ""
	}
	i := 0
	var v uint64
	for i < len(s) && isDigit(s[i]) {
		if v < 1<<60 {
			v = v*10 + uint64(s[i]-'0')
		}
		i++
	}
	unit := defUnit
	if i < len(s) {
		switch s[i] {
		case 's':
			unit = time.Second
		case 'u':
			if byteAt(s, i+1) != 's' {
				return 0, timeBadChar, s[i], ""
			}
			unit = time.Microsecond
			i++
		case 'm':
			if byteAt(s, i+1) == 's' {
				unit = time.Millisecond
				i++
			} else {
				unit = time.Minute
			}
		case 'h':
			unit = time.Hour
		case 'd':
			unit = 24 * time.Hour
		default:
			return 0, timeBadChar, s[i], ""
		}
		i++
		trailing = s[i:]
	}
	// HAProxy keeps milliseconds in 31 bits, rounding up.
	ms := (float64(v)*float64(unit) + float64(time.Millisecond) - 1) / float64(time.Millisecond)
	if defUnit == time.Millisecond || defUnit == time.Second {
		if ms >= 0x80000000 {
			return 0, timeOver, 0, trailing
		}
		if uint64(ms) == 0 && v != 0 {
			return 0, timeUnder, 0, trailing
		}
	}
	if v > 1<<40 {
		return 0, timeOver, 0, trailing
	}
	return time.Duration(v) * unit, timeOK, 0, trailing
}

// timeWarning is HAProxy's warning for garbage after a valid time unit.
func timeWarning(trailing, value string) string {
	return fmt.Sprintf("unexpected character '%c' after the timer value '%s', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions.", trailing[0], value)
}

// parseSize parses an HAProxy size (parse_size_err()): digits then an
// optional k, m or g (powers of 1024, either case). ok is false when a
// character is unexpected or the value overflows 32 bits; bad is then
// the offending character.
func parseSize(s string) (v uint64, bad byte, ok bool) {
	if s == "" || !isDigit(s[0]) {
		return 0, byteAt(s, 0), false
	}
	i := 0
	for i < len(s) && isDigit(s[i]) {
		v = v*10 + uint64(s[i]-'0')
		if v > 0xffffffff {
			return 0, s[i], false
		}
		i++
	}
	if i < len(s) {
		shift := 0
		switch s[i] {
		case 'k', 'K':
			shift = 10
		case 'm', 'M':
			shift = 20
		case 'g', 'G':
			shift = 30
		default:
			return 0, s[i], false
		}
		if v > 0xffffffff>>shift {
			return 0, s[i], false
		}
		v <<= shift
		i++
		if i < len(s) {
			return 0, s[i], false
		}
	}
	return v, 0, true
}

// atoiC mimics C's atoi()/atol(): leading blanks, optional sign, digits,
// anything after ignored; 0 when nothing parses.
func atoiC(s string) int {
	n, _, ok := strtol10(s)
	if !ok {
		return 0
	}
	return n
}

// strtol10 parses a base-10 integer prefix like strtol(s, &end, 10).
func strtol10(s string) (int, int, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	j := i
	n := 0
	for j < len(s) && isDigit(s[j]) {
		if n < 1<<40 {
			n = n*10 + int(s[j]-'0')
		}
		j++
	}
	if j == i {
		return 0, 0, false
	}
	if neg {
		n = -n
	}
	return n, j, true
}

// isInteger reports whether s is a plain non-negative decimal integer.
func isInteger(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
