package stream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"sort"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/fcgi"
	"github.com/goha/goha/proxy/sample"
	"github.com/goha/goha/proxy/tlog"
)

// FastCGI servers (`use-fcgi-app` and `server ... proto fcgi`): a
// request's server connection is a gateway (fcgi.Conn) over the dialed
// one, written and read as HTTP/1.1. The gateway is pooled like any
// server connection (FCGI_KEEP_CONN). Before each request the session
// hands the gateway what its CGI parameters need beyond the request's
// bytes (fcgiPrepare): the addresses, TLS, and the fcgi-app's set-param
// and pass-header rules evaluated on the request.

// fcgiBackend is a backend's FastCGI application.
type fcgiBackend struct {
	app    fcgi.App
	params []fcgiRule // set-param rules, in order
	passes []fcgiRule // pass-header rules, in order
	hide   []string   // the hidden headers when no pass-header has a condition
	stderr *tlog.Logger
}

// fcgiRule is a compiled set-param or pass-header line.
type fcgiRule struct {
	name  string
	value *sample.Format
	cond  *acl.Cond
}

// newFCGIBackend builds the FastCGI side of backend p, or nil when it
// has no fcgi-app.
func newFCGIBackend(rt *Process, p *config.Proxy) (*fcgiBackend, error) {
	if p.FCGIApp == "" {
		return nil, nil
	}
	var a *config.FCGIApp
	for _, x := range rt.cfg.FCGIApps {
		if x.Name == p.FCGIApp {
			a = x
		}
	}
	if a == nil {
		return nil, fmt.Errorf("backend %q: fcgi-app %q not found", p.Name, p.FCGIApp)
	}
	fb := &fcgiBackend{app: fcgi.App{Name: a.Name, DocRoot: a.DocRoot, Index: a.Index, KeepConn: a.KeepConn,
		GetValues: a.GetValues, MpxsConns: a.MpxsConns, MaxReqs: a.MaxReqs, Software: "goha",
		MaxHead: rt.bufsize - 1024}}
	if a.PathInfo != "" {
		re, err := regexp.Compile(a.PathInfo)
		if err != nil {
			return nil, fmt.Errorf("fcgi-app %q: path-info: %w", a.Name, err)
		}
		fb.app.PathInfo = re
	}
	o := &sample.Options{Maps: rt.cfg.MapFiles, Refs: rt.maps}
	for _, r := range a.Rules {
		if !r.Pass && (r.Name == "REMOTE_USER" || r.Name == "AUTH_TYPE") && r.Cond == nil && r.Value[0] == '%' {
			continue // the implicit rules: the gateway reads Authorization itself
		}
		cond, err := acl.Compile(r.Cond)
		if err != nil {
			return nil, fmt.Errorf("fcgi-app %q [%s:%d]: %w", a.Name, r.File, r.Line, err)
		}
		fr := fcgiRule{name: r.Name, cond: cond}
		if r.Pass {
			fr.name = lower(r.Name)
			fb.passes = append(fb.passes, fr)
			continue
		}
		if fr.value, err = sample.CompileFormat(r.Value, o); err != nil {
			return nil, fmt.Errorf("fcgi-app %q [%s:%d]: %w", a.Name, r.File, r.Line, err)
		}
		fb.params = append(fb.params, fr)
	}
	fb.hide = fb.hidden(nil)
	if rt.opt.LogHub != nil && (a.LogStderrGlobal || len(a.LogStderr) > 0) {
		conv := func(ts []config.LogTarget) []tlog.Target {
			out := make([]tlog.Target, 0, len(ts))
			for _, t := range ts {
				out = append(out, tlog.Target{Addr: t.Addr, Len: t.Len, Format: t.Format, Facility: t.Facility, Level: t.Level, MinLevel: t.MinLevel})
			}
			return out
		}
		l, err := tlog.NewLogger(rt.opt.LogHub, tlog.LoggerOptions{
			Targets: tlog.Targets(conv(a.LogStderr), a.LogStderrGlobal, false, conv(rt.cfg.Global.Logs)),
			HTTP:    true, Tag: a.Name, Name: a.Name})
		if err != nil {
			return nil, fmt.Errorf("fcgi-app %q: log-stderr: %w", a.Name, err)
		}
		fb.stderr = l
	}
	return fb, nil
}

