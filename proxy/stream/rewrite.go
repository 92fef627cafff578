package stream

import (
	"bytes"
	"net/netip"
	"strings"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/rules"
	"github.com/goha/goha/proxy/sample"
)

// Rewrites and variables: the rules of proxy/rules/rewrite.go run on a
// live request or response. Unlike set-header/add-header/del-header,
// whose edits are recorded and applied when the head is written
// (httpreq.go), a rewrite changes the parsed message at once, as
// HAProxy does, so later rules and fetches see it: the new values live
// in the work area's arena (w.rw), the message's slices point there.
// A result that would be invalid (a space or control character in the
// request target, a head that no longer fits the buffer) fails the
// request with HAProxy's 500 and PR-- before any server is contacted.

// rewriteState is the per-request state of rewrites in the work area.
type rewriteState struct {
	rw     []byte      // arena of rewritten values
	vars   sample.Vars // txn, req and res variables
	uid    []byte      // the unique-id
	capbuf []byte      // `http-request capture` values
	caps   [][]byte    // capture slots of the log entry
	rcaps  [][]byte    // response capture slots of the log entry
	dirty  bool        // a response rewrite changed w.resp
}

// feRewrite is what a frontend compiles for rewrites.
type feRewrite struct {
	uidFmt    *sample.Format
	uidHeader []byte
}

// newFeRewrite compiles a frontend's unique-id-format.
func newFeRewrite(p *config.Proxy, o *sample.Options) (*feRewrite, error) {
	r := &feRewrite{}
	if p.Rewrite.UniqueIDFormat != "" {
		f, err := sample.CompileFormat(p.Rewrite.UniqueIDFormat, o)
		if err != nil {
			return nil, err
		}
		r.uidFmt = f
		r.uidHeader = []byte(strings.ToLower(p.Rewrite.UniqueIDHeader))
	}
	return r, nil
}

// beginRewrite prepares a new request: empty arena and variables, the
// stores and context the sample layer reads, the unique-id and the
// header captures of the log entry.
func (s *httpSession) beginRewrite(t *txn) {
	w := s.w
	rs := &w.rws
	rs.rw, rs.capbuf, rs.dirty = rs.rw[:0], rs.capbuf[:0], false
	rs.vars.Reset()
	x := &w.x
	x.Vars, x.SessVars, x.ProcVars = &rs.vars, &s.svars, s.rt.pvars
	x.ReqCounter = s.rt.CumReq.Load()
	x.UniqueID, x.Body = nil, nil
	s.smp.X = x
	if fr := s.f.rw; fr != nil && fr.uidFmt != nil {
		rs.uid = fr.uidFmt.AppendTo(rs.uid[:0], x, 0)
		x.UniqueID = rs.uid
		if len(fr.uidHeader) > 0 {
			w.reqEdits = append(w.reqEdits, hdrEdit{op: hdrSet, name: fr.uidHeader, value: rs.uid})
		}
		if t.e != nil {
			t.e.UniqueID = rs.uid
		}
	}
	if t.e != nil {
		s.captureRequest(t)
		s.resetResCaptures(t)
	}
	if req := &w.req; req.ContentLength > 0 {
		body := w.in[req.HeadLen:s.inLen]
		if int64(len(body)) > req.ContentLength {
			body = body[:req.ContentLength]
		}
		x.Body = body
	}
}

// captureRequest fills the request capture slots of the log entry from
// `capture request header` (the first occurrence, cut to its length).
func (s *httpSession) captureRequest(t *txn) {
	caps := s.f.Cfg.CaptureRequestHeaders
	if len(caps) == 0 {
		return
	}
	rs := &s.w.rws
	if cap(rs.caps) < len(caps) {
		rs.caps = make([][]byte, len(caps))
	}
	rs.caps = rs.caps[:len(caps)]
	for i := range rs.caps {
		rs.caps[i] = nil
	}
	req := &s.w.req
	for i, c := range caps {
		if c.Name == "" {
			continue
		}
		for j := range req.Headers {
			h := &req.Headers[j]
			if len(h.Name) == len(c.Name) && strings.EqualFold(string(h.Name), c.Name) {
				v := h.Value
				if len(v) > c.Len {
					v = v[:c.Len]
				}
				rs.caps[i] = v
				break
			}
		}
	}
	t.e.ReqCaptures = rs.caps
}

