package stream

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/relay"
	"github.com/goha/goha/proxy/sample"
	"github.com/goha/goha/proxy/stick"
	"github.com/goha/goha/proxy/tlog"
)

// softIdleGrace bounds how long an idle keep-alive connection is kept
// during a soft stop when its normal idle timeout is longer. See doc.go
// for why idle connections are not closed at once.
const softIdleGrace = 10 * time.Second

// work is the working area of a request in flight: buffers and parse
// state. Connections take one from the process' pool when a request
// starts and give it back when they go idle, so an idle connection holds
// no buffer.
type work struct {
	in    []byte // client bytes: request head, body start, pipelined bytes
	rsp   []byte // server bytes: response head and body start
	out   []byte // outgoing heads are built here
	req   http1.Request
	resp  http1.Response
	line  []byte     // copy of the request line, for the log
	rules []ruleHit  // header and path rules that matched, in order
	vals  []byte     // their evaluated values (ruleHit spans)
	x     sample.Ctx // log-format evaluation (package sample)
	iov   net.Buffers
	iovA  [2][]byte
	chunk http1.ChunkScanner // the response body's
	// reqChunk is the request body's: it is read by the upload while
	// the response body is being scanned.
	reqChunk http1.ChunkScanner
	entry    tlog.Entry
	t        txn // the request in flight (stream.go)

	// Filters' header edits and body scratch buffers (filter.go).
	reqEdits, rspEdits []hdrEdit
	fbuf               [2][]byte
	fout, fin          []byte
	cur                reqStart
	rq                 reqState
	up                 upload       // the request body's upload (upload.go)
	body               *[]byte      // request body buffer, borrowed while a body streams
	rws                rewriteState // rewrites and variables (rewrite.go)
}

func newWork(size, maxHdr int) any {
	w := &work{
		in:   make([]byte, size),
		rsp:  make([]byte, size),
		out:  make([]byte, 0, size),
		line: make([]byte, 0, 256),
		vals: make([]byte, 0, 256),
	}
	w.req.MaxHeaders, w.resp.MaxHeaders = maxHdr, maxHdr
	return w
}

// httpSession is one client connection in mode http.
type httpSession struct {
	// served is the server of the request in progress, for show sess
	// and `shutdown sessions server` (nil between requests).
	served atomic.Pointer[Server]

	f        *Frontend
	rt       *Process
	c        net.Conn
	rc       syscall.RawConn
	smp      sample.HTTP
	dl       deadlines
	w        *work
	inLen    int // bytes in w.in
	sc       *srvConn
	nreq     int
	accepted time.Time
	readFn   func(fd uintptr) bool // reads into a pooled buffer (see readRequest)
	rn       int
	rerr     error

	qctx context.Context // see queueCtx (queue.go)

	parking relay.Parking // the parking lot's hold on the session while it is idle there

	idle      atomic.Bool  // waiting for the next request
	resumed   bool         // taken up again by the lot: the idle wait goes on
	linger    bool         // the client connection ends with unread request bytes
	idleSince atomic.Int64 // Unix ns
	stop      atomic.Bool  // soft stop requested: close after this request
	killed    atomic.Bool
	svars     sample.Vars // sess variables (rewrite.go)
}

func (s *httpSession) kill() {
	s.killed.Store(true)
	s.c.Close()
	// The server connection is closed by the session when it unblocks;
	// a parked one is taken up to end.
	s.unpark()
}

// softStop makes the session answer its next request with
// "Connection: close"; an idle one is woken to apply the soft-stop grace.
func (s *httpSession) softStop() {
	s.stop.Store(true)
	if s.unpark() {
		return // it applies the grace itself
	}
	if s.idle.Load() {
		since := time.Unix(0, s.idleSince.Load())
		s.c.SetReadDeadline(since.Add(s.idleTimeout(true)))
	}
}

// idleTimeout is how long a connection may wait for its next request.
func (s *httpSession) idleTimeout(stopping bool) time.Duration {
	t := s.f.Cfg.Timeouts
	var d time.Duration
	switch {
	case s.nreq > 0 && t.HTTPKeepAlive > 0:
		d = t.HTTPKeepAlive
	case t.HTTPRequest > 0:
		d = t.HTTPRequest
	default:
		d = t.Client
	}
	if stopping && (d <= 0 || d > softIdleGrace) {
		d = softIdleGrace
	}
	return d
}

