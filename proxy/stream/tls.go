package stream

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/ssl"
	"github.com/goha/goha/proxy/stick"
	"github.com/goha/goha/proxy/tlog"
)

// TLS termination. A connection accepted on an `ssl` bind is accepted
// as a plain net.Conn (never a raw relay one), and its handshake runs on
// the session's own goroutine, bounded by timeout client (and timeout
// http-request in mode http), so a slow or half-open handshake holds
// nothing but its goroutine and never delays other connections. A
// failed handshake is logged in HAProxy's connection error format and
// closed. A finished one becomes a tlsConn, the net.Conn the HTTP or TCP
// session runs over. A tlsConn is not a syscall.Conn, which is what
// every raw-descriptor fast path tests first, so they all step aside:
//
//   - the epoll relay loop and splice (mode tcp, tunnels, bodies): the
//     goroutine relay and plain copies move the bytes through crypto/tls;
//   - the parking lot: an idle TLS keep-alive connection is parked by
//     its socket's readiness only once a Read through crypto/tls has
//     timed out, which it does only when it holds no whole record
//     (readIdleTLS);
//   - MSG_PEEK content inspection: tcp-request content rules on a TLS
//     bind see the decrypted stream through tlsConn.peekWait instead;
//     the queue's client watch is skipped.

// tlsBind is the TLS side of one listener of an `ssl` bind.
type tlsBind struct {
	b *ssl.Bind
	// name is the bind's `name`, else its listener number in the
	// frontend, as HAProxy's connection error lines name it.
	name string
}

// tlsBind returns the TLS side of bind b (its n-th listener in the
// frontend), nil for a plain bind.
func (rt *Process) tlsBind(b *config.Bind, n int) (*tlsBind, error) {
	if !b.SSL {
		return nil, nil
	}
	var tb *ssl.Bind
	if rt.opt.TLS != nil {
		tb = rt.opt.TLS.Binds[b]
	}
	if tb == nil {
		return nil, fmt.Errorf("bind %q at [%s:%d] has 'ssl' but its TLS settings were not built (ssl.Build)", b.Addr, b.File, b.Line)
	}
	name := b.Name
	if name == "" {
		name = strconv.Itoa(n)
	}
	return &tlsBind{b: tb, name: name}, nil
}

// tlsConn is a client connection after its TLS handshake; it gives the
// ssl_* fetches its facts (sample.TLSConn), and lets tcp-request
// content rules peek at the decrypted stream (contentPeeker): bytes
// read to be inspected are kept in peeked and read first.
type tlsConn struct {
	*tls.Conn
	info   ssl.Info
	peeked []byte
}

// Read returns the bytes kept by peekWait first.
func (c *tlsConn) Read(b []byte) (int, error) {
	if len(c.peeked) > 0 {
		n := copy(b, c.peeked)
		c.peeked = c.peeked[n:]
		if len(c.peeked) == 0 {
			c.peeked = nil
		}
		return n, nil
	}
	return c.Conn.Read(b)
}

// peekWait implements contentPeeker over crypto/tls: it reads (and
// keeps) decrypted bytes until more than have are there, the deadline
// passes or the client closes; have < 0 takes what crypto/tls holds.
func (c *tlsConn) peekWait(buf []byte, have int, deadline time.Time) (int, error) {
	var err error
	if have < 0 {
		deadline = expired
	}
	c.SetReadDeadline(deadline)
	defer c.SetReadDeadline(time.Time{})
	for len(c.peeked) <= have || (have < 0 && len(c.peeked) == 0) {
		if len(c.peeked) >= len(buf) {
			break
		}
		var chunk [4096]byte
		n, rerr := c.Conn.Read(chunk[:min(len(chunk), len(buf)-len(c.peeked))])
		c.peeked = append(c.peeked, chunk[:n]...)
		if rerr != nil {
			if have < 0 && isTimeout(rerr) {
				rerr = nil
			}
			err = rerr
			break
		}
	}
	return copy(buf, c.peeked), err
}

// expired is a deadline in the past: a Read returns at once with what
// crypto/tls holds, or a timeout (not fatal to a tls.Conn).
var expired = time.Unix(1, 0)

// TLSInfo returns what the ssl_fc* and ssl_c_* fetches read.
func (c *tlsConn) TLSInfo() *ssl.Info { return &c.info }

// countConn counts the bytes a client sent during its handshake, for
// `option dontlognull` on a failed one.
type countConn struct {
	net.Conn
	n int64
}

func (c *countConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n += int64(n)
	return n, err
}

