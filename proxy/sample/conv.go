package sample

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// conv is a compiled converter.
type conv struct {
	name string
	fn   func(x *Ctx, c *conv, v *smpVal) bool
	args []string
	n    [3]int64
	b    []byte
	re   *regexp.Regexp
	glob bool
	m    *mapTable
	def  []byte // map default value
	hasD bool
	out  smpType // map output type
	ip4  netip.Prefix
	ip6  netip.Prefix
}

// convTable maps the converters rule values support to their compiler.
// Keep in step with config.SupportedConverters (TestSampleTables).
var convTable = map[string]func(c *conv, o *Options) error{}

func compileConv(name string, args []string, o *Options) (conv, error) {
	c := conv{name: name, args: args}
	mk, ok := convTable[name]
	if !ok {
		return c, fmt.Errorf("not supported")
	}
	err := mk(&c, o)
	return c, err
}

// intArgs parses the converter's arguments as integers (min required,
// at most len(c.n)).
func (c *conv) intArgs(min int) error {
	if len(c.args) < min || len(c.args) > len(c.n) {
		return fmt.Errorf("expects %d integer argument(s), got %d", min, len(c.args))
	}
	for i, a := range c.args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid integer %q", a)
		}
		c.n[i] = n
	}
	return nil
}

func noArgs(fn func(x *Ctx, c *conv, v *smpVal) bool) func(*conv, *Options) error {
	return func(c *conv, _ *Options) error {
		if len(c.args) > 0 {
			return fmt.Errorf("no argument expected")
		}
		c.fn = fn
		return nil
	}
}

// toStr casts v to a string in place (ints, bools and IPs are printed
// into scratch space).
func toStr(x *Ctx, v *smpVal) bool {
	switch v.t {
	case stStr:
		return true
	case stInt, stBool:
		x.setStr(v, strconv.AppendInt(x.scratch(), v.i, 10))
		return true
	case stIP:
		x.setStr(v, v.ip.AppendTo(x.scratch()))
		return true
	}
	return false
}

// toInt casts v to an integer: a string must be an optional sign and
// digits (HAProxy's c_str2int).
func toInt(v *smpVal) bool {
	switch v.t {
	case stInt, stBool:
		v.t = stInt
		return true
	case stStr:
		n, ok := parseInt(v.s)
		if !ok {
			return false
		}
		v.t, v.i = stInt, n
		return true
	case stIP:
		if v.ip.Is4() {
			b := v.ip.As4()
			v.t, v.i = stInt, int64(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3]))
			return true
		}
	}
	return false
}

func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i++
	}
	if i >= len(b) {
		return 0, false
	}
	var n int64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// toIP casts v to an address.
func toIP(v *smpVal) bool {
	switch v.t {
	case stIP:
		return true
	case stStr:
		a, err := netip.ParseAddr(string(v.s))
		if err != nil {
			return false
		}
		v.t, v.ip = stIP, a.Unmap()
		return true
	case stInt:
		u := uint32(v.i)
		v.t, v.ip = stIP, netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
		return true
	}
	return false
}

// strConv builds a converter that rewrites a string sample into scratch.
func strConv(f func(dst, in []byte, c *conv) ([]byte, bool)) func(x *Ctx, c *conv, v *smpVal) bool {
	return func(x *Ctx, c *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		out, ok := f(x.scratch(), v.s, c)
		if !ok {
			return false
		}
		x.setStr(v, out)
		return true
	}
}

// intConv builds an arithmetic converter on n[0].
func intConv(f func(a, b int64) (int64, bool)) func(*conv, *Options) error {
	return func(c *conv, _ *Options) error {
		if err := c.intArgs(1); err != nil {
			return err
		}
		c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
			if !toInt(v) {
				return false
			}
			r, ok := f(v.i, c.n[0])
			if !ok {
				return false
			}
			v.i = r
			return true
		}
		return nil
	}
}

