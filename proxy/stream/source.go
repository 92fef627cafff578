package stream

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/goha/goha/config"
)

// `source ADDR[:PORT] [usesrc clientip|client|ADDR[:PORT]]` on a server
// or its backend: server connections bind that local address; with
// usesrc they bind a foreign one (the client's address, or ADDR) with
// IP_TRANSPARENT, which needs CAP_NET_ADMIN (kept across the privilege
// drop, worker/privs_caps.go) and routing that brings the answers back
// (TPROXY rules), as with HAProxy. Such servers skip the raw connect
// fast path. `usesrc client` binds the client's address with any port
// (HAProxy also reuses the client's port).

// clientIPKey carries the client's address to the dial (clientIP).
type clientIPKey struct{}

// sourceOf returns the source settings server s connects with (its own,
// else its backend's), nil for none.
func (b *Backend) sourceOf(s *Server) *config.ConnSource {
	if s.Cfg != nil && s.Cfg.Source != nil {
		return s.Cfg.Source
	}
	return b.Cfg.Traffic.Source
}

// withClientIP returns ctx carrying the client's address when server s
// binds it (usesrc client/clientip); ctx itself otherwise.
func (b *Backend) withClientIP(ctx context.Context, client netip.Addr, s *Server) context.Context {
	if src := b.sourceOf(s); src != nil && (src.UseSrc == "client" || src.UseSrc == "clientip") {
		return context.WithValue(ctx, clientIPKey{}, client)
	}
	return ctx
}

// localAddr is the address a connection to s binds, and whether it is
// a foreign one (IP_TRANSPARENT).
func localAddr(ctx context.Context, src *config.ConnSource) (*net.TCPAddr, bool, error) {
	switch src.UseSrc {
	case "client", "clientip":
		ip, _ := ctx.Value(clientIPKey{}).(netip.Addr)
		if !ip.IsValid() {
			return nil, false, fmt.Errorf("usesrc %s: no client address", src.UseSrc)
		}
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip.Unmap(), 0)), true, nil
	case "addr":
		return net.TCPAddrFromAddrPort(src.UseSrcAddr), true, nil
	}
	if src.Addr.IsUnspecified() && src.Port == 0 {
		return nil, false, nil
	}
	return net.TCPAddrFromAddrPort(netip.AddrPortFrom(src.Addr, uint16(src.Port))), false, nil
}

// dialFrom connects to s from the configured source address.
func (b *Backend) dialFrom(ctx context.Context, s *Server, src *config.ConnSource) (net.Conn, error) {
	la, transparent, err := localAddr(ctx, src)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: b.Cfg.Timeouts.Connect, KeepAlive: -1}
	if la != nil {
		d.LocalAddr = la
	}
	if d.Timeout <= 0 {
		d.Timeout = 5 * time.Second
	}
	if transparent {
		d.Control = func(network, address string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				level, opt := syscall.SOL_IP, syscall.IP_TRANSPARENT
				if la.IP.To4() == nil {
					level, opt = syscall.SOL_IPV6, ipv6Transparent
				}
				serr = syscall.SetsockoptInt(int(fd), level, opt, 1)
			})
			if err != nil {
				return err
			}
			if serr != nil {
				return fmt.Errorf("IP_TRANSPARENT (needs CAP_NET_ADMIN): %w", serr)
			}
			return nil
		}
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

// ipv6Transparent is IPV6_TRANSPARENT (linux/in6.h).
const ipv6Transparent = 75
