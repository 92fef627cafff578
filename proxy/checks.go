package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/goha/goha/proxy/check"
	"github.com/goha/goha/proxy/tlog"
)

// observe is the runtime's observability state: health checkers, event
// loggers of backends and the context that ends them and the rates
// sampler; the stats pages it builds live on their frontends. It is built by
// initObserve at the end of New and is immutable afterwards, except for
// the atomics and mutex-guarded parts it holds.
type observe struct {
	start time.Time

	// checked lists every server with a checker, in backend/server
	// order; ctx (set by Start) ends every checker.
	checked  []*Server
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once

	// evlog is each backend's event logger (server state changes), on
	// the backend's log targets (`log global` included).
	evlog map[*Backend]*tlog.Logger
}

// initObserve builds checkers, event loggers, rate counters and stats
// pages. Called once at the end of New; nothing runs until Start.
func (rt *Runtime) initObserve() error {
	o := &rt.obs
	o.start = time.Now()
	o.evlog = map[*Backend]*tlog.Logger{}
	for _, b := range rt.Backends() {
		if rt.Options().LogHub != nil {
			l, err := rt.NewLogger(b.Cfg)
			if err != nil {
				return fmt.Errorf("backend %q: %w", b.Name, err)
			}
			o.evlog[b] = l
		}
		for _, s := range b.Servers {
			if !s.Cfg.Check {
				continue
			}
			cfg, err := check.FromConfig(b.Cfg, s.Cfg)
			if err != nil {
				if errors.Is(err, check.ErrNoPort) {
					rt.log.Warn().Msgf("Health check for server %s/%s disabled: %v.", b.Name, s.Name, err)
					continue
				}
				return err
			}
			cfg.TLS = rt.checkTLS(s)
			c, err := rt.newChecker(s, cfg)
			if err != nil {
				return err
			}
			s.Health().Chk.Store(c)
			o.checked = append(o.checked, s)
		}
	}
	rt.initAgents()
	rt.initTracks()
	return rt.initStatsPages()
}

// startObserve starts the health checks (spread over the longest
// interval) and the rate sampler. Called by Start.
func (rt *Runtime) startObserve() {
	o := &rt.obs
	ctx, cancel := context.WithCancel(rt.Context())
	o.ctx, o.cancel = ctx, cancel
	var maxInter time.Duration
	for _, s := range o.checked {
		maxInter = max(maxInter, s.Health().Chk.Load().Config().Inter)
	}
	for i, s := range o.checked {
		c := s.Health().Chk.Load()
		if s.AdminState() == AdminMaint || s.ResolvMaint() {
			c.Pause()
		}
		rt.runChecker(s, c, check.Spread(i, len(o.checked), maxInter))
	}
	rt.startAgents(ctx)
	go rt.SampleRates(ctx)
}

