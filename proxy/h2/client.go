package h2

import (
	"errors"
	"fmt"
	"net"

	"golang.org/x/net/http2"
)

// ClientConn is this side's end of an HTTP/2 connection to a server
// (`server ... proto h2`, or ALPN h2): many streams share it, each one an
// HTTP/1.1 exchange through RoundTripConn.
type ClientConn struct {
	c    *conn
	done chan struct{}
	err  error // why the connection ended, once done is closed
}

// ErrUnavailable is returned by RoundTripConn when the connection takes
// no new stream (the server's MAX_CONCURRENT_STREAMS is reached, or it
// is going away or gone): the caller uses or opens another one.
var ErrUnavailable = errors.New("h2: connection takes no new stream")

// NewClientConn starts HTTP/2 on nc (after TLS and ALPN, or in clear for
// h2c with prior knowledge): it sends the preface and this side's
// SETTINGS and starts the goroutine reading frames, which ends with the
// connection (Close, or the server closing it). scheme is the :scheme of
// the requests, "http" or "https".
func NewClientConn(nc net.Conn, opts Options, scheme string) (*ClientConn, error) {
	c := newConn(nc, opts, true)
	c.scheme = scheme
	c.lastID = ^uint32(0) // so the first stream gets 1
	cc := &ClientConn{c: c, done: make(chan struct{})}
	if err := c.writeSettings(Preface); err != nil {
		nc.Close()
		return nil, fmt.Errorf("h2: sending the client preface: %w", err)
	}
	go cc.run()
	return cc, nil
}

func (cc *ClientConn) run() {
	err := cc.c.readLoop(nil)
	cc.c.teardown(err)
	cc.err = err
	close(cc.done)
}

// RoundTripConn returns a new stream as a net.Conn: write one HTTP/1.1
// request into it and read the HTTP/1.1 response from it, then Close it.
// The stream is opened on the wire by the request's head.
func (cc *ClientConn) RoundTripConn() (net.Conn, error) {
	c := cc.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.canOpenLocked() {
		return nil, ErrUnavailable
	}
	s := c.newStreamLocked(0)
	s.started = true
	c.active++
	return s, nil
}

// Available reports whether RoundTripConn would give a stream now.
func (cc *ClientConn) Available() bool {
	c := cc.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.canOpenLocked()
}

// canOpenLocked reports whether a new stream may be opened: the
// connection is up, not going away, under the server's concurrency
// limit, and stream IDs are not exhausted (2^31-1).
func (c *conn) canOpenLocked() bool {
	return c.dead == nil && !c.goaway && !c.goawayRecv && c.active < int(c.peerStreams) &&
		(c.lastID == ^uint32(0) || c.lastID+2*uint32(c.active+1) <= maxStreamID)
}

// Streams returns how many streams are in use (an idle connection has 0).
func (cc *ClientConn) Streams() int {
	cc.c.mu.Lock()
	defer cc.c.mu.Unlock()
	return cc.c.active
}

// Done is closed when the connection has ended; Err then says why.
func (cc *ClientConn) Done() <-chan struct{} { return cc.done }

// Err returns what ended the connection (nil while it runs, or after an
// orderly end).
func (cc *ClientConn) Err() error {
	select {
	case <-cc.done:
		return cc.err
	default:
		return nil
	}
}

// Shutdown sends GOAWAY: the streams in flight finish, then the
// connection closes.
func (cc *ClientConn) Shutdown() { cc.c.sendGoAway(http2.ErrCodeNo) }

// Close closes the connection at once, failing the streams in flight,
// and waits for its reader to end.
func (cc *ClientConn) Close() error {
	cc.c.sendGoAway(http2.ErrCodeNo)
	cc.c.nc.Close()
	<-cc.done
	return nil
}

// assignID gives s the next stream ID as its HEADERS are written (under
// the writer's lock, so IDs go out in order), or fails s when the
// connection takes no new stream.
func (c *conn) assignID(s *StreamConn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.err != nil {
		return false
	}
	if c.dead != nil || c.goawayRecv || c.lastID != ^uint32(0) && c.lastID+2 > maxStreamID {
		s.err = &resetError{code: http2.ErrCodeRefusedStream, remote: true}
		return false
	}
	c.lastID += 2
	s.id = c.lastID
	s.sendWindow = c.peerInit
	c.streams[s.id] = s
	return true
}

// clientHeaders takes a response head (1xx interim ones included) or
// trailers.
func (c *conn) clientHeaders(f *http2.MetaHeadersFrame) error {
	id := f.StreamID
	c.mu.Lock()
	defer c.unlock()
	s := c.streams[id]
	switch {
	case s == nil && c.isIdleLocked(id):
		return connError(http2.ErrCodeProtocol)
	case s == nil:
		return streamError(id, http2.ErrCodeStreamClosed)
	case s.inHead:
		return c.onTrailersLocked(s, f)
	case f.Truncated:
		return streamError(id, http2.ErrCodeProtocol)
	}
	in, info, err := buildResponse(s.in, f.Fields, f.StreamEnded(), s.isHead)
	if err != nil {
		return streamError(id, http2.ErrCodeProtocol)
	}
	s.in = in
	s.cond.Broadcast()
	if info.status < 200 {
		if f.StreamEnded() {
			return streamError(id, http2.ErrCodeProtocol)
		}
		return nil
	}
	s.inHead, s.inInfo, s.inLeft = true, info, info.contentLength
	if f.StreamEnded() {
		return c.endRemoteLocked(s)
	}
	return nil
}
