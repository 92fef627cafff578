package stream

import (
	"io"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/goha/goha/proxy/http1"
)

// streamRequestBody copies the rest of the request body from the client
// to the server: rest bytes, or a chunked body up to its end. It reads
// through a body buffer of its own (s.w.body), never w.in: the request's
// head stays where it was parsed, so everything that reads it later
// (the HEAD test, http-response rules, the log) sees the request and not
// body bytes. Pipelined bytes read past a chunked body are recorded in
// s.w.rq.next, in that buffer.
func (s *httpSession) streamRequestBody(sc *srvConn, be *Backend, rest int64, chunked bool) xfer {
	w := s.w
	if s.w.body == nil {
		s.w.body = s.rt.bufs.get()
	}
	buf := *s.w.body
	tc, ts := s.clientTimeout(), serverTimeout(be)
	var x xfer
	for chunked || rest > 0 {
		lim := len(buf)
		if !chunked && int64(lim) > rest {
			lim = int(rest)
		}
		now := time.Now()
		s.dl.setRead(s.c, now, tc)
		if s.w.up.aborted.Load() {
			x.failed = sideClient
			return x
		}
		k, err := s.c.Read(buf[:lim])
		if k > 0 {
			n, done := k, false
			if chunked {
				var perr error
				n, done, perr = w.reqChunk.Scan(buf[:k])
				if perr != nil {
					x.failed = sideClient
					return x
				}
			} else {
				rest -= int64(k)
				done = rest <= 0
			}
			if done {
				// The body ends in this read: its pipelined bytes wait
				// here until the request is over. The session may take
				// the upload's end as soon as the server answers, even
				// before the write below returns.
				chunked, rest = false, 0
				s.w.rq.read, s.w.rq.next = true, buf[n:k]
				s.w.up.sent.Store(true)
			}
			sc.dl.setWrite(sc.c, now, ts)
			if _, werr := writeFull(sc.c, buf[:n]); werr != nil {
				x.failed, x.timeout = sideServer, isTimeout(werr)
				return x
			}
			x.n += int64(n)
			s.w.up.progress.Store(time.Now().UnixNano())
			continue
		}
		if err != nil {
			x.failed, x.timeout = sideClient, isTimeout(err)
			return x
		}
	}
	return x
}

// readResponse reads the server's response head into w.rsp, forwarding
// interim (1xx) responses to the client, while a request body may still
// be uploading (see upload). It returns the number of bytes in w.rsp. A
// protocol error is reported with x.n < 0.
func (s *httpSession) readResponse(sc *srvConn, be *Backend, t time.Duration) (int, xfer) {
	w := s.w
	n := 0
	needRead := true
	// Let the other sessions run before the first read: the server is
	// answering meanwhile, so the read usually finds the response instead
	// of returning EAGAIN and parking (a syscall and a netpoll wake-up).
	runtime.Gosched()
	for {
		if needRead {
			sc.dl.setRead(sc.c, time.Now(), t)
			k, err := sc.c.Read(w.rsp[n:])
			n += k
			if k == 0 && isTimeout(err) && s.uploadActive(time.Now(), t) {
				continue // the server is still taking the body
			}
			if k == 0 && err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return n, xfer{failed: sideServer, timeout: isTimeout(err), n: gatewayProtoErr(err)}
			}
		}
		perr := http1.ParseResponse(w.rsp[:n], len(w.rsp), &w.resp)
		if perr == http1.ErrNeedMore {
			needRead = true
			continue
		}
		if perr != nil {
			be.rspErr.record(s.c.RemoteAddr(), sc.srv.Name, perr, w.rsp[:n], s.rt.bufsize)
			return n, xfer{failed: sideServer, n: -1}
		}
		st := w.resp.Status
		if st < 100 || st >= 200 || st == 101 {
			return n, xfer{}
		}
		// Interim response: forward it as is (names already lowercased).
		hl := w.resp.HeadLen
		if err := s.writeClient(w.rsp[:hl], nil, s.clientTimeout()); err != nil {
			return n, xfer{failed: sideClient, timeout: isTimeout(err)}
		}
		n = copy(w.rsp, w.rsp[hl:n])
		needRead = n == 0
	}
}

