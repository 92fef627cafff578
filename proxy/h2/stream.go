package h2

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/net/http2"
)

// StreamConn is one HTTP/2 stream seen as a net.Conn carrying one
// HTTP/1.1 message each way. On the server side Read returns the
// client's request and Write takes the response; on the client side
// Write takes the request and Read returns the server's response. Read
// returns io.EOF once the exchange is over, and an error wrapping
// ErrStreamReset when it was cut short.
type StreamConn struct {
	c    *conn
	cond sync.Cond // L is &c.mu; signalled on input, window, end, reset, deadline

	// Guarded by c.mu.
	id         uint32
	in         []byte // converted HTTP/1.1 bytes not read yet
	inOff      int
	inInfo     msgInfo
	inHead     bool  // the final head came in
	inLeft     int64 // declared body bytes still due, -1 when unknown
	remoteDone bool  // END_STREAM received
	localDone  bool  // END_STREAM sent
	err        error // reset, by either side, or connection lost
	credit     int   // DATA bytes in `in` whose window is not returned yet
	unacked    int   // window returned to the count but not announced yet
	recvAvail  int64 // window this side still grants the peer
	sendWindow int64 // window the peer grants this side
	isHead     bool  // the request is HEAD
	started    bool  // a handler (server) or the caller (client) holds it
	released   bool  // no longer counted in the connection's streams
	closed     bool  // Close was called
	rdl, wdl   deadline

	wmu sync.Mutex // serializes Write and Close
	enc h1Encoder  // owned by the writer (wmu)
}

var _ net.Conn = (*StreamConn)(nil)

// ErrStreamReset is wrapped by the errors of a stream that was reset by
// the peer or by this side, or whose connection was lost.
var ErrStreamReset = errors.New("h2: stream reset")

// resetError is a stream's error after RST_STREAM or a lost connection.
type resetError struct {
	code   http2.ErrCode
	remote bool
}

// Error says who reset the stream and with which code.
func (e *resetError) Error() string {
	who := "local"
	if e.remote {
		who = "remote"
	}
	return fmt.Sprintf("h2: stream reset (%s, %v)", who, e.code)
}

// Unwrap makes errors.Is(err, ErrStreamReset) true.
func (e *resetError) Unwrap() error { return ErrStreamReset }

// Refused reports whether err is the reset of a stream the server did
// not process (REFUSED_STREAM, or beyond its GOAWAY): the request may be
// sent again, on another connection.
func Refused(err error) bool {
	var re *resetError
	return errors.As(err, &re) && re.code == http2.ErrCodeRefusedStream
}

// deadline is one direction's deadline. Its timer, which wakes the
// waiters, is armed only when a waiter is about to sleep with the
// deadline set: the session sets deadlines on every stream, and a timer
// per setting cost more than the stream's waits.
type deadline struct {
	t     time.Time
	armed time.Time // the time the timer is armed for; zero if not armed
	timer *time.Timer
}

// ID returns the HTTP/2 stream identifier (0 before a client stream's
// HEADERS are sent).
func (s *StreamConn) ID() uint32 {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	return s.id
}

// LocalAddr returns the local address of the underlying connection.
func (s *StreamConn) LocalAddr() net.Addr { return s.c.nc.LocalAddr() }

// RemoteAddr returns the peer address of the underlying connection.
func (s *StreamConn) RemoteAddr() net.Addr { return s.c.nc.RemoteAddr() }

// Underlying returns the HTTP/2 connection's own net.Conn (a *tls.Conn
// on TLS binds), for the fetches that read it (ssl_fc, ALPN, ...).
func (s *StreamConn) Underlying() net.Conn { return s.c.nc }

// Read returns the converted HTTP/1.1 bytes of the peer's message.
func (s *StreamConn) Read(p []byte) (int, error) {
	c := s.c
	c.mu.Lock()
	for s.inOff == len(s.in) {
		if err := s.readErrLocked(); err != nil {
			c.mu.Unlock()
			return 0, err
		}
		s.waitLocked(&s.rdl)
	}
	n := copy(p, s.in[s.inOff:])
	s.inOff += n
	if s.inOff == len(s.in) {
		s.inOff, s.in = 0, s.in[:0]
		if cap(s.in) > 4096 {
			s.in = nil // idle streams hold no big buffer
		}
	}
	upd := s.consumedLocked(n)
	c.mu.Unlock()
	if upd > 0 {
		c.w.do(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(s.id, upd) })
	}
	return n, nil
}

