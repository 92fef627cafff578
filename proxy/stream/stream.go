package stream

import (
	"github.com/goha/goha/proxy/rules"
	"time"

	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/tlog"
)

// An HTTP request's life, the way HAProxy's streams run analysers: a
// fixed, named list of phases (requestPhases), each a small method that
// either hands the request on to the next phase or ends it. Reading the
// table top to bottom is reading what happens to a request:
//
//	monitor-uri -> tcp-request content -> http-request (frontend) ->
//	stats page -> use_backend -> http-request (backend) -> request body
//	at hand -> connect (balance, queue, pooled connection) -> send the
//	request, read the response head (retry, upload) -> response body at
//	hand -> http-response -> forward the response -> keep or close, log
//
// What one phase finds that a later one needs lives in txn, which is
// part of the session's pooled work buffers: an idle connection holds
// none of it.

// verdict is what a phase decides.
type verdict uint8

const (
	next      verdict = iota // on to the next phase
	doneKeep                 // the request is over; the connection is kept
	doneClose                // the request is over; the connection ends
)

func verdictOf(keep bool) verdict {
	if keep {
		return doneKeep
	}
	return doneClose
}

// phase is one named step of a request's life.
type phase struct {
	name string
	run  func(s *httpSession, t *txn) verdict
}

// requestPhases are a request's phases, in order.
var requestPhases = [...]phase{
	{"monitor-uri", (*httpSession).phaseMonitor},
	{"tcp-request content", (*httpSession).phaseContentRules},
	{"http-request (frontend)", (*httpSession).phaseFrontendRules},
	{"stats page", (*httpSession).phaseStats},
	{"use_backend", (*httpSession).phaseSwitch},
	{"http-request (backend)", (*httpSession).phaseBackendRules},
	{"request body at hand", (*httpSession).phaseRequestBody},
	{"cache hit", (*httpSession).phaseCacheHit},
	{"connect", (*httpSession).phaseConnect},
	{"send request, read response head", (*httpSession).phaseExchange},
	{"response body at hand", (*httpSession).phaseResponseHead},
	{"http-response", (*httpSession).phaseResponseRules},
	{"forward response", (*httpSession).phaseForward},
	{"keep or close, log", (*httpSession).phaseEnd},
}

// txn is one request's state across its phases.
type txn struct {
	rs         reqStart
	bodyKind   http1.BodyKind
	closeLocal bool // a local answer closes the connection
	upgrade    bool // the client asks for an Upgrade
	e          *tlog.Entry

	be      *Backend
	counted bool // be counts the request (sessStart done)
	cr      connectResult
	srv     *Server // holds a slot (released at the end)
	sc      *srvConn
	ck      cookieTxn // cookie persistence (cookie.go)

	// The request body: what was read with the head (send), what is
	// still to come (rest, or a chunked body not finished).
	send         []byte
	rest         int64
	chunkPending bool
	bodyPending  bool // part of the body is not yet sent to the server
	retried      bool

	bytesIn, bytesOut   int64
	tReqSent, tRespHead time.Time
	rspLen              int
	status              int

	// The response body: its kind, what came with the head (rsend) and
	// what is still to come.
	rkind    http1.BodyKind
	switched bool // 101 to an upgrade: a tunnel follows
	srvKeep  bool // the server connection may be reused
	rsend    []byte
	rrest    int64
	rchunk   bool
	x        xfer

	// Filters started for this request (filter.go); ftrans marks those
	// transforming the response body, transform any of them.
	filters   [maxFiltersPerRequest]FilterStream
	ftrans    [maxFiltersPerRequest]bool
	nf        int
	transform bool

	cache cacheTxn // cache-use and cache-store (cache.go)
}

// handle serves the request in s.w through requestPhases. It returns
// false when the client connection must be closed.
func (s *httpSession) handle() bool {
	t := s.begin()
	v := next
	for i := range requestPhases {
		if v = requestPhases[i].run(s, t); v != next {
			break
		}
	}
	if t.nf > 0 {
		t.endFilters()
	}
	t.cacheEnd()
	if t.srv != nil {
		t.be.release(t.srv)
		s.served.Store(nil)
	}
	if t.counted {
		t.be.sessEnd()
	}
	s.stickReqEnd(t)
	return v == doneKeep
}

