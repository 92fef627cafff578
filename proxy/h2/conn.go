package h2

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// conn is what the server and client sides of an HTTP/2 connection
// share: the framer, the settings of both ends, the streams and the
// connection-level flow control. One goroutine reads frames (serve or
// the client's reader); stream goroutines write through w.
//
// Lock order: w.mu before mu. Code holding mu never writes: it queues
// RST_STREAM and WINDOW_UPDATE frames, and unlock sends them.
type conn struct {
	nc      net.Conn
	opts    Options
	client  bool
	br      *lazyReader
	fr      *http2.Framer
	w       *writer
	handle  func(net.Conn) // server side
	bigRead bool           // the reader read a frame larger than ioBufSize
	scheme  string         // client side: :scheme of requests
	wg      sync.WaitGroup // stream handlers (server side)
	end     func(error)    // server side: called once the connection is over
	stopCtx func() bool    // server side: stops the soft stop's hook
	spot    ParkSpot       // server side, Options.Lot: its place in the lot (mu)

	mu          sync.Mutex
	streams     map[uint32]*StreamConn // open and half-closed streams
	active      int                    // streams holding a concurrency slot
	pending     []*StreamConn          // server: handlers to start at the next lull
	lastID      uint32                 // server: highest client stream seen; client: last assigned
	goawayLast  uint32                 // the last stream ID of the GOAWAY sent
	sendWindow  int64
	recvAvail   int64
	peerInit    int64
	peerFrame   uint32
	peerStreams uint32
	goaway      bool // GOAWAY sent
	goawayOut   bool // GOAWAY written: an idle reader may now end the connection
	goawayRecv  bool
	peerLast    uint32
	resets      int
	dead        error // the connection is gone
	idleArmed   bool
	idleUntil   time.Time // server: when an idle connection times out; zero for never
	killed      bool      // server: Kill was called
	rstQ        []rstItem
	recentRST   [8]uint32 // streams this side reset last: frames in flight on them are dropped
	recentIdx   int
	connUpd     uint32 // connection window to announce
}

// rstItem is a frame queued under mu: RST_STREAM(code), preceded by a
// 431 answer when tooLarge (then without the RST when the request had
// ended, noRST).
type rstItem struct {
	id       uint32
	code     http2.ErrCode
	tooLarge bool
	noRST    bool
}

// fields431 is the whole answer to a request whose header list is too
// large (RFC 9113 §10.5.1, RFC 6585 §5).
var fields431 = []headerField{{Name: ":status", Value: "431"}, {Name: "content-length", Value: "0"}}

// newConn sets up the framer and the defaults of both ends.
func newConn(nc net.Conn, opts Options, client bool) *conn {
	opts = opts.withDefaults()
	c := &conn{nc: nc, opts: opts, client: client, streams: make(map[uint32]*StreamConn)}
	c.br = newLazyReader(nc)
	bw := &lazyWriter{nc: nc}
	c.fr = c.newFramer(bw, hpack.NewDecoder(opts.HeaderTableSize, nil))
	c.w = newWriter(nc, c.fr, bw, opts.WriteTimeout)
	c.sendWindow, c.peerInit, c.peerFrame = defaultWindow, defaultWindow, defaultFrameSize
	c.recvAvail = connRecvWindow
	c.peerStreams = 100 // until the peer's SETTINGS say otherwise
	return c
}

// newFramer returns a Framer on this connection's buffers with its
// limits, decoding with dec (the HPACK state lives on in it).
func (c *conn) newFramer(bw *lazyWriter, dec *hpack.Decoder) *http2.Framer {
	fr := http2.NewFramer(bw, c.br)
	fr.SetReuseFrames()
	fr.SetMaxReadFrameSize(c.opts.MaxFrameSize)
	fr.MaxHeaderListSize = c.opts.MaxHeaderListSize
	fr.ReadMetaHeaders = dec
	return fr
}

// isIdle reports whether no stream is open.
func (c *conn) isIdle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.active == 0
}

// renewFramer replaces the Framer of an idle connection that has read a
// large frame: the Framer keeps a read buffer as large as the largest
// frame it read. Only the reader calls it, between frames.
func (c *conn) renewFramer() {
	c.bigRead = false
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	fr := c.newFramer(c.w.bw, c.fr.ReadMetaHeaders)
	c.fr, c.w.fr = fr, fr
}