// consumedLocked returns the window of n read bytes to the peer's count
// and says how much to announce now: half a window at a time.
func (s *StreamConn) consumedLocked(n int) uint32 {
	k := min(n, s.credit)
	s.credit -= k
	s.unacked += k
	if s.remoteDone || s.err != nil || s.unacked < int(s.c.opts.InitialWindowSize/2) {
		return 0
	}
	upd := s.unacked
	s.unacked = 0
	s.recvAvail += int64(upd)
	return uint32(upd)
}

// readErrLocked says why Read cannot wait for more: io.EOF once the
// exchange is over, the reset, or a passed deadline; nil to wait.
func (s *StreamConn) readErrLocked() error {
	switch {
	case s.c.client && s.remoteDone:
		return io.EOF // the whole response came, whatever happened after
	case !s.c.client && s.localDone:
		return io.EOF // the response went out: no further request here
	case s.err != nil:
		return s.err
	case s.remoteDone && s.inInfo.method == "CONNECT":
		return io.EOF // the client closed its half of the tunnel
	case s.rdl.passed():
		return os.ErrDeadlineExceeded
	}
	return nil
}

// Write takes the HTTP/1.1 message this side sends and sends it as
// frames, blocking while the flow-control windows are closed.
func (s *StreamConn) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.enc.write(p, s)
}

// Close ends the stream: a message whose end is its close (an HTTP/1.0
// style response) ends with END_STREAM, an unfinished one is reset.
func (s *StreamConn) Close() error {
	s.wmu.Lock()
	if s.enc.untilClose() {
		s.sendData(nil, true)
	}
	s.enc.release()
	s.enc.state = encDone
	s.wmu.Unlock()
	c := s.c
	c.mu.Lock()
	s.closed = true
	if s.err == nil && !s.localDone && s.id != 0 {
		code := http2.ErrCodeCancel
		if !c.client {
			code = http2.ErrCodeInternal
		}
		c.resetLocked(s, code, false)
	}
	if s.err == nil {
		s.err = net.ErrClosed
	}
	s.in, s.inOff = nil, 0
	s.stopTimers()
	c.releaseLocked(s)
	c.unlock()
	return nil
}

// CloseWrite ends this side's message when its end is the close (a
// tunnel after CONNECT, an HTTP/1.0 style response): END_STREAM goes out
// and reading goes on. For any other message it does nothing: the
// message ends by its own framing.
func (s *StreamConn) CloseWrite() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if !s.enc.untilClose() {
		return nil
	}
	s.enc.state = encDone
	return s.sendData(nil, true)
}

// SetDeadline sets both deadlines.
func (s *StreamConn) SetDeadline(t time.Time) error {
	s.SetReadDeadline(t)
	return s.SetWriteDeadline(t)
}

// SetReadDeadline bounds Read's waits.
func (s *StreamConn) SetReadDeadline(t time.Time) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.rdl.t = t
	s.cond.Broadcast() // a waiter re-arms for the new time
	return nil
}

// SetWriteDeadline bounds Write's waits for flow-control windows.
func (s *StreamConn) SetWriteDeadline(t time.Time) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.wdl.t = t
	s.cond.Broadcast()
	return nil
}

// waitLocked waits on cond (c.mu held) with d's timer armed to wake it
// at the deadline, if one is set.
func (s *StreamConn) waitLocked(d *deadline) {
	if !d.t.IsZero() && !d.armed.Equal(d.t) {
		d.armed = d.t
		if d.timer == nil {
			cond := &s.cond
			d.timer = time.AfterFunc(time.Until(d.t), func() {
				cond.L.Lock()
				cond.Broadcast()
				cond.L.Unlock()
			})
		} else {
			d.timer.Reset(time.Until(d.t))
		}
	}
	s.cond.Wait()
}

func (s *StreamConn) stopTimers() {
	s.rdl.stop()
	s.wdl.stop()
}

