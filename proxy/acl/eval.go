package acl

import "bytes"

// visit is the per-evaluation state of a header or parameter walk. It is
// pooled per matcher, with its callback bound once, so Eval does not
// allocate a closure each time.
type visit struct {
	m       *matcher
	matched bool
	n       int               // values seen
	target  int               // occurrence wanted (1-based), 0 = all
	fn      func([]byte) bool // v.each, bound once
	cnt     func([]byte) bool // v.count, bound once
	first   func([]byte) bool // v.keep, bound once
	buf     [baseMax]byte     // base: host + path
	n0      int               // bytes of buf in use
}

// baseMax bounds what `base` can hold; a longer host+path does not match
// (like a sample that does not fit HAProxy's trash buffer).
const baseMax = 1024

// keep copies the first value into buf.
func (v *visit) keep(b []byte) bool {
	v.n++
	v.n0 = copy(v.buf[:], b)
	if len(b) > len(v.buf) {
		v.n0 = -1
	}
	return false
}

func (v *visit) each(b []byte) bool {
	v.n++
	if v.target > 0 {
		if v.n != v.target {
			return true
		}
		v.matched = v.m.matchValue(b)
		return false
	}
	if v.m.matchValue(b) {
		v.matched = true
		return false
	}
	return true
}

func (v *visit) count([]byte) bool { v.n++; return true }

// matchValue matches one header/parameter value according to the fetch:
// as a string, or converted to an integer for *_val fetches.
func (m *matcher) matchValue(b []byte) bool {
	if m.def.kind == fHdrVal || m.def.kind == fURLPVal {
		return m.matchInt(atoi(b))
	}
	return m.matchStr(b)
}

// eval fetches the sample from s and matches it, through the evaluator
// of the matcher's fetch kind.
func (m *matcher) eval(s Sample) bool {
	if m.expr != nil {
		return evalExpr(m, s)
	}
	if m.def.http && !s.HTTP() {
		return false
	}
	if k := m.def.kind; k >= 0 && int(k) < len(evaluators) {
		if fn := evaluators[k]; fn != nil {
			return fn(m, s)
		}
	}
	return false
}

// evalFunc fetches one kind of sample from s and matches it with m.
type evalFunc func(m *matcher, s Sample) bool

// evaluators is the evaluation of each fetch kind, indexed by kind. A kind
// without one matches nothing.
var evaluators = [...]evalFunc{
	fTrue:      evalTrue,
	fWaitEnd:   evalTrue,
	fFalse:     evalFalse,
	fProtoHTTP: evalProtoHTTP,
	fSSLFC:     evalSSLFC,
	fPath:      evalPath,
	fURL:       evalURL,
	fQuery:     evalQuery,
	fSNI:       evalSNI,
	fVer:       evalVer,
	fMethod:    evalMethod,
	fSrc:       evalSrc,
	fSrcPort:   evalSrcPort,
	fDstPort:   evalDstPort,
	fHdr:       (*matcher).evalHeader,
	fHdrVal:    (*matcher).evalHeader,
	fHdrCnt:    evalHdrCnt,
	fURLP:      evalURLP,
	fURLPVal:   evalURLP,
	fBase:      (*matcher).evalBase,
	fDst:       evalDst,
	fNbsrv:     evalNbsrv,
	fStick:     evalStick,
	fAuth:      evalAuth,
	fAuthGroup: evalAuthGroup,
	fReqSNI:    evalPayloadMatch,
	fHelloType: evalPayloadMatch,
	fReqLen:    evalPayloadMatch,
}

// matchBool matches a boolean sample, as the integer 1 or 0.
func (m *matcher) matchBool(b bool) bool {
	if b {
		return m.matchInt(1)
	}
	return m.matchInt(0)
}

func evalTrue(m *matcher, _ Sample) bool  { return m.matchInt(1) }
func evalFalse(m *matcher, _ Sample) bool { return m.matchInt(0) }

func evalProtoHTTP(m *matcher, s Sample) bool { return m.matchBool(s.HTTP()) }
func evalSSLFC(m *matcher, s Sample) bool     { return m.matchBool(s.SSL()) }

func evalPath(m *matcher, s Sample) bool { return m.matchStr(s.Path()) }
func evalURL(m *matcher, s Sample) bool  { return m.matchStr(s.URL()) }

// evalQuery matches what follows the '?' of the URL; nothing without one.
func evalQuery(m *matcher, s Sample) bool {
	u := s.URL()
	q := bytes.IndexByte(u, '?')
	if q < 0 {
		return false
	}
	return m.matchStr(u[q+1:])
}

// evalSNI matches the TLS server name; nothing without TLS or SNI.
func evalSNI(m *matcher, s Sample) bool {
	sni := s.SNI()
	if sni == nil {
		return false
	}
	return m.matchStr(sni)
}

// evalVer matches the HTTP version, when the sample knows it.
func evalVer(m *matcher, s Sample) bool {
	vs, ok := s.(VersionSample)
	if !ok {
		return false
	}
	return m.matchStr(vs.Version())
}

func evalMethod(m *matcher, s Sample) bool { return m.matchMethod(s.Method()) }

// evalSrc matches the client address; nothing when it is not an IP.
func evalSrc(m *matcher, s Sample) bool {
	a := s.Src()
	if !a.IsValid() {
		return false
	}
	return m.match == mFound || m.ipIn(a)
}

// evalSrcPort matches the client port, when the sample knows it.
func evalSrcPort(m *matcher, s Sample) bool {
	ps, ok := s.(SrcPortSample)
	if !ok {
		return false
	}
	return m.matchInt(int64(ps.SrcPort()))
}

func evalDstPort(m *matcher, s Sample) bool { return m.matchInt(int64(s.DstPort())) }

