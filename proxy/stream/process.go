package stream

import (
	"context"
	"errors"
	"fmt"
	"github.com/goha/goha/proxy/relay"
	"github.com/goha/goha/proxy/rules"
	"github.com/goha/goha/proxy/sample"
	"github.com/goha/goha/proxy/ssl"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/filter/cache"
	"github.com/goha/goha/proxy/tlog"
	"github.com/rs/zerolog"
)

// Options are what the worker gives the data plane besides the config.
type Options struct {
	// Log is the process event log ("Proxy fe stopped", ...).
	Log zerolog.Logger
	// Pid is the worker's PID; ProcessNum its relative number.
	Pid        int
	ProcessNum int
	// LogHub, when set, is where traffic logs go: New builds one
	// tlog.Logger per proxy on it from the proxy's log settings. nil
	// means no traffic logs.
	LogHub *tlog.Hub
	// TLS is the configuration's TLS (ssl.Build, run before the
	// privilege drop): the settings of every `ssl` bind and server. nil
	// when the configuration has none.
	TLS *ssl.Built
}

// Process is what one generation of the data plane shares between its
// sessions: every frontend, backend and server of a config, the
// process-wide limits and counters (global maxconn, connection slots,
// rates), the pools of work buffers, the registry of live sessions and
// the parking lot. New builds it; the root package (proxy.Runtime)
// wraps it with health checks, stats and the runtime API.
type Process struct {
	cfg *config.Config
	opt Options
	log zerolog.Logger

	frontends []*Frontend
	backends  []*Backend
	beByName  map[string]*Backend
	// beRules are the backends' HTTP rules, compiled once (frontend.go).
	beRules map[*Backend]*rules.Set
	// svc are the built-in services' sources (metrics.go); lst the
	// listeners of the frontends with socket-stats (listeners.go).
	svc services
	lst listeners

	bufsize    int
	maxrewrite int
	pvars      *sample.ProcVars // proc variables (rewrite.go)
	bufs       *bufPool
	works      sync.Pool
	worksHeld  atomic.Int64 // works taken and not given back
	// maps are the map files' live entries, shared by every converter
	// (the runtime API changes them).
	maps *sample.MapRefs
	// users indexes the userlists http_auth reads (userlists.go).
	users userIndex
	// acls are the ACL pattern references (`-f` files and ACL lines'
	// patterns), shared by every compiled condition; the runtime API
	// changes them.
	acls *acl.Refs
	// lot holds idle keep-alive connections without a goroutine (nil
	// where the platform has none).
	lot *relay.Lot

	// ActConn is the process' current number of connections (HAProxy's
	// CurrConns); MaxConn the global maxconn (0 = unlimited).
	ActConn  atomic.Int64
	maxconn  atomic.Int64
	slotFree chan struct{}
	// CumConns counts every accepted connection; CumReq every HTTP
	// request (show info).
	CumConns atomic.Int64
	CumReq   atomic.Int64

	ctx      context.Context
	cancel   context.CancelFunc
	started  atomic.Bool
	stopping atomic.Bool
	stopOnce sync.Once
	hardOnce sync.Once
	done     chan struct{}
	wg       sync.WaitGroup // accept loops and sessions

	smu      sync.Mutex
	sessions map[sessionCloser]struct{}

	rates rateSet   // rates.go
	comp  compState // compstats.go

	stk *stickProc // the stick tables (stick.go)

	caches map[string]*cache.Cache // the cache sections (cache.go)
}

// sessionCloser is what the process can do to a live session at stop.
type sessionCloser interface {
	// kill closes the session's connections now (hard stop).
	kill()
	// softStop asks the session to finish its current request and close;
	// an idle one closes once idle long enough.
	softStop()
}