// streamResponseBody copies the rest of the response body from the
// server to the client.
func (s *httpSession) streamResponseBody(sc *srvConn, be *Backend, kind http1.BodyKind, rest int64, chunked bool) xfer {
	if kind == http1.BodyLength && rest >= spliceBodyMin {
		if x, ok := s.spliceBody(sc, be, rest); ok {
			return x
		}
	}
	w := s.w
	buf := w.rsp
	tc, ts := s.clientTimeout(), serverTimeout(be)
	var x xfer
	untilClose := kind == http1.BodyUntilClose
	for chunked || rest > 0 || untilClose {
		lim := len(buf)
		if !chunked && !untilClose && int64(lim) > rest {
			lim = int(rest)
		}
		now := time.Now()
		sc.dl.setRead(sc.c, now, ts)
		k, err := sc.c.Read(buf[:lim])
		if k > 0 {
			n := k
			if chunked {
				var done bool
				var perr error
				n, done, perr = w.chunk.Scan(buf[:k])
				if perr != nil {
					x.failed = sideServer
					return x
				}
				if done {
					chunked = false
					x.extra = n < k
				}
			} else if !untilClose {
				rest -= int64(k)
			}
			s.dl.setWrite(s.c, now, tc)
			if _, werr := writeFull(s.c, buf[:n]); werr != nil {
				x.failed, x.timeout = sideClient, isTimeout(werr)
				return x
			}
			x.n += int64(n)
			continue
		}
		if err == io.EOF && untilClose {
			return x
		}
		if err != nil {
			x.failed, x.timeout = sideServer, isTimeout(err)
			return x
		}
	}
	return x
}

// tunnel relays bytes both ways after a 101 Switching Protocols, with
// timeout tunnel (or client/server) as in TCP mode. x.n is the bytes
// sent to the client, x.in the bytes uploaded by it.
func (s *httpSession) tunnel(sc *srvConn, be *Backend) xfer {
	// Deadlines set by the HTTP phase must not cut the tunnel short.
	s.c.SetDeadline(time.Time{})
	sc.c.SetDeadline(time.Time{})
	s.dl = deadlines{}
	t := &tcpSession{f: s.f, cli: s.c, srv: sc.c}
	if s.killed.Load() {
		t.killed.Store(true)
	}
	in, out, term := t.relay(sc.srv)
	sc.c.Close()
	x := xfer{n: out, in: in}
	switch term[0] {
	case 'C', 'c':
		x.failed, x.timeout = sideClient, term[0] == 'c'
	case 'S', 's':
		x.failed, x.timeout = sideServer, term[0] == 's'
	}
	return x
}

// exceptMatches reports whether addr is within `option forwardfor
// except` NET.
func exceptMatches(net string, addr netip.Addr) bool {
	if !strings.Contains(net, "/") {
		a, err := netip.ParseAddr(net)
		return err == nil && a == addr
	}
	p, err := netip.ParsePrefix(net)
	return err == nil && p.Contains(addr)
}

// spliceBodyMin is the rest of a Content-Length response body from
// which it moves with splice(2) (kernel to kernel, no copy through the
// session's buffer, two system calls per chunk instead of two per 16
// KiB); smaller bodies take the read/write loop.
const spliceBodyMin = 32 << 10

// spliceChunk bounds one splice transfer, so that timeouts stay
// inactivity timeouts: deadlines are re-armed between chunks.
const spliceChunk = 256 << 10

// spliceBody moves rest bytes of a Content-Length body from the server
// to the client with Go's TCPConn.ReadFrom, which splices between two
// TCP sockets on Linux. ok is false when either side is not a plain TCP
// connection (nothing has been moved then).
func (s *httpSession) spliceBody(sc *srvConn, be *Backend, rest int64) (x xfer, ok bool) {
	dst, ok1 := s.c.(*net.TCPConn)
	src, ok2 := sc.c.(*net.TCPConn)
	if !ok1 || !ok2 {
		return x, false
	}
	tc, ts := s.clientTimeout(), serverTimeout(be)
	lr := io.LimitedReader{R: src}
	for rest > 0 {
		now := time.Now()
		sc.dl.setRead(sc.c, now, ts)
		s.dl.setWrite(s.c, now, tc)
		lr.N = min(rest, spliceChunk)
		n, err := dst.ReadFrom(&lr)
		rest -= n
		x.n += n
		switch {
		case err != nil:
			x.failed, x.timeout = s.spliceFailedSide(err), isTimeout(err)
			return x, true
		case lr.N > 0:
			// The server closed before the end of its body.
			x.failed = sideServer
			return x, true
		}
	}
	return x, true
}

// spliceFailedSide tells which side a splice error came from: a timeout
// by whichever deadline has passed, a broken pipe or reset by the
// client (the server closing early shows as a short transfer instead).
func (s *httpSession) spliceFailedSide(err error) side {
	if isTimeout(err) {
		if s.dl.wd != 0 && time.Now().UnixNano() >= s.dl.wd {
			return sideClient
		}
		return sideServer
	}
	return sideClient
}