// stop disarms the timer and clears the deadline.
func (d *deadline) stop() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.t, d.armed = time.Time{}, time.Time{}
}

func (d *deadline) passed() bool { return !d.t.IsZero() && !time.Now().Before(d.t) }

// sendHeaders is the encoder's sink for trailers: sendBlock of fields.
func (s *StreamConn) sendHeaders(fields []headerField, end, flush bool) error {
	var b []byte
	for _, f := range fields {
		b = appendField(b, f)
	}
	return s.sendBlock(b, end, flush)
}

// sendBlock is the encoder's sink for an encoded head (no dynamic table:
// it may be encoded before the stream's turn to write). Without flush
// the frames wait in the buffer for the body that follows (one write for
// a small response).
func (s *StreamConn) sendBlock(block []byte, end, flush bool) error {
	c := s.c
	c.mu.Lock()
	err := s.writeErrLocked()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	err = c.w.doFlush(func(fr *http2.Framer) error {
		if s.id == 0 && !c.assignID(s) {
			return nil // the connection is going away; s.err says so
		}
		return s.endFrame(fr, end, func() error {
			return c.w.writeBlock(fr, s.id, block, end, c.peerMaxFrame())
		})
	}, flush)
	if err == nil {
		c.mu.Lock()
		if s.id == 0 {
			err = s.err // no ID: the connection took no new stream
		}
		c.mu.Unlock()
	}
	return err
}

// sendData is the encoder's sink for body bytes: it sends them in frames
// as large as the windows and the peer's frame size allow.
func (s *StreamConn) sendData(p []byte, end bool) error {
	c := s.c
	if len(p) == 0 && !end {
		return nil
	}
	for {
		n, err := s.reserve(len(p))
		if err != nil {
			return err
		}
		last := end && n == len(p)
		chunk := p[:n]
		p = p[n:]
		err = c.w.do(func(fr *http2.Framer) error {
			return s.endFrame(fr, last, func() error { return c.w.writeData(s.id, last, chunk) })
		})
		if err != nil || last || len(p) == 0 {
			return err
		}
	}
}

// reserve waits until the windows allow sending some of want bytes and
// takes them: at most the peer's frame size.
func (s *StreamConn) reserve(want int) (int, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	flushed := false
	for {
		if err := s.writeErrLocked(); err != nil {
			return 0, err
		}
		if want == 0 {
			return 0, nil
		}
		n := min(int64(want), s.sendWindow, c.sendWindow, int64(c.peerFrame))
		if n > 0 {
			s.sendWindow -= n
			c.sendWindow -= n
			return int(n), nil
		}
		if !flushed { // what waits in the buffer (our HEADERS) goes out first
			flushed = true
			c.mu.Unlock()
			c.w.flush()
			c.mu.Lock()
			continue
		}
		s.waitLocked(&s.wdl)
	}
}

func (s *StreamConn) writeErrLocked() error {
	switch {
	case s.err != nil:
		return s.err
	case s.localDone:
		return errors.New("h2: write after the end of the message")
	case s.wdl.passed():
		return os.ErrDeadlineExceeded
	}
	return nil
}

// endFrame runs write, which sends a frame ending the stream when end
// is set: the stream's state changes first, so that the peer, once it
// has seen END_STREAM, finds the stream closed (half-closed if its own
// side is still open). A server stream whose request is not over is then
// reset with NO_ERROR (RFC 9113 §8.1). The caller holds the writer.
func (s *StreamConn) endFrame(fr *http2.Framer, end bool, write func() error) error {
	if !end {
		return write()
	}
	c := s.c
	c.mu.Lock()
	s.localDone = true
	s.cond.Broadcast()
	rst := !c.client && !s.remoteDone && s.err == nil
	if s.remoteDone || rst {
		c.forgetLocked(s)
	}
	if c.resets > 0 {
		c.resets-- // a completed exchange pays back one reset
	}
	if rst {
		c.noteResetLocked(s.id)
	}
	c.mu.Unlock()
	if err := write(); err != nil || !rst {
		return err
	}
	return fr.WriteRSTStream(s.id, http2.ErrCodeNo)
}