// ruleHit runs a matching rule that is neither final nor a stick
// action: header edits are recorded, rewrites applied; false when a
// rewrite failed (the request must be answered 500).
func (s *httpSession) ruleHit(r *rules.HTTPRule, resp bool) bool {
	w := s.w
	if r.Kind != rules.SetPath && r.Kind < rules.SetVar {
		w.hit(r, &w.x, s.rt.bufsize)
		return resp || s.headFits()
	}
	run := rewriteRuns[r.Kind]
	if run == nil {
		return true
	}
	if !run(s, r, resp) {
		return false
	}
	return resp || s.headFits()
}

// headFits reports whether the request head, with its recorded edits
// and rewrites, still fits a buffer (HAProxy fails a rewrite that does
// not).
func (s *httpSession) headFits() bool {
	w := s.w
	return w.req.HeadLen+len(w.vals)+len(w.rws.rw) <= s.rt.bufsize
}

// rewriteRun applies one rewrite; false when its result is invalid.
type rewriteRun func(s *httpSession, r *rules.HTTPRule, resp bool) bool

// rewriteRuns are the rewrites by kind, one row each.
var rewriteRuns = map[rules.Kind]rewriteRun{
	rules.SetVar:        runSetVar,
	rules.UnsetVar:      func(s *httpSession, r *rules.HTTPRule, _ bool) bool { s.w.x.UnsetVar(&r.RW.Var); return true },
	rules.ReplaceHeader: runReplaceHeader,
	rules.ReplaceValue:  runReplaceHeader,
	rules.SetPath:       runSetTarget,
	rules.SetPathQ:      runSetTarget,
	rules.SetQuery:      runSetTarget,
	rules.SetURI:        runSetTarget,
	rules.ReplacePath:   runReplaceTarget,
	rules.ReplacePathQ:  runReplaceTarget,
	rules.ReplaceURI:    runReplaceTarget,
	rules.SetMethod:     runSetMethod,
	rules.SetStatus:     runSetStatus,
	rules.SetLogLevel:   runSetLogLevel,
	rules.Capture:       runCapture,
	rules.NormalizeURI:  runNormalizeURI,
	rules.SetSrc:        runSetAddr,
	rules.SetDst:        runSetAddr,
	rules.SetSrcPort:    runSetAddr,
	rules.SetDstPort:    runSetAddr,
}

func runSetVar(s *httpSession, r *rules.HTTPRule, _ bool) bool {
	x := &s.w.x
	if r.RW.Expr != nil {
		x.SetVar(&r.RW.Var, r.RW.Expr)
	} else {
		x.SetVarFmt(&r.RW.Var, r.Value)
	}
	return true
}

// eval evaluates a rule's format into the arena and returns it.
func (s *httpSession) eval(f *sample.Format) []byte {
	rs := &s.w.rws
	a := len(rs.rw)
	rs.rw = f.AppendTo(rs.rw, &s.w.x, s.rt.bufsize)
	return rs.rw[a:len(rs.rw):len(rs.rw)]
}

// expand writes template with \0..\9 replaced by the submatches of m in
// src (HAProxy's exp_replace) into the arena.
func (s *httpSession) expand(template, src []byte, m []int) []byte {
	rs := &s.w.rws
	a := len(rs.rw)
	for i := 0; i < len(template); i++ {
		c := template[i]
		if c == '\\' && i+1 < len(template) && template[i+1] >= '0' && template[i+1] <= '9' {
			n := int(template[i+1] - '0')
			i++
			if 2*n+1 < len(m) && m[2*n] >= 0 {
				rs.rw = append(rs.rw, src[m[2*n]:m[2*n+1]]...)
			}
			continue
		}
		rs.rw = append(rs.rw, c)
	}
	return rs.rw[a:len(rs.rw):len(rs.rw)]
}

// msgFor returns the message a header rewrite works on.
func (s *httpSession) msgFor(resp bool) *http1.Message {
	if resp {
		return &s.w.resp.Message
	}
	return &s.w.req.Message
}

