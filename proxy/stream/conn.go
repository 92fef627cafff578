package stream

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goha/goha/proxy/relay"
)

// rearmSlack is how much later than strictly needed a deadline is set, so
// that it is re-armed at most about once per second per connection
// (measured: a SetReadDeadline per request costs ~8% of proxy CPU). A
// timeout therefore fires between T and T+rearmSlack after the last
// activity.
const rearmSlack = time.Second

// deadlines caches a connection's read and write deadlines.
type deadlines struct {
	rd, wd int64 // Unix ns; 0: none (int64s keep an idle session small)
}

// at is a deadline as SetDeadline takes it.
func at(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// readAt is the read deadline now set.
func (d *deadlines) readAt() time.Time { return at(d.rd) }

// writeAt is the write deadline now set.
func (d *deadlines) writeAt() time.Time { return at(d.wd) }

// rearm moves deadline *cur (Unix ns) to want+slack unless it already
// lies between want and want+slack, and reports whether it moved.
func rearm(cur *int64, want int64, slack time.Duration) bool {
	if *cur != 0 && *cur >= want && *cur-want <= int64(slack) {
		return false
	}
	*cur = want + int64(slack)
	return true
}

// setRead makes sure the read deadline is between now+t and
// now+t+rearmSlack; t <= 0 means no deadline.
func (d *deadlines) setRead(c net.Conn, now time.Time, t time.Duration) {
	if t <= 0 {
		if d.rd != 0 {
			d.rd = 0
			c.SetReadDeadline(time.Time{})
		}
		return
	}
	if rearm(&d.rd, now.Add(t).UnixNano(), rearmSlack) {
		c.SetReadDeadline(at(d.rd))
	}
}

// setReadSlack is setRead with a slack of its own.
func (d *deadlines) setReadSlack(c net.Conn, now time.Time, t, slack time.Duration) {
	if rearm(&d.rd, now.Add(t).UnixNano(), slack) {
		c.SetReadDeadline(at(d.rd))
	}
}

// setReadExact sets the read deadline to exactly t (for http-request,
// whose start is the first byte of the request).
func (d *deadlines) setReadExact(c net.Conn, t time.Time) {
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	if d.rd != ns {
		d.rd = ns
		c.SetReadDeadline(t)
	}
}

// setWrite is setRead for writes.
func (d *deadlines) setWrite(c net.Conn, now time.Time, t time.Duration) {
	if t <= 0 {
		if d.wd != 0 {
			d.wd = 0
			c.SetWriteDeadline(time.Time{})
		}
		return
	}
	if rearm(&d.wd, now.Add(t).UnixNano(), rearmSlack) {
		c.SetWriteDeadline(at(d.wd))
	}
}

// isTimeout reports whether err is a deadline expiry.
func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// waitReadable blocks until rc has bytes to read (or EOF/error) without
// holding a buffer: the idle keep-alive wait. It probes with a
// non-blocking MSG_PEEK first, because RawConn.Read resets the poller's
// readiness before calling the callback (a callback that returns false
// once would hang when the bytes were already queued).
func waitReadable(rc syscall.RawConn) error {
	var peek [1]byte
	var serr error
	err := rc.Read(func(fd uintptr) bool {
		_, _, e := syscall.Recvfrom(int(fd), peek[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		if e == syscall.EAGAIN || e == syscall.EINTR {
			return false
		}
		serr = e
		return true
	})
	if err != nil {
		return err
	}
	if serr != nil {
		return serr
	}
	return nil
}

// bufPool holds tune.bufsize buffers for TCP relays and HTTP bodies.
type bufPool struct {
	size int
	p    sync.Pool
	held atomic.Int64 // buffers taken and not given back
}

func newBufPool(size int) *bufPool {
	bp := &bufPool{size: size}
	bp.p.New = func() any { b := make([]byte, size); return &b }
	return bp
}

func (bp *bufPool) get() *[]byte {
	bp.held.Add(1)
	return bp.p.Get().(*[]byte)
}

func (bp *bufPool) put(b *[]byte) {
	bp.held.Add(-1)
	bp.p.Put(b)
}

// closeWriter is the half-close ability of TCP (and unix) connections.
type closeWriter interface{ CloseWrite() error }

func closeWrite(c net.Conn) {
	if cw, ok := c.(closeWriter); ok {
		cw.CloseWrite()
	}
}

// writeFull writes all of b (net.Conn.Write already loops; this only
// normalises short writes without error into io.ErrShortWrite).
func writeFull(c net.Conn, b []byte) (int, error) {
	n, err := c.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return n, err
}

// dialServer connects to s as b.dial does, without binding the socket
// first: net.Dialer.DialTCP with a zero local AddrPort binds to
// 0.0.0.0:0 before connecting (one more system call, and the port is
// picked by bind instead of connect, which cannot share it between
// destinations). inline (mode tcp) dials on the calling goroutine with
// relay.Dial instead of on a helper one (b.dial's reason for the helper:
// keeping a long-lived session goroutine's stack small).
func (b *Backend) dialServer(ctx context.Context, s *Server, inline bool) (net.Conn, error) {
	if b.fcgi != nil && b.fcgi.serves(s) {
		return b.fcgiDial(ctx, s)
	}
	if s.h2p != nil {
		return b.h2Stream(ctx, s)
	}
	a := s.addr.Load()
	if a.network != "tcp" {
		return b.dial(ctx, s)
	}
	if src := b.sourceOf(s); src != nil {
		return b.dialFrom(ctx, s, src) // source.go
	}
	if inline {
		return relay.Dial(ctx, a.ap, b.Cfg.Timeouts.Connect, b.Cfg.Options.Srvtcpka || b.Cfg.Options.Tcpka)
	}
	d := net.Dialer{Timeout: b.Cfg.Timeouts.Connect, KeepAlive: -1}
	if d.Timeout <= 0 {
		d.Timeout = 5 * time.Second
	}
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := d.DialContext(ctx, "tcp", a.addr)
		ch <- result{c, err}
	}()
	r := <-ch
	if r.err != nil {
		return nil, r.err
	}
	if b.Cfg.Options.Srvtcpka || b.Cfg.Options.Tcpka {
		r.c.(*net.TCPConn).SetKeepAlive(true)
	}
	return r.c, nil
}
