package proxy

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/goha/goha/proxy/check"
	"github.com/goha/goha/proxy/stats"
	"github.com/goha/goha/proxy/tlog"
)

// Agent checks (`agent-check`): a checker per server besides its health
// checker, whose answers change the server's weight, maxconn and
// administrative state at once, and its health: a server is up when its
// health checks (if any) and its agent (if any) both say so.

// initAgents builds the agent checker of every server that has one.
// Called by initObserve; nothing runs until startAgents.
func (rt *Runtime) initAgents() {
	for _, b := range rt.Backends() {
		for _, s := range b.Servers {
			cfg, ok := check.AgentFromConfig(b.Cfg, s.Cfg)
			if !ok {
				continue
			}
			a := check.NewAgent(cfg, func(r check.AgentReply) string { return rt.agentApply(s, r) },
				func(e check.Event) { rt.agentEvent(s, e) })
			s.Health().Agent.Store(a)
		}
	}
}

// startAgents runs the agent checkers until the runtime stops checking,
// their first checks spread over the longest agent interval.
func (rt *Runtime) startAgents(ctx context.Context) {
	var agents []*check.Agent
	var maxInter time.Duration
	for _, b := range rt.Backends() {
		for _, s := range b.Servers {
			if a := s.Health().Agent.Load(); a != nil {
				agents = append(agents, a)
				maxInter = max(maxInter, a.Inter())
			}
		}
	}
	o := &rt.obs
	for i, a := range agents {
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			a.Run(ctx, check.Spread(i, len(agents), maxInter))
		}()
	}
}

// agentApply applies an agent's words on administrative state, weight
// and maxconn (in HAProxy's order); it returns the first warning.
func (rt *Runtime) agentApply(s *Server, r check.AgentReply) string {
	switch r.Admin {
	case "ready":
		rt.ServerAdmin(s, AdminReady)
	case "drain":
		rt.ServerAdmin(s, AdminDrain)
	case "maint":
		rt.ServerAdmin(s, AdminMaint)
	}
	warn := ""
	if r.Weight != "" {
		w, err := check.ParseWeight(r.Weight, s.InitialWeight())
		if err == nil {
			err = s.SetWeight(w)
		}
		if err != nil {
			warn = err.Error()
		}
	}
	if r.Maxconn != "" {
		n, err := strconv.Atoi(r.Maxconn)
		switch {
		case err != nil || n < 0:
			if warn == "" {
				warn = fmt.Sprintf("invalid maxconn %q", r.Maxconn)
			}
		default:
			s.SetMaxconn(n)
		}
	}
	return warn
}

// healthUp reports whether s's health checks (if running) say it is up.
func healthUp(s *Server) bool {
	c := s.Health().Chk.Load()
	return c == nil || s.Health().CheckOff.Load() || c.Snapshot().Up
}

// agentUp reports whether s's agent (if any) lets it be up.
func agentUp(s *Server) bool {
	a := s.Health().Agent.Load()
	return a == nil || a.Snapshot().Up
}

// agentEvent applies the agent's verdict turning up or down: the server
// follows when its health checks agree, and the change is logged as a
// health check's.
func (rt *Runtime) agentEvent(s *Server, e check.Event) {
	up := e.Up && healthUp(s)
	if up == s.CheckUp() {
		return
	}
	s.SetCheckUp(up)
	if s.AdminState() == AdminMaint {
		return
	}
	s.MarkChange(up)
	b := s.Backend
	act, bck := b.ActiveServers()
	msg := e.StateMessage(act, bck, int(s.Scur.Load()), 0, 0)
	if up {
		rt.logEvent(b, tlog.Notice, msg, false)
	} else {
		rt.logEvent(b, tlog.Alert, msg, false)
	}
	if s.AdminState() == AdminDrain {
		rt.logEvent(b, tlog.Notice, fmt.Sprintf("Server %s/%s remains in forced drain mode.", b.Name, s.Name), false)
	}
	rt.backendChanged(b)
}

// agentColumns fills the agent columns of a server's `show stat` row.
func agentColumns(r *stats.Row, s *Server) {
	a := s.Health().Agent.Load()
	if a == nil {
		return
	}
	snap := a.Snapshot()
	st := snap.Last.Status
	r.SetStr(stats.ColAgentStatus, snap.Status())
	if st >= check.StatusL6OK && st != check.StatusChecked {
		r.Set(stats.ColAgentCode, int64(snap.Last.Code))
	}
	if snap.Last.Duration >= 0 {
		r.Set(stats.ColAgentDuration, snap.Last.Duration.Milliseconds())
	}
	r.SetStr(stats.ColAgentDesc, st.Desc())
	if snap.Last.Info != "" {
		r.SetStr(stats.ColLastAgt, snap.Last.Info)
	}
	r.Set(stats.ColAgentRise, 1)
	r.Set(stats.ColAgentFall, 1)
	r.Set(stats.ColAgentHealth, int64(is01(snap.Up)))
}

func is01(b bool) int {
	if b {
		return 1
	}
	return 0
}
