package stream

import (
	"errors"
	"io"
	"net"
	"syscall"
	"time"
)

// The goroutine relay: one goroutine per direction, for what the relay
// loop (package relay) does not take: HTTP tunnels (after a 101),
// sessions whose connections are not both plain TCP sockets (unix
// sockets, TLS), and systems without the loop.
//
// Timeouts are inactivity timeouts, as in HAProxy (timeout tunnel, else
// timeout client and server): a session ends when nothing has moved in
// either direction for that long, however long a steady stream lasts.
// Deadlines are armed before every read and every write (cheaply: see
// deadlines), and one that expires while the session is still active
// only means "arm it again".
//
// A direction whose reads fill the whole buffer, between two TCP sockets,
// moves its bytes with splice(2) through a pipe of its own (splicePipe)
// from then on. Bytes in that pipe stay there across a deadline expiry
// and are written before anything else is read; an error writing them
// ends the session (it never goes on without them).

// relayActivityEvery is how often at most one direction stores the
// session's activity clock (its cache line is shared by both).
const relayActivityEvery = int64(100 * time.Millisecond)

// tunnelTimeouts returns the inactivity timeouts of the client and
// server sides of a relayed session: timeout tunnel when set (backend
// first), else timeout client and timeout server.
func tunnelTimeouts(f *Frontend, be *Backend) (tcli, tsrv time.Duration) {
	tcli, tsrv = f.Cfg.Timeouts.Client, be.Cfg.Timeouts.Server
	if t := be.Cfg.Timeouts.Tunnel; t > 0 {
		tcli, tsrv = t, t
	} else if t := f.Cfg.Timeouts.Tunnel; t > 0 {
		tcli, tsrv = t, t
	}
	return tcli, tsrv
}

// relay copies bytes both ways until both directions are done. It
// returns bytes from the client, bytes to the client and the
// termination state.
func (s *tcpSession) relay(srv *Server) (in, out int64, term [2]byte) {
	tcli, tsrv := tunnelTimeouts(s.f, srv.Backend)
	s.last.Store(time.Now().UnixNano())
	down := &relayHalf{s: s, src: s.srv, dst: s.cli, tr: tsrv, tw: tcli, srcWho: 'S', dstWho: 'C'}
	done := make(chan struct{})
	go func() {
		defer close(done)
		down.run()
	}()
	up := &relayHalf{s: s, src: s.cli, dst: s.srv, tr: tcli, tw: tsrv, srcWho: 'C', dstWho: 'S'}
	up.run()
	<-done
	term = up.term
	if term[0] == '-' {
		term = down.term
	}
	return up.n, down.n, term
}

// idleFor reports whether nothing has moved in the session for t (never
// when t is not positive).
func (s *tcpSession) idleFor(t time.Duration) bool {
	return t > 0 && time.Since(time.Unix(0, s.last.Load())) >= t
}

// relayHalf is one direction of a goroutine relay: bytes from src to dst.
type relayHalf struct {
	s              *tcpSession
	src, dst       net.Conn
	tr, tw         time.Duration // inactivity timeouts of src (reading) and dst (writing)
	srcWho, dstWho byte          // 'C' or 'S', for the termination state

	dl        deadlines
	lastStore int64 // when this direction last stored s.last, Unix ns
	n         int64 // bytes read from src

	// Once splicing: the pipe and the sockets' raw access.
	pipe         *splicePipe
	srcRC, dstRC syscall.RawConn
	noSplice     bool // splicing was tried and is not to be had

	term [2]byte
}

// run moves bytes until src's end (passed on to dst as a half-close) or
// an error (which ends the whole session).
func (h *relayHalf) run() {
	h.term = [2]byte{'-', '-'}
	rt := h.s.f.rt
	bp := rt.bufs.get()
	defer func() {
		if bp != nil {
			rt.bufs.put(bp)
		}
		if h.pipe != nil {
			h.pipe.close()
		}
	}()
	for {
		var buf []byte
		if h.pipe == nil {
			buf = *bp
		}
		k, err := h.read(buf)
		if err == io.EOF {
			closeWrite(h.dst)
			return
		}
		if err != nil {
			h.fail(h.srcWho, err)
			return
		}
		h.n += int64(k)
		if h.pipe == nil {
			buf = buf[:k]
		}
		if err := h.write(buf); err != nil {
			h.fail(h.dstWho, err)
			return
		}
		if h.pipe == nil && k == len(*bp) && h.startSplice() {
			// A stream that fills whole buffers: the kernel moves it
			// from now on.
			rt.bufs.put(bp)
			bp = nil
		}
	}
}

