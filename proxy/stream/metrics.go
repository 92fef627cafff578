package stream

import (
	"net"
	"time"

	"github.com/goha/goha/proxy/metrics"
	"github.com/goha/goha/proxy/rules"
)

// SetMetrics gives the process the source its Prometheus exporter
// reads (`http-request use-service prometheus-exporter`). Called before
// the process starts; without it such requests get a 503.
func (rt *Process) SetMetrics(src metrics.Source) { rt.svc.metrics = src }

// services are what the built-in services read.
type services struct {
	metrics metrics.Source // nil: no exporter
}

// countingWriter counts the bytes written to a client.
type countingWriter struct {
	c net.Conn
	n int64
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.c.Write(b)
	w.n += int64(n)
	return n, err
}

// closeHead is metrics.ResponseHead with "connection: close".
var closeHead = metrics.ResponseHead[:len(metrics.ResponseHead)-2] + "connection: close\r\n\r\n"

// serveMetrics answers the request in s.w with the Prometheus exporter,
// as HAProxy 2.6's service does: the query selects the scopes (a bad
// one gets the 400 page), the exposition follows in chunks (none for
// HEAD), and the request is logged with server <PROMEX>. It returns
// whether the client connection stays open.
func (s *httpSession) serveMetrics(be *Backend, closeConn bool) bool {
	f, w := s.f, s.w
	req := &w.req
	f.Intercepted.Add(1)
	src := s.rt.svc.metrics
	if src == nil {
		return s.local(rules.PageFor(503, f.errs), 503, [2]byte{'L', 'R'}, closeConn)
	}
	o, err := metrics.ParseURI(string(req.URI))
	if err != nil {
		f.hrsp(400)
		n := s.answer(s.afterPage(rules.PageFor(400, f.errs), nil), false)
		s.logService(be, "<PROMEX>", 400, n)
		return false
	}
	if isHTTP10(&req.Message) {
		closeConn = true
	}
	head := metrics.ResponseHead
	if closeConn {
		head = closeHead
	}
	f.hrsp(200)
	cw := &countingWriter{c: s.c}
	s.dl.setWrite(s.c, time.Now(), f.Cfg.Timeouts.Client)
	_, err = cw.Write(append(w.out[:0], head...))
	if err == nil && !s.w.rq.head {
		err = metrics.WriteChunked(cw, src, o)
	}
	f.Bin.Add(int64(req.HeadLen))
	f.Bout.Add(cw.n)
	s.logService(be, "<PROMEX>", 200, cw.n)
	if err != nil || closeConn {
		return false
	}
	s.inLen = copy(w.in, w.in[req.HeadLen:s.inLen])
	return true
}

// logService logs a request answered by a built-in service: the
// backend is the proxy whose rule chose it, the server the service's
// name, as HAProxy does.
func (s *httpSession) logService(be *Backend, server string, status int, bytesOut int64) {
	f := s.f
	if !f.logger.Enabled() {
		return
	}
	e := &s.w.entry
	e.Reset()
	s.fillEntry(e, s.w.cur)
	e.TR = s.w.cur.headDone.Sub(s.w.cur.firstByte)
	e.Tw, e.Tc, e.Tr = 0, 0, 0
	e.BackendName, e.ServerName = f.Name, server
	if be != nil {
		e.BackendName = be.Name
	}
	e.Status = status
	e.BytesOut, e.BytesIn = bytesOut, int64(s.w.req.HeadLen)
	e.Term = [2]byte{'L', 'R'}
	e.ReqLine = s.w.line
	f.logger.Log(e)
}