// runReplaceHeader applies replace-header (each occurrence's whole
// value) and replace-value (each comma-separated value).
func runReplaceHeader(s *httpSession, r *rules.HTTPRule, resp bool) bool {
	m := s.msgFor(resp)
	tpl := s.eval(r.Value)
	for i := range m.Headers {
		h := &m.Headers[i]
		if !bytes.Equal(h.Name, r.Name) {
			continue
		}
		if r.Kind == rules.ReplaceHeader {
			if sub := r.RW.Re.FindSubmatchIndex(h.Value); sub != nil {
				h.Value = s.expand(tpl, h.Value, sub)
				s.w.rws.dirty = s.w.rws.dirty || resp
			}
			continue
		}
		h.Value = s.replaceValues(r, tpl, h.Value)
		s.w.rws.dirty = s.w.rws.dirty || resp
	}
	if !resp && bytes.Equal(r.Name, []byte("host")) {
		s.w.req.Host = s.w.req.Get("host")
	}
	return true
}

// replaceValues rewrites each comma-separated value of v that matches.
func (s *httpSession) replaceValues(r *rules.HTTPRule, tpl, v []byte) []byte {
	rs := &s.w.rws
	out := make([]byte, 0, len(v)+16)
	for len(v) > 0 {
		part := v
		if j := bytes.IndexByte(v, ','); j >= 0 {
			part, v = v[:j], v[j+1:]
		} else {
			v = nil
		}
		part = bytes.TrimLeft(part, " \t")
		if sub := r.RW.Re.FindSubmatchIndex(part); sub != nil {
			part = s.expand(tpl, part, sub)
		}
		if len(out) > 0 {
			out = append(out, ',')
		}
		out = append(out, part...)
	}
	a := len(rs.rw)
	rs.rw = append(rs.rw, out...)
	return rs.rw[a:len(rs.rw):len(rs.rw)]
}