// begin counts the request and sets up what every phase reads.
func (s *httpSession) begin() *txn {
	f, w := s.f, s.w
	req := &w.req
	s.rt.CumReq.Add(1)
	f.ReqTot.Add(1)
	s.smp.Req = req
	s.stickReqStart()
	w.line = append(w.line[:0], req.Line...)
	w.rules = w.rules[:0]
	w.vals = w.vals[:0]
	w.reqEdits, w.rspEdits = w.reqEdits[:0], w.rspEdits[:0]
	s.resetEval()
	w.t = txn{rs: s.w.cur, bodyKind: req.RequestBody(), upgrade: req.Upgrade()}
	t := &w.t
	closeAfter := !req.KeepAlive() || s.stop.Load() || f.httpClose()
	s.w.rq = reqState{head: string(req.Method) == "HEAD", closeAfter: closeAfter}
	t.closeLocal = closeAfter || t.bodyKind != http1.BodyNone
	t.bytesIn = int64(req.HeadLen)
	if f.logger.Enabled() {
		t.e = &w.entry
		t.e.Reset()
	}
	s.beginRewrite(t)
	return t
}

// phaseMonitor answers monitor-uri before any rule (503 when a `monitor
// fail` condition holds), never logged.
func (s *httpSession) phaseMonitor(t *txn) verdict {
	f := s.f
	if f.monitorURI == nil || !s.isMonitor(s.w.req.URI) {
		return next
	}
	f.Intercepted.Add(1)
	status := s.monitorStatus()
	f.hrsp(status)
	s.sendRaw(s.afterPage(rules.PageFor(status, f.errs), nil))
	return doneClose
}

// phaseContentRules applies tcp-request content rules to the request.
func (s *httpSession) phaseContentRules(t *txn) verdict {
	f := s.f
	if len(f.contentRules) == 0 || s.contentRulesStick() {
		return next
	}
	s.logLocal(-1, 0, [2]byte{'P', 'R'})
	return doneClose
}

// phaseFrontendRules applies the frontend's http-request rules.
func (s *httpSession) phaseFrontendRules(t *txn) verdict {
	if done, keep := s.requestRules(s.f.reqRules, nil, t.closeLocal); done {
		return verdictOf(keep)
	}
	return next
}

// phaseStats serves the stats page when the request is for it.
func (s *httpSession) phaseStats(t *txn) verdict {
	f := s.f
	if f.stats == nil || !f.stats.page.Match(s.w.req.URI) {
		return next
	}
	if done, keep := s.requestRules(f.statsRules, nil, t.closeLocal); done {
		return verdictOf(keep)
	}
	return verdictOf(s.serveStats(f.stats, s.w.rq.closeAfter || t.bodyKind == http1.BodyChunked))
}

// phaseSwitch chooses the backend (use_backend, default_backend).
func (s *httpSession) phaseSwitch(t *txn) verdict {
	f := s.f
	t.be = f.pickBackendX(&s.smp, &s.w.x)
	if t.be == nil {
		return verdictOf(s.local(rules.PageFor(503, f.errs), 503, [2]byte{'S', 'C'}, t.closeLocal))
	}
	s.w.x.Backend = t.be
	return next
}

// phaseBackendRules applies the backend's own http-request rules.
func (s *httpSession) phaseBackendRules(t *txn) verdict {
	be := t.be
	if brs := s.rt.beRules[be]; brs != nil && len(brs.Req) > 0 && be.Cfg != s.f.Cfg {
		if done, keep := s.requestRules(brs.Req, be, t.closeLocal); done {
			return verdictOf(keep)
		}
	}
	return next
}

// phaseRequestBody counts the request on its backend and splits the
// bytes read past the head into body at hand and pipelined bytes.
func (s *httpSession) phaseRequestBody(t *txn) verdict {
	f, w, be := s.f, s.w, t.be
	req := &w.req
	be.ReqTot.Add(1)
	be.sessStart(t.rs.start)
	t.counted = true
	body := w.in[req.HeadLen:s.inLen]
	var leftover []byte
	switch t.bodyKind {
	case http1.BodyNone:
		leftover = body
	case http1.BodyLength:
		if int64(len(body)) >= req.ContentLength {
			t.send, leftover = body[:req.ContentLength], body[req.ContentLength:]
		} else {
			t.send, t.rest = body, req.ContentLength-int64(len(body))
		}
	case http1.BodyChunked:
		w.reqChunk.Reset()
		n, done, err := w.reqChunk.Scan(body)
		if err != nil {
			f.Ereq.Add(1)
			f.hrsp(400)
			s.sendRaw(http1.MuxErrorPage(400))
			s.logLocal(400, 0, [2]byte{'P', 'R'})
			return doneClose
		}
		t.send = body[:n]
		if done {
			leftover = body[n:]
		} else {
			t.chunkPending = true
		}
	}
	t.bodyPending = t.rest > 0 || t.chunkPending
	s.w.rq.read, s.w.rq.next = !t.bodyPending, leftover
	return next
}