// handshakeTimeout bounds a client's TLS handshake: timeout client, and
// in mode http timeout http-request when it is shorter.
func (f *Frontend) handshakeTimeout() time.Duration {
	t := f.Cfg.Timeouts
	d := t.Client
	if f.mode == config.ModeHTTP && t.HTTPRequest > 0 && (d <= 0 || t.HTTPRequest < d) {
		d = t.HTTPRequest
	}
	return d
}

// serveTLS runs the handshake of a connection accepted on an `ssl`
// bind, then its session over the TLS layer.
func (f *Frontend) serveTLS(c net.Conn, accepted time.Time, tb *tlsBind, ctrs *stick.Counters) {
	cc := &countConn{Conn: c}
	tc := tls.Server(cc, tb.b.Config())
	if d := f.handshakeTimeout(); d > 0 {
		c.SetDeadline(accepted.Add(d))
	}
	quickAck(c)
	if err := tc.HandshakeContext(f.rt.ctx); err != nil {
		f.handshakeFailed(c, accepted, tb, err, cc.n == 0)
		c.Close()
		f.endSession()
		return
	}
	c.SetDeadline(time.Time{})
	quickAck(c)
	conn := &tlsConn{Conn: tc, info: tb.b.ConnInfo(tc.ConnectionState())}
	// The session goes on on a fresh goroutine: the handshake's deep
	// stack (certificate verification, key exchange) is left behind
	// instead of staying with an idle keep-alive connection.
	if f.mode != config.ModeHTTP {
		go f.serveTCP(conn, accepted, ctrs)
		return
	}
	// The ALPN result picks the protocol.
	if conn.info.ALPN == "h2" {
		go f.serveH2(conn, accepted, ctrs)
		return
	}
	go f.serveHTTP(conn, accepted, ctrs)
}

// handshakeFailed logs a failed handshake as HAProxy does
// ("127.0.0.1:38740 [03/Dec/2026:14:33:38.475] fe/1: SSL handshake
// failure"); empty says the client sent nothing (option dontlognull).
func (f *Frontend) handshakeFailed(c net.Conn, accepted time.Time, tb *tlsBind, err error, empty bool) {
	if f.logger == nil {
		return
	}
	reason := ssl.HandshakeReason(err, false)
	var client netip.AddrPort
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ap := a.AddrPort()
		client = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	f.logger.ConnError(client, accepted, tb.name, reason, empty)
}

// tlsEntry sets a log entry's TLS fields (%ft's "~", %sslv, %sslc).
func tlsEntry(e *tlog.Entry, t *ssl.Info) {
	if t == nil {
		return
	}
	e.TLS = true
	e.SSLVersion, e.SSLCipher = t.Protocol, t.Cipher
}

// TLSStore returns the configuration's certificate store, for the
// runtime API's certificate commands (nil without TLS).
func (rt *Process) TLSStore() *ssl.Store {
	if rt.opt.TLS == nil {
		return nil
	}
	return rt.opt.TLS.Store
}

// initTLS lets the idle wait of a TLS session use its socket (the
// parking lot, readiness without a buffer): s.rc is the socket's, and
// s.readFn stays nil, which readIdle takes for TLS.
func (s *httpSession) initTLS(c net.Conn) {
	tc, ok := c.(*tlsConn)
	if !ok {
		return
	}
	if nc, ok := tc.NetConn().(*countConn); ok {
		if t, ok := nc.Conn.(*net.TCPConn); ok {
			s.rc, _ = t.SyscallConn()
		}
	}
}

// readIdleTLS is readIdle for a TLS connection: a Read into a pooled
// buffer within the deadline waitIdle set (ParkAfter when the session
// may park). crypto/tls returns what it holds first (a record read with
// the previous one, pipelined bytes), so a timeout means it holds no
// whole record: the buffer goes back, and the parking lot may watch the
// socket (bytes of a partial record stay in crypto/tls, and the rest
// makes the socket readable). A timeout is not fatal to a tls.Conn.
// Unlike a plain connection, the buffer is held while waiting for up to
// ParkAfter, which is what reading through crypto/tls costs.
func (s *httpSession) readIdleTLS() error {
	if s.w == nil {
		s.w = s.rt.getWork()
	}
	n, err := s.c.Read(s.w.in[s.inLen:])
	if n > 0 {
		s.inLen += n
		return nil
	}
	if s.inLen == 0 {
		s.rt.putWork(s.w)
		s.w = nil
	}
	if err == nil {
		err = io.EOF
	}
	return err
}