// read waits for bytes from src and takes them in, into buf or into the
// empty pipe once splicing. io.EOF is the end of src's stream.
func (h *relayHalf) read(buf []byte) (int, error) {
	for {
		h.dl.setRead(h.src, time.Now(), h.tr)
		var k int
		var err error
		if h.pipe != nil {
			k, err = h.pipe.fill(h.srcRC)
		} else {
			k, err = h.src.Read(buf)
		}
		if k > 0 {
			h.touch()
			return k, nil
		}
		if err == nil {
			continue
		}
		if !h.retry(h.tr, 0, err) {
			return 0, err
		}
	}
}

// write passes b, or the pipe's bytes once splicing, on to dst, waiting
// for dst as long as the session is active.
func (h *relayHalf) write(b []byte) error {
	for len(b) > 0 || (h.pipe != nil && h.pipe.n > 0) {
		h.dl.setWrite(h.dst, time.Now(), h.tw)
		var k int
		var err error
		if h.pipe != nil {
			k, err = h.pipe.drain(h.dstRC)
		} else {
			k, err = h.dst.Write(b)
			b = b[k:]
		}
		if k > 0 {
			h.touch()
		}
		if err != nil && !(plainSocket(h.dst) && h.retry(h.tw, k, err)) {
			return err
		}
	}
	return nil
}

// retry reports whether an I/O error is only a deadline that expired
// while the session was still active (k bytes moved by that call, or
// recent activity in either direction): t is an inactivity timeout.
func (h *relayHalf) retry(t time.Duration, k int, err error) bool {
	return isTimeout(err) && (k > 0 || !h.s.idleFor(t))
}

// plainSocket reports whether c is a socket itself (not a layer such as
// TLS over one), so that a write may go on after a deadline expiry: a
// TLS connection's write state is broken by one, every later write
// failing the same way at once.
func plainSocket(c net.Conn) bool {
	_, ok := c.(syscall.Conn)
	return ok
}

// touch records activity on the session's clock.
func (h *relayHalf) touch() {
	if ns := time.Now().UnixNano(); ns-h.lastStore > relayActivityEvery {
		h.s.last.Store(ns)
		h.lastStore = ns
	}
}

// fail ends the session after an error on side who ('C' or 'S'): a
// deadline expiry is that side's timeout (the session was idle), a
// connection closed by a kill or by the other direction's own failure
// is not this side's doing. Either way both connections are closed, so
// the other direction does not wait on its own.
func (h *relayHalf) fail(who byte, err error) {
	s := h.s
	switch {
	case s.killed.Load():
		h.term = [2]byte{'K', 'D'}
	case isTimeout(err):
		h.term = [2]byte{who + ('a' - 'A'), 'D'}
	case errors.Is(err, net.ErrClosed):
	default:
		h.term = [2]byte{who, 'D'}
	}
	s.cli.Close()
	s.srv.Close()
}

// startSplice switches the direction to splice(2) when both connections
// are TCP sockets and a pipe is to be had; false keeps the buffer.
func (h *relayHalf) startSplice() bool {
	if h.noSplice {
		return false
	}
	h.noSplice = true
	src, ok1 := h.src.(*net.TCPConn)
	dst, ok2 := h.dst.(*net.TCPConn)
	if !ok1 || !ok2 {
		return false
	}
	rs, err1 := src.SyscallConn()
	rd, err2 := dst.SyscallConn()
	if err1 != nil || err2 != nil {
		return false
	}
	p := newSplicePipe()
	if p == nil {
		return false
	}
	h.pipe, h.srcRC, h.dstRC = p, rs, rd
	return true
}