// writeSettings sends this side's SETTINGS and opens the connection
// window to connRecvWindow.
func (c *conn) writeSettings(prefix string) error {
	o := c.opts
	s := []http2.Setting{
		{ID: http2.SettingMaxConcurrentStreams, Val: o.MaxConcurrentStreams},
		{ID: http2.SettingInitialWindowSize, Val: o.InitialWindowSize},
		{ID: http2.SettingMaxFrameSize, Val: o.MaxFrameSize},
		{ID: http2.SettingMaxHeaderListSize, Val: o.MaxHeaderListSize},
		{ID: http2.SettingHeaderTableSize, Val: o.HeaderTableSize},
	}
	if c.client {
		s = append(s, http2.Setting{ID: http2.SettingEnablePush, Val: 0})
	}
	return c.w.do(func(fr *http2.Framer) error {
		if prefix != "" {
			if _, err := c.w.bw.Write([]byte(prefix)); err != nil {
				return err
			}
		}
		if err := fr.WriteSettings(s...); err != nil {
			return err
		}
		return fr.WriteWindowUpdate(0, connRecvWindow-defaultWindow)
	})
}

// unlock releases mu and sends the frames queued while it was held.
func (c *conn) unlock() {
	q, upd := c.rstQ, c.connUpd
	c.rstQ, c.connUpd = nil, 0
	c.mu.Unlock()
	if len(q) == 0 && upd == 0 {
		return
	}
	c.w.do(func(fr *http2.Framer) error {
		for _, r := range q {
			if r.tooLarge {
				if err := c.w.writeHeaders(fr, r.id, fields431, true, c.peerMaxFrame()); err != nil {
					return err
				}
			}
			if r.noRST {
				continue
			}
			if err := fr.WriteRSTStream(r.id, r.code); err != nil {
				return err
			}
		}
		if upd > 0 {
			return fr.WriteWindowUpdate(0, upd)
		}
		return nil
	})
}

// newStreamLocked returns a stream with this connection's windows.
func (c *conn) newStreamLocked(id uint32) *StreamConn {
	s := &StreamConn{c: c, id: id, inLeft: -1}
	s.cond.L = &c.mu
	s.sendWindow = c.peerInit
	s.recvAvail = int64(c.opts.InitialWindowSize)
	return s
}

// resetLocked ends s with code; remote says the peer reset it, else an
// RST_STREAM is queued.
func (c *conn) resetLocked(s *StreamConn, code http2.ErrCode, remote bool) {
	if s.err != nil {
		return
	}
	s.err = &resetError{code: code, remote: remote}
	s.cond.Broadcast()
	if !remote && s.id != 0 && c.streams[s.id] == s {
		c.rstQ = append(c.rstQ, rstItem{id: s.id, code: code})
		c.noteResetLocked(s.id)
	}
	c.forgetLocked(s)
}

// noteResetLocked remembers that this side reset stream id: the peer may
// have sent frames on it before it knew, which are then dropped rather
// than answered with another RST_STREAM (RFC 9113 §5.1, "closed").
func (c *conn) noteResetLocked(id uint32) {
	c.recentRST[c.recentIdx] = id
	c.recentIdx = (c.recentIdx + 1) % len(c.recentRST)
}

// resetByUsLocked reports whether this side reset stream id lately.
func (c *conn) resetByUsLocked(id uint32) bool {
	for _, r := range c.recentRST {
		if r == id && id != 0 {
			return true
		}
	}
	return false
}

// forgetLocked removes s from the open streams (it is closed in the
// protocol's sense) and releases its slot if nothing uses it any more.
func (c *conn) forgetLocked(s *StreamConn) {
	if c.streams[s.id] == s {
		delete(c.streams, s.id)
	}
	c.releaseLocked(s)
}

// releaseLocked frees s's concurrency slot once it is closed in the
// protocol and its handler (or its client-side user) is done with it.
func (c *conn) releaseLocked(s *StreamConn) {
	if s.released || s.id != 0 && c.streams[s.id] == s || s.started && !s.closed {
		return
	}
	s.released = true
	c.active--
	if c.active == 0 {
		c.wakeReaderIfIdle()
	}
}

// wakeReaderIfIdle arms the idle timeout, or ends a connection draining
// after GOAWAY, by moving the reader's deadline (callers hold mu). A
// connection that may park is woken after parkAfter to park.
func (c *conn) wakeReaderIfIdle() {
	switch {
	case c.goawayOut || c.goawayRecv && c.client:
		c.nc.SetReadDeadline(time.Now())
		c.unpark()
	case !c.client && (c.opts.IdleTimeout > 0 || c.parkable()):
		now := time.Now()
		c.idleUntil = time.Time{}
		if c.opts.IdleTimeout > 0 {
			c.idleUntil = now.Add(c.opts.IdleTimeout)
		}
		c.armIdleLocked(now)
	}
}

// armIdleLocked sets the reader's deadline for an idle connection: its
// idle timeout, or parkAfter from now if that comes first and the
// connection may park.
func (c *conn) armIdleLocked(now time.Time) {
	c.idleArmed = true
	d := c.idleUntil
	if c.parkable() && (d.IsZero() || d.Sub(now) > parkAfter) {
		d = now.Add(parkAfter)
	}
	c.nc.SetReadDeadline(d)
}

// peerMaxFrame returns the largest frame the peer accepts.
func (c *conn) peerMaxFrame() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peerFrame
}

