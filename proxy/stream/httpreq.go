package stream

import (
	"bytes"
	"github.com/goha/goha/proxy/rules"
	"net"
	"time"

	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/tlog"
)

// side says which end of a transfer failed.
type side byte

const (
	sideNone   side = 0
	sideClient side = 'C'
	sideServer side = 'S'
)

// xfer is the outcome of a streamed transfer.
type xfer struct {
	n       int64
	failed  side
	timeout bool
	extra   bool // the server sent bytes past the end of its response

	// in is the bytes from the client past the request (a tunnel's
	// upload).
	in int64
}

// idempotent reports whether a request with this method may be sent
// again after the server may have run it (RFC 9110 section 9.2.2).
func idempotent(method []byte) bool {
	switch string(method) {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return true
	}
	return false
}

// reuseFor returns the connection-reuse hook for a request to be: the
// session's own server connection if the balancer chose its server,
// otherwise an idle pooled one (none with `http-reuse never`). As
// HAProxy 2.6 does in practice (measured: no server-side TIME-WAIT under
// a new connection per request), a client's first request may take an
// idle connection too; a request that fails on a reused connection
// before any response byte, and was sent in one write, is retried once
// on a fresh connection.
func (s *httpSession) reuseFor(be *Backend) func(*Server) *srvConn {
	return func(srv *Server) *srvConn {
		if s.sc != nil {
			if s.sc.srv == srv {
				sc := s.sc
				s.sc = nil
				sc.reused = true
				return sc
			}
			s.sc.srv.putIdle(s.sc, time.Now())
			s.sc = nil
		}
		if be.Cfg.HTTPReuse == "never" {
			return nil
		}
		return srv.getIdle(time.Now())
	}
}

// redial opens a fresh connection to srv after a reused one failed.
func (s *httpSession) redial(be *Backend, srv *Server) *srvConn {
	c, err := be.dialFresh(be.withClientIP(s.rt.ctx, s.smp.Client.Addr(), srv), srv, s.lbRequest())
	if err != nil {
		srv.Econ.Add(1)
		be.Econ.Add(1)
		return nil
	}
	return &srvConn{c: c, srv: srv}
}

// writeHead sends the request head and the body bytes at hand in one
// write (writev when they do not fit in the head buffer).
func (s *httpSession) writeHead(sc *srvConn, head, body []byte, t time.Duration) error {
	sc.dl.setWrite(sc.c, time.Now(), t)
	return s.write2(sc.c, head, body)
}

// writeClient sends a response head and body bytes in one write.
func (s *httpSession) writeClient(head, body []byte, t time.Duration) error {
	s.dl.setWrite(s.c, time.Now(), t)
	return s.write2(s.c, head, body)
}

func (s *httpSession) write2(c net.Conn, head, body []byte) error {
	w := s.w
	if len(body) == 0 {
		_, err := writeFull(c, head)
		return err
	}
	if len(body) <= cap(w.out)-len(w.out) && &head[0] == &w.out[:1][0] {
		out := append(w.out, body...)
		_, err := writeFull(c, out)
		return err
	}
	w.iovA[0], w.iovA[1] = head, body
	w.iov = w.iovA[:]
	_, err := w.iov.WriteTo(c)
	w.iovA[0], w.iovA[1] = nil, nil
	return err
}

// local answers the request from goha itself (deny, return, redirect,
// 503 without backend).
func (s *httpSession) local(page []byte, status int, term [2]byte, closeConn bool) bool {
	f := s.f
	f.hrsp(status)
	req := &s.w.req
	if isHTTP10(&req.Message) {
		closeConn = true
	}
	n := s.answer(s.afterPage(page, s.w.evalBackend()), !closeConn)
	s.logLocal(status, n, term)
	if closeConn {
		return false
	}
	leftover := s.w.in[req.HeadLen:s.inLen]
	s.inLen = copy(s.w.in, leftover)
	return true
}

// logLocal logs a request answered locally.
func (s *httpSession) logLocal(status int, bytesOut int64, term [2]byte) {
	if !s.f.logger.Enabled() {
		return
	}
	e := &s.w.entry
	// What the request captured (headers, the unique-id) is logged with
	// goha's own answer too, as HAProxy does.
	*e = tlog.Entry{ReqCaptures: e.ReqCaptures, ResCaptures: e.ResCaptures, UniqueID: e.UniqueID}
	s.fillEntry(e, s.w.cur)
	e.TR = s.w.cur.headDone.Sub(s.w.cur.firstByte)
	e.Tw, e.Tc, e.Tr = -1, -1, -1
	e.Status = status
	e.BytesOut = bytesOut
	e.BytesIn = int64(s.w.req.HeadLen)
	e.Term = term
	e.ReqLine = s.w.line
	s.f.logger.Log(e)
}