// evalHdrCnt matches the number of values of header m.arg.
func evalHdrCnt(m *matcher, s Sample) bool {
	v := m.visits.Get().(*visit)
	v.n = 0
	s.Header(m.arg, v.cnt)
	n := v.n
	m.visits.Put(v)
	return m.matchInt(int64(n))
}

func evalURLP(m *matcher, s Sample) bool { return m.evalParam(s.URL()) }

// evalDst matches the address the client connected to, when the sample
// knows it and it is an IP.
func evalDst(m *matcher, s Sample) bool {
	ds, ok := s.(DstSample)
	if !ok {
		return false
	}
	a := ds.Dst()
	if !a.IsValid() {
		return false
	}
	return m.match == mFound || m.ipIn(a)
}

// evalNbsrv matches the usable servers of backend m.arg (0 when the
// sample cannot count them).
func evalNbsrv(m *matcher, s Sample) bool {
	n := 0
	if ns, ok := s.(NbsrvSample); ok {
		n = ns.Nbsrv(m.arg)
	}
	return m.matchInt(int64(n))
}

// evalAuth matches whether the request's credentials are valid in
// userlist m.arg.
func evalAuth(m *matcher, s Sample) bool {
	as, ok := s.(AuthSample)
	if !ok {
		return m.matchInt(0)
	}
	_, ok = as.HTTPAuth(m.arg)
	return m.matchBool(ok)
}

// evalAuthGroup matches the groups of userlist m.arg the authenticated
// user belongs to; nothing without valid credentials.
func evalAuthGroup(m *matcher, s Sample) bool {
	as, ok := s.(AuthSample)
	if !ok {
		return false
	}
	user, ok := as.HTTPAuth(m.arg)
	if !ok {
		return false
	}
	if m.match == mFound {
		return true
	}
	for _, sl := range m.sets {
		for _, g := range sl.p.Load().groups {
			if as.InGroup(m.arg, user, g) {
				return true
			}
		}
	}
	return false
}

// evalPayloadMatch matches a TCP payload fetch, ignoring whether more
// bytes could change the answer (term.matchTri, which cares, calls
// evalPayload itself).
func evalPayloadMatch(m *matcher, s Sample) bool {
	ok, _ := m.evalPayload(s)
	return ok
}

// evalHeader matches the values of header m.arg (or only occurrence
// m.occ: positive from the first, negative from the last).
func (m *matcher) evalHeader(s Sample) bool {
	v := m.visits.Get().(*visit)
	defer m.visits.Put(v)
	v.m = m
	v.matched = false
	v.n = 0
	v.target = 0
	if m.occ < 0 {
		s.Header(m.arg, v.cnt)
		total := v.n
		v.n = 0
		v.target = total + m.occ + 1
		if v.target <= 0 {
			return false
		}
	} else {
		v.target = m.occ
	}
	s.Header(m.arg, v.fn)
	return v.matched
}

// evalParam matches the values of query-string parameter m.arg (every
// parameter when m.arg is empty). Parameters start after '?' (or the
// delimiter) and end at '&', ';' or the delimiter.
func (m *matcher) evalParam(u []byte) bool {
	q := bytes.IndexByte(u, '?')
	if m.delim != 0 {
		if d := bytes.IndexByte(u, m.delim); d >= 0 && (q < 0 || d < q) {
			q = d
		}
	}
	if q < 0 {
		return false
	}
	rest := u[q+1:]
	for len(rest) > 0 {
		end := len(rest)
		for i, c := range rest {
			if c == '&' || c == ';' || (m.delim != 0 && c == m.delim) {
				end = i
				break
			}
		}
		kv := rest[:end]
		if end < len(rest) {
			rest = rest[end+1:]
		} else {
			rest = nil
		}
		name, val := kv, []byte(nil)
		if e := bytes.IndexByte(kv, '='); e >= 0 {
			name, val = kv[:e], kv[e+1:]
		} else {
			val = kv[len(kv):]
		}
		if m.arg != "" && string(name) != m.arg {
			continue
		}
		if m.matchValue(val) {
			return true
		}
	}
	return false
}

// matchMethod applies HAProxy's method match: a well-known method pattern
// (GET, HEAD, POST, CONNECT, PUT, OPTIONS, DELETE, TRACE, exact case)
// matches only that method; another pattern is compared as a string with
// the request's method when that is not well-known (-i ignores case).
func (m *matcher) matchMethod(meth []byte) bool {
	if m.match == mFound {
		return len(meth) > 0
	}
	known := isKnownMethod(meth)
	for _, sl := range m.sets {
		if methIn(sl.p.Load(), meth, known, m.icase) {
			return true
		}
	}
	return false
}

// methIn matches a method against one pattern list.
func methIn(ps *patterns, meth []byte, known, icase bool) bool {
	for _, p := range ps.meths {
		if p.known {
			if known && string(meth) == string(p.name) {
				return true
			}
			continue
		}
		if known || len(meth) != len(p.name) {
			continue
		}
		if icase && bytes.EqualFold(meth, p.name) || !icase && bytes.Equal(meth, p.name) {
			return true
		}
	}
	return false
}

func isKnownMethod(b []byte) bool {
	for _, k := range knownMethods {
		if string(b) == k {
			return true
		}
	}
	return false
}

// evalBase matches the first Host header value followed by the path.
func (m *matcher) evalBase(s Sample) bool {
	v := m.visits.Get().(*visit)
	defer m.visits.Put(v)
	v.n, v.n0 = 0, 0
	s.Header("host", v.first)
	p := s.Path()
	if v.n0 < 0 || v.n0+len(p) > len(v.buf) {
		return false
	}
	n := v.n0 + copy(v.buf[v.n0:], p)
	return m.matchStr(v.buf[:n])
}
