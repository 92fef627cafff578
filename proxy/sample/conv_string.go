package sample

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Converters on strings: case, slicing, fields, substitution, trimming,
// JSON escaping, host and port.
var stringConvs = []convKw{
	{"lower", strNoArgs(lower)},
	{"upper", strNoArgs(upper)},
	{"length", noArgs(length)},
	{"bytes", compileBytes},
	{"field", fieldConv(false)},
	{"word", fieldConv(true)},
	{"regsub", compileRegsub},
	{"json", compileJSON},
	{"ltrim", trimConv(true)},
	{"rtrim", trimConv(false)},
	{"cut_crlf", noArgs(cutCRLF)},
	{"host_only", noArgs(hostOnly)},
	{"port_only", noArgs(portOnly)},
}

func init() { registerConvs(stringConvs) }

func lower(dst, in []byte) ([]byte, bool) {
	for _, ch := range in {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst, true
}

func upper(dst, in []byte) ([]byte, bool) {
	for _, ch := range in {
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	return dst, true
}

func length(x *Ctx, c *conv, v *smpVal) bool {
	if !toStr(x, v) {
		return false
	}
	v.t, v.i = stInt, int64(len(v.s))
	return true
}

// compileBytes compiles bytes(offset[,length]).
func compileBytes(c *conv, _ *Options) error {
	if err := c.intArgs(1); err != nil {
		return err
	}
	if len(c.args) < 2 {
		c.n[1] = -1
	}
	if c.n[0] < 0 {
		return fmt.Errorf("offset must be positive")
	}
	c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		off := c.n[0]
		if off >= int64(len(v.s)) {
			v.s = v.s[:0]
			return true
		}
		end := int64(len(v.s))
		if c.n[1] >= 0 && off+c.n[1] < end {
			end = off + c.n[1]
		}
		v.s = v.s[off:end]
		return true
	}
	return nil
}

// fieldConv compiles field(index,delimiters[,count]), or with word
// word(...).
func fieldConv(word bool) convCompiler {
	return func(c *conv, _ *Options) error {
		if len(c.args) < 2 || len(c.args) > 3 {
			return fmt.Errorf("expects an index, delimiters and an optional count")
		}
		idx, err := strconv.ParseInt(c.args[0], 10, 64)
		if err != nil || idx == 0 {
			return fmt.Errorf("invalid index %q", c.args[0])
		}
		c.n[0] = idx
		c.b = []byte(c.args[1])
		if len(c.b) == 0 {
			return fmt.Errorf("empty delimiter list")
		}
		c.n[1] = 1
		if len(c.args) == 3 {
			n, err := strconv.ParseInt(c.args[2], 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("invalid count %q", c.args[2])
			}
			c.n[1] = n
		}
		c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
			if !toStr(x, v) {
				return false
			}
			s, ok := pickFields(v.s, c.b, c.n[0], c.n[1], word)
			if !ok {
				return false
			}
			v.s = s
			return true
		}
		return nil
	}
}

// compileRegsub compiles regsub(regex,replacement[,flags]).
func compileRegsub(c *conv, _ *Options) error {
	if len(c.args) < 2 || len(c.args) > 3 {
		return fmt.Errorf("expects a regex, a replacement and optional flags")
	}
	expr := c.args[0]
	if len(c.args) == 3 {
		for _, fl := range c.args[2] {
			switch fl {
			case 'i':
				expr = "(?i)" + expr
			case 'g':
				c.glob = true
			default:
				return fmt.Errorf("unknown flag %q", fl)
			}
		}
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return fmt.Errorf("invalid regex %q: %w", c.args[0], err)
	}
	c.re = re
	c.b = []byte(c.args[1])
	c.fn = strConv(func(dst, in []byte, c *conv) ([]byte, bool) {
		return regsub(dst, in, c), true
	})
	return nil
}

// compileJSON compiles json([mode]).
func compileJSON(c *conv, _ *Options) error {
	mode := ""
	if len(c.args) > 0 {
		mode = c.args[0]
	}
	switch mode {
	case "", "ascii", "utf8", "utf8s", "utf8p", "utf8ps":
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	utf := strings.HasPrefix(mode, "utf8")
	skip := strings.Contains(mode[min(len(mode), 4):], "s")
	c.fn = strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
		return jsonEscape(dst, in, utf, skip)
	})
	return nil
}

// trimConv compiles ltrim(chars), or without left rtrim(chars).
func trimConv(left bool) convCompiler {
	return func(c *conv, _ *Options) error {
		if len(c.args) != 1 {
			return fmt.Errorf("expects the characters to trim")
		}
		set := c.args[0]
		c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
			if !toStr(x, v) {
				return false
			}
			if left {
				v.s = bytes.TrimLeft(v.s, set)
			} else {
				v.s = bytes.TrimRight(v.s, set)
			}
			return true
		}
		return nil
	}
}

func cutCRLF(x *Ctx, c *conv, v *smpVal) bool {
	if !toStr(x, v) {
		return false
	}
	if i := bytes.IndexAny(v.s, "\r\n"); i >= 0 {
		v.s = v.s[:i]
	}
	return true
}