// validTarget reports whether a rewritten request target may be sent:
// no space or control character (beyond HAProxy 2.6, which forwards
// it).
func validTarget(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// setURI replaces the request target with u (in the arena).
func (s *httpSession) setURI(u []byte) bool {
	if !validTarget(u) {
		return false
	}
	s.w.req.URI = u
	return true
}

// splitTarget returns the prefix (scheme://authority of an absolute
// target), the path and the query (with its '?') of uri.
func splitTarget(uri []byte) (prefix, path, query []byte) {
	pq := uri
	if len(uri) > 0 && uri[0] != '/' {
		if i := bytes.Index(uri, []byte("://")); i >= 0 {
			j := bytes.IndexByte(uri[i+3:], '/')
			if j < 0 {
				j = len(uri) - i - 3
			}
			prefix, pq = uri[:i+3+j], uri[i+3+j:]
		}
	}
	path = pq
	if q := bytes.IndexByte(pq, '?'); q >= 0 {
		path, query = pq[:q], pq[q:]
	}
	return prefix, path, query
}

// runSetTarget applies set-path, set-pathq, set-query and set-uri.
func runSetTarget(s *httpSession, r *rules.HTTPRule, _ bool) bool {
	v := s.eval(r.Value)
	prefix, path, query := splitTarget(s.w.req.URI)
	rs := &s.w.rws
	a := len(rs.rw)
	switch r.Kind {
	case rules.SetURI:
		return s.setURI(v)
	case rules.SetPath:
		rs.rw = append(append(append(rs.rw, prefix...), v...), query...)
	case rules.SetPathQ:
		rs.rw = append(append(rs.rw, prefix...), v...)
	case rules.SetQuery:
		rs.rw = append(append(rs.rw, prefix...), path...)
		if len(v) > 0 {
			rs.rw = append(append(rs.rw, '?'), v...)
		}
	}
	return s.setURI(rs.rw[a:len(rs.rw):len(rs.rw)])
}

// runReplaceTarget applies replace-path (the path), replace-pathq (path
// and query) and replace-uri (the whole target); no match changes
// nothing.
func runReplaceTarget(s *httpSession, r *rules.HTTPRule, _ bool) bool {
	prefix, path, query := splitTarget(s.w.req.URI)
	subject := s.w.req.URI
	switch r.Kind {
	case rules.ReplacePath:
		subject = path
	case rules.ReplacePathQ:
		subject = s.w.req.URI[len(prefix):]
	}
	sub := r.RW.Re.FindSubmatchIndex(subject)
	if sub == nil {
		return true
	}
	tpl := s.eval(r.Value)
	out := s.expand(tpl, subject, sub)
	if r.Kind == rules.ReplaceURI {
		return s.setURI(out)
	}
	rs := &s.w.rws
	a := len(rs.rw)
	rs.rw = append(append(rs.rw, prefix...), out...)
	if r.Kind == rules.ReplacePath {
		rs.rw = append(rs.rw, query...)
	}
	return s.setURI(rs.rw[a:len(rs.rw):len(rs.rw)])
}

// runSetMethod applies set-method: the result must be a token.
func runSetMethod(s *httpSession, r *rules.HTTPRule, _ bool) bool {
	v := s.eval(r.Value)
	if !validTarget(v) {
		return false
	}
	s.w.req.Method = v
	s.w.rq.head = string(v) == "HEAD"
	return true
}

// runSetStatus applies set-status CODE [reason R] to the response.
func runSetStatus(s *httpSession, r *rules.HTTPRule, resp bool) bool {
	if !resp {
		return true
	}
	p := &s.w.resp
	reason := r.RW.Reason
	if reason == nil {
		reason = []byte(http1.Reason(r.Status))
	}
	rs := &s.w.rws
	a := len(rs.rw)
	rs.rw = append(rs.rw, p.Proto...)
	rs.rw = append(rs.rw, ' ')
	rs.rw = appendInt(rs.rw, int64(r.Status))
	rs.rw = append(rs.rw, ' ')
	rs.rw = append(rs.rw, reason...)
	p.Line = rs.rw[a:len(rs.rw):len(rs.rw)]
	p.Status, p.Reason = r.Status, reason
	rs.dirty = true
	return true
}

// runSetLogLevel applies set-log-level: "silent" drops the log line.
func runSetLogLevel(s *httpSession, r *rules.HTTPRule, _ bool) bool {
	if r.RW.Level == "silent" {
		s.w.t.e = nil
	}
	return true
}

// runCapture stores a sample in a capture slot of the log entry.
// An http-response capture fills a `capture response header` or
// `declare capture response` slot (%hs).
func runCapture(s *httpSession, r *rules.HTTPRule, resp bool) bool {
	t := &s.w.t
	if t.e == nil {
		return true
	}
	slots, caps := t.e.ReqCaptures, s.f.Cfg.CaptureRequestHeaders
	if resp {
		slots, caps = t.e.ResCaptures, s.f.Cfg.CaptureResponseHeaders
	}
	id := r.RW.CaptureID
	if id < 0 || id >= len(slots) {
		return true
	}
	v, ok := r.RW.Expr.String(&s.w.x)
	if !ok {
		return true
	}
	slots[id] = s.w.rws.keepCapture(v, caps[id].Len)
	return true
}

// keepCapture copies at most max bytes of v into the request's capture
// arena and returns the copy.
func (rs *rewriteState) keepCapture(v []byte, max int) []byte {
	if max >= 0 && len(v) > max {
		v = v[:max]
	}
	a := len(rs.capbuf)
	rs.capbuf = append(rs.capbuf, v...)
	return rs.capbuf[a:len(rs.capbuf):len(rs.capbuf)]
}

// runSetAddr applies set-src, set-dst, set-src-port and set-dst-port to
// what later rules and the log see of the connection.
func runSetAddr(s *httpSession, r *rules.HTTPRule, _ bool) bool {
	x := &s.w.x
	c := &s.smp.Conn
	switch r.Kind {
	case rules.SetSrc, rules.SetDst:
		ip, ok := r.RW.Expr.IP(x)
		if !ok {
			return true
		}
		if r.Kind == rules.SetSrc {
			c.Client = netip.AddrPortFrom(ip, c.Client.Port())
		} else {
			c.SetLocal(netip.AddrPortFrom(ip, c.Local().Port()))
		}
	default:
		n, ok := r.RW.Expr.Int(x)
		if !ok || n < 0 || n > 65535 {
			return true
		}
		if r.Kind == rules.SetSrcPort {
			c.Client = netip.AddrPortFrom(c.Client.Addr(), uint16(n))
		} else {
			c.SetLocal(netip.AddrPortFrom(c.Local().Addr(), uint16(n)))
		}
	}
	return true
}

// rewriteFailed answers a request whose rewrite failed: HAProxy's 500,
// logged with PR--, no server contacted.
func (s *httpSession) rewriteFailed(_ *Backend, closeLocal bool) bool {
	return s.local(rules.PageFor(500, s.f.errs), 500, [2]byte{'P', 'R'}, closeLocal)
}
