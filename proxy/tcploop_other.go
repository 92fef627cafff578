//go:build !linux

package proxy

import (
	"context"
	"net"
	"time"
)

// tcpRelay is the relay loop's session state; only Linux has the loop.
type tcpRelay struct{}

func (r *tcpRelay) shutdownLocked() {}

// startRelay: without the Linux relay loop the session relays on its own
// goroutine.
func (s *tcpSession) startRelay(tmoCli, tmoSrv time.Duration) bool { return false }

// rawDial connects to s for mode tcp (on the calling goroutine).
func (b *Backend) rawDial(ctx context.Context, s *Server) (net.Conn, error) {
	d := net.Dialer{Timeout: b.Cfg.Timeouts.Connect, KeepAlive: -1}
	if d.Timeout <= 0 {
		d.Timeout = 5 * time.Second
	}
	c, err := d.DialContext(ctx, "tcp", s.addr.Load().addr)
	if err != nil {
		return nil, err
	}
	if b.Cfg.Options.Srvtcpka || b.Cfg.Options.Tcpka {
		c.(*net.TCPConn).SetKeepAlive(true)
	}
	return c, nil
}

// setRawKeepAlive: no raw connections here.
func setRawKeepAlive(c net.Conn) {}

// acceptConn accepts the next connection of ln.
func (f *Frontend) acceptConn(ln net.Listener) (net.Conn, error) { return ln.Accept() }
