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
// panics; a malformed line yields a tokError (and the words read so
// far).
//
// The returned slice always holds at least one word (possibly empty).
func splitLine(line string, env lookupFunc) ([]string, *tokError) {
	t := &tokenizer{in: line, env: env, quote: -1}
	err := t.run()
	return t.words, err
}

// splitExpression splits a command-line expression (-cc) as HAProxy
// does: like a configuration line, except that '#' starts no comment.
func splitExpression(s string, env lookupFunc) ([]string, *tokError) {
	t := &tokenizer{in: s, env: env, quote: -1, noComment: true}
	err := t.run()
	return t.words, err
}

// tokenizer is splitLine's state: the line, the position in it, the
// words so far and the word being built.
type tokenizer struct {
	in     string
	i      int
	env    lookupFunc
	words  []string
	cur    []byte
	squote bool
	dquote bool
	quote  int // where the open quote is, -1 when none
	// noComment makes '#' an ordinary character (-cc expressions).
	noComment bool
}

// run reads the line to its end (or a comment) or to an error.
func (t *tokenizer) run() *tokError {
	for t.i < len(t.in) {
		c := t.in[t.i]
		var err *tokError
		switch {
		case c >= '-' && c != '\\':
			t.cur = append(t.cur, c)
			t.i++
		case c == '\n' || c == '\r' || c == 0:
			return t.end()
		case c == '#' && !t.squote && !t.dquote && !t.noComment:
			return t.end()
		case c == '"' && !t.squote:
			t.dquote = t.toggleQuote(t.dquote)
		case c == '\'' && !t.dquote:
			t.squote = t.toggleQuote(t.squote)
		case c == '\\' && !t.squote:
			err = t.escape()
		case isSpace(c) && !t.squote && !t.dquote:
			for t.i < len(t.in) && isSpace(t.in[t.i]) {
				t.i++
			}
			err = t.emitWord()
		case c == '$' && t.dquote:
			err = t.variable()
		default:
			t.cur = append(t.cur, c)
			t.i++
		}
		if err != nil {
			return err
		}
	}
	return t.end()
}

// end closes the last word; an open quote is an error.
func (t *tokenizer) end() *tokError {
	t.words = append(t.words, string(t.cur))
	t.cur = t.cur[:0]
	if t.quote >= 0 {
		return &tokError{tokQuote, t.quote}
	}
	return nil
}

// emitWord closes the current word; more than maxLineArgs is an error.
func (t *tokenizer) emitWord() *tokError {
	t.words = append(t.words, string(t.cur))
	t.cur = t.cur[:0]
	if len(t.words) >= maxLineArgs {
		return &tokError{tokTooMany, t.i}
	}
	return nil
}

// toggleQuote opens or closes the quote at the current position and
// returns the new state of that kind of quote.
func (t *tokenizer) toggleQuote(open bool) bool {
	if open {
		t.quote = -1
	} else {
		t.quote = t.i
	}
	t.i++
	return !open
}

// escapes are the characters a backslash turns into another.
var escapes = map[byte]byte{' ': ' ', '\\': '\\', 't': '\t', 'n': '\n', 'r': '\r', '#': '#', '\'': '\'', '"': '"'}

// escape reads a backslash sequence (outside single quotes).
func (t *tokenizer) escape() *tokError {
	next := byteAt(t.in, t.i+1)
	send := byte('\\')
	if e, ok := escapes[next]; ok {
		send = e
		t.i++
	} else if next == '$' && t.dquote {
		send = next
		t.i++
	} else if next == 'x' {
		if !isHex(byteAt(t.in, t.i+2)) || !isHex(byteAt(t.in, t.i+3)) {
			return &tokError{tokHex, t.i}
		}
		v, _ := strconv.ParseUint(t.in[t.i+2:t.i+4], 16, 8)
		send = byte(v)
		t.i += 3
	}
	t.i++
	t.cur = append(t.cur, send)
	return nil
}

// variable reads a $NAME or ${NAME[*]-default} reference (inside double
// quotes) and appends its value; [*] splits it into words at spaces.
func (t *tokenizer) variable() *tokError {
	t.i++ // the '$'
	brace := -1
	if t.i < len(t.in) && t.in[t.i] == '{' {
		brace = t.i
		t.i++
	}
	value, found, err := t.varValue()
	if err != nil {
		return err
	}
	expand := false
	if t.i < len(t.in) && t.in[t.i] == '[' && brace >= 0 {
		if t.i+2 >= len(t.in) || t.in[t.i+1] != '*' || t.in[t.i+2] != ']' {
			return &tokError{tokExpand, t.i}
		}
		t.i += 3
		expand = true
	}
	if brace >= 0 {
		if err := t.closeBrace(brace, &value, &found); err != nil {
			return err
		}
	}
	if found {
		return t.appendValue(value, expand)
	}
	return nil
}

// varValue reads a variable name and looks it up; of the names starting
// with '.', only .LINE, .FILE and .SECTION exist.
func (t *tokenizer) varValue() (string, bool, *tokError) {
	in := t.in
	if t.i >= len(in) || !(isAlpha(in[t.i]) || in[t.i] == '_' || in[t.i] == '.') {
		return "", false, &tokError{tokVarName, t.i}
	}
	start := t.i
	if in[t.i] == '.' {
		t.i++
	}
	for t.i < len(in) && (isAlnum(in[t.i]) || in[t.i] == '_') {
		t.i++
	}
	name := in[start:t.i]
	if name[0] != '.' {
		v, ok := t.env(name)
		return v, ok, nil
	}
	if v, ok := t.env(name); ok && (name == ".LINE" || name == ".FILE" || name == ".SECTION") {
		return v, true, nil
	}
	return "", false, &tokError{tokVarName, start}
}

// closeBrace reads the end of ${NAME...}: an optional -default (used
// when the variable is unset) and the closing brace opened at brace.
func (t *tokenizer) closeBrace(brace int, value *string, found *bool) *tokError {
	in := t.in
	if t.i < len(in) && in[t.i] == '-' {
		j := t.i + 1
		for j < len(in) && in[j] != '}' {
			j++
		}
		if j >= len(in) {
			return &tokError{tokBrace, brace}
		}
		if !*found {
			*value, *found = in[t.i+1:j], true
		}
		t.i = j
	} else if t.i >= len(in) || in[t.i] != '}' {
		return &tokError{tokBrace, brace}
	}
	t.i++ // the closing brace
	return nil
}

// appendValue appends a variable's value to the current word; expanded,
// each run of spaces in it ends a word.
func (t *tokenizer) appendValue(value string, expand bool) *tokError {
	for k := 0; k < len(value); {
		if expand && isSpace(value[k]) {
			if err := t.emitWord(); err != nil {
				return err
			}
			for k < len(value) && isSpace(value[k]) {
				k++
			}
			continue
		}
		t.cur = append(t.cur, value[k])
		k++
	}
	return nil
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