// serverFailed answers an error page after a failed connect or an
// unusable response, closes the server connection (sc may be nil) and
// logs. As HAProxy does, the client connection stays open when the
// whole request was read and nothing else asks to close it; otherwise
// the page says "connection: close". It returns whether the client
// connection is kept.
func (s *httpSession) serverFailed(e *tlog.Entry, rs reqStart, be *Backend, srv *Server, sc *srvConn, cr connectResult, status int, term [2]byte) bool {
	if sc != nil {
		sc.c.Close()
	}
	be.hrsp(status)
	s.f.hrsp(status)
	keep := s.w.rq.read && !s.w.rq.closeAfter && !s.killed.Load()
	if !s.w.rq.read {
		s.linger = true
	}
	n := s.answer(s.afterPage(rules.PageFor(status, be.errs), be), keep)
	if e != nil {
		s.fillEntry(e, rs)
		e.TR = rs.headDone.Sub(rs.firstByte)
		e.Tw, e.Tc, e.Tr = cr.tw, cr.tc, -1
		e.BackendName = be.Name
		e.BeConn = int(be.Scur.Load())
		if srv != nil {
			e.ServerName = srv.Name
			e.SrvConn = int(srv.Scur.Load())
		}
		e.Status, e.BytesOut, e.BytesIn = status, n, int64(s.w.req.HeadLen)
		e.Term = term
		e.Retries, e.Redispatched = cr.retries, cr.redispatched
		e.ReqLine = s.w.line
		s.f.logger.Log(e)
	}
	if keep {
		s.inLen = copy(s.w.in, s.w.rq.next)
	}
	return keep
}

// transferFailed handles a failure while the request was being sent.
func (s *httpSession) transferFailed(e *tlog.Entry, rs reqStart, be *Backend, srv *Server, sc *srvConn, x xfer, phase byte, status int) bool {
	sc.c.Close()
	s.w.rq.closeAfter = true // the request body was not wholly read or sent
	if x.failed == sideServer {
		srv.Eresp.Add(1)
		be.Eresp.Add(1)
		st := 502
		if x.timeout {
			st = 504
		}
		cr := connectResult{tw: 0, tc: 0}
		t := [2]byte{'S', phase}
		if x.timeout {
			t[0] = 's'
		}
		return s.serverFailed(e, rs, be, srv, nil, cr, st, t)
	}
	s.finish(e, rs, be, srv, connectResult{}, x, phase, status, int64(s.w.req.HeadLen), 0, time.Time{}, time.Time{})
	return false
}

// finish counts and logs a request that reached a server.
func (s *httpSession) finish(e *tlog.Entry, rs reqStart, be *Backend, srv *Server, cr connectResult, x xfer, phase byte, status int, bytesIn, bytesOut int64, tReqSent, tRespHead time.Time) bool {
	f := s.f
	f.Bin.Add(bytesIn)
	f.Bout.Add(bytesOut)
	be.Bin.Add(bytesIn)
	be.Bout.Add(bytesOut)
	srv.Bin.Add(bytesIn)
	srv.Bout.Add(bytesOut)
	term := [2]byte{'-', '-'}
	switch x.failed {
	case sideClient:
		term = [2]byte{'C', phase}
		if x.timeout {
			term[0] = 'c'
		}
		be.CliAbrt.Add(1)
		srv.CliAbrt.Add(1)
	case sideServer:
		term = [2]byte{'S', phase}
		if x.timeout {
			term[0] = 's'
		}
		be.SrvAbrt.Add(1)
		srv.SrvAbrt.Add(1)
	}
	if s.killed.Load() {
		term[0] = 'K'
	}
	now := time.Now()
	tt := now.Sub(rs.start)
	if !tRespHead.IsZero() {
		rtime := tRespHead.Sub(tReqSent)
		srv.Rtime.Add(rtime)
		be.Rtime.Add(rtime)
	}
	srv.Ttime.Add(tt)
	be.Ttime.Add(tt)
	if e == nil {
		return true
	}
	s.fillEntry(e, rs)
	e.TR = rs.headDone.Sub(rs.firstByte)
	e.Tw, e.Tc = cr.tw, cr.tc
	e.Tr = -1
	if !tRespHead.IsZero() {
		e.Tr = tRespHead.Sub(tReqSent)
	}
	e.BackendName, e.ServerName = be.Name, srv.Name
	e.Server = srv.addr.Load().ap
	e.Status = status
	if status == 0 {
		e.Status = -1
	}
	e.BytesOut, e.BytesIn = bytesOut, bytesIn
	e.Term = term
	e.Retries, e.Redispatched = cr.retries, cr.redispatched
	e.BeConn, e.SrvConn = int(be.Scur.Load()), int(srv.Scur.Load())
	e.ReqLine = s.w.line
	f.logger.Log(e)
	return true
}

