package stream

import (
	"errors"
	"fmt"
	"github.com/goha/goha/proxy/rules"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/sample"
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
	// filters see every HTTP request of the frontend (filter.go).
	filters []Filter

	rt        *Process
	mode      config.Mode
	defaultBE *Backend
	useBE     []useBackend
	reqRules  []*rules.HTTPRule
	// statsRules are the `stats http-request` rules (statspage.go).
	statsRules []*rules.HTTPRule
	rspRules   []*rules.HTTPRule
	// afterRules are http-after-response rules; monitorURI answers 200
	// (monitor-uri).
	afterRules []*rules.HTTPRule
	monitorURI []byte
	monFail    []*acl.Cond // `monitor fail` conditions: 503 (monitor.go)
	connRules  []*rules.TCPRule
	// contentRules are tcp-request content rules (mode tcp), applied
	// within inspectDelay (tlsinspect.go).
	contentRules []*rules.TCPRule
	inspectDelay time.Duration
	// copts compiles log-format values (map files, shared tables).
	copts    *sample.Options
	errs     map[int][]byte
	logger   *tlog.Logger
	captures int        // number of request header captures
	rw       *feRewrite // unique-id (rewrite.go)
	stats    *statsPage // stats page, nil if none (statspage_glue.go)

	maxconn  atomic.Int64
	disabled atomic.Bool
	enableCh chan struct{}

	reqErr errCapture // last invalid request (show errors)

	stk *feStick // stick tables, rate-limit sessions (stick.go)

	h2ln []net.Listener // those of `proto h2` binds (h2front.go)

	lmu  sync.Mutex
	lns  []net.Listener
	slot chan struct{} // frontend maxconn wake-up
}

type useBackend struct {
	cond *acl.Cond
	be   *Backend
	// dyn is a log-format backend name (`use_backend %[...]`): the
	// backend is looked up by the evaluated name; none found means
	// default_backend, as in HAProxy.
	dyn *sample.Format
}

func newFrontend(rt *Process, p *config.Proxy) (*Frontend, error) {
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
	f.copts = &sample.Options{Maps: rt.cfg.MapFiles, Refs: rt.maps, ACLs: rt.acls}
	sw, err := rules.CompileSwitching(p, f.copts)
	if err != nil {
		return nil, err
	}
	for _, u := range sw {
		if u.Dyn != nil {
			f.useBE = append(f.useBE, useBackend{cond: u.Cond, dyn: u.Dyn})
			continue
		}
		be := rt.beByName[u.Backend]
		if be == nil {
			return nil, fmt.Errorf("frontend %q: use_backend %q not found", p.Name, u.Backend)
		}
		f.useBE = append(f.useBE, useBackend{cond: u.Cond, be: be})
	}
	all := append([]*Backend{f.defaultBE}, nil)
	for _, u := range f.useBE {
		if u.be != nil {
			all = append(all, u.be)
		}
	}
	for _, be := range all {
		if be != nil && be.mode != f.mode {
			return nil, fmt.Errorf("frontend %q (mode %s) cannot use backend %q (mode %s)", p.Name, f.mode, be.Name, be.mode)
		}
	}
	if f.errs, err = rules.ErrorPages(p); err != nil {
		return nil, err
	}
	if f.connRules, err = rules.CompileConnRules(p); err != nil {
		return nil, err
	}
	if f.mode == config.ModeHTTP {
		rs, err := rules.CompileSet(p, f.errs, f.copts)
		if err != nil {
			return nil, fmt.Errorf("frontend %q: %w", p.Name, err)
		}
		f.reqRules, f.rspRules, f.afterRules = rs.Req, rs.Rsp, rs.After
		if f.statsRules, err = rules.CompileStats(p, f.errs, f.copts); err != nil {
			return nil, fmt.Errorf("frontend %q: %w", p.Name, err)
		}
		if p.MonitorURI != "" {
			f.monitorURI = []byte(p.MonitorURI)
			if f.monFail, err = compileMonitorFail(p, rt.acls); err != nil {
				return nil, err
			}
		}
		// The rules of every backend this frontend may reach.
		for _, be := range rt.backends {
			if be.Cfg == p || be.mode != config.ModeHTTP || rt.beRules[be] != nil {
				continue
			}
			rs, err := rules.CompileSet(be.Cfg, be.errs, f.copts)
			if err != nil {
				return nil, fmt.Errorf("backend %q: %w", be.Name, err)
			}
			if rt.beRules == nil {
				rt.beRules = map[*Backend]*rules.Set{}
			}
			rt.beRules[be] = rs
		}
	}
	if err := f.initStick(p); err != nil {
		return nil, err
	}
	if err := f.compileContentRules(p); err != nil {
		return nil, err
	}
	if rt.opt.LogHub != nil {
		l, err := rt.NewLogger(p)
		if err != nil {
			return nil, fmt.Errorf("frontend %q: %w", p.Name, err)
		}
		f.logger = l
	}
	f.captures = len(p.CaptureRequestHeaders)
	if f.rw, err = newFeRewrite(p, f.copts); err != nil {
		return nil, fmt.Errorf("frontend %q: unique-id-format: %w", p.Name, err)
	}
	// `compression` is the last of the frontend's filters, as
	// HAProxy's implicit compression filter.
	comp, err := newCompFilter(p, false)
	if err != nil {
		return nil, fmt.Errorf("frontend %q: %w", p.Name, err)
	}
	if comp != nil {
		f.filters = append(f.filters, comp)
	}
	return f, nil
}

