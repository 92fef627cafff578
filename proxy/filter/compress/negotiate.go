package compress

import (
	"bytes"

	"github.com/goha/goha/proxy/http1"
)

// negotiate picks the algorithm for a request as HAProxy 2.6 does: the
// Accept-Encoding element with the highest q-value (the first one among
// equals; q=0 never) chooses the first algorithm in list order whose
// token it names, "*" naming any. Without one, identity is used when it
// is in the list (matched false). Old browsers announcing "Mozilla/4"
// (but MSIE 6 SP2 and MSIE 7+) get nothing.
func negotiate(list []*algo, req *http1.Message) (a *algo, matched bool) {
	if len(list) == 0 || oldMozilla(firstValue(req, "user-agent")) {
		return nil, false
	}
	best := 0
	for i := range req.Headers {
		h := &req.Headers[i]
		if string(h.Name) != "accept-encoding" {
			continue
		}
		forEachElement(h.Value, func(el []byte) {
			tok, q := tokenQ(el)
			if q <= best {
				return
			}
			for _, c := range list {
				if (len(el) > 0 && el[0] == '*') || bytes.EqualFold(tok, []byte(c.token)) {
					a, best = c, q
					return
				}
			}
		})
	}
	if a != nil {
		return a, true
	}
	for _, c := range list {
		if c.format == fmtIdentity {
			return c, false
		}
	}
	return nil, false
}

// oldMozilla reports a User-Agent that HAProxy refuses to compress for:
// "Mozilla/4" unless MSIE 6 with XP SP2 ("SV1") or MSIE 7 and later.
func oldMozilla(ua []byte) bool {
	if !bytes.HasPrefix(ua, []byte("Mozilla/4")) {
		return false
	}
	if len(ua) < 31 || string(ua[25:30]) != "MSIE " || ua[30] < '6' {
		return true
	}
	return ua[30] == '6' && (len(ua) < 54 || string(ua[51:54]) != "SV1")
}

// forEachElement calls fn with each comma-separated element of a
// header value, trimmed of spaces and tabs.
func forEachElement(v []byte, fn func([]byte)) {
	for len(v) > 0 {
		el := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			el, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		el = bytes.Trim(el, " \t")
		if len(el) > 0 {
			fn(el)
		}
	}
}

// tokenQ splits an Accept-Encoding element into its token and q-value
// in thousandths (1000 when absent).
func tokenQ(el []byte) (tok []byte, q int) {
	n := 0
	for n < len(el) && isToken(el[n]) {
		n++
	}
	tok, rest := el[:n], el[n:]
	for {
		rest = bytes.TrimLeft(rest, " \t")
		if len(rest) == 0 || rest[0] != ';' {
			return tok, 1000
		}
		rest = bytes.TrimLeft(rest[1:], " \t")
		if len(rest) >= 2 && rest[0] == 'q' && rest[1] == '=' {
			return tok, parseQ(rest[2:])
		}
		i := bytes.IndexByte(rest, ';')
		if i < 0 {
			return tok, 1000
		}
		rest = rest[i:]
	}
}

// parseQ reads a q-value as HAProxy's http_parse_qvalue does: a digit,
// then up to three decimals; what does not parse stops the reading, and
// anything above 1 is 1.
func parseQ(p []byte) int {
	if len(p) == 0 || !isDigit(p[0]) {
		return 1000
	}
	q := int(p[0]-'0') * 1000
	if len(p) > 1 && p[1] == '.' {
		mul := 100
		for _, c := range p[2:min(len(p), 5)] {
			if !isDigit(c) {
				break
			}
			q += int(c-'0') * mul
			mul /= 10
		}
	}
	return min(q, 1000)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isToken reports an RFC 9110 token character.
func isToken(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	}
	return bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0
}

// firstValue returns the value of the first header name.
func firstValue(m *http1.Message, name string) []byte {
	for i := range m.Headers {
		if string(m.Headers[i].Name) == name {
			return m.Headers[i].Value
		}
	}
	return nil
}