// sendGoAway sends GOAWAY once with the last stream this side handles.
func (c *conn) sendGoAway(code http2.ErrCode) {
	c.mu.Lock()
	if c.goaway {
		c.mu.Unlock()
		return
	}
	c.goaway = true
	c.goawayLast = c.lastID
	last := c.lastID
	if c.client {
		last = 0 // the server opens no stream a client would handle
	}
	c.mu.Unlock()
	c.w.do(func(fr *http2.Framer) error { return fr.WriteGoAway(last, code, nil) })
	// Only now may an idle connection's reader end it: woken before the
	// write (here or by the last stream's end), it closed the connection
	// under the GOAWAY.
	c.mu.Lock()
	c.goawayOut = true
	if c.active == 0 {
		c.wakeReaderIfIdle()
	}
	c.mu.Unlock()
}

// teardown fails every stream with err and closes the connection.
func (c *conn) teardown(err error) {
	c.mu.Lock()
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	c.dead = err
	for _, s := range c.streams {
		c.resetLocked(s, http2.ErrCodeCancel, true)
	}
	for _, s := range c.pending {
		c.releaseLocked(s)
	}
	c.pending = nil
	c.rstQ = nil
	c.mu.Unlock()
	c.nc.Close()
	c.br.release()
}

// drain reads and drops what the peer still sends for a moment after a
// fatal GOAWAY, so that closing does not reset the connection before the
// peer has read the GOAWAY.
func (c *conn) drain() {
	c.nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	io.Copy(io.Discard, io.LimitReader(c.br, 1<<20))
}

// readLoop reads and dispatches frames until the connection ends; it
// returns nil for an orderly end.
func (c *conn) readLoop(lull func()) error {
	for {
		if !c.frameBuffered() {
			if lull != nil {
				lull()
			}
			if c.bigRead && c.isIdle() {
				c.renewFramer()
			}
			if err := c.w.flush(); err != nil {
				return err // what the reader wrote unflushed
			}
		}
		f, err := c.fr.ReadFrame()
		if err == nil {
			c.bigRead = c.bigRead || f.Header().Length > ioBufSize
			err = c.dispatch(f)
		}
		if err == nil {
			continue
		}
		if done, ferr := c.handleError(err); done {
			return ferr
		}
	}
}

// frameBuffered reports whether a whole frame is already read, so that
// handling it will not block: streams opened and reset in one burst are
// then never started.
func (c *conn) frameBuffered() bool {
	n := c.br.buffered()
	if n < 9 {
		return false
	}
	h := c.br.peek(9)
	return n >= 9+int(h[0])<<16|int(h[1])<<8|int(h[2])
}

// handleError acts on an error of reading or handling a frame: stream
// errors reset the stream, connection errors send GOAWAY. done is true
// when the connection is over.
func (c *conn) handleError(err error) (done bool, ferr error) {
	var se http2.StreamError
	var ce http2.ConnectionError
	switch {
	case errors.As(err, &se):
		c.streamError(se)
		return false, nil
	case errors.As(err, &ce):
		c.sendGoAway(http2.ErrCode(ce))
		c.drain()
		return true, err
	case errors.Is(err, http2.ErrFrameTooLarge):
		c.sendGoAway(http2.ErrCodeFrameSize)
		c.drain()
		return true, err
	case errors.Is(err, os.ErrDeadlineExceeded):
		return c.onReadTimeout()
	}
	return true, err
}

// streamError resets the stream se names, or answers RST_STREAM for a
// stream this side no longer tracks.
func (c *conn) streamError(se http2.StreamError) {
	c.mu.Lock()
	if !c.client && se.StreamID%2 == 1 && se.StreamID > c.lastID {
		c.lastID = se.StreamID // a refused new stream still counts as used
	}
	if s := c.streams[se.StreamID]; s != nil {
		c.resetLocked(s, se.Code, false)
	} else {
		c.rstQ = append(c.rstQ, rstItem{id: se.StreamID, code: se.Code})
		c.noteResetLocked(se.StreamID)
	}
	c.unlock()
}

// onReadTimeout ends an idle or drained connection, parks an idle one
// that may (errParked), or goes on reading when the deadline was stale.
func (c *conn) onReadTimeout() (bool, error) {
	c.mu.Lock()
	idle := c.active == 0
	draining := c.goawayOut || c.goawayRecv && c.client
	c.idleArmed = false
	until := c.idleUntil
	c.mu.Unlock()
	if idle && draining {
		return true, nil
	}
	if idle && !c.client {
		if !until.IsZero() && !time.Now().Before(until) {
			c.sendGoAway(http2.ErrCodeNo)
			return true, nil
		}
		if c.parkable() && c.br.buffered() == 0 {
			return true, errParked
		}
	}
	c.nc.SetReadDeadline(time.Time{})
	return false, nil
}