func init() {
	convTable["lower"] = noArgs(strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
		for _, ch := range in {
			if ch >= 'A' && ch <= 'Z' {
				ch += 'a' - 'A'
			}
			dst = append(dst, ch)
		}
		return dst, true
	}))
	convTable["upper"] = noArgs(strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
		for _, ch := range in {
			if ch >= 'a' && ch <= 'z' {
				ch -= 'a' - 'A'
			}
			dst = append(dst, ch)
		}
		return dst, true
	}))
	convTable["base64"] = noArgs(strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
		return base64.StdEncoding.AppendEncode(dst, in), true
	}))
	convTable["b64dec"] = noArgs(strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
		out, err := base64.StdEncoding.AppendDecode(dst, in)
		return out, err == nil
	}))
	convTable["ub64enc"] = noArgs(strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
		return base64.RawURLEncoding.AppendEncode(dst, in), true
	}))
	convTable["ub64dec"] = noArgs(strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
		out, err := base64.RawURLEncoding.AppendDecode(dst, bytes.TrimRight(in, "="))
		return out, err == nil
	}))
	convTable["hex"] = noArgs(strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
		for _, ch := range in {
			dst = append(dst, hexDigits[ch>>4], hexDigits[ch&15])
		}
		return dst, true
	}))
	convTable["length"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		v.t, v.i = stInt, int64(len(v.s))
		return true
	})
	convTable["url_dec"] = func(c *conv, _ *Options) error {
		if len(c.args) > 1 {
			return fmt.Errorf("at most one argument")
		}
		plus := len(c.args) == 1 && c.args[0] != "0"
		c.fn = strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
			for i := 0; i < len(in); i++ {
				ch := in[i]
				switch {
				case ch == '%':
					if i+2 >= len(in) || unhex(in[i+1]) < 0 || unhex(in[i+2]) < 0 {
						return dst, false
					}
					dst = append(dst, byte(unhex(in[i+1])<<4|unhex(in[i+2])))
					i += 2
				case ch == '+' && plus:
					dst = append(dst, ' ')
				default:
					dst = append(dst, ch)
				}
			}
			return dst, true
		})
		return nil
	}
	convTable["url_enc"] = func(c *conv, _ *Options) error {
		if len(c.args) > 1 || len(c.args) == 1 && c.args[0] != "query" {
			return fmt.Errorf("only 'query' is accepted")
		}
		c.fn = strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
			for _, ch := range in {
				if isAlnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' {
					dst = append(dst, ch)
					continue
				}
				dst = append(dst, '%', hexDigits[ch>>4], hexDigits[ch&15])
			}
			return dst, true
		})
		return nil
	}
	convTable["bytes"] = func(c *conv, _ *Options) error {
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
	for _, name := range []string{"field", "word"} {
		word := name == "word"
		convTable[name] = func(c *conv, _ *Options) error {
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
	convTable["regsub"] = func(c *conv, _ *Options) error {
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
	convTable["json"] = func(c *conv, _ *Options) error {
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
	convTable["ipmask"] = func(c *conv, _ *Options) error {
		if len(c.args) < 1 || len(c.args) > 2 {
			return fmt.Errorf("expects a mask and an optional IPv6 mask")
		}
		bits4, err := maskBits(c.args[0], 32)
		if err != nil {
			return err
		}
		c.n[0] = int64(bits4)
		c.n[1] = -1
		if len(c.args) == 2 {
			b6, err := maskBits(c.args[1], 128)
			if err != nil {
				return err
			}
			c.n[1] = int64(b6)
		}
		c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
			if !toIP(v) {
				return false
			}
			bits := c.n[0]
			if v.ip.Is6() {
				if c.n[1] < 0 {
					return false
				}
				bits = c.n[1]
			}
			p, err := v.ip.Prefix(int(bits))
			if err != nil {
				return false
			}
			v.ip = p.Addr()
			return true
		}
		return nil
	}
	convTable["add"] = intConv(func(a, b int64) (int64, bool) { return a + b, true })
	convTable["sub"] = intConv(func(a, b int64) (int64, bool) { return a - b, true })
	convTable["mul"] = intConv(func(a, b int64) (int64, bool) { return a * b, true })
	convTable["div"] = intConv(func(a, b int64) (int64, bool) {
		if b == 0 {
			return 0, false
		}
		return a / b, true
	})
	convTable["mod"] = intConv(func(a, b int64) (int64, bool) {
		if b == 0 {
			return 0, false
		}
		return a % b, true
	})
	convTable["and"] = intConv(func(a, b int64) (int64, bool) { return a & b, true })
	convTable["or"] = intConv(func(a, b int64) (int64, bool) { return a | b, true })
	convTable["xor"] = intConv(func(a, b int64) (int64, bool) { return a ^ b, true })
	convTable["neg"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toInt(v) {
			return false
		}
		v.i = -v.i
		return true
	})
	convTable["cpl"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toInt(v) {
			return false
		}
		v.i = ^v.i
		return true
	})
	boolOf := func(f func(int64) bool) func(*conv, *Options) error {
		return noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
			if !toInt(v) {
				return false
			}
			v.t = stBool
			v.i = 0
			if f(v.i) {
				v.i = 1
			}
			return true
		})
	}
	_ = boolOf
	convTable["bool"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toInt(v) {
			return false
		}
		v.t = stBool
		if v.i != 0 {
			v.i = 1
		}
		return true
	})
	convTable["not"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toInt(v) {
			return false
		}
		v.t = stBool
		if v.i == 0 {
			v.i = 1
		} else {
			v.i = 0
		}
		return true
	})
	convTable["odd"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toInt(v) {
			return false
		}
		v.t, v.i = stBool, v.i&1
		return true
	})
	convTable["even"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toInt(v) {
			return false
		}
		v.t, v.i = stBool, 1-v.i&1
		return true
	})
	trim := func(left bool) func(*conv, *Options) error {
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
	convTable["ltrim"] = trim(true)
	convTable["rtrim"] = trim(false)
	convTable["cut_crlf"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		if i := bytes.IndexAny(v.s, "\r\n"); i >= 0 {
			v.s = v.s[:i]
		}
		return true
	})
	convTable["host_only"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		h, _ := splitHostPort(v.s)
		v.s = h
		return true
	})
	convTable["port_only"] = noArgs(func(x *Ctx, c *conv, v *smpVal) bool {
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
	})
	hashConv := func(f func(b []byte) uint32) func(*conv, *Options) error {
		return func(c *conv, _ *Options) error {
			if len(c.args) > 1 {
				return fmt.Errorf("at most one argument")
			}
			c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
				if !toStr(x, v) {
					return false
				}
				v.t, v.i = stInt, int64(f(v.s))
				return true
			}
			return nil
		}
	}
	convTable["crc32"] = hashConv(crc32.ChecksumIEEE)
	convTable["crc32c"] = hashConv(func(b []byte) uint32 { return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)) })
	convTable["djb2"] = hashConv(func(b []byte) uint32 {
		h := uint32(5381)
		for _, c := range b {
			h = h*33 + uint32(c)
		}
		return h
	})
	convTable["sdbm"] = hashConv(func(b []byte) uint32 {
		var h uint32
		for _, c := range b {
			h = uint32(c) + (h << 6) + (h << 16) - h
		}
		return h
	})
	convTable["sha1"] = noArgs(strConv(func(dst, in []byte, _ *conv) ([]byte, bool) {
		s := sha1.Sum(in)
		return append(dst, s[:]...), true
	}))
	convTable["sha2"] = func(c *conv, _ *Options) error {
		bits := "256"
		if len(c.args) > 0 {
			bits = c.args[0]
		}
		var f func(dst, in []byte) []byte
		switch bits {
		case "224":
			f = func(dst, in []byte) []byte { s := sha256.Sum224(in); return append(dst, s[:]...) }
		case "256":
			f = func(dst, in []byte) []byte { s := sha256.Sum256(in); return append(dst, s[:]...) }
		case "384":
			f = func(dst, in []byte) []byte { s := sha512.Sum384(in); return append(dst, s[:]...) }
		case "512":
			f = func(dst, in []byte) []byte { s := sha512.Sum512(in); return append(dst, s[:]...) }
		default:
			return fmt.Errorf("unsupported bit size %q", bits)
		}
		c.fn = strConv(func(dst, in []byte, _ *conv) ([]byte, bool) { return f(dst, in), true })
		return nil
	}
	registerMapConverters()
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func isAlnum(c byte) bool { return c >= '0' && c <= '9' || isLetter(c) }

func maskBits(s string, max int) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > max {
			return 0, fmt.Errorf("invalid mask %q", s)
		}
		return n, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || max != 32 || !a.Is4() {
		return 0, fmt.Errorf("invalid mask %q", s)
	}
	b := a.As4()
	u := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for u&0x80000000 != 0 {
		n++
		u <<= 1
	}
	if u != 0 {
		return 0, fmt.Errorf("invalid mask %q", s)
	}
	return n, nil
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
