package acl

import "github.com/goha/goha/proxy/tlshello"

// PayloadSample is an optional ability of a Sample: the first bytes of a
// TCP stream (tcp-request content inspection), for req.ssl_sni,
// req.ssl_hello_type and req.len. final says no more bytes will come
// (inspect-delay over, buffer full or the client closed). Without it
// those fetches find nothing.
type PayloadSample interface {
	Payload() (data []byte, final bool)
}

// Fetch kinds reading the TCP payload.
const (
	fReqSNI fetchKind = iota + 100
	fHelloType
	fReqLen
)

func init() {
	for _, n := range []string{"req.ssl_sni", "req_ssl_sni"} {
		fetches[n] = fetchDef{kind: fReqSNI, typ: tStr, match: mStr}
	}
	for _, n := range []string{"req.ssl_hello_type", "req_ssl_hello_type"} {
		fetches[n] = fetchDef{kind: fHelloType, typ: tInt, match: mInt}
	}
	for _, n := range []string{"req.len", "req_len"} {
		fetches[n] = fetchDef{kind: fReqLen, typ: tInt, match: mInt}
	}
}

// isPayload reports whether the fetch reads the TCP payload.
func (m *matcher) isPayload() bool {
	switch m.def.kind {
	case fReqSNI, fHelloType, fReqLen:
		return true
	}
	return false
}

// evalPayload fetches a payload sample and matches it. miss is HAProxy's
// ACL_TEST_MISS: no match yet, but more bytes may change that.
func (m *matcher) evalPayload(s Sample) (match, miss bool) {
	ps, ok := s.(PayloadSample)
	if !ok {
		return false, false
	}
	data, final := ps.Payload()
	switch m.def.kind {
	case fReqSNI:
		h, st := tlshello.Parse(data)
		switch st {
		case tlshello.NeedMore:
			return false, !final
		case tlshello.OK:
			if h.SNI == nil {
				return false, false
			}
			if m.match == mFound {
				return true, false
			}
			return m.matchStr(h.SNI), false
		}
		return false, false
	case fHelloType:
		t, st := tlshello.HandshakeType(data)
		switch st {
		case tlshello.NeedMore:
			return false, !final
		case tlshello.OK:
			return m.matchInt(int64(t)), false
		}
		return false, false
	case fReqLen:
		if m.matchInt(int64(len(data))) {
			return true, false
		}
		return false, !final
	}
	return false, false
}

// NeedsPayload reports whether the condition reads the TCP payload (so
// that tcp-request content rules wait for it within inspect-delay).
func (c *Cond) NeedsPayload() bool {
	if c == nil {
		return false
	}
	for _, and := range c.or {
		for _, t := range and {
			for _, m := range t.ms {
				if m.isPayload() {
					return true
				}
			}
		}
	}
	return false
}

// tri is HAProxy's three-valued ACL result.
type tri uint8

const (
	triFail tri = iota
	triPass
	triMiss
)

// EvalPartial evaluates the condition like Eval, but reports miss when
// the result may still change once more payload arrives (a payload fetch
// found no match and the payload is not final): HAProxy then waits.
// When miss is true, match is meaningless.
func (c *Cond) EvalPartial(s Sample) (match, miss bool) {
	if c == nil {
		return true, false
	}
	res := triFail
	for _, and := range c.or {
		a := triPass
		for _, t := range and {
			v := t.matchTri(s)
			if t.neg {
				switch v {
				case triPass:
					v = triFail
				case triFail:
					v = triPass
				}
			}
			if v == triFail {
				a = triFail
				break
			}
			if v == triMiss {
				a = triMiss
			}
		}
		if a == triPass {
			res = triPass
			break
		}
		if a == triMiss {
			res = triMiss
		}
	}
	if res == triMiss {
		return false, true
	}
	return (res == triPass) != c.unless, false
}

func (t *term) matchTri(s Sample) tri {
	r := triFail
	for _, m := range t.ms {
		if !m.isPayload() {
			if m.eval(s) {
				return triPass
			}
			continue
		}
		ok, miss := m.evalPayload(s)
		if ok {
			return triPass
		}
		if miss {
			r = triMiss
		}
	}
	return r
}
