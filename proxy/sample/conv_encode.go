package sample

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// Encodings: base64 (standard and URL), hex, URL encoding.
var encodeConvs = []convKw{
	{"base64", strNoArgs(func(dst, in []byte) ([]byte, bool) { return base64.StdEncoding.AppendEncode(dst, in), true })},
	{"b64dec", strNoArgs(b64dec)},
	{"ub64enc", strNoArgs(func(dst, in []byte) ([]byte, bool) { return base64.RawURLEncoding.AppendEncode(dst, in), true })},
	{"ub64dec", strNoArgs(ub64dec)},
	{"hex", strNoArgs(hexEncode)},
	{"url_dec", compileURLDec},
	{"url_enc", compileURLEnc},
}

func init() { registerConvs(encodeConvs) }

func b64dec(dst, in []byte) ([]byte, bool) {
	out, err := base64.StdEncoding.AppendDecode(dst, in)
	return out, err == nil
}

// ub64dec decodes base64url, with or without padding.
func ub64dec(dst, in []byte) ([]byte, bool) {
	out, err := base64.RawURLEncoding.AppendDecode(dst, bytes.TrimRight(in, "="))
	return out, err == nil
}

func hexEncode(dst, in []byte) ([]byte, bool) {
	for _, ch := range in {
		dst = append(dst, hexDigits[ch>>4], hexDigits[ch&15])
	}
	return dst, true
}

// compileURLDec compiles url_dec([in_form]): with a non-zero argument,
// '+' decodes to a space.
func compileURLDec(c *conv, _ *Options) error {
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

// compileURLEnc compiles url_enc([query]).
func compileURLEnc(c *conv, _ *Options) error {
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
