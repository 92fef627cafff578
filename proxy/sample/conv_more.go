package sample

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"hash"
	"time"
)

// Converters reading variables (concat, strcmp, secure_memcmp, set-var,
// unset-var), keyed digests (hmac, digest) and dates (ltime, utime).
// json_query is in conv_json.go.
var moreConvs = []convKw{
	{"concat", compileConcat},
	{"strcmp", compileStrcmp(false)},
	{"secure_memcmp", compileStrcmp(true)},
	{"set-var", compileSetVarConv},
	{"unset-var", compileUnsetVarConv},
	{"hmac", compileHMAC},
	{"digest", compileDigest},
	{"ltime", compileTime(time.Local)},
	{"utime", compileTime(time.UTC)},
}

func init() { registerConvs(moreConvs) }

// compileConcat compiles concat([prefix],[var],[suffix]).
func compileConcat(c *conv, _ *Options) error {
	if len(c.args) > 3 {
		return fmt.Errorf("expects at most a prefix, a variable and a suffix")
	}
	args := append(append([]string(nil), c.args...), "", "", "")
	vr, err := varNameArg(args[1])
	if err != nil {
		return err
	}
	pre, suf := []byte(args[0]), []byte(args[2])
	c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		b := append(x.scratch(), v.s...)
		b = append(b, pre...)
		if vr != nil {
			var w smpVal
			if x.getVar(vr, &w) {
				b = appendPlain(b, &w)
			}
		}
		b = append(b, suf...)
		x.setStr(v, b)
		return true
	}
	return nil
}

// appendPlain appends a sample's text as is.
func appendPlain(b []byte, v *smpVal) []byte {
	switch v.t {
	case stStr:
		return append(b, v.s...)
	case stIP:
		return v.ip.AppendTo(b)
	case stInt, stBool:
		return appendInt(b, v.i)
	}
	return b
}

func appendInt(b []byte, n int64) []byte {
	var tmp [20]byte
	i := len(tmp)
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	for {
		i--
		tmp[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		tmp[i] = '-'
	}
	return append(b, tmp[i:]...)
}

// compileStrcmp compiles strcmp(var) and secure_memcmp(var): the
// comparison of the sample with a variable's value (0 = equal).
func compileStrcmp(secure bool) convCompiler {
	return func(c *conv, _ *Options) error {
		if len(c.args) != 1 {
			return fmt.Errorf("expects a variable name")
		}
		vr, err := varNameArg(c.args[0])
		if err != nil || vr == nil {
			return fmt.Errorf("invalid variable name %q", c.args[0])
		}
		c.fn = func(x *Ctx, c *conv, v *smpVal) bool {
			if !toStr(x, v) {
				return false
			}
			var w smpVal
			if !x.getVar(vr, &w) || w.t != stStr {
				return false
			}
			if secure {
				v.t, v.i = stBool, int64(subtle.ConstantTimeCompare(v.s, w.s))
				return true
			}
			v.t, v.i = stInt, int64(bytes.Compare(v.s, w.s))
			return true
		}
		return nil
	}
}

// compileSetVarConv compiles the set-var(name) converter: it stores the
// sample and passes it on unchanged.
func compileSetVarConv(c *conv, _ *Options) error {
	if len(c.args) < 1 {
		return fmt.Errorf("expects a variable name")
	}
	vr, err := varNameArg(c.args[0])
	if err != nil || vr == nil {
		return fmt.Errorf("invalid variable name %q", c.args[0])
	}
	c.fn = func(x *Ctx, _ *conv, v *smpVal) bool {
		x.putVar(vr, v)
		return true
	}
	return nil
}

// compileUnsetVarConv compiles unset-var(name).
func compileUnsetVarConv(c *conv, _ *Options) error {
	if len(c.args) != 1 {
		return fmt.Errorf("expects a variable name")
	}
	vr, err := varNameArg(c.args[0])
	if err != nil || vr == nil {
		return fmt.Errorf("invalid variable name %q", c.args[0])
	}
	c.fn = func(x *Ctx, _ *conv, _ *smpVal) bool {
		x.UnsetVar(vr)
		return true
	}
	return nil
}

// digests are the algorithms of hmac and digest.
var digests = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New,
}

// compileHMAC compiles hmac(algorithm,key): key is base64 or a variable
// holding base64.
func compileHMAC(c *conv, _ *Options) error {
	if len(c.args) != 2 {
		return fmt.Errorf("expects an algorithm and a base64 key")
	}
	h, ok := digests[c.args[0]]
	if !ok {
		return fmt.Errorf("unknown algorithm %q", c.args[0])
	}
	var vr *VarRef
	key, err := base64.StdEncoding.DecodeString(c.args[1])
	if err != nil {
		r, verr := ParseVarName(c.args[1])
		if verr != nil {
			return fmt.Errorf("key %q is neither base64 nor a variable", c.args[1])
		}
		vr = &r
	}
	c.fn = func(x *Ctx, _ *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		k := key
		if vr != nil {
			var w smpVal
			if !x.getVar(vr, &w) || w.t != stStr {
				return false
			}
			dk, err := base64.StdEncoding.DecodeString(string(w.s))
			if err != nil {
				return false
			}
			k = dk
		}
		m := hmac.New(h, k)
		m.Write(v.s)
		x.setStr(v, m.Sum(x.scratch()))
		return true
	}
	return nil
}

