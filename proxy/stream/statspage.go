package stream

import (
	"strconv"
	"time"

	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/statspage"
)

// statsPage is a frontend's stats page (`stats enable`, `stats uri`...)
// with its compiled `stats admin` condition.
type statsPage struct {
	page  *statspage.Page
	admin *acl.Cond // nil: no admin form
	src   statspage.Source
}

// SetStatsPage gives the frontend a stats page: admin, when not nil,
// is the `stats admin` condition; src is what the page shows and acts
// on. Called before the process starts.
func (f *Frontend) SetStatsPage(page *statspage.Page, admin *acl.Cond, src statspage.Source) {
	f.stats = &statsPage{page: page, admin: admin, src: src}
}

// maxStatsBody bounds the admin form's POST body.
const maxStatsBody = 8192

// serveStats answers a request for the stats page and logs it as server
// <STATS>. It returns false when the connection must close.
func (s *httpSession) serveStats(sp *statsPage, closeAfter bool) bool {
	f, w := s.f, s.w
	req := &w.req
	f.Intercepted.Add(1)
	method := string(req.Method)
	pr := statspage.Request{Method: method, URI: string(req.URI), Authorization: string(req.Get("authorization"))}
	// The admin form's body: Content-Length only, bounded.
	consumed := req.HeadLen
	switch req.RequestBody() {
	case http1.BodyLength:
		n := req.ContentLength
		if n > maxStatsBody || n > int64(len(w.in)-req.HeadLen) {
			return s.local(http1.MuxErrorPage(413), 413, [2]byte{'P', 'R'}, true)
		}
		need := req.HeadLen + int(n)
		if s.inLen < need {
			t := f.Cfg.Timeouts.HTTPRequest
			if t <= 0 {
				t = f.Cfg.Timeouts.Client
			}
			if t <= 0 {
				t = 10 * time.Second
			}
			s.dl.setReadExact(s.c, time.Now().Add(t))
			for s.inLen < need {
				m, err := s.c.Read(w.in[s.inLen:])
				s.inLen += m
				if err != nil && m == 0 {
					return false
				}
			}
		}
		pr.Body = w.in[req.HeadLen:need]
		consumed = need
	case http1.BodyChunked:
		return s.local(http1.MuxErrorPage(400), 400, [2]byte{'P', 'R'}, true)
	}
	if sp.admin != nil {
		pr.Admin = sp.admin.Eval(&s.smp)
	}
	resp := sp.page.Serve(pr, sp.src)
	if isHTTP10(&req.Message) && !req.ConnKeepAlive {
		closeAfter = true
	}
	out := w.out[:0]
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(resp.Status), 10)
	out = append(out, ' ')
	out = append(out, statusText(resp.Status)...)
	out = append(out, "\r\n"...)
	for _, h := range resp.Header {
		out = append(out, h[0]...)
		out = append(out, ": "...)
		out = append(out, h[1]...)
		out = append(out, "\r\n"...)
	}
	out = append(out, "content-length: "...)
	out = strconv.AppendInt(out, int64(len(resp.Body)), 10)
	out = append(out, "\r\n"...)
	if closeAfter {
		out = append(out, "connection: close\r\n"...)
	}
	out = append(out, "\r\n"...)
	w.out = out
	body := resp.Body
	if method == "HEAD" {
		body = nil
	}
	s.dl.setWrite(s.c, time.Now(), f.Cfg.Timeouts.Client)
	err := s.write2(s.c, out, body)
	n := int64(len(out) + len(body))
	f.Bin.Add(int64(consumed))
	f.Bout.Add(n)
	f.hrsp(resp.Status)
	if f.logger.Enabled() {
		e := &w.entry
		e.Reset()
		s.fillEntry(e, s.w.cur)
		e.TR = s.w.cur.headDone.Sub(s.w.cur.firstByte)
		e.Tw, e.Tc, e.Tr = 0, 0, 0
		e.BackendName, e.ServerName = f.Name, "<STATS>"
		e.Status = resp.Status
		e.BytesOut, e.BytesIn = n, int64(consumed)
		e.Term = [2]byte{'L', 'R'}
		e.ReqLine = w.line
		f.logger.Log(e)
	}
	if err != nil || closeAfter {
		return false
	}
	s.inLen = copy(w.in, w.in[consumed:s.inLen])
	return true
}

func statusText(code int) string {
	if code == 303 {
		return "See Other"
	}
	return http1.Reason(code)
}
