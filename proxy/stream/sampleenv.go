package stream

import (
	"net/netip"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/lb"
	"github.com/goha/goha/proxy/sample"
)

// This file is the proxy's side of package sample: what its fetches and
// %X variables read of frontends, backends and the process, and the
// evaluation context of an HTTP request.

var (
	_ sample.Frontend = (*Frontend)(nil)
	_ sample.Backend  = (*Backend)(nil)
	_ sample.Backends = (*Process)(nil)
)

// ProxyName implements sample.Proxy.
func (f *Frontend) ProxyName() string { return f.Name }

// CurConns implements sample.Proxy.
func (f *Frontend) CurConns() int64 { return f.Scur.Load() }

// ActiveConns implements sample.Frontend.
func (f *Frontend) ActiveConns() int64 { return f.rt.ActConn.Load() }

// RequestCapture implements sample.Frontend.
func (f *Frontend) RequestCapture(n int) (config.Capture, bool) {
	caps := f.Cfg.CaptureRequestHeaders
	if n < 0 || n >= len(caps) {
		return config.Capture{}, false
	}
	return caps[n], true
}

// UsableServersOf implements sample.Backends.
func (f *Frontend) UsableServersOf(backend string) (int, bool) { return f.rt.UsableServersOf(backend) }

// ProxyName implements sample.Proxy.
func (b *Backend) ProxyName() string { return b.Name }

// CurConns implements sample.Proxy.
func (b *Backend) CurConns() int64 { return b.Scur.Load() }

// UsableServers implements sample.Backend: the active servers that are
// usable, else the backups, as HAProxy's nbsrv counts them.
func (b *Backend) UsableServers() int {
	act, bck := b.ActiveServers()
	if act == 0 {
		return bck
	}
	return act
}

// UsableServersOf implements sample.Backends.
func (rt *Process) UsableServersOf(backend string) (int, bool) {
	be := rt.beByName[backend]
	if be == nil {
		return 0, false
	}
	return be.UsableServers(), true
}

// resetEval prepares the evaluation context of a new request on s.
func (s *httpSession) resetEval() {
	x := &s.w.x
	x.Conn = &s.smp.Conn
	x.Req = &s.w.req
	x.Resp = nil
	x.Frontend = s.f
	x.Backend = nil
	x.Server = ""
	x.NReq = s.nreq
	x.Payload, x.Final = nil, false
	x.CacheName = ""
}

// evalBackend returns the backend the request's evaluation context
// holds (nil before use_backend chose one).
func (w *work) evalBackend() *Backend {
	be, _ := w.x.Backend.(*Backend)
	return be
}

// aliases keeping signatures short.
type (
	netipAddr    = netip.Addr
	lbRequestArg = lb.Request
)