// New builds frontends, backends and servers from cfg, compiles their
// rules and ACLs and loads error files. It opens no socket.
func New(cfg *config.Config, opt Options) (*Process, error) {
	rt := &Process{
		cfg:        cfg,
		opt:        opt,
		log:        opt.Log,
		beByName:   map[string]*Backend{},
		bufsize:    cfg.Global.TuneBufsize,
		maxrewrite: cfg.Global.TuneMaxrewrite,
		done:       make(chan struct{}),
		sessions:   map[sessionCloser]struct{}{},
		slotFree:   make(chan struct{}, 1),
	}
	if rt.bufsize <= 0 {
		rt.bufsize = 16384
	}
	if rt.maxrewrite <= 0 {
		rt.maxrewrite = 1024
	}
	if rt.maxrewrite >= rt.bufsize/2 {
		rt.maxrewrite = rt.bufsize / 2
	}
	rt.maxconn.Store(int64(cfg.Global.Maxconn))
	rt.bufs = newBufPool(rt.bufsize)
	rt.works.New = func() any { return newWork(rt.bufsize, cfg.Global.TuneMaxHdr) }
	rt.ctx, rt.cancel = context.WithCancel(context.Background())
	rt.maps = sample.NewMapRefs()
	rt.acls = acl.NewRefs()
	rt.pvars = sample.NewProcVars()
	if err := rt.setGlobalVars(); err != nil {
		return nil, err
	}
	stk, err := buildTables(cfg)
	if err != nil {
		return nil, err
	}
	rt.stk = stk
	rt.caches = buildCaches(cfg)

	for _, p := range cfg.Proxies {
		if !p.IsBackend() {
			continue
		}
		b, err := newBackend(rt, p)
		if err != nil {
			return nil, err
		}
		b.initDispatch()
		if err := b.initStick(rt); err != nil {
			return nil, err
		}
		b.ck = newCookiePersist(b)
		rt.backends = append(rt.backends, b)
		rt.beByName[p.Name] = b
	}
	for _, p := range cfg.Proxies {
		if !p.IsFrontend() {
			continue
		}
		f, err := newFrontend(rt, p)
		if err != nil {
			return nil, err
		}
		rt.frontends = append(rt.frontends, f)
	}
	rt.initRates()
	return rt, nil
}

// Frontends returns the frontends in config order.
func (rt *Process) Frontends() []*Frontend { return rt.frontends }

// Backends returns the backends in config order.
func (rt *Process) Backends() []*Backend { return rt.backends }

// FindBackend returns the backend named name, or nil.
func (rt *Process) FindBackend(name string) *Backend { return rt.beByName[name] }

// FindFrontend returns the frontend named name, or nil.
func (rt *Process) FindFrontend(name string) *Frontend {
	for _, f := range rt.frontends {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Maxconn returns the global maxconn (0 = unlimited).
func (rt *Process) Maxconn() int { return int(rt.maxconn.Load()) }

// SetMaxconn changes the global maxconn (`set maxconn global`).
func (rt *Process) SetMaxconn(n int) {
	rt.maxconn.Store(int64(n))
	rt.signalSlot()
}

// Stopping reports whether a soft stop is in progress.
func (rt *Process) Stopping() bool { return rt.stopping.Load() }

// Start serves every frontend bind on the listening sockets in lns, keyed
// by config.Bind.Key() (one key per port for port ranges). A missing key
// is an error and nothing is served.
func (rt *Process) Start(lns map[string]net.Listener) error {
	if !rt.started.CompareAndSwap(false, true) {
		return errors.New("proxy: Start called twice")
	}
	type pair struct {
		f   *Frontend
		ln  net.Listener
		tls *tlsBind // nil: a plain bind
	}
	var all []pair
	for _, f := range rt.frontends {
		if f.Cfg.Disabled {
			continue
		}
		nln := 0
		for i := range f.Cfg.Binds {
			b := &f.Cfg.Binds[i]
			for _, key := range bindKeys(*b) {
				ln, ok := lns[key]
				if !ok {
					return fmt.Errorf("frontend %q: no listening socket for bind %q (key %q)", f.Name, b.Addr, key)
				}
				nln++
				tb, err := rt.tlsBind(b, nln)
				if err != nil {
					return fmt.Errorf("frontend %q: %w", f.Name, err)
				}
				all = append(all, pair{f, ln, tb})
				if b.Proto == config.ProtoH2 && f.mode == config.ModeHTTP {
					f.h2ln = append(f.h2ln, ln)
				}
			}
		}
	}
	if lot, err := relay.NewLot(rt.done); err == nil {
		rt.lot = lot
	}
	for _, p := range all {
		p.f.lns = append(p.f.lns, p.ln)
		rt.wg.Add(1)
		go p.f.acceptLoop(p.ln, p.tls)
	}
	go rt.purgeLoop()
	rt.startStick()
	return nil
}

// purgeLoop closes pooled server connections idle for longer than
// idleMaxAge, until the process stops.
func (rt *Process) purgeLoop() {
	t := time.NewTicker(idleMaxAge / 4)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			for _, b := range rt.backends {
				for _, s := range b.ServerList() {
					s.purgeIdle(idleMaxAge)
				}
			}
		case <-rt.ctx.Done():
			return
		case <-rt.done:
			return
		}
	}
}

