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