// serveHTTP runs a mode http client connection.
func (f *Frontend) serveHTTP(c net.Conn, accepted time.Time, ctrs *stick.Counters) {
	rt := f.rt
	s := &httpSession{f: f, rt: rt, c: c, accepted: accepted}
	s.smp.Init(c)
	s.smp.Backends = rt
	s.smp.Stick = ctrs
	if tc, ok := c.(*net.TCPConn); ok {
		if !(f.Cfg.Options.Clitcpka || f.Cfg.Options.Tcpka) {
			tc.SetKeepAlive(false)
		}
		s.rc, _ = tc.SyscallConn()
		s.readFn = func(fd uintptr) bool {
			if s.w == nil {
				s.w = rt.getWork()
			}
			n, err := syscall.Read(int(fd), s.w.in[s.inLen:])
			if err == syscall.EAGAIN || err == syscall.EINTR {
				if s.inLen == 0 {
					rt.putWork(s.w)
					s.w = nil
				}
				return false
			}
			if n < 0 {
				n = 0
			}
			s.rn, s.rerr = n, err
			return true
		}
	}
	s.initTLS(c)
	rt.addSession(s)
	s.serve()
}

// serve runs the session's requests, on the goroutine the accept loop
// started or, after the session was parked, on one the parking lot
// started. It returns when the session is parked or has ended.
func (s *httpSession) serve() {
	for {
		switch s.readRequest() {
		case reqParked:
			return
		case reqEnd:
			s.end()
			return
		}
		keep := s.handle()
		if s.endUpload() {
			keep = false
		}
		s.releaseBody()
		if !keep {
			s.end()
			return
		}
		s.nreq++
	}
}

// end closes the session and undoes its counting.
func (s *httpSession) end() {
	s.rt.removeSession(s)
	s.stickEnd()
	if s.linger {
		s.lingerClose()
	}
	s.releaseWork()
	if s.sc != nil {
		s.sc.c.Close()
		s.sc = nil
	}
	if lot := s.rt.lot; lot != nil {
		lot.Release(s)
	}
	s.c.Close()
	s.f.endSession()
}

// reqState is what the session knows of the request in flight, taken
// from the request before its buffers can be reused.
type reqState struct {
	head       bool   // a HEAD request: answers carry no body
	closeAfter bool   // the client connection ends after this request
	read       bool   // the whole request (body included) has been read
	next       []byte // pipelined bytes read past the request, once read
}

// answer sends a whole response produced by goha itself (an error page,
// a deny, a return, a redirect) for the request in flight: without its
// body to a HEAD request, and with "connection: close" added when the
// connection will not be kept. It returns the bytes sent.
func (s *httpSession) answer(page []byte, keep bool) int64 {
	send := page
	if s.w.rq.head {
		if i := bytes.Index(page, []byte("\r\n\r\n")); i >= 0 {
			send = page[:i+4]
		}
	}
	if keep || isHTTP10(&s.w.req.Message) {
		return s.sendRaw(send)
	}
	eol := bytes.IndexByte(send, '\n')
	if eol < 0 {
		return s.sendRaw(send)
	}
	bufs := net.Buffers{send[:eol+1], []byte("connection: close\r\n"), send[eol+1:]}
	s.dl.setWrite(s.c, time.Now(), s.f.Cfg.Timeouts.Client)
	n, _ := bufs.WriteTo(s.c)
	s.f.Bout.Add(n)
	return n
}

// releaseBody gives back the request body buffer once the request is
// over (its pipelined tail has been copied to w.in by then).
func (s *httpSession) releaseBody() {
	if s.w.body != nil {
		s.w.rq.next = nil
		s.rt.bufs.put(s.w.body)
		s.w.body = nil
	}
}

func (s *httpSession) releaseWork() {
	if s.w != nil {
		s.w.entry.Reset()
		s.rt.putWork(s.w)
		s.w = nil
	}
}

// reqStart holds the timing of the request being read.
type reqStart struct {
	start     time.Time // stream start: accept or end of previous request
	firstByte time.Time
	headDone  time.Time
}

// readOutcome says how the wait for a request ended.
type readOutcome uint8

const (
	reqReady  readOutcome = iota // a request head is in s.w
	reqEnd                       // the connection ends
	reqParked                    // handed to the parking lot (package relay)
)