// bindKeys lists the listener keys of a bind line: one per port of a
// port range.
func bindKeys(b config.Bind) []string {
	if b.PortEnd == 0 || b.Network == "unix" {
		return []string{b.Key()}
	}
	host, port, err := net.SplitHostPort(b.Addr)
	if err != nil {
		return []string{b.Key()}
	}
	start := 0
	fmt.Sscanf(port, "%d", &start)
	var keys []string
	for p := start; p <= b.PortEnd; p++ {
		keys = append(keys, b.Network+":"+net.JoinHostPort(host, itoa(p)))
	}
	return keys
}

// SoftStop stops accepting (closes this process' listeners), lets
// in-flight requests finish, answers the next request of an idle
// keep-alive connection with "Connection: close", and closes idle
// connections that stay quiet (see softIdleGrace). Done is closed when
// every connection has ended.
func (rt *Process) SoftStop() {
	rt.stopOnce.Do(func() {
		rt.stopping.Store(true)
		for _, f := range rt.frontends {
			f.closeListeners()
			rt.log.Warn().Msgf("Proxy %s stopped (cumulated conns: FE: %d, BE: %d).", f.Name, f.ConnTot.Load(), rt.beConnTot(f.Name))
		}
		for _, b := range rt.backends {
			if rt.FindFrontend(b.Name) == nil {
				rt.log.Warn().Msgf("Proxy %s stopped (cumulated conns: FE: 0, BE: %d).", b.Name, b.Stot.Load())
			}
		}
		rt.smu.Lock()
		for s := range rt.sessions {
			s.softStop()
		}
		rt.smu.Unlock()
		go func() {
			rt.wg.Wait()
			rt.purgeIdle()
			close(rt.done)
		}()
	})
}

func (rt *Process) beConnTot(name string) int64 {
	if b := rt.beByName[name]; b != nil {
		return b.Stot.Load()
	}
	return 0
}

// Done is closed once a soft or hard stop has completed: no listener and
// no connection left.
func (rt *Process) Done() <-chan struct{} { return rt.done }

// HardStop closes every listener and connection now.
func (rt *Process) HardStop() {
	rt.SoftStop()
	rt.hardOnce.Do(func() {
		rt.cancel()
		rt.smu.Lock()
		for s := range rt.sessions {
			s.kill()
		}
		rt.smu.Unlock()
	})
}

// purgeIdle closes every pooled server connection.
func (rt *Process) purgeIdle() {
	for _, b := range rt.backends {
		for _, s := range b.ServerList() {
			s.purgeIdle(0)
		}
	}
}

func (rt *Process) addSession(s sessionCloser) {
	rt.smu.Lock()
	rt.sessions[s] = struct{}{}
	stopping := rt.stopping.Load()
	rt.smu.Unlock()
	rt.countListener(s, true)
	if stopping {
		s.softStop()
	}
}

func (rt *Process) removeSession(s sessionCloser) {
	rt.smu.Lock()
	delete(rt.sessions, s)
	rt.smu.Unlock()
	rt.countListener(s, false)
}

// takeConn counts a connection against the global maxconn, waiting while
// the process is full; false if stopping.
func (rt *Process) takeConn() bool {
	for {
		m := rt.maxconn.Load()
		n := rt.ActConn.Add(1)
		if m <= 0 || n <= m {
			return true
		}
		rt.ActConn.Add(-1)
		select {
		case <-rt.slotFree:
		case <-rt.ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
		if rt.stopping.Load() {
			return false
		}
	}
}

func (rt *Process) releaseConn() {
	rt.ActConn.Add(-1)
	rt.signalSlot()
}

func (rt *Process) signalSlot() {
	select {
	case rt.slotFree <- struct{}{}:
	default:
	}
}

// getWork takes a session's request/response buffers from the pool.
func (rt *Process) getWork() *work {
	rt.worksHeld.Add(1)
	return rt.works.Get().(*work)
}

// putWork gives them back.
func (rt *Process) putWork(w *work) {
	rt.worksHeld.Add(-1)
	rt.works.Put(w)
}

// Maps returns the process' live map references (`show map`, `add
// map` ...).
func (rt *Process) Maps() *sample.MapRefs { return rt.maps }

// ACLs returns the live ACL pattern references.
func (rt *Process) ACLs() *acl.Refs { return rt.acls }

// Config returns the configuration the process was built from.
func (rt *Process) Config() *config.Config { return rt.cfg }

// Options returns the options the process was built with.
func (rt *Process) Options() Options { return rt.opt }

// Context ends when the process stops hard.
func (rt *Process) Context() context.Context { return rt.ctx }
