package stream

import (
	"time"

	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/rules"
)

// phaseResponseHead decides, from the response head, whether the server
// connection may be kept and splits the bytes read past the head into
// body at hand and body to come.
func (s *httpSession) phaseResponseHead(t *txn) verdict {
	t.tRespHead = time.Now()
	if t.bodyPending && s.w.up.sent.Load() {
		// The body's last bytes are written: take the upload's end.
		t.bodyPending = !s.finishUpload(t.sc, false)
		t.bytesIn += s.w.up.x.n
	}
	resp := &s.w.resp
	t.status = resp.Status
	t.rkind = resp.ResponseBody(s.w.rq.head)
	t.switched = t.status == 101 && t.upgrade
	t.srvKeep = resp.KeepAlive() && !t.be.serverClose(s.f) && t.rkind != http1.BodyUntilClose &&
		!t.switched && !t.bodyPending
	if t.rkind == http1.BodyUntilClose || t.bodyPending {
		s.w.rq.closeAfter = true
	}
	if t.status == 101 && !t.upgrade {
		s.w.rq.closeAfter = true
		t.srvKeep = false
	}
	if t.nf > 0 {
		s.filterResponseHead(t)
	}
	rbody := s.w.rsp[resp.HeadLen:t.rspLen]
	switch t.rkind {
	case http1.BodyNone:
		if t.switched {
			t.rsend = rbody
		} else if len(rbody) > 0 {
			t.srvKeep = false // bytes after a bodiless response
		}
	case http1.BodyLength:
		if int64(len(rbody)) >= resp.ContentLength {
			t.rsend = rbody[:resp.ContentLength]
			if int64(len(rbody)) > resp.ContentLength {
				t.srvKeep = false
			}
		} else {
			t.rsend, t.rrest = rbody, resp.ContentLength-int64(len(rbody))
		}
	case http1.BodyChunked:
		return s.chunkedResponseStart(t, rbody)
	case http1.BodyUntilClose:
		t.rsend = rbody
	}
	return next
}

// chunkedResponseStart scans the chunked body bytes that came with the
// response head.
func (s *httpSession) chunkedResponseStart(t *txn, rbody []byte) verdict {
	w := s.w
	w.chunk.Reset()
	var n int
	var done bool
	var err error
	if t.transform {
		// Filters get the data, not its chunked framing.
		w.fin = w.fin[:0]
		n, done, err = w.chunk.Decode(rbody, func(d []byte) { w.fin = append(w.fin, d...) })
	} else {
		n, done, err = w.chunk.Scan(rbody)
	}
	if err != nil {
		t.srv.Eresp.Add(1)
		t.be.Eresp.Add(1)
		return verdictOf(s.serverFailed(t.e, t.rs, t.be, t.srv, t.sc, t.cr, 502, [2]byte{'P', 'H'}))
	}
	t.rsend = rbody[:n]
	if t.transform {
		t.rsend = w.fin
	}
	if n < len(rbody) {
		t.srvKeep = false
	}
	t.rchunk = !done
	return next
}

// phaseResponseRules applies http-response rules; a deny drops the
// server's response with its connection and sends the deny page (502 by
// default) instead.
func (s *httpSession) phaseResponseRules(t *txn) verdict {
	w, f, be, srv := s.w, s.f, t.be, t.srv
	if be.ck != nil {
		s.cookieResponse(t)
	}
	w.x.Resp = &w.resp
	w.x.Server = srv.Name
	s.captureResponse(t)
	deny := s.responseRules(be)
	if deny == nil {
		return next
	}
	t.sc.c.Close()
	f.Dresp.Add(1)
	be.Dresp.Add(1)
	srv.Dresp.Add(1)
	if deny.Kind == rules.SilentDrop {
		s.responseSilentDrop(t)
		return doneClose
	}
	page := deny.Page
	if deny.Dynamic() {
		w.vals = deny.AppendDynPage(w.vals[:0], &w.x)
		page = w.vals
	}
	be.hrsp(deny.Status)
	srv.hrsp(deny.Status)
	f.hrsp(deny.Status)
	n := s.answer(s.afterPage(page, be), false)
	if e := t.e; e != nil {
		s.fillEntry(e, t.rs)
		e.TR = t.rs.headDone.Sub(t.rs.firstByte)
		e.Tw, e.Tc, e.Tr = t.cr.tw, t.cr.tc, t.tRespHead.Sub(t.tReqSent)
		e.BackendName, e.ServerName = be.Name, srv.Name
		e.Server = srv.addr.Load().ap
		e.Status, e.BytesOut, e.BytesIn = deny.Status, n, t.bytesIn
		e.Term = [2]byte{'P', 'H'}
		e.Retries, e.Redispatched = t.cr.retries, t.cr.redispatched
		e.BeConn, e.SrvConn = int(be.Scur.Load()), int(srv.Scur.Load())
		e.ReqLine = w.line
		f.logger.Log(e)
	}
	return doneClose
}