// buildRequest writes the request head for the server into w.out:
// names lowercased, order kept, Connection dropped (kept for upgrades),
// header rules applied, X-Forwarded-For added.
func (s *httpSession) buildRequest(be *Backend, upgrade bool) []byte {
	w := s.w
	req := &w.req
	out := w.out[:0]
	out = append(out, req.Method...)
	out = append(out, ' ')
	uri := req.URI
	var path []byte
	for i := range w.rules {
		if h := &w.rules[i]; h.r.Kind == rules.SetPath {
			path = w.valueOf(h)
			uri = nil
		}
	}
	if uri != nil {
		out = append(out, uri...)
	} else {
		out = append(out, path...)
		if q := bytes.IndexByte(req.URI, '?'); q >= 0 {
			out = append(out, req.URI[q:]...)
		}
	}
	out = append(out, ' ')
	out = append(out, serverProto(req.Proto)...)
	out = append(out, "\r\n"...)
	xffName, xff := s.forwardfor(be)
	for i := range req.Headers {
		h := &req.Headers[i]
		if string(h.Name) == "connection" && !upgrade {
			continue
		}
		if len(w.rules) > 0 && removedByRules(w.rules, 0, h.Name) {
			continue
		}
		if len(w.reqEdits) > 0 && removedByEdits(w.reqEdits, h.Name) {
			continue
		}
		if xff && s.f.Cfg.Options.ForwardforIfNone && string(h.Name) == xffName {
			xff = false
		}
		out = appendHeader(out, h.Name, h.Value)
	}
	out = w.appendAdded(out, 0)
	out = appendEdits(out, w.reqEdits)
	if xff {
		out = append(out, xffName...)
		out = append(out, ": "...)
		out = s.smp.Client.Addr().AppendTo(out)
		out = append(out, "\r\n"...)
	}
	if isHTTP10(&req.Message) && req.ConnKeepAlive && !upgrade {
		out = append(out, "connection: keep-alive\r\n"...)
	}
	return append(out, "\r\n"...)
}

// forwardfor says whether and under which name X-Forwarded-For is added.
func (s *httpSession) forwardfor(be *Backend) (string, bool) {
	o := &be.Cfg.Options
	if !o.Forwardfor {
		o = &s.f.Cfg.Options
		if !o.Forwardfor {
			return "", false
		}
	}
	name := "x-forwarded-for"
	if o.ForwardforHeader != "" {
		name = lower(o.ForwardforHeader)
	}
	if o.ForwardforExcept != "" && exceptMatches(o.ForwardforExcept, s.smp.Client.Addr()) {
		return "", false
	}
	return name, true
}

// removedByRules reports whether a set-header or del-header among the
// hits from index from on removes header name.
func removedByRules(hits []ruleHit, from int, name []byte) bool {
	for i := from; i < len(hits); i++ {
		if hits[i].r.Removes(name) {
			return true
		}
	}
	return false
}

// appendAdded appends the headers set or added by the hits from index
// from on, in order; a value is dropped when a later set-header or
// del-header of the same name replaces it.
func (w *work) appendAdded(out []byte, from int) []byte {
	for i := from; i < len(w.rules); i++ {
		h := &w.rules[i]
		r := h.r
		if r.Kind != rules.SetHeader && r.Kind != rules.AddHeader {
			continue
		}
		if removedByRules(w.rules, i+1, r.Name) {
			continue
		}
		out = appendHeader(out, r.Name, w.valueOf(h))
	}
	return out
}

func appendHeader(out, name, value []byte) []byte {
	out = append(out, name...)
	out = append(out, ": "...)
	out = append(out, value...)
	return append(out, "\r\n"...)
}

// buildResponse writes the response head for the client into w.out.
func (s *httpSession) buildResponse(be *Backend, resp *http1.Response, req *http1.Request, closeConn, switched bool) []byte {
	w := s.w
	out := w.out[:0]
	out = append(out, resp.Line...)
	out = append(out, "\r\n"...)
	// http-response and http-after-response header rules matched in
	// responseRules.
	for i := range resp.Headers {
		h := &resp.Headers[i]
		if string(h.Name) == "connection" && !switched {
			continue
		}
		if len(w.rules) > 0 && removedByRules(w.rules, 0, h.Name) {
			continue
		}
		if len(w.rspEdits) > 0 && removedByEdits(w.rspEdits, h.Name) {
			continue
		}
		out = appendHeader(out, h.Name, h.Value)
	}
	out = w.appendAdded(out, 0)
	out = appendEdits(out, w.rspEdits)
	if !switched && resp.Status >= 200 {
		if closeConn {
			if !isHTTP10(&req.Message) || req.ConnKeepAlive {
				out = append(out, "connection: close\r\n"...)
			}
		} else if isHTTP10(&req.Message) {
			out = append(out, "connection: keep-alive\r\n"...)
		}
	}
	return append(out, "\r\n"...)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