// compileDigest compiles digest(algorithm).
func compileDigest(c *conv, _ *Options) error {
	if len(c.args) != 1 {
		return fmt.Errorf("expects an algorithm")
	}
	h, ok := digests[c.args[0]]
	if !ok {
		return fmt.Errorf("unknown algorithm %q", c.args[0])
	}
	c.fn = func(x *Ctx, _ *conv, v *smpVal) bool {
		if !toStr(x, v) {
			return false
		}
		d := h()
		d.Write(v.s)
		x.setStr(v, d.Sum(x.scratch()))
		return true
	}
	return nil
}

// compileTime compiles ltime(format[,offset]) and utime: a Unix time
// formatted as strftime(3) does, in loc.
func compileTime(loc *time.Location) convCompiler {
	return func(c *conv, _ *Options) error {
		if len(c.args) < 1 || len(c.args) > 2 {
			return fmt.Errorf("expects a format and an optional offset")
		}
		format := c.args[0]
		var off int64
		if len(c.args) == 2 {
			if _, err := fmt.Sscan(c.args[1], &off); err != nil {
				return fmt.Errorf("invalid offset %q", c.args[1])
			}
		}
		c.fn = func(x *Ctx, _ *conv, v *smpVal) bool {
			if !toInt(v) {
				return false
			}
			t := time.Unix(v.i+off, 0).In(loc)
			x.setStr(v, strftime(x.scratch(), format, t))
			return true
		}
		return nil
	}
}

// strftime formats t as strftime(3) in the C locale.
func strftime(b []byte, f string, t time.Time) []byte {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b = append(b, f[i])
			continue
		}
		i++
		if sub, ok := strftimeShort[f[i]]; ok {
			b = strftime(b, sub, t)
			continue
		}
		if fn, ok := strftimeVerbs[f[i]]; ok {
			b = fn(b, t)
			continue
		}
		b = append(b, '%', f[i])
	}
	return b
}

func pad(b []byte, n, w int, c byte) []byte {
	s := appendInt(nil, int64(n))
	for k := len(s); k < w; k++ {
		b = append(b, c)
	}
	return append(b, s...)
}

// strftimeVerbs are the conversions of strftime, one row each.
var strftimeVerbs = map[byte]func(b []byte, t time.Time) []byte{
	'Y': func(b []byte, t time.Time) []byte { return appendInt(b, int64(t.Year())) },
	'y': func(b []byte, t time.Time) []byte { return pad(b, t.Year()%100, 2, '0') },
	'C': func(b []byte, t time.Time) []byte { return pad(b, t.Year()/100, 2, '0') },
	'm': func(b []byte, t time.Time) []byte { return pad(b, int(t.Month()), 2, '0') },
	'd': func(b []byte, t time.Time) []byte { return pad(b, t.Day(), 2, '0') },
	'e': func(b []byte, t time.Time) []byte { return pad(b, t.Day(), 2, ' ') },
	'H': func(b []byte, t time.Time) []byte { return pad(b, t.Hour(), 2, '0') },
	'I': func(b []byte, t time.Time) []byte { return pad(b, (t.Hour()+11)%12+1, 2, '0') },
	'M': func(b []byte, t time.Time) []byte { return pad(b, t.Minute(), 2, '0') },
	'S': func(b []byte, t time.Time) []byte { return pad(b, t.Second(), 2, '0') },
	'j': func(b []byte, t time.Time) []byte { return pad(b, t.YearDay(), 3, '0') },
	'u': func(b []byte, t time.Time) []byte { return appendInt(b, int64((int(t.Weekday())+6)%7+1)) },
	'w': func(b []byte, t time.Time) []byte { return appendInt(b, int64(t.Weekday())) },
	's': func(b []byte, t time.Time) []byte { return appendInt(b, t.Unix()) },
	'a': func(b []byte, t time.Time) []byte { return append(b, t.Weekday().String()[:3]...) },
	'A': func(b []byte, t time.Time) []byte { return append(b, t.Weekday().String()...) },
	'b': func(b []byte, t time.Time) []byte { return append(b, t.Month().String()[:3]...) },
	'h': func(b []byte, t time.Time) []byte { return append(b, t.Month().String()[:3]...) },
	'B': func(b []byte, t time.Time) []byte { return append(b, t.Month().String()...) },
	'p': func(b []byte, t time.Time) []byte { return append(b, t.Format("PM")...) },
	'z': func(b []byte, t time.Time) []byte { return append(b, t.Format("-0700")...) },
	'Z': func(b []byte, t time.Time) []byte { return append(b, t.Format("MST")...) },
	'n': func(b []byte, _ time.Time) []byte { return append(b, '\n') },
	't': func(b []byte, _ time.Time) []byte { return append(b, '\t') },
	'%': func(b []byte, _ time.Time) []byte { return append(b, '%') },
}

// strftimeShort are the conversions that stand for others.
var strftimeShort = map[byte]string{'T': "%H:%M:%S", 'D': "%m/%d/%y", 'F': "%Y-%m-%d", 'R': "%H:%M", 'c': "%a %b %e %H:%M:%S %Y"}
