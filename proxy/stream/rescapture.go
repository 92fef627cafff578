package stream

import "strings"

// captureResponse fills the log entry's `capture response header` slots
// (%hs, %hsl) from the server's response head, before http-response
// rules change it, as HAProxy does. Values are copied: the response
// buffer carries the body afterwards.
func (s *httpSession) captureResponse(t *txn) {
	caps := s.f.Cfg.CaptureResponseHeaders
	if t.e == nil || len(caps) == 0 {
		return
	}
	rs := &s.w.rws
	resp := &s.w.resp
	for i, c := range caps {
		if c.Name == "" {
			continue
		}
		for j := range resp.Headers {
			h := &resp.Headers[j]
			if len(h.Name) == len(c.Name) && strings.EqualFold(string(h.Name), c.Name) {
				rs.rcaps[i] = rs.keepCapture(h.Value, c.Len)
				break
			}
		}
	}
}

// resetResCaptures gives a new request's log entry one empty slot per
// response capture (an answer without a server's response logs "{}").
func (s *httpSession) resetResCaptures(t *txn) {
	caps := s.f.Cfg.CaptureResponseHeaders
	if t.e == nil || len(caps) == 0 {
		return
	}
	rs := &s.w.rws
	if cap(rs.rcaps) < len(caps) {
		rs.rcaps = make([][]byte, len(caps))
	}
	rs.rcaps = rs.rcaps[:len(caps)]
	for i := range rs.rcaps {
		rs.rcaps[i] = nil
	}
	t.e.ResCaptures = rs.rcaps
}

// responseSilentDrop is http-response silent-drop: the server's response
// is dropped with its connection and the client's connection ends
// without a word. The log line is HAProxy 2.6's: the server's status,
// its head's bytes, no Tr, termination state PR.
func (s *httpSession) responseSilentDrop(t *txn) {
	w, be, srv := s.w, t.be, t.srv
	if e := t.e; e != nil {
		s.fillEntry(e, t.rs)
		e.TR = t.rs.headDone.Sub(t.rs.firstByte)
		e.Tw, e.Tc, e.Tr = t.cr.tw, t.cr.tc, -1
		e.BackendName, e.ServerName = be.Name, srv.Name
		e.Server = srv.addr.Load().ap
		e.Status, e.BytesOut, e.BytesIn = w.resp.Status, int64(w.resp.HeadLen), t.bytesIn
		e.Term = [2]byte{'P', 'R'}
		e.Retries, e.Redispatched = t.cr.retries, t.cr.redispatched
		e.BeConn, e.SrvConn = int(be.Scur.Load()), int(srv.Scur.Load())
		e.ReqLine = w.line
		s.f.logger.Log(e)
	}
	silentDrop(s.c)
}