// serves reports whether s is one of the backend's FastCGI servers.
func (fb *fcgiBackend) serves(s *Server) bool { return s.Cfg.Proto == config.ProtoFCGI }

// fcgiDial connects to a proto fcgi server and wraps the connection in
// a gateway.
func (b *Backend) fcgiDial(ctx context.Context, s *Server) (net.Conn, error) {
	nc, err := b.dial(ctx, s)
	if err != nil {
		return nil, err
	}
	var stderr func([]byte)
	if l := b.fcgi.stderr; l != nil {
		stderr = func(line []byte) { l.Send(tlog.Err, string(line)) }
	}
	return fcgi.NewConn(nc, &b.fcgi.app, stderr), nil
}

// fcgiPrepare gives the request's gateway its parameters' inputs.
func (s *httpSession) fcgiPrepare(t *txn) {
	fc, ok := t.sc.c.(*fcgi.Conn)
	if !ok {
		return
	}
	fb := t.be.fcgi
	m := fcgi.Meta{Src: s.smp.Client, Dst: s.smp.Local()}
	m.TLS = s.smp.TLS != nil // the client connection is TLS (an h2 stream: its connection)
	var vals []byte
	for i := range fb.params {
		r := &fb.params[i]
		if !r.cond.Eval(&s.smp) {
			continue
		}
		vals = r.value.AppendTo(vals[:0], &s.w.x, s.rt.bufsize)
		m.Params = setParam(m.Params, r.name, string(vals))
	}
	if len(m.Params) > 1 {
		sort.SliceStable(m.Params, func(i, j int) bool { return lower(m.Params[i].Name) < lower(m.Params[j].Name) })
	}
	m.Hide = fb.hide
	if m.Hide == nil {
		m.Hide = fb.hidden(s)
	}
	fc.Prepare(m)
}

// hidden returns the headers hidden from the application: HAProxy's
// defaults less those a pass-header rule passes. Without a session
// (s nil) it returns nil if a pass-header rule has a condition.
func (fb *fcgiBackend) hidden(s *httpSession) []string {
	out := make([]string, 0, len(fcgi.DefaultHidden))
	for _, h := range fcgi.DefaultHidden {
		passed := false
		for i := range fb.passes {
			r := &fb.passes[i]
			if r.name != h {
				continue
			}
			if r.cond != nil && s == nil {
				return nil
			}
			passed = passed || r.cond == nil || r.cond.Eval(&s.smp)
		}
		if !passed {
			out = append(out, h)
		}
	}
	return out
}

// setParam sets name to v in ps, replacing an earlier rule's value.
func setParam(ps []fcgi.Pair, name, v string) []fcgi.Pair {
	for i := range ps {
		if lower(ps[i].Name) == lower(name) {
			ps = append(ps[:i], ps[i+1:]...)
			break
		}
	}
	return append(ps, fcgi.Pair{Name: name, Value: v})
}

// gatewayProtoErr is the xfer.n of a response read error: -1 (the
// PH termination flags) when a gateway found the server broke its
// protocol.
func gatewayProtoErr(err error) int64 {
	if errors.Is(err, fcgi.ErrProtocol) {
		return -1
	}
	return 0
}

// CheckWrap returns what a health check's connection to s goes
// through: the FastCGI gateway for a proto fcgi server (the check's
// HTTP request becomes a FastCGI one, as HAProxy sends it), nil for
// others.
func (s *Server) CheckWrap() func(net.Conn) net.Conn {
	fb := s.Backend.fcgi
	if fb == nil || !fb.serves(s) {
		return nil
	}
	return func(nc net.Conn) net.Conn {
		c := fcgi.NewConn(nc, &fb.app, nil)
		c.Prepare(fcgi.Meta{Src: addrPort(nc.LocalAddr()), Dst: addrPort(nc.RemoteAddr()), Hide: fcgi.DefaultHidden})
		return c
	}
}

// addrPort is a socket address as an AddrPort (invalid for unix ones).
func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort()
	}
	return netip.AddrPort{}
}
