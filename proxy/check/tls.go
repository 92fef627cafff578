package check

import (
	"context"
	"crypto/tls"
	"net"
	"time"
)

// handshake runs a check's TLS handshake on conn within the check's
// time (inter, or timeout check): L6OK with the TLS connection, L6TOUT
// or L6RSP (with the reason) when it fails.
func handshake(ctx context.Context, conn net.Conn, cfg *Config, start time.Time) (net.Conn, Result) {
	deadline := start.Add(cfg.Inter)
	if cfg.TimeoutCheck > 0 {
		deadline = time.Now().Add(cfg.TimeoutCheck)
	}
	_ = conn.SetDeadline(deadline)
	tc := tls.Client(conn, cfg.TLS)
	if err := tc.HandshakeContext(ctx); err != nil {
		if isTimeout(err) {
			return conn, Result{Status: StatusL6TOUT}
		}
		return conn, Result{Status: StatusL6RSP, Info: err.Error()}
	}
	return tc, Result{Status: StatusL6OK}
}