// readRequest waits for and reads a complete request head into s.w.
// It answers 400/408 itself.
func (s *httpSession) readRequest() readOutcome {
	f := s.f
	rt := s.rt
	var rs reqStart
	if s.nreq == 0 {
		rs.start = s.accepted
	} else {
		rs.start = time.Now()
	}
	if s.inLen == 0 {
		parked, err := s.waitIdle(&rs)
		if parked {
			return reqParked
		}
		if err != nil {
			// Timeout or error while idle: close silently, as HAProxy
			// does for a connection that sent nothing.
			if s.nreq == 0 && isTimeout(err) {
				s.logEarly(rs, 408, [2]byte{'c', 'R'}, false)
			}
			return reqEnd
		}
	}
	if s.w == nil {
		s.w = rt.getWork()
	}
	w := s.w
	limit := rt.bufsize - rt.maxrewrite
	first := true
	for {
		if !first || s.inLen == 0 {
			n, err := s.c.Read(w.in[s.inLen:])
			if first {
				rs.firstByte = time.Now()
			}
			s.inLen += n
			if err != nil && n == 0 {
				switch {
				case isTimeout(err):
					f.Ereq.Add(1)
					s.sendRaw(http1.MuxErrorPage(408))
					s.logEarly(rs, 408, [2]byte{'c', 'R'}, true)
				case s.inLen > 0:
					f.Ereq.Add(1)
					s.logEarly(rs, 400, [2]byte{'C', 'R'}, true)
				}
				return reqEnd
			}
		} else {
			rs.firstByte = time.Now()
		}
		err := http1.ParseRequest(w.in[:s.inLen], limit, &w.req)
		if err == nil {
			break
		}
		if err != http1.ErrNeedMore {
			f.reqErr.record(s.c.RemoteAddr(), "", err, w.in[:s.inLen], rt.bufsize)
			f.Ereq.Add(1)
			f.ReqTot.Add(1)
			f.hrsp(400)
			s.sendRaw(http1.MuxErrorPage(400))
			s.logEarly(rs, 400, [2]byte{'P', 'R'}, true)
			return reqEnd
		}
		if first {
			// A head split over several reads: bound it by timeout
			// http-request from its first byte (408 when it expires).
			t := f.Cfg.Timeouts.HTTPRequest
			if t <= 0 {
				t = f.Cfg.Timeouts.Client
			}
			if t > 0 {
				s.dl.setReadExact(s.c, rs.firstByte.Add(t))
			}
		}
		first = false
	}
	rs.headDone = time.Now()
	s.w.cur = rs
	return reqReady
}

// sendRaw writes a whole response to the client, best effort.
func (s *httpSession) sendRaw(b []byte) int64 {
	s.dl.setWrite(s.c, time.Now(), s.f.Cfg.Timeouts.Client)
	n, _ := s.c.Write(b)
	s.f.Bout.Add(int64(n))
	return int64(n)
}

// logEarly logs a request that ended before it was complete.
func (s *httpSession) logEarly(rs reqStart, status int, term [2]byte, badreq bool) {
	if !s.f.logger.Enabled() {
		return
	}
	var e tlog.Entry
	s.fillEntry(&e, rs)
	e.Samples = s.earlyEval()
	e.TR, e.Tw, e.Tc, e.Tr = -1, -1, -1, -1
	e.Status = status
	e.Term = term
	e.BytesIn = int64(s.inLen)
	if status == 408 && !badreq {
		e.Status = -1
	}
	s.f.logger.Log(&e)
}

func (s *httpSession) fillEntry(e *tlog.Entry, rs reqStart) {
	e.Client = s.smp.Client
	e.Frontend = s.smp.Local()
	e.AcceptTime = rs.start
	if !rs.firstByte.IsZero() {
		e.Ti = rs.firstByte.Sub(rs.start)
		e.RequestTime = rs.firstByte
	}
	e.FrontendName = s.f.Name
	tlsEntry(e, s.smp.TLS)
	e.Tt = time.Since(rs.start)
	e.ActConn = int(s.rt.ActConn.Load())
	e.FeConn = int(s.f.Scur.Load())
	if s.w != nil {
		e.Samples = &s.w.x
	}
}

// isHTTP10 reports whether the request is HTTP/1.0.
func isHTTP10(m *http1.Message) bool { return m.Minor == 0 }

// clientTimeout and serverTimeout return the applicable timeouts.
func (s *httpSession) clientTimeout() time.Duration { return s.f.Cfg.Timeouts.Client }

func serverTimeout(be *Backend) time.Duration { return be.Cfg.Timeouts.Server }

// httpClose reports whether the frontend closes client connections after
// each response (option httpclose).
func (f *Frontend) httpClose() bool {
	return f.Cfg.Options.HTTPConnMode == "httpclose"
}

// serverClose reports whether server connections must not be kept for
// a request that came through frontend f: HAProxy applies the
// frontend's http-server-close or httpclose to the server side as well
// as the backend's own.
func (be *Backend) serverClose(f *Frontend) bool {
	closes := func(m string) bool { return m == "httpclose" || m == "http-server-close" }
	return closes(be.Cfg.Options.HTTPConnMode) || closes(f.Cfg.Options.HTTPConnMode) || be.Cfg.HTTPReuse == "never"
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }
