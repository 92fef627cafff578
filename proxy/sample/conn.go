package sample

import (
	"bytes"
	"net"
	"net/netip"

	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/ssl"
	"github.com/goha/goha/proxy/stick"
)

// Conn is the layer-4 part of a sample, as ACLs and fetches read it:
// addresses, and in mode tcp the first bytes of the stream while
// tcp-request content rules inspect them.
type Conn struct {
	// Client is the client's address (src).
	Client netip.AddrPort
	// local is the address the client connected to (dst), asked of
	// conn on first use (Local): a getsockname(2) per connection is
	// saved when no rule or log reads it.
	local netip.AddrPort
	conn  net.Conn
	// Peeked is what was peeked from the client (not consumed); Final
	// says no more will be waited for.
	Peeked []byte
	Final  bool
	// localSet says local was asked of conn (beside Final: one word
	// for both).
	localSet bool
	// Backends finds backends for nbsrv(NAME); nil: nbsrv is 0.
	Backends Backends
	// Stick is the connection's stick counters (nil: none), read by
	// the sc_* and src_* fetches (stick.go).
	Stick *stick.Counters
	// Prio is the request's priority in the backend's queue
	// (set-priority-class/offset; prio.go).
	Prio Priority
	// X is the evaluation context ACLs on sample expressions read
	// (acl_expr.go); nil: they match nothing.
	X *Ctx
	// TLS is what the ssl_fc* and ssl_c_* fetches read of the client
	// connection's TLS layer; nil when it is not TLS (fetch_ssl.go).
	TLS *ssl.Info
}

// Nbsrv implements acl.NbsrvSample: the usable servers of a backend
// (the active ones, else the backups), as HAProxy's nbsrv counts them.
func (s *Conn) Nbsrv(backend string) int {
	if s.Backends == nil {
		return 0
	}
	n, _ := s.Backends.UsableServersOf(backend)
	return n
}

// Payload implements acl.PayloadSample.
func (s *Conn) Payload() ([]byte, bool) { return s.Peeked, s.Final || s.Peeked == nil }

// addrPort returns the address and port of a TCP address, IPv4-mapped
// IPv6 addresses unmapped; the zero AddrPort for other addresses.
func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		ap := t.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

// Init sets the addresses from connection c. The local one is read
// from c when first asked (Local), so c must still be open then: a
// session that hands c over calls Local before if it will need it.
func (s *Conn) Init(c net.Conn) {
	s.Client = addrPort(c.RemoteAddr())
	s.conn, s.localSet = c, false
	s.TLS = nil
	if u, ok := c.(layered); ok {
		// An HTTP/2 stream's TLS is its connection's.
		c = u.Underlying()
	}
	if t, ok := c.(TLSConn); ok {
		s.TLS = t.TLSInfo()
	}
}

// layered is a connection carried inside another (an HTTP/2 stream):
// the connection-level facts (TLS) are the underlying one's.
type layered interface{ Underlying() net.Conn }

// SetLocal sets the local address (dst) directly.
func (s *Conn) SetLocal(ap netip.AddrPort) { s.local, s.localSet, s.conn = ap, true, nil }

// Local returns the address the client connected to (dst).
func (s *Conn) Local() netip.AddrPort {
	if !s.localSet {
		s.localSet = true
		if s.conn != nil {
			s.local = addrPort(s.conn.LocalAddr())
			s.conn = nil
		}
	}
	return s.local
}

// Method implements acl.Sample.
func (s *Conn) Method() []byte { return nil }

// Path implements acl.Sample.
func (s *Conn) Path() []byte { return nil }

// URL implements acl.Sample.
func (s *Conn) URL() []byte { return nil }

// Header implements acl.Sample.
func (s *Conn) Header(string, func([]byte) bool) {}

// Src implements acl.Sample.
func (s *Conn) Src() netip.Addr { return s.Client.Addr() }

// SrcPort implements acl.SrcPortSample.
func (s *Conn) SrcPort() int { return int(s.Client.Port()) }

// DstPort implements acl.Sample.
func (s *Conn) DstPort() int { return int(s.Local().Port()) }

// SSL implements acl.Sample.
func (s *Conn) SSL() bool { return s.TLS != nil }

// SNI implements acl.Sample: the server name the TLS client sent.
func (s *Conn) SNI() []byte {
	if s.TLS == nil || s.TLS.SNI == "" {
		return nil
	}
	return []byte(s.TLS.SNI)
}

// HTTP implements acl.Sample.
func (s *Conn) HTTP() bool { return false }

var _ acl.Sample = (*Conn)(nil)

// HTTP is a parsed request as ACLs and balancers see it.
type HTTP struct {
	Conn
	// Req is the request; it must be set before the sample is read.
	Req *http1.Request
}

var _ acl.Sample = (*HTTP)(nil)

// Method implements acl.Sample.
func (s *HTTP) Method() []byte { return s.Req.Method }

// URL implements acl.Sample.
func (s *HTTP) URL() []byte { return s.Req.URI }

// URI implements lb.Request.
func (s *HTTP) URI() []byte { return s.Req.URI }

// Path implements acl.Sample: the path of the URI without the query (and
// without scheme://authority for an absolute URI).
func (s *HTTP) Path() []byte { return URIPath(s.Req.URI) }

// Version implements acl.VersionSample.
func (s *HTTP) Version() []byte {
	if len(s.Req.Proto) > 5 {
		return s.Req.Proto[5:]
	}
	return nil
}

// HTTP implements acl.Sample.
func (s *HTTP) HTTP() bool { return true }

// Header implements acl.Sample: values split on commas, as hdr() does.
func (s *HTTP) Header(name string, fn func([]byte) bool) {
	for i := range s.Req.Headers {
		h := &s.Req.Headers[i]
		if string(h.Name) != name {
			continue
		}
		v := h.Value
		if len(v) == 0 {
			if !fn(v) {
				return
			}
			continue
		}
		for len(v) > 0 {
			j := bytes.IndexByte(v, ',')
			var part []byte
			if j < 0 {
				part, v = v, nil
			} else {
				part, v = v[:j], v[j+1:]
			}
			part = bytes.TrimSpace(part)
			if !fn(part) {
				return
			}
		}
	}
}

// LBRequest is an HTTP sample as a balancer reads it (lb.Request):
// Header gives the first full value.
type LBRequest struct{ S *HTTP }

// URI implements lb.Request.
func (r LBRequest) URI() []byte { return r.S.Req.URI }

// Header implements lb.Request.
func (r LBRequest) Header(name string) ([]byte, bool) {
	for i := range r.S.Req.Headers {
		if string(r.S.Req.Headers[i].Name) == name {
			return r.S.Req.Headers[i].Value, true
		}
	}
	return nil, false
}

// URIPath extracts the path from a request target: without the query,
// and without scheme://authority for an absolute URI.
func URIPath(u []byte) []byte {
	if len(u) > 0 && u[0] != '/' {
		// absolute form: scheme://authority/path
		if i := bytes.Index(u, []byte("://")); i >= 0 {
			rest := u[i+3:]
			j := bytes.IndexByte(rest, '/')
			if j < 0 {
				return nil
			}
			u = rest[j:]
		}
	}
	if i := bytes.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
