package config

import "strconv"

// maxLineArgs is HAProxy's MAX_LINE_ARGS: words after the 64th are an error.
const maxLineArgs = 64

// tokErrKind says why a line could not be split into words.
type tokErrKind int

const (
	tokOK tokErrKind = iota
	tokQuote
	tokBrace
	tokVarName
	tokHex
	tokExpand
	tokTooMany
)

// tokError is a tokenizer failure at byte offset Pos of the line.
type tokError struct {
	Kind tokErrKind
	Pos  int
}

// lookupFunc resolves an environment variable (ok=false when unset).
type lookupFunc func(name string) (string, bool)

// splitLine splits one configuration line into words the way HAProxy's
// parse_line() does with the options readcfgfile() uses: single quotes
// (strong), double quotes (weak, with $VAR / ${VAR} / ${VAR-default} /
// ${VAR[*]} expansion), backslash escapes and '#' comments. It never
// panics; a malformed line yields a tokError.
//
// The returned slice always holds at least one word (possibly empty).
func splitLine(line string, env lookupFunc) ([]string, *tokError) {
	var (
		words  []string
		cur    []byte
		squote bool
		dquote bool
		quote  = -1
	)
	in := line
	i := 0
	emitWord := func() {
		words = append(words, string(cur))
		cur = cur[:0]
	}
	for i < len(in) {
		c := in[i]
		switch {
		case c >= '-' && c != '\\':
			cur = append(cur, c)
			i++
		case c == '\n' || c == '\r' || c == 0:
			goto end
		case c == '#' && !squote && !dquote:
			goto end
		case c == '"' && !squote:
			if dquote {
				dquote = false
				quote = -1
			} else {
				dquote = true
				quote = i
			}
			i++
		case c == '\'' && !dquote:
			if squote {
				squote = false
				quote = -1
			} else {
				squote = true
				quote = i
			}
			i++
		case c == '\\' && !squote:
			var next byte
			if i+1 < len(in) {
				next = in[i+1]
			}
			send := c
			switch next {
			case ' ', '\\':
				send = next
				i++
			case 't':
				send = '\t'
				i++
			case 'n':
				send = '\n'
				i++
			case 'r':
				send = '\r'
				i++
			case '#', '\'', '"':
				send = next
				i++
			case '$':
				if dquote {
					send = next
					i++
				}
			case 'x':
				if !isHex(byteAt(in, i+2)) || !isHex(byteAt(in, i+3)) {
					return words, &tokError{tokHex, i}
				}
				v, _ := strconv.ParseUint(in[i+2:i+4], 16, 8)
				send = byte(v)
				i += 3
			}
			i++
			cur = append(cur, send)
		case isSpace(c) && !squote && !dquote:
			for i < len(in) && isSpace(in[i]) {
				i++
			}
			emitWord()
			if len(words) >= maxLineArgs {
				return words, &tokError{tokTooMany, i}
			}
		case c == '$' && dquote:
			i++
			brace := -1
			if i < len(in) && in[i] == '{' {
				brace = i
				i++
			}
			if i >= len(in) || !(isAlpha(in[i]) || in[i] == '_' || in[i] == '.') {
				return words, &tokError{tokVarName, i}
			}
			start := i
			if in[i] == '.' {
				i++
			}
			for i < len(in) && (isAlnum(in[i]) || in[i] == '_') {
				i++
			}
			name := in[start:i]
			var value string
			var found bool
			if name[0] == '.' {
				if v, ok := env(name); ok && (name == ".LINE" || name == ".FILE" || name == ".SECTION") {
					value, found = v, true
				} else {
					return words, &tokError{tokVarName, start}
				}
			} else {
				value, found = env(name)
			}
			expand := false
			if i < len(in) && in[i] == '[' && brace >= 0 {
				wpos := i
				if i+2 >= len(in) || in[i+1] != '*' || in[i+2] != ']' {
					return words, &tokError{tokExpand, wpos}
				}
				i += 3
				expand = true
			}
			if brace >= 0 {
				if i < len(in) && in[i] == '-' {
					j := i + 1
					for j < len(in) && in[j] != '}' {
						j++
					}
					if j >= len(in) {
						return words, &tokError{tokBrace, brace}
					}
					if !found {
						value, found = in[i+1:j], true
					}
					i = j
				} else if i >= len(in) || in[i] != '}' {
					return words, &tokError{tokBrace, brace}
				}
				i++ // the closing brace
			}
			if found {
				for k := 0; k < len(value); {
					if expand && isSpace(value[k]) {
						emitWord()
						if len(words) >= maxLineArgs {
							return words, &tokError{tokTooMany, i}
						}
						for k < len(value) && isSpace(value[k]) {
							k++
						}
						continue
					}
					cur = append(cur, value[k])
					k++
				}
			}
		default:
			cur = append(cur, c)
			i++
		}
	}
end:
	emitWord()
	if quote >= 0 {
		return words, &tokError{tokQuote, quote}
	}
	return words, nil
}

func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// isSpace is C's isspace() in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

// sanitizeForPrinting mimics HAProxy's sanitize_for_printing(): it returns
// the line made printable and cut to width around pos, and pos moved
// accordingly.
func sanitizeForPrinting(line string, pos, width int) (string, int) {
	shift := 0
	out := make([]byte, 0, width+6)
	in := 0
	end := width
	if pos >= width {
		shift = pos - width/2
		in = shift + 3
		end = width - 3
		out = append(out, '.', '.', '.')
	}
	n := len(out)
	for n < end && in < len(line) {
		c := line[in]
		switch {
		case isSpace(c):
			out = append(out, ' ')
		case c >= 0x20 && c < 0x7f:
			out = append(out, c)
		default:
			out = append(out, '?')
		}
		in++
		n++
	}
	if pos >= width {
		out = append(out, '.', '.', '.')
	}
	return string(out), pos - shift
}