// NewLogger builds the traffic logger of proxy p on the process' log
// hub (Options.LogHub, which must be set), with p's log targets and
// format.
func (rt *Process) NewLogger(p *config.Proxy) (*tlog.Logger, error) {
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
		fm, err = tlog.Compile(fs, tlog.FormatOptions{HTTP: http, LogASAP: p.Options.LogASAP, PID: rt.opt.Pid, Expr: rt.logExpr})
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

// acceptLoop accepts connections on ln until it is closed; tb is the
// TLS side of an `ssl` bind (nil for a plain one).
func (f *Frontend) acceptLoop(ln net.Listener, tb *tlsBind) {
	rt := f.rt
	defer rt.wg.Done()
	h2c := f.isH2Listener(ln)
	var delay time.Duration
	var lastAlert time.Time
	for {
		if !rt.waitAcceptRate() || !f.waitFrontendSlot() || !f.waitRateLimit() || !rt.takeConn() {
			return
		}
		c, err := f.acceptConn(ln, tb)
		if err != nil {
			rt.releaseConn()
			if rt.stopping.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and friends: back off as net/http does (the
			// kernel's queue holds the clients meanwhile), saying so
			// once in a while rather than once per retry: near the
			// limit, accept fails and succeeds by turns.
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay < time.Second {
				delay *= 2
			}
			if now := time.Now(); now.Sub(lastAlert) >= acceptAlertEvery {
				lastAlert = now
				rt.log.Error().Err(err).Str("frontend", f.Name).Msg("accept failed, backing off and serving on")
			}
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
		ok, ctrs := f.connRulesStick(c)
		if !ok {
			f.DeniedConn.Add(1)
			c.Close()
			rt.releaseConn()
			continue
		}
		f.sessStart(now)
		rt.wg.Add(1)
		if h2c {
			go f.serveH2(c, now, ctrs)
		} else if tb != nil {
			go f.serveTLS(c, now, tb, ctrs)
		} else if f.mode == config.ModeHTTP {
			go f.serveHTTP(c, now, ctrs)
		} else {
			f.startTCP(c, now, ctrs)
		}
	}
}

// acceptAlertEvery is how often failing accepts (EMFILE, ENFILE) are
// logged at most, per listener.
const acceptAlertEvery = time.Minute

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

// pickBackend applies use_backend rules, then default_backend. x, when
// not nil, evaluates dynamic backend names.
func (f *Frontend) pickBackend(s acl.Sample) *Backend {
	return f.pickBackendX(s, nil)
}

// pickBackendX is pickBackend with an evaluation context for dynamic
// names (use_backend %[...]); without one they are evaluated on a
// temporary context.
func (f *Frontend) pickBackendX(s acl.Sample, x *sample.Ctx) *Backend {
	switch v := s.(type) {
	case *sample.HTTP:
		v.Backends = f.rt
	case *sample.Conn:
		v.Backends = f.rt
	}
	for i := range f.useBE {
		u := &f.useBE[i]
		if !u.cond.Eval(s) {
			continue
		}
		if u.dyn == nil {
			return u.be
		}
		if x == nil {
			x = &sample.Ctx{Frontend: f}
			switch v := s.(type) {
			case *sample.HTTP:
				x.Conn, x.Req = &v.Conn, v.Req
			case *sample.Conn:
				x.Conn, x.Payload = v, v.Peeked
			}
		}
		// As in HAProxy, a name that matches no backend of the right
		// mode ends the switching rules: default_backend applies.
		name := x.AppendName(u.dyn, 256)
		be := f.rt.beByName[string(name)]
		if be == nil || be.mode != f.mode {
			break
		}
		return be
	}
	return f.defaultBE
}

// Reaches reports whether b is the frontend's default backend or named
// by one of its use_backend rules (dynamic names aside).
func (f *Frontend) Reaches(b *Backend) bool {
	if f.defaultBE == b {
		return true
	}
	for _, u := range f.useBE {
		if u.be == b {
			return true
		}
	}
	return false
}