// phaseForward sends the response head with the body at hand, then the
// rest of the body, or relays a tunnel after a 101.
func (s *httpSession) phaseForward(t *txn) verdict {
	w, be, srv := s.w, t.be, t.srv
	w.out = s.buildResponse(be, &w.resp, &w.req, s.w.rq.closeAfter, t.switched)
	be.hrsp(t.status)
	srv.hrsp(t.status)
	s.f.hrsp(t.status)
	if t.cache.store != nil && s.cacheStart(t) {
		return s.forwardStoring(t)
	}
	if t.transform {
		return s.forwardFiltered(t)
	}
	err := s.writeClient(w.out, t.rsend, s.clientTimeout())
	t.bytesOut = int64(len(w.out) + len(t.rsend))
	if err != nil {
		t.sc.c.Close()
		x := xfer{failed: sideClient, timeout: isTimeout(err)}
		s.finish(t.e, t.rs, be, srv, t.cr, x, 'D', t.status, t.bytesIn, t.bytesOut, t.tReqSent, t.tRespHead)
		return doneClose
	}
	switch {
	case t.switched:
		t.x = s.tunnel(t.sc, be)
		t.srvKeep = false
		s.w.rq.closeAfter = true
		t.bytesOut += t.x.n
		t.bytesIn += t.x.in
		t.x.n = 0
	case t.rrest > 0 || t.rchunk || t.rkind == http1.BodyUntilClose:
		t.x = s.streamResponseBody(t.sc, be, t.rkind, t.rrest, t.rchunk)
		t.bytesOut += t.x.n
		if t.x.failed != sideNone {
			t.srvKeep = false
			s.w.rq.closeAfter = true
		}
	}
	return next
}

// phaseEnd ends an upload the server did not wait for, keeps, pools or
// closes the server connection, keeps pipelined bytes for the next
// request, and counts and logs the request.
func (s *httpSession) phaseEnd(t *txn) verdict {
	if t.bodyPending {
		// The server answered before taking the whole body: the rest
		// is not wanted, and the client connection ends once it has
		// had its answer.
		s.finishUpload(t.sc, true)
		t.bytesIn += s.w.up.x.n
		t.srvKeep, s.w.rq.closeAfter, s.linger = false, true, true
	}
	switch {
	case !t.srvKeep || t.x.extra || t.srv.h2p != nil: // an h2 stream carries one exchange
		t.sc.c.Close()
	case s.w.rq.closeAfter:
		t.srv.putIdle(t.sc, time.Now())
	default:
		s.sc = t.sc
	}
	// Pipelined bytes stay for the next request.
	if next := s.w.rq.next; len(next) > 0 && !s.w.rq.closeAfter {
		s.inLen = copy(s.w.in, next)
	} else {
		s.inLen = 0
	}
	s.finish(t.e, t.rs, t.be, t.srv, t.cr, t.x, 'D', t.status, t.bytesIn, t.bytesOut, t.tReqSent, t.tRespHead)
	return verdictOf(!s.w.rq.closeAfter && t.x.failed == sideNone)
}
