package proxy

import (
	"bytes"
	"net"
	"net/netip"

	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/lb"
)

// connSample is the layer-4 part of a sample: addresses, and in mode
// tcp the first bytes of the stream while tcp-request content rules
// inspect them.
type connSample struct {
	src netip.AddrPort
	dst netip.AddrPort
	// payload is what was peeked from the client (not consumed);
	// final says no more will be waited for.
	payload []byte
	final   bool
	// rt finds backends for nbsrv(NAME).
	rt *Runtime
}

// Nbsrv implements acl.NbsrvSample: the usable servers of a backend
// (the active ones, else the backups), as HAProxy's nbsrv counts them.
func (s *connSample) Nbsrv(backend string) int {
	if s.rt == nil {
		return 0
	}
	be := s.rt.beByName[backend]
	if be == nil {
		return 0
	}
	return nbsrvOf(be)
}

func nbsrvOf(be *Backend) int {
	act, bck := be.ActiveServers()
	if act == 0 {
		return bck
	}
	return act
}

// Payload implements acl.PayloadSample.
func (s *connSample) Payload() ([]byte, bool) { return s.payload, s.final || s.payload == nil }

func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		ap := t.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

func (s *connSample) init(c net.Conn) {
	s.src = addrPort(c.RemoteAddr())
	s.dst = addrPort(c.LocalAddr())
}

// Method implements acl.Sample.
func (s *connSample) Method() []byte { return nil }

// Path implements acl.Sample.
func (s *connSample) Path() []byte { return nil }

// URL implements acl.Sample.
func (s *connSample) URL() []byte { return nil }

// Header implements acl.Sample.
func (s *connSample) Header(string, func([]byte) bool) {}

// Src implements acl.Sample.
func (s *connSample) Src() netip.Addr { return s.src.Addr() }

// SrcPort implements acl.SrcPortSample.
func (s *connSample) SrcPort() int { return int(s.src.Port()) }

// DstPort implements acl.Sample.
func (s *connSample) DstPort() int { return int(s.dst.Port()) }

// SSL implements acl.Sample.
func (s *connSample) SSL() bool { return false }

// SNI implements acl.Sample.
func (s *connSample) SNI() []byte { return nil }

// HTTP implements acl.Sample.
func (s *connSample) HTTP() bool { return false }

var _ acl.Sample = (*connSample)(nil)

// httpSample is a parsed request seen by ACLs and balancers.
type httpSample struct {
	connSample
	req *http1.Request
}

var _ acl.Sample = (*httpSample)(nil)

// Method implements acl.Sample.
func (s *httpSample) Method() []byte { return s.req.Method }

// URL implements acl.Sample.
func (s *httpSample) URL() []byte { return s.req.URI }

// URI implements lb.Request.
func (s *httpSample) URI() []byte { return s.req.URI }

// Path implements acl.Sample: the path of the URI without the query (and
// without scheme://authority for an absolute URI).
func (s *httpSample) Path() []byte { return uriPath(s.req.URI) }

// Version implements acl.VersionSample.
func (s *httpSample) Version() []byte {
	if len(s.req.Proto) > 5 {
		return s.req.Proto[5:]
	}
	return nil
}

// HTTP implements acl.Sample.
func (s *httpSample) HTTP() bool { return true }

// Header implements acl.Sample: values split on commas, as hdr() does.
func (s *httpSample) Header(name string, fn func([]byte) bool) {
	for i := range s.req.Headers {
		h := &s.req.Headers[i]
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

// Header for lb.Request: the first full value.
type lbRequest struct{ s *httpSample }

// URI implements lb.Request.
func (r lbRequest) URI() []byte { return r.s.req.URI }

// Header implements lb.Request.
func (r lbRequest) Header(name string) ([]byte, bool) {
	for i := range r.s.req.Headers {
		if string(r.s.req.Headers[i].Name) == name {
			return r.s.req.Headers[i].Value, true
		}
	}
	return nil, false
}

// uriPath extracts the path from a request target.
func uriPath(u []byte) []byte {
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

// aliases keeping signatures short.
type (
	netipAddr    = netip.Addr
	lbRequestArg = lb.Request
)
