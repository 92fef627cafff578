package stream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/goha/goha/proxy/h2"
)

// HTTP/2 to servers (`server ... proto h2`): each such server keeps a
// pool of HTTP/2 connections (h2Pool) and a request's "connection" is a
// stream on one of them (h2.ClientConn.RoundTripConn), written and read
// as a dialed HTTP/1.1 connection that carries one exchange. Streams are
// packed on the oldest connection that takes one; a new connection is
// dialed only when none does (the server's MAX_CONCURRENT_STREAMS,
// GOAWAY), one dial at a time per server, so a burst of requests shares
// the first connection instead of opening one each. The stream is closed
// at the end of its request, never pooled (phaseEnd). The HTTP/1 path
// does not come here: dialServer asks only when the server has a pool.

// h2Pool is a `proto h2` server's HTTP/2 connections.
type h2Pool struct {
	mu      sync.Mutex
	conns   []*h2Conn
	dialing *h2Dial // the dial under way, nil if none
}

// h2Conn is one pooled HTTP/2 connection.
type h2Conn struct {
	cc   *h2.ClientConn
	last time.Time // when a stream was last taken (the idle purge)
}

// h2Dial is a connection being dialed: done is closed when it ends,
// err says how.
type h2Dial struct {
	done chan struct{}
	err  error
}

// h2SrvStream is a stream to a proto h2 server as the session's server
// connection; pooled says its HTTP/2 connection was there before the
// request, so it may have gone meanwhile (a failed request on it is
// retried as on a reused HTTP/1 connection).
type h2SrvStream struct {
	net.Conn
	pooled bool
}

// reusedStream reports whether c is a stream on a pooled HTTP/2
// connection.
func reusedStream(c net.Conn) bool {
	st, ok := c.(*h2SrvStream)
	return ok && st.pooled
}

// h2Stream returns a new stream to s, on a pooled connection or a new
// one.
func (b *Backend) h2Stream(ctx context.Context, s *Server) (net.Conn, error) {
	p := s.h2p
	for {
		p.mu.Lock()
		if vc := p.takeLocked(time.Now()); vc != nil {
			p.mu.Unlock()
			return &h2SrvStream{Conn: vc, pooled: true}, nil
		}
		if d := p.dialing; d != nil {
			p.mu.Unlock()
			select {
			case <-d.done:
				if d.err != nil {
					return nil, d.err
				}
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		d := &h2Dial{done: make(chan struct{})}
		p.dialing = d
		p.mu.Unlock()
		cc, err := b.h2Connect(ctx, s)
		p.mu.Lock()
		p.dialing, d.err = nil, err
		close(d.done)
		if err != nil {
			p.mu.Unlock()
			return nil, err
		}
		p.conns = append(p.conns, &h2Conn{cc: cc, last: time.Now()})
		vc, err := cc.RoundTripConn()
		p.mu.Unlock()
		if err == nil {
			return &h2SrvStream{Conn: vc}, nil
		}
		if !errors.Is(err, h2.ErrUnavailable) {
			return nil, err
		}
	}
}

// takeLocked opens a stream on the first pooled connection that takes
// one, dropping those that have ended.
func (p *h2Pool) takeLocked(now time.Time) net.Conn {
	keep := p.conns[:0]
	var vc net.Conn
	for _, hc := range p.conns {
		select {
		case <-hc.cc.Done():
			continue
		default:
		}
		keep = append(keep, hc)
		if vc != nil {
			continue
		}
		if c, err := hc.cc.RoundTripConn(); err == nil {
			vc, hc.last = c, now
		}
	}
	clear(p.conns[len(keep):])
	p.conns = keep
	return vc
}

// h2Connect dials s and starts HTTP/2 on the connection.
func (b *Backend) h2Connect(ctx context.Context, s *Server) (*h2.ClientConn, error) {
	nc, err := b.dial(ctx, s)
	if err != nil {
		return nil, err
	}
	cc, err := h2.NewClientConn(nc, b.rt.h2Options(b.Cfg.Timeouts, false), "http")
	if err != nil {
		return nil, fmt.Errorf("server %s/%s: %w", b.Name, s.Name, err)
	}
	return cc, nil
}

// purge closes the connections without a stream that have been so for
// maxAge or more; with maxAge 0 it empties the pool, letting the
// streams in flight finish (GOAWAY) on connections still busy.
func (p *h2Pool) purge(maxAge time.Duration) {
	now := time.Now()
	var idle, busy []*h2.ClientConn
	p.mu.Lock()
	keep := p.conns[:0]
	for _, hc := range p.conns {
		switch n := hc.cc.Streams(); {
		case n == 0 && (maxAge == 0 || now.Sub(hc.last) >= maxAge):
			idle = append(idle, hc.cc)
		case maxAge == 0:
			busy = append(busy, hc.cc)
		default:
			keep = append(keep, hc)
		}
	}
	clear(p.conns[len(keep):])
	p.conns = keep
	p.mu.Unlock()
	for _, cc := range idle {
		cc.Close()
	}
	for _, cc := range busy {
		cc.Shutdown()
	}
}
