package proxy

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/tlog"
)

// Frontend is a frontend (or the frontend half of a listen section): its
// listeners, rules, content switching and counters.
type Frontend struct {
	// Name is the section name; Cfg the parsed section (read-only).
	Name string
	Cfg  *config.Proxy
	// Counters are the frontend's statistics.
	Counters

	rt        *Runtime
	mode      config.Mode
	defaultBE *Backend
	useBE     []useBackend
	reqRules  []*httpRule
	rspRules  []*httpRule
	connRules []*tcpRule
	errs      map[int][]byte
	logger    *tlog.Logger
	captures  int        // number of request header captures
	stats     *statsPage // stats page, nil if none (statspage_glue.go)

	maxconn  atomic.Int64
	disabled atomic.Bool
	enableCh chan struct{}

	lmu  sync.Mutex
	lns  []net.Listener
	slot chan struct{} // frontend maxconn wake-up
}

type useBackend struct {
	cond *acl.Cond
	be   *Backend
}

type tcpRule struct {
	accept bool
	cond   *acl.Cond
}

func newFrontend(rt *Runtime, p *config.Proxy) (*Frontend, error) {
	f := &Frontend{Name: p.Name, Cfg: p, rt: rt, mode: p.Mode, enableCh: make(chan struct{}), slot: make(chan struct{}, 1)}
	f.maxconn.Store(int64(p.Maxconn))
	if p.DefaultBackend != "" {
		f.defaultBE = rt.beByName[p.DefaultBackend]
		if f.defaultBE == nil {
			return nil, fmt.Errorf("frontend %q: default_backend %q not found", p.Name, p.DefaultBackend)
		}
	} else if p.IsBackend() {
		f.defaultBE = rt.beByName[p.Name]
	}
	for _, u := range p.UseBackends {
		be := rt.beByName[u.Backend]
		if be == nil {
			return nil, fmt.Errorf("frontend %q: use_backend %q not found", p.Name, u.Backend)
		}
		c, err := acl.Compile(u.Cond)
		if err != nil {
			return nil, fmt.Errorf("frontend %q: use_backend %q: %w", p.Name, u.Backend, err)
		}
		f.useBE = append(f.useBE, useBackend{cond: c, be: be})
	}
	all := append([]*Backend{f.defaultBE}, nil)
	for _, u := range f.useBE {
		all = append(all, u.be)
	}
	for _, be := range all {
		if be != nil && be.mode != f.mode {
			return nil, fmt.Errorf("frontend %q (mode %s) cannot use backend %q (mode %s)", p.Name, f.mode, be.Name, be.mode)
		}
	}
	var err error
	if f.errs, err = loadErrorFiles(p); err != nil {
		return nil, err
	}
	for _, r := range p.TCPRequestConnection {
		c, err := acl.Compile(r.Cond)
		if err != nil {
			return nil, fmt.Errorf("frontend %q: tcp-request connection %s: %w", p.Name, r.Action, err)
		}
		switch r.Action {
		case "accept":
			f.connRules = append(f.connRules, &tcpRule{accept: true, cond: c})
		case "reject":
			f.connRules = append(f.connRules, &tcpRule{cond: c})
		default:
			return nil, fmt.Errorf("frontend %q [%s:%d]: tcp-request connection %q is not supported", p.Name, r.File, r.Line, r.Action)
		}
	}
	if f.mode == config.ModeHTTP {
		for _, r := range p.HTTPRequest {
			hr, err := compileHTTPRule(r, true, f.errs)
			if err != nil {
				return nil, fmt.Errorf("frontend %q: %w", p.Name, err)
			}
			f.reqRules = append(f.reqRules, hr)
		}
		for _, r := range p.HTTPResponse {
			hr, err := compileHTTPRule(r, false, f.errs)
			if err != nil {
				return nil, fmt.Errorf("frontend %q: %w", p.Name, err)
			}
			f.rspRules = append(f.rspRules, hr)
		}
	}
	if rt.opt.LogHub != nil {
		l, err := newLogger(rt, p)
		if err != nil {
			return nil, fmt.Errorf("frontend %q: %w", p.Name, err)
		}
		f.logger = l
	}
	f.captures = len(p.CaptureRequestHeaders)
	return f, nil
}

func newLogger(rt *Runtime, p *config.Proxy) (*tlog.Logger, error) {
	conv := func(ts []config.LogTarget) []tlog.Target {
		out := make([]tlog.Target, 0, len(ts))
		for _, t := range ts {
			out = append(out, tlog.Target{Addr: t.Addr, Len: t.Len, Format: t.Format, Facility: t.Facility, Level: t.Level, MinLevel: t.MinLevel})
		}
		return out
	}
	http := p.Mode == config.ModeHTTP
	fs := tlog.ProxyFormat(p.LogFormat, p.Options.HTTPLog, p.Options.HTTPLogCLF, p.Options.TCPLog, http)
	var fm *tlog.Format
	if fs != "" {
		var err error
		fm, err = tlog.Compile(fs, tlog.FormatOptions{HTTP: http, LogASAP: p.Options.LogASAP, PID: rt.opt.Pid})
		if err != nil {
			return nil, err
		}
	}
	return tlog.NewLogger(rt.opt.LogHub, tlog.LoggerOptions{
		Targets:        tlog.Targets(conv(p.Logs), p.LogGlobal, p.NoLog, conv(rt.cfg.Global.Logs)),
		Format:         fm,
		HTTP:           http,
		DontLogNull:    p.Options.DontLogNull,
		SeparateErrors: p.Options.LogSeparateErrors,
		Name:           p.Name,
	})
}

// loadErrorFiles normalises a proxy's errorfiles.
func loadErrorFiles(p *config.Proxy) (map[int][]byte, error) {
	if len(p.ErrorFiles) == 0 {
		return nil, nil
	}
	m := make(map[int][]byte, len(p.ErrorFiles))
	for code, raw := range p.ErrorFiles {
		b, err := http1.NormalizeErrorFile(raw)
		if err != nil {
			return nil, fmt.Errorf("proxy %q: errorfile for status %d: %w", p.Name, code, err)
		}
		m[code] = b
	}
	return m, nil
}

// Mode returns the frontend's mode.
func (f *Frontend) Mode() config.Mode { return f.mode }

// Maxconn returns the frontend's maxconn (0 = only the global limit).
func (f *Frontend) Maxconn() int { return int(f.maxconn.Load()) }

// SetMaxconn changes the frontend's maxconn (`set maxconn frontend`).
func (f *Frontend) SetMaxconn(n int) {
	f.maxconn.Store(int64(n))
	select {
	case f.slot <- struct{}{}:
	default:
	}
}

// Disable stops accepting new connections on the frontend (they wait in
// the kernel's queue); Enable resumes.
func (f *Frontend) Disable() { f.disabled.Store(true) }

// Enable resumes accepting after Disable.
func (f *Frontend) Enable() {
	if f.disabled.CompareAndSwap(true, false) {
		f.lmu.Lock()
		close(f.enableCh)
		f.enableCh = make(chan struct{})
		f.lmu.Unlock()
	}
}

// Disabled reports whether the frontend is disabled.
func (f *Frontend) Disabled() bool { return f.disabled.Load() }

func (f *Frontend) closeListeners() {
	f.lmu.Lock()
	for _, ln := range f.lns {
		ln.Close()
	}
	f.lns = nil
	f.lmu.Unlock()
}

// acceptLoop accepts connections on ln until it is closed.
func (f *Frontend) acceptLoop(ln net.Listener) {
	rt := f.rt
	defer rt.wg.Done()
	var delay time.Duration
	for {
		if !f.waitFrontendSlot() || !rt.takeConn() {
			return
		}
		c, err := ln.Accept()
		if err != nil {
			rt.releaseConn()
			if rt.stopping.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and friends: back off as net/http does.
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay < time.Second {
				delay *= 2
			}
			rt.log.Error().Err(err).Str("frontend", f.Name).Msg("accept failed")
			select {
			case <-time.After(delay):
			case <-rt.ctx.Done():
				return
			}
			continue
		}
		delay = 0
		for f.disabled.Load() && !rt.stopping.Load() {
			f.lmu.Lock()
			ch := f.enableCh
			f.lmu.Unlock()
			select {
			case <-ch:
			case <-rt.ctx.Done():
			case <-time.After(time.Second):
			}
		}
		now := time.Now()
		rt.CumConns.Add(1)
		f.ConnTot.Add(1)
		if !f.acceptRules(c) {
			f.DeniedConn.Add(1)
			c.Close()
			rt.releaseConn()
			continue
		}
		f.sessStart(now)
		rt.wg.Add(1)
		if f.mode == config.ModeHTTP {
			go f.serveHTTP(c, now)
		} else {
			go f.serveTCP(c, now)
		}
	}
}

// waitFrontendSlot waits while the frontend is at its maxconn.
func (f *Frontend) waitFrontendSlot() bool {
	for {
		m := f.maxconn.Load()
		if m <= 0 || f.Scur.Load() < m {
			return true
		}
		select {
		case <-f.slot:
		case <-f.rt.ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
		if f.rt.stopping.Load() {
			return false
		}
	}
}

// endSession undoes the counting of a session.
func (f *Frontend) endSession() {
	f.sessEnd()
	f.rt.releaseConn()
	if f.maxconn.Load() > 0 {
		select {
		case f.slot <- struct{}{}:
		default:
		}
	}
	f.rt.wg.Done()
}

// acceptRules applies tcp-request connection rules.
func (f *Frontend) acceptRules(c net.Conn) bool {
	if len(f.connRules) == 0 {
		return true
	}
	var s connSample
	s.init(c)
	for _, r := range f.connRules {
		if r.cond.Eval(&s) {
			return r.accept
		}
	}
	return true
}

// pickBackend applies use_backend rules, then default_backend.
func (f *Frontend) pickBackend(s acl.Sample) *Backend {
	for i := range f.useBE {
		if f.useBE[i].cond.Eval(s) {
			return f.useBE[i].be
		}
	}
	return f.defaultBE
}