// newChecker builds a checker for s whose events are applied only while
// it is s's current checker.
func (rt *Runtime) newChecker(s *Server, cfg check.Config) (*check.Checker, error) {
	cfg.Wrap = s.CheckWrap()
	var c *check.Checker
	cfg.Drained = func() bool { return s.Weight() == 0 }
	c, err := check.New(cfg, func(e check.Event) {
		if s.Health().Chk.Load() == c {
			rt.checkEvent(s, e)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("server %s/%s: check: %w", s.Backend.Name, s.Name, err)
	}
	return c, nil
}

// runChecker runs c for s until the runtime stops checking or c is
// replaced.
func (rt *Runtime) runChecker(s *Server, c *check.Checker, delay time.Duration) {
	o := &rt.obs
	ctx, cancel := context.WithCancel(o.ctx)
	s.Health().Mu.Lock()
	if s.Health().StopChk != nil {
		s.Health().StopChk()
	}
	s.Health().StopChk = cancel
	s.Health().Mu.Unlock()
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		c.Run(ctx, delay)
	}()
}

// followAddr replaces s's checker after an address change, unless the
// checks have their own `addr`: the new one probes the new address and
// starts from the server's current state.
func (rt *Runtime) followAddr(s *Server) error {
	old := s.Health().Chk.Load()
	if old == nil || s.Cfg.CheckAddr != "" || s.Cfg.Unix != "" {
		return nil
	}
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil {
		return nil
	}
	sc := *s.Cfg
	sc.Addr = host
	sc.Port, _ = strconv.Atoi(port)
	cfg, err := check.FromConfig(s.Backend.Cfg, &sc)
	if err != nil {
		return err
	}
	c, err := rt.newChecker(s, cfg)
	if err != nil {
		return err
	}
	if !s.CheckUp() {
		c.SetHealth(false)
	}
	if s.AdminState() == AdminMaint || s.ResolvMaint() || s.Health().CheckOff.Load() {
		c.Pause()
	}
	s.Health().Chk.Store(c)
	if rt.obs.ctx != nil && rt.obs.ctx.Err() == nil {
		rt.runChecker(s, c, 0)
	}
	return nil
}

// stopObserve stops the health checks: only the newest generation checks
// servers. Called by Soft/HardStop; it does not wait for checks in
// flight (they end with their context).
func (rt *Runtime) stopObserve() {
	rt.obs.stopOnce.Do(func() {
		if rt.obs.cancel != nil {
			rt.obs.cancel()
		}
	})
}

// Uptime returns how long ago the runtime was built.
func (rt *Runtime) Uptime() time.Duration { return time.Since(rt.obs.start) }

// StartTime returns when the runtime was built.
func (rt *Runtime) StartTime() time.Time { return rt.obs.start }

// LogHub returns the traffic log hub (nil without logs).
func (rt *Runtime) LogHub() *tlog.Hub { return rt.opt.LogHub }

// checkEvent applies a checker's event to the data plane and logs it.
func (rt *Runtime) checkEvent(s *Server, e check.Event) {
	b := s.Backend
	switch e.Kind {
	case check.EventHealth:
		rt.logEvent(b, tlog.Notice, e.Message, false)
	case check.EventState:
		if s.Health().CheckOff.Load() || s.AdminState() == AdminMaint || !agentUp(s) {
			return // an agent that took the server down keeps it so
		}
		s.Health().NoLB.Store(false) // a verdict replaces a forced NOLB
		s.SetCheckUp(e.Up)
		s.MarkChange(e.Up)
		act, bck := b.ActiveServers()
		msg := e.StateMessage(act, bck, int(s.Scur.Load()), 0, 0)
		if e.Up {
			rt.logEvent(b, tlog.Notice, msg, false)
		} else {
			rt.logEvent(b, tlog.Alert, msg, false)
		}
		rt.backendChanged(b)
		rt.propagateTrack(s)
	}
}

// logEvent sends a process event to the backend's log targets and the
// process log (stderr), as HAProxy's send_log + ha_warning/ha_alert do.
func (rt *Runtime) logEvent(b *Backend, level tlog.Level, msg string, alert bool) {
	if l := rt.obs.evlog[b]; l != nil {
		l.Send(level, msg)
	}
	if alert {
		rt.log.Error().Msg(msg)
	} else {
		rt.log.Warn().Msg(msg)
	}
}

// backendChanged logs "backend X has no server available!" when the
// last usable server of b went away, and tracks the backend's downtime.
func (rt *Runtime) backendChanged(b *Backend) {
	act, bck := b.ActiveServers()
	down := act+bck == 0 && len(b.ServerList()) > 0
	h := b.Health()
	h.Mu.Lock()
	changed := h.Down != down
	h.Down = down
	h.Mu.Unlock()
	if !changed {
		return
	}
	now := time.Now().UnixNano()
	h.LastChange.Store(now)
	if down {
		h.DownSince.Store(now)
		rt.logEvent(b, tlog.Emerg, fmt.Sprintf("backend %s has no server available!", b.Name), true)
	} else if d := h.DownSince.Swap(0); d != 0 {
		h.Downtime.Add(now - d)
	}
}

// ServerAdmin changes a server's administrative state as the runtime API
// and the stats page do: checks pause in maintenance and restart (server
// UP, checked at once) when it leaves it; the change is logged in
// HAProxy's words.
func (rt *Runtime) ServerAdmin(s *Server, a AdminState) {
	prev := s.AdminState()
	if prev == a {
		return
	}
	b := s.Backend
	wasUsable := s.Usable()
	s.SetAdminState(a)
	if c := s.Health().Chk.Load(); c != nil && !s.Health().CheckOff.Load() {
		switch {
		case a == AdminMaint:
			c.Pause()
		case prev == AdminMaint && !s.ResolvMaint():
			s.SetCheckUp(true) // before Resume: its first verdict wins
			c.Resume()
		}
	}
	act, bck := b.ActiveServers()
	name := b.Name + "/" + s.Name
	tail := fmt.Sprintf("%d active and %d backup servers left. %d sessions active, 0 requeued, 0 remaining in queue.", act, bck, s.Scur.Load())
	switch {
	case a == AdminMaint:
		s.MarkChange(false)
		if wasUsable {
			rt.logEvent(b, tlog.Alert, fmt.Sprintf("Server %s is going DOWN for maintenance. %s", name, tail), false)
		} else {
			rt.logEvent(b, tlog.Notice, fmt.Sprintf("Server %s was DOWN and now enters maintenance.", name), false)
		}
	case a == AdminDrain:
		if prev == AdminMaint {
			s.MarkChange(true)
		}
		rt.logEvent(b, tlog.Notice, fmt.Sprintf("Server %s enters drain state. %s", name, tail), false)
	case prev == AdminMaint:
		s.MarkChange(s.CheckUp())
		rt.logEvent(b, tlog.Notice, fmt.Sprintf("Server %s is UP/READY (leaving forced maintenance).", name), false)
	default:
		rt.logEvent(b, tlog.Notice, fmt.Sprintf("Server %s is UP/READY (leaving forced drain).", name), false)
	}
	rt.backendChanged(b)
}

// SetCheckEnabled is `enable|disable health`: disabled checks stop and
// the server counts as UP (HAProxy: "considered UP unless an agent check
// forces it down"); enabled checks restart with the server UP and a
// check at once.
func (rt *Runtime) SetCheckEnabled(s *Server, on bool) error {
	if !s.HasCheck() {
		if !on {
			return nil // nothing to stop, as HAProxy answers
		}
		return errors.New("Health check was not configured on this server, cannot enable.")
	}
	if s.Health().CheckOff.Load() == !on {
		return nil
	}
	c := s.Health().Chk.Load()
	if !on {
		s.Health().CheckOff.Store(true) // from now on, verdicts are ignored
		c.Pause()
	}
	// Either way the server is UP now (unchecked, or restarting its
	// checks UP); set it before Resume so that the first check's verdict
	// is not overwritten.
	if !s.CheckUp() {
		s.SetCheckUp(true)
		s.MarkChange(true)
		rt.backendChanged(s.Backend)
	}
	if on {
		s.Health().CheckOff.Store(false)
		if s.AdminState() != AdminMaint {
			c.Resume()
		}
	}
	return nil
}

// ServerHealth is what `set server B/S health` forces.
type ServerHealth int

// Forced health values.
const (
	HealthUp ServerHealth = iota
	HealthStopping
	HealthDown
)

// SetServerHealth forces the server's health as `set server B/S health`
// does, and logs "Server B/S is UP|DOWN, changed from CLI".
func (rt *Runtime) SetServerHealth(s *Server, h ServerHealth) {
	up := h != HealthDown
	s.Health().NoLB.Store(h == HealthStopping)
	if c := s.Health().Chk.Load(); c != nil {
		c.SetHealth(up)
	}
	was := s.CheckUp()
	usable := h == HealthUp
	s.SetCheckUp(usable)
	if was == usable {
		return
	}
	s.MarkChange(usable)
	b := s.Backend
	act, bck := b.ActiveServers()
	name := b.Name + "/" + s.Name
	if usable {
		rt.logEvent(b, tlog.Notice, fmt.Sprintf("Server %s is UP, changed from CLI. %d active and %d backup servers online. 0 sessions requeued, 0 total in queue.", name, act, bck), false)
	} else {
		word := "DOWN"
		if h == HealthStopping {
			word = "stopping"
		}
		rt.logEvent(b, tlog.Alert, fmt.Sprintf("Server %s is %s, changed from CLI. %d active and %d backup servers left. %d sessions active, 0 requeued, 0 remaining in queue.", name, word, act, bck, s.Scur.Load()), false)
	}
	rt.backendChanged(b)
}

// RestoreDown marks a checked server DOWN without a message, as a
// server-state file does for a server that was down (its next successful
// checks bring it back after rise).
func (rt *Runtime) RestoreDown(s *Server) {
	if !s.HasCheck() || !s.CheckUp() {
		return
	}
	s.Health().Chk.Load().SetHealth(false)
	s.SetCheckUp(false)
	s.MarkChange(false)
	rt.backendChanged(s.Backend)
}

// SetServerAddr changes a server's address at runtime (`set server addr`,
// server-state files) and remembers it was changed.
func (rt *Runtime) SetServerAddr(s *Server, ip string, port int) error {
	if err := s.SetAddr(ip, port); err != nil {
		return err
	}
	s.Health().AddrFromCLI.Store(true)
	return rt.followAddr(s)
}
