package stream

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/sample"
	"github.com/goha/goha/proxy/ssl"
)

// serverTLS is the TLS side of a `server ... ssl` line: goha connecting
// to a TLS server (ssl.Client: verify, ca-file, crt, alpn, versions,
// the server's session cache for resumption).
type serverTLS struct {
	c *ssl.Client
	// sni is the compiled `sni` expression (nil: no SNI sent);
	// sniVaries says it is not a constant (str(NAME)).
	sni       *sample.Format
	sniVaries bool
}

// constSNI is an `sni` expression that is a constant.
var constSNI = regexp.MustCompile(`^str\([^()]*\)$`)

// poolable says whether s's connections may be reused by other client
// connections: not when each may have been opened with another SNI
// (HAProxy keys its idle connections by SNI; goha does not pool them).
func (s *Server) poolable() bool { return s.tls == nil || !s.tls.sniVaries }

// dialFresh opens a new connection to srv for req, TLS included, after a
// reused one failed.
func (b *Backend) dialFresh(ctx context.Context, srv *Server, req lbRequestArg) (net.Conn, error) {
	if srv.tls == nil {
		return b.dialServer(ctx, srv, false)
	}
	return b.dialServerTLS(ctx, srv, req)
}

// serverTLS returns the TLS side of server line sc, nil when it does not
// say `ssl` (check-ssl alone is the health checks' business).
func (rt *Process) serverTLS(sc *config.Server) (*serverTLS, error) {
	if !sc.SSL {
		return nil, nil
	}
	var c *ssl.Client
	if rt.opt.TLS != nil {
		c = rt.opt.TLS.Clients[sc]
	}
	if c == nil {
		return nil, fmt.Errorf("'ssl' at [%s:%d]: its TLS settings were not built (ssl.Build)", sc.File, sc.Line)
	}
	st := &serverTLS{c: c, sniVaries: c.SNI != "" && !constSNI.MatchString(c.SNI)}
	if c.SNI != "" {
		f, err := sample.CompileFormat("%["+c.SNI+"]", &sample.Options{Maps: rt.cfg.MapFiles, Refs: rt.maps})
		if err != nil {
			return nil, fmt.Errorf("sni '%s': %w", c.SNI, err)
		}
		st.sni = f
	}
	return st, nil
}

// serverName evaluates the `sni` expression for a connection made for
// req, or in mode tcp (req nil) for the connection sniContext put in
// ctx (`sni ssl_fc_sni` re-encrypting what a TLS bind terminated).
func (st *serverTLS) serverName(ctx context.Context, req lbRequestArg) string {
	if st.sni == nil {
		return ""
	}
	var x sample.Ctx
	if r, ok := req.(sample.LBRequest); ok && r.S != nil {
		x.Conn, x.Req = &r.S.Conn, r.S.Req
	} else if c, ok := ctx.Value(sniConnKey{}).(*sample.Conn); ok {
		x.Conn = c
	}
	return string(x.AppendName(st.sni, 255))
}

// sniConnKey keys a mode tcp session's connection sample in the context
// of its connect.
type sniConnKey struct{}

// sniContext gives a mode tcp connect the client connection's sample
// when a server's `sni` needs it (it costs a context otherwise not
// made).
func (b *Backend) sniContext(ctx context.Context, c *sample.Conn) context.Context {
	if !b.tlsSNI {
		return ctx
	}
	return context.WithValue(ctx, sniConnKey{}, c)
}

// dialServerTLS connects to s as dialServer does, then, for a TLS
// server, runs the handshake within what remains of timeout connect. A
// TLS connection is never a raw relay one: the relay and splice paths
// step aside for it (see tls.go).
func (b *Backend) dialServerTLS(ctx context.Context, s *Server, req lbRequestArg) (net.Conn, error) {
	st := s.tls
	if st == nil {
		return b.dialServer(ctx, s, req == nil)
	}
	t0 := time.Now()
	c, err := b.dialServer(ctx, s, false)
	if err != nil {
		return nil, err
	}
	d := b.Cfg.Timeouts.Connect
	if d <= 0 {
		d = 5 * time.Second
	}
	c.SetDeadline(t0.Add(d))
	tc := tls.Client(c, st.c.Config(st.serverName(ctx, req)))
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, &serverHandshakeError{err: err}
	}
	c.SetDeadline(time.Time{})
	return tc, nil
}

// serverHandshakeError is a failed TLS handshake with a server (its
// certificate did not verify, no common version...): a connection
// failure, retried and logged like one.
type serverHandshakeError struct{ err error }

func (e *serverHandshakeError) Error() string {
	return ssl.HandshakeReason(e.err, true) + ": " + e.err.Error()
}

func (e *serverHandshakeError) Unwrap() error { return e.err }

// socketOf is the socket under a TLS server connection (c itself for a
// plain one), for the liveness peek of a pooled connection: with TLS,
// any byte waiting (a close_notify, a late session ticket) makes the
// connection be dropped rather than reused, which is always safe.
func socketOf(c net.Conn) net.Conn {
	if tc, ok := c.(*tls.Conn); ok {
		return tc.NetConn()
	}
	return c
}

// lbRequest is the session's request as balancers and `sni` read it.
func (s *httpSession) lbRequest() lbRequestArg { return sample.LBRequest{S: &s.smp} }