func hostOnly(x *Ctx, c *conv, v *smpVal) bool {
	if !toStr(x, v) {
		return false
	}
	h, _ := splitHostPort(v.s)
	v.s = h
	return true
}

func portOnly(x *Ctx, c *conv, v *smpVal) bool {
	if !toStr(x, v) {
		return false
	}
	_, p := splitHostPort(v.s)
	n, ok := parseInt(p)
	if !ok {
		n = 0
	}
	v.t, v.i = stInt, n
	return true
}

// pickFields implements field() (each delimiter ends a field) and
// word() (runs of delimiters separate words; empty words are skipped).
// idx counts from 1, or from the end when negative; count fields are
// returned with their separators (0 = up to the end).
func pickFields(s, delims []byte, idx, count int64, word bool) ([]byte, bool) {
	isDelim := func(c byte) bool { return bytes.IndexByte(delims, c) >= 0 }
	// collect field boundaries without allocating: walk twice if negative.
	type span struct{ a, b int }
	var spans [64]span
	n := 0
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isDelim(s[i]) {
			continue
		}
		if !(word && i == start) {
			if n == len(spans) {
				return nil, false
			}
			spans[n] = span{start, i}
			n++
		}
		start = i + 1
	}
	first := idx - 1
	if idx < 0 {
		first = int64(n) + idx
	}
	if first < 0 || first >= int64(n) {
		return s[:0], true
	}
	last := first
	if count == 0 {
		last = int64(n) - 1
	} else if first+count-1 < int64(n) {
		last = first + count - 1
	} else {
		last = int64(n) - 1
	}
	if idx < 0 && count > 1 {
		// counting backwards from a negative index takes fields before it
		f := first - count + 1
		if f < 0 {
			f = 0
		}
		first, last = f, first
	}
	return s[spans[first].a:spans[last].b], true
}

// regsub replaces the first (or every, with g) match of c.re in in by
// c.b, where \1..\9 name groups.
func regsub(dst, in []byte, c *conv) []byte {
	pos := 0
	for pos <= len(in) {
		m := c.re.FindSubmatchIndex(in[pos:])
		if m == nil {
			break
		}
		dst = append(dst, in[pos:pos+m[0]]...)
		for i := 0; i < len(c.b); i++ {
			ch := c.b[i]
			if ch == '\\' && i+1 < len(c.b) && c.b[i+1] >= '0' && c.b[i+1] <= '9' {
				g := int(c.b[i+1] - '0')
				if 2*g+1 < len(m) && m[2*g] >= 0 {
					dst = append(dst, in[pos+m[2*g]:pos+m[2*g+1]]...)
				}
				i++
				continue
			}
			dst = append(dst, ch)
		}
		adv := m[1]
		if m[1] == m[0] {
			// empty match: copy one byte and move on
			if pos+m[1] < len(in) {
				dst = append(dst, in[pos+m[1]])
			}
			adv++
		}
		pos += adv
		if !c.glob {
			break
		}
	}
	if pos < len(in) {
		dst = append(dst, in[pos:]...)
	}
	return dst
}

// jsonEscape escapes a string for a JSON string body as HAProxy's json
// converter does; invalid UTF-8 fails the sample unless skip is set (then
// it is dropped).
func jsonEscape(dst, in []byte, utf, skip bool) ([]byte, bool) {
	for i := 0; i < len(in); {
		c := in[i]
		switch {
		case c == '"' || c == '\\' || c == '/':
			dst = append(dst, '\\', c)
			i++
		case c == '\b':
			dst = append(dst, '\\', 'b')
			i++
		case c == '\f':
			dst = append(dst, '\\', 'f')
			i++
		case c == '\n':
			dst = append(dst, '\\', 'n')
			i++
		case c == '\r':
			dst = append(dst, '\\', 'r')
			i++
		case c == '\t':
			dst = append(dst, '\\', 't')
			i++
		case c < 0x20 || c == 0x7f:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			i++
		case c < 0x80 || !utf:
			if c >= 0x80 {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				dst = append(dst, c)
			}
			i++
		default:
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size <= 1 {
				if !skip {
					return dst, false
				}
				i++
				continue
			}
			dst = append(dst, in[i:i+size]...)
			i += size
		}
	}
	return dst, true
}

// splitHostPort splits "host[:port]" ("[v6]:port" too).
func splitHostPort(s []byte) (host, port []byte) {
	if len(s) > 0 && s[0] == '[' {
		if e := bytes.IndexByte(s, ']'); e >= 0 {
			host = s[:e+1]
			if e+1 < len(s) && s[e+1] == ':' {
				port = s[e+2:]
			}
			return host, port
		}
		return s, nil
	}
	if i := bytes.LastIndexByte(s, ':'); i >= 0 && bytes.IndexByte(s[:i], ':') < 0 {
		return s[:i], s[i+1:]
	}
	return s, nil
}