// phaseConnect builds the request head for the server, picks a server
// (queueing when all are full) and gets a connection, pooled or new.
func (s *httpSession) phaseConnect(t *txn) verdict {
	be := t.be
	if len(s.f.filters)+len(be.filters) > 0 {
		s.startFilters(t)
	}
	ctx := s.queueCtx()
	if be.ck != nil {
		ctx = s.cookieRequest(t, ctx)
	}
	s.w.out = s.buildRequest(be, t.upgrade)
	t.cr = s.httpStickConnect(t, ctx)
	if t.cr.err != nil {
		return verdictOf(s.serverFailed(t.e, t.rs, be, t.cr.srv, nil, t.cr, 503, t.cr.term))
	}
	t.srv = t.cr.srv
	s.served.Store(t.srv)
	t.sc = t.cr.sc
	if t.sc == nil {
		t.sc = &srvConn{c: t.cr.conn, srv: t.srv, reused: reusedStream(t.cr.conn)}
	}
	if s.rt.stopping.Load() && s.stop.Load() {
		s.w.rq.closeAfter = true
	}
	t.srv.ReqTot.Add(1)
	return next
}

// phaseExchange sends the request head with the body at hand, starts
// the upload of the rest, and reads the response head, forwarding
// interim answers. A request that failed on a reused connection is
// retried once on a fresh one when it may run twice.
func (s *httpSession) phaseExchange(t *txn) verdict {
	for {
		v, retry := s.exchangeOnce(t)
		if !retry {
			return v
		}
	}
}

// exchangeOnce is one try of phaseExchange.
func (s *httpSession) exchangeOnce(t *txn) (v verdict, retry bool) {
	be, srv := t.be, t.srv
	if be.fcgi != nil {
		s.fcgiPrepare(t)
	}
	err := s.writeHead(t.sc, s.w.out, t.send, serverTimeout(be))
	t.tReqSent = time.Now()
	if err != nil {
		if t.sc.reused && !t.retried {
			return s.retryOn(t, 503, [2]byte{'S', 'C'})
		}
		return verdictOf(s.serverFailed(t.e, t.rs, be, srv, t.sc, t.cr, 503, [2]byte{'S', 'C'})), false
	}
	t.bytesIn += int64(len(t.send))
	if t.bodyPending {
		// The rest of the body streams on its own while the response
		// is awaited.
		s.startUpload(t.sc, be, t.rest, t.chunkPending)
	}
	var x xfer
	t.rspLen, x = s.readResponse(t.sc, be, serverTimeout(be))
	if t.bodyPending && (x.failed != sideNone || s.uploadDone()) {
		t.bodyPending = !s.finishUpload(t.sc, x.failed != sideNone)
		t.bytesIn += s.w.up.x.n
		if s.w.up.gone.Load() {
			return verdictOf(s.transferFailed(t.e, t.rs, be, srv, t.sc, s.w.up.x, 'D', t.status)), false
		}
	}
	switch {
	case x.failed == sideServer && t.rspLen == 0 && !x.timeout && t.sc.reused && !t.retried &&
		!t.bodyStreamed() && idempotent(s.w.req.Method):
		// A reused connection the server had closed: retry once on a
		// fresh one, but only a request that may run twice (RFC 9110
		// 9.2.2): the server may have run it before closing.
		return s.retryOn(t, 502, [2]byte{'S', 'H'})
	case x.failed == sideClient:
		return verdictOf(s.transferFailed(t.e, t.rs, be, srv, t.sc, x, 'H', 0)), false
	case x.failed == sideServer:
		st, term := 502, [2]byte{'S', 'H'}
		if x.timeout {
			st, term = 504, [2]byte{'s', 'H'}
		} else if x.n < 0 {
			term = [2]byte{'P', 'H'}
		}
		srv.Eresp.Add(1)
		be.Eresp.Add(1)
		return verdictOf(s.serverFailed(t.e, t.rs, be, srv, t.sc, t.cr, st, term)), false
	}
	return next, false
}

// retryOn replaces a failed reused connection with a fresh one; without
// one, the request fails with status.
func (s *httpSession) retryOn(t *txn, status int, term [2]byte) (verdict, bool) {
	t.retried = true
	t.sc.c.Close()
	if t.sc = s.redial(t.be, t.srv); t.sc != nil {
		return next, true
	}
	return verdictOf(s.serverFailed(t.e, t.rs, t.be, t.srv, nil, t.cr, status, term)), false
}

// bodyStreamed reports whether part of the request body was streamed
// after the first write (so a retry cannot replay it).
func (t *txn) bodyStreamed() bool { return t.rest > 0 || t.chunkPending }
