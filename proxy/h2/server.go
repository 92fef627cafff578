package h2

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"golang.org/x/net/http2"
)

// ServeConn serves the HTTP/2 connection c, whose client preface has not
// been read yet (SniffPreface leaves it in place). handle runs on its own
// goroutine for each stream, at most opts.MaxConcurrentStreams at once,
// with a *StreamConn from which it reads one HTTP/1.1 request and to
// which it writes the HTTP/1.1 response; the stream is closed when
// handle returns. When ctx is done the connection is drained: GOAWAY
// with the last stream taken, then the streams in flight finish and c is
// closed. ServeConn returns when c is closed and every handle has
// returned: nil after an orderly end, else what ended the connection.
// It never parks (opts.Lot is ignored): see Server for that.
func ServeConn(ctx context.Context, c net.Conn, opts Options, handle func(vc net.Conn)) error {
	opts.Lot = nil
	var err error
	NewServer(c, opts, handle).Serve(ctx, func(e error) { err = e })
	return err
}

// Server is the server side of one HTTP/2 connection.
type Server struct{ c *conn }

// NewServer prepares to serve c as ServeConn does.
func NewServer(c net.Conn, opts Options, handle func(vc net.Conn)) *Server {
	sc := newConn(c, opts, false)
	sc.handle = handle
	return &Server{c: sc}
}

// Serve serves the connection as ServeConn does and calls end with what
// ended it once it is closed and every handle has returned. With
// opts.Lot set it may return before that: the connection, idle, was
// parked, and end is called later on another goroutine.
func (s *Server) Serve(ctx context.Context, end func(error)) {
	c := s.c
	c.end = end
	c.stopCtx = func() bool { return false }
	if ctx.Done() != nil {
		c.stopCtx = context.AfterFunc(ctx, func() { c.sendGoAway(http2.ErrCodeNo) })
	}
	err := c.serve()
	c.runServer(err)
}

// Shutdown drains the connection as a done ctx does: GOAWAY with the
// last stream taken, the streams in flight finish, then it closes. A
// caller with its own stop signal passes context.Background() to Serve
// and calls Shutdown, which costs the connection no context.
func (s *Server) Shutdown() { s.c.sendGoAway(http2.ErrCodeNo) }

// Kill closes the connection now: the streams in flight fail and end is
// called (on the goroutine serving it, or on a new one if it is parked).
func (s *Server) Kill() {
	c := s.c
	c.mu.Lock()
	c.killed = true
	spot := c.spot
	c.mu.Unlock()
	c.nc.Close()
	if spot != nil {
		spot.Wake()
	}
}

// runServer goes on after the read loop stopped with err: it parks an
// idle connection, or ends it.
func (c *conn) runServer(err error) {
	for err == errParked {
		if c.park() {
			return // whoever resumes it owns it now
		}
		err = c.readLoop(c.startPending)
	}
	c.stopCtx()
	c.teardown(err)
	c.wg.Wait()
	c.mu.Lock()
	spot := c.spot
	c.mu.Unlock()
	if spot != nil {
		spot.Release()
	}
	c.end(err)
}

// serve runs the handshake then the read loop.
func (c *conn) serve() error {
	if err := c.writeSettings(""); err != nil {
		return err
	}
	if err := c.readPreface(); err != nil {
		return err
	}
	c.mu.Lock()
	if c.active == 0 {
		c.wakeReaderIfIdle() // the idle timeout runs until the first stream
	}
	c.mu.Unlock()
	return c.readLoop(c.startPending)
}

// readPreface reads the client preface and its first frame, which must
// be SETTINGS (RFC 9113 §3.4).
func (c *conn) readPreface() error {
	if c.opts.IdleTimeout > 0 {
		c.nc.SetReadDeadline(time.Now().Add(c.opts.IdleTimeout))
		defer c.nc.SetReadDeadline(time.Time{})
	}
	var b [len(Preface)]byte
	if _, err := io.ReadFull(c.br, b[:]); err != nil {
		return fmt.Errorf("h2: reading the client preface: %w", err)
	}
	if string(b[:]) != Preface {
		c.sendGoAway(http2.ErrCodeProtocol)
		c.drain()
		return fmt.Errorf("h2: bad client preface %q", b[:])
	}
	f, err := c.fr.ReadFrame()
	if err != nil {
		_, ferr := c.handleError(err)
		return fmt.Errorf("h2: reading the first frame: %w", ferr)
	}
	if sf, ok := f.(*http2.SettingsFrame); !ok || sf.IsAck() {
		c.sendGoAway(http2.ErrCodeProtocol)
		c.drain()
		return fmt.Errorf("h2: first frame is %v, not SETTINGS", f.Header().Type)
	}
	if err := c.dispatch(f); err != nil {
		_, ferr := c.handleError(err)
		return ferr
	}
	return nil
}

// serverHeaders opens a stream for a request head, or takes trailers.
func (c *conn) serverHeaders(f *http2.MetaHeadersFrame) error {
	id := f.StreamID
	if id%2 == 0 {
		return connError(http2.ErrCodeProtocol)
	}
	c.mu.Lock()
	defer c.unlock()
	if s := c.streams[id]; s != nil {
		return c.onTrailersLocked(s, f)
	}
	if id <= c.lastID {
		if c.resetByUsLocked(id) {
			return nil // trailers sent before the client saw our RST_STREAM
		}
		return connError(http2.ErrCodeStreamClosed)
	}
	c.lastID = id
	switch {
	case c.goaway && id > c.goawayLast:
		return nil // past the GOAWAY: ignored, the client retries elsewhere
	case f.Truncated: // header list too large: 431, the stream never opens
		c.rstQ = append(c.rstQ, rstItem{id: id, code: http2.ErrCodeNo, tooLarge: true, noRST: f.StreamEnded()})
		c.noteResetLocked(id)
		return nil
	case c.active >= int(c.opts.MaxConcurrentStreams):
		return streamError(id, http2.ErrCodeRefusedStream)
	}
	s := c.newStreamLocked(id)
	var err error
	if s.in, s.inInfo, err = buildRequest(nil, f.Fields, f.StreamEnded()); err != nil {
		return streamError(id, http2.ErrCodeProtocol)
	}
	s.inHead, s.inLeft, s.isHead = true, s.inInfo.contentLength, s.inInfo.method == "HEAD"
	if s.inInfo.method == "CONNECT" {
		s.inLeft = -1
	}
	c.streams[id] = s
	c.active++
	c.pending = append(c.pending, s)
	if c.idleArmed {
		c.idleArmed = false
		c.nc.SetReadDeadline(time.Time{})
	}
	if f.StreamEnded() {
		return c.endRemoteLocked(s)
	}
	return nil
}

// startPending starts the handlers of the streams opened since the last
// lull that are still alive: a stream opened and reset in one burst of
// frames costs no handler.
func (c *conn) startPending() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, s := range c.pending {
		c.pending[i] = nil
		if s.err != nil {
			continue
		}
		s.started = true
		c.wg.Add(1)
		goHandle(func() {
			defer c.wg.Done()
			defer s.Close()
			c.handle(s)
		})
	}
	c.pending = c.pending[:0]
	if cap(c.pending) > 64 {
		c.pending = nil
	}
}
