package proxy

import (
	"bytes"
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

// handle serves the request in s.w. It returns false when the client
// connection must be closed.
func (s *httpSession) handle() bool {
	f, rt, w := s.f, s.rt, s.w
	req := &w.req
	rs := s.cur
	rt.CumReq.Add(1)
	f.ReqTot.Add(1)
	s.smp.req = req
	w.line = append(w.line[:0], req.Line...)
	w.rules = w.rules[:0]
	w.vals = w.vals[:0]
	ec := &w.x
	ec.reset(s)
	bodyKind := req.RequestBody()
	head := string(req.Method) == "HEAD"
	closeAfter := !req.KeepAlive() || s.stop.Load() || f.httpClose()
	s.rq = reqState{head: head, closeAfter: closeAfter}
	closeLocal := closeAfter || bodyKind != http1.BodyNone

	if f.monitorURI != nil && s.isMonitor(req.URI) {
		// monitor-uri: answered before any rule, never logged.
		f.Intercepted.Add(1)
		f.hrsp(200)
		s.sendRaw(s.afterPage(pageFor(200, f.errs), nil))
		return false
	}
	if len(f.contentRules) > 0 && !f.contentRulesHTTP(&s.smp) {
		s.logLocal(-1, 0, [2]byte{'P', 'R'})
		return false
	}
	if done, keep := s.requestRules(f.reqRules, nil, closeLocal); done {
		return keep
	}
	if f.stats != nil && f.stats.page.Match(req.URI) {
		return s.serveStats(f.stats, closeAfter || bodyKind == http1.BodyChunked)
	}
	be := f.pickBackendX(&s.smp, ec)
	if be == nil {
		return s.local(pageFor(503, f.errs), 503, [2]byte{'S', 'C'}, closeLocal)
	}
	ec.be = be
	if brs := rt.beRules[be]; brs != nil && len(brs.req) > 0 && be.Cfg != f.Cfg {
		if done, keep := s.requestRules(brs.req, be, closeLocal); done {
			return keep
		}
	}
	be.ReqTot.Add(1)
	be.sessStart(rs.start)
	defer be.sessEnd()

	// Request body bytes already read.
	body := w.in[req.HeadLen:s.inLen]
	var send, leftover []byte
	var rest int64
	chunkPending := false
	switch bodyKind {
	case http1.BodyNone:
		leftover = body
	case http1.BodyLength:
		if int64(len(body)) >= req.ContentLength {
			send, leftover = body[:req.ContentLength], body[req.ContentLength:]
		} else {
			send, rest = body, req.ContentLength-int64(len(body))
		}
	case http1.BodyChunked:
		w.reqChunk.Reset()
		n, done, err := w.reqChunk.Scan(body)
		if err != nil {
			f.Ereq.Add(1)
			f.hrsp(400)
			s.sendRaw(http1.MuxErrorPage(400))
			s.logLocal(400, 0, [2]byte{'P', 'R'})
			return false
		}
		send = body[:n]
		if done {
			leftover = body[n:]
		} else {
			chunkPending = true
		}
	}
	bodyPending := rest > 0 || chunkPending
	s.rq.read, s.rq.next = !bodyPending, leftover
	upgrade := req.Upgrade()
	w.out = s.buildRequest(be, upgrade)

	// Pick a server and get a connection.
	reqSent := false
	var bytesIn = int64(req.HeadLen)
	var e *tlog.Entry
	logging := f.logger.Enabled()
	if logging {
		e = &w.entry
		e.Reset()
	}
	cr := be.connect(rt.ctx, s.smp.src.Addr(), lbRequest{&s.smp}, nil, s.reuseFor(be))
	if cr.err != nil {
		return s.serverFailed(e, rs, be, cr.srv, nil, cr, 503, cr.term)
	}
	srv := cr.srv
	defer be.release(srv)
	sc := cr.sc
	if sc == nil {
		sc = &srvConn{c: cr.conn, srv: srv}
	}
	if rt.stopping.Load() && s.stop.Load() {
		closeAfter = true
	}
	srv.ReqTot.Add(1)
	tServer := serverTimeout(be)
	tClient := s.clientTimeout()

	var tReqSent, tRespHead time.Time
	var resp *http1.Response
	rspLen := 0
	status := 0
	retried := false
	for {
		// One write for the head and the body bytes at hand.
		err := s.writeHead(sc, w.out, send, tServer)
		tReqSent = time.Now()
		if err != nil {
			if sc.reused && !retried {
				retried = true
				sc.c.Close()
				if sc = s.redial(be, srv); sc != nil {
					continue
				}
			}
			return s.serverFailed(e, rs, be, srv, sc, cr, 503, [2]byte{'S', 'C'})
		}
		reqSent = true
		bytesIn += int64(len(send))
		if bodyPending {
			// The rest of the body streams on its own while the
			// response is awaited.
			s.startUpload(sc, be, rest, chunkPending)
		}
		// Read the response head, forwarding interim 1xx responses.
		var x xfer
		rspLen, x = s.readResponse(sc, be, tServer)
		if bodyPending && (x.failed != sideNone || s.uploadDone()) {
			bodyPending = !s.finishUpload(sc, x.failed != sideNone)
			bytesIn += s.up.x.n
			if s.up.gone.Load() {
				return s.transferFailed(e, rs, be, srv, sc, s.up.x, 'D', status)
			}
		}
		if x.failed == sideServer && rspLen == 0 && !x.timeout && sc.reused && !retried && !reqBodyStreamed(bodyKind, send, rest, chunkPending) && idempotent(req.Method) {
			// A reused connection the server had closed: retry once on
			// a fresh one, but only a request that may run twice (RFC
			// 9110 9.2.2): the server may have run it before closing.
			retried = true
			sc.c.Close()
			if sc = s.redial(be, srv); sc != nil {
				continue
			}
			return s.serverFailed(e, rs, be, srv, nil, cr, 502, [2]byte{'S', 'H'})
		}
		if x.failed != sideNone {
			if x.failed == sideClient {
				return s.transferFailed(e, rs, be, srv, sc, x, 'H', 0)
			}
			st, t := 502, [2]byte{'S', 'H'}
			if x.timeout {
				st, t = 504, [2]byte{'s', 'H'}
			} else if x.n < 0 {
				t = [2]byte{'P', 'H'}
			}
			srv.Eresp.Add(1)
			be.Eresp.Add(1)
			return s.serverFailed(e, rs, be, srv, sc, cr, st, t)
		}
		break
	}
	_ = reqSent
	tRespHead = time.Now()
	if bodyPending && s.up.sent.Load() {
		// The body's last bytes are written: take the upload's end.
		bodyPending = !s.finishUpload(sc, false)
		bytesIn += s.up.x.n
	}
	resp = &w.resp
	status = resp.Status
	rkind := resp.ResponseBody(head)
	switched := status == 101 && upgrade
	srvKeep := resp.KeepAlive() && !be.serverClose(f) && rkind != http1.BodyUntilClose && !switched && !bodyPending
	if rkind == http1.BodyUntilClose || bodyPending {
		closeAfter = true
	}
	if resp.Status == 101 && !upgrade {
		closeAfter = true
		srvKeep = false
	}

	// Response body bytes already read.
	rbody := w.rsp[resp.HeadLen:rspLen]
	var rsend []byte
	var rrest int64
	rchunk := false
	switch rkind {
	case http1.BodyNone:
		rsend = nil
		if len(rbody) > 0 && !switched {
			srvKeep = false // bytes after a bodiless response
		}
		if switched {
			rsend = rbody
		}
	case http1.BodyLength:
		if int64(len(rbody)) >= resp.ContentLength {
			rsend = rbody[:resp.ContentLength]
			if int64(len(rbody)) > resp.ContentLength {
				srvKeep = false
			}
		} else {
			rsend, rrest = rbody, resp.ContentLength-int64(len(rbody))
		}
	case http1.BodyChunked:
		w.chunk.Reset()
		n, done, err := w.chunk.Scan(rbody)
		if err != nil {
			srv.Eresp.Add(1)
			be.Eresp.Add(1)
			return s.serverFailed(e, rs, be, srv, sc, cr, 502, [2]byte{'P', 'H'})
		}
		rsend = rbody[:n]
		if n < len(rbody) {
			srvKeep = false
		}
		rchunk = !done
	case http1.BodyUntilClose:
		rsend = rbody
	}
	ec.resp = resp
	ec.srv = srv.Name
	if deny := s.responseRules(be); deny != nil {
		// http-response deny: the server's response is dropped with its
		// connection, the deny page (502 by default) sent instead.
		sc.c.Close()
		f.Dresp.Add(1)
		be.Dresp.Add(1)
		srv.Dresp.Add(1)
		page := deny.page
		if deny.dyn != nil {
			w.vals = deny.appendDynPage(w.vals[:0], ec)
			page = w.vals
		}
		be.hrsp(deny.status)
		srv.hrsp(deny.status)
		f.hrsp(deny.status)
		n := s.answer(s.afterPage(page, be), false)
		if e != nil {
			s.fillEntry(e, rs)
			e.TR = rs.headDone.Sub(rs.firstByte)
			e.Tw, e.Tc, e.Tr = cr.tw, cr.tc, tRespHead.Sub(tReqSent)
			e.BackendName, e.ServerName = be.Name, srv.Name
			e.Server = srv.addr.Load().ap
			e.Status, e.BytesOut, e.BytesIn = deny.status, n, bytesIn
			e.Term = [2]byte{'P', 'H'}
			e.Retries, e.Redispatched = cr.retries, cr.redispatched
			e.BeConn, e.SrvConn = int(be.Scur.Load()), int(srv.Scur.Load())
			e.ReqLine = w.line
			f.logger.Log(e)
		}
		return false
	}
	w.out = s.buildResponse(be, resp, req, closeAfter, switched)
	be.hrsp(status)
	srv.hrsp(status)
	f.hrsp(status)
	err := s.writeClient(w.out, rsend, tClient)
	bytesOut := int64(len(w.out) + len(rsend))
	if err != nil {
		x := xfer{failed: sideClient, timeout: isTimeout(err)}
		sc.c.Close()
		return s.finish(e, rs, be, srv, cr, x, 'D', status, bytesIn, bytesOut, tReqSent, tRespHead)
	}
	var x xfer
	switch {
	case switched:
		x = s.tunnel(sc, be)
		srvKeep = false
		closeAfter = true
		bytesOut += x.n
		bytesIn += x.in
		x.n = 0
	case rrest > 0 || rchunk || rkind == http1.BodyUntilClose:
		x = s.streamResponseBody(sc, be, rkind, rrest, rchunk)
		bytesOut += x.n
		if x.failed != sideNone {
			srvKeep = false
			closeAfter = true
		}
	}
	if bodyPending {
		// The server answered before taking the whole body: the rest
		// is not wanted, and the client connection ends once it has
		// had its answer.
		s.finishUpload(sc, true)
		bytesIn += s.up.x.n
		srvKeep, closeAfter, s.linger = false, true, true
	}
	switch {
	case !srvKeep || x.extra:
		sc.c.Close()
	case closeAfter:
		srv.putIdle(sc, time.Now())
	default:
		s.sc = sc
	}
	if chunkPending && s.tail != nil {
		leftover = s.tail
	}
	// Pipelined bytes stay for the next request.
	if len(leftover) > 0 && !closeAfter {
		s.inLen = copy(w.in, leftover)
	} else {
		s.inLen = 0
	}
	s.finish(e, rs, be, srv, cr, x, 'D', status, bytesIn, bytesOut, tReqSent, tRespHead)
	return !closeAfter && x.failed == sideNone
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

// reqBodyStreamed reports whether part of the request body was streamed
// after the first write (so a retry cannot replay it).
func reqBodyStreamed(k http1.BodyKind, send []byte, rest int64, chunkPending bool) bool {
	return rest > 0 || chunkPending
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
	c, err := be.dial(s.rt.ctx, srv)
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
	n := s.answer(s.afterPage(page, s.w.x.be), !closeConn)
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
	e.Reset()
	s.fillEntry(e, s.cur)
	e.TR = s.cur.headDone.Sub(s.cur.firstByte)
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
	keep := s.rq.read && !s.rq.closeAfter && !s.killed.Load()
	if !s.rq.read {
		s.linger = true
	}
	n := s.answer(s.afterPage(pageFor(status, be.errs), be), keep)
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
		s.inLen = copy(s.w.in, s.rq.next)
	}
	return keep
}

// transferFailed handles a failure while the request was being sent.
func (s *httpSession) transferFailed(e *tlog.Entry, rs reqStart, be *Backend, srv *Server, sc *srvConn, x xfer, phase byte, status int) bool {
	sc.c.Close()
	s.rq.closeAfter = true // the request body was not wholly read or sent
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
		if h := &w.rules[i]; h.r.kind == ruleSetPath {
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
	out = append(out, req.Proto...)
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
		if xff && s.f.Cfg.Options.ForwardforIfNone && string(h.Name) == xffName {
			xff = false
		}
		out = appendHeader(out, h.Name, h.Value)
	}
	out = w.appendAdded(out, 0)
	if xff {
		out = append(out, xffName...)
		out = append(out, ": "...)
		out = s.smp.src.Addr().AppendTo(out)
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
	if o.ForwardforExcept != "" && exceptMatches(o.ForwardforExcept, s.smp.src.Addr()) {
		return "", false
	}
	return name, true
}

// removedByRules reports whether a set-header or del-header among the
// hits from index from on removes header name.
func removedByRules(hits []ruleHit, from int, name []byte) bool {
	for i := from; i < len(hits); i++ {
		r := hits[i].r
		if (r.kind == ruleSetHeader || r.kind == ruleDelHeader) && bytes.Equal(r.name, name) {
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
		if r.kind != ruleSetHeader && r.kind != ruleAddHeader {
			continue
		}
		if removedByRules(w.rules, i+1, r.name) {
			continue
		}
		out = appendHeader(out, r.name, w.valueOf(h))
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
		out = appendHeader(out, h.Name, h.Value)
	}
	out = w.appendAdded(out, 0)
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
