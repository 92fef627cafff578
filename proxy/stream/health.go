package stream

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha/goha/proxy/check"
)

// Health returns the server's health bookkeeping.
func (s *Server) Health() *Health { return s.hc }

// Health returns the backend's state-change bookkeeping.
func (b *Backend) Health() *BackendHealth { return b.hc }

// newHealth starts a server's and its backend's bookkeeping at now.
func newHealth(now time.Time) *Health {
	h := &Health{}
	h.LastChange.Store(now.UnixNano())
	return h
}

// Health is a server's health and state-change bookkeeping: the data
// the root package's check wiring keeps up to date, read by `show stat`.
type Health struct {
	// Chk is the server's checker (nil without `check`); it is replaced
	// when the address changes at run time (checks follow the server).
	Chk atomic.Pointer[check.Checker]
	// StopChk ends the current checker's goroutine (guarded by Mu).
	Mu      sync.Mutex
	StopChk context.CancelFunc
	// CheckOff is `disable health`; NoLB is `set server health
	// stopping` (NOLB).
	CheckOff atomic.Bool
	NoLB     atomic.Bool
	// LastChange is when the server last changed state (Unix ns);
	// DownSince when it went down (0 while up); Downtime the total time
	// spent down before DownSince.
	LastChange atomic.Int64
	DownSince  atomic.Int64
	Downtime   atomic.Int64
	// AddrFromCLI says the address was changed at runtime.
	AddrFromCLI atomic.Bool
	// Agent is the server's agent checker (nil without `agent-check`).
	Agent atomic.Pointer[check.Agent]
}

// BackendHealth is a backend's state-change bookkeeping (UP/DOWN as a
// whole).
type BackendHealth struct {
	Mu         sync.Mutex
	Down       bool
	LastChange atomic.Int64
	DownSince  atomic.Int64
	Downtime   atomic.Int64
}

// MarkChange records a server going up (usable) or down.
func (s *Server) MarkChange(up bool) {
	now := time.Now().UnixNano()
	s.hc.LastChange.Store(now)
	if up {
		if d := s.hc.DownSince.Swap(0); d != 0 {
			s.hc.Downtime.Add(now - d)
		}
	} else {
		s.hc.DownSince.CompareAndSwap(0, now)
	}
}

// HasCheck reports whether the server has a health checker.
func (s *Server) HasCheck() bool { return s.hc != nil && s.hc.Chk.Load() != nil }

// CheckEnabled reports whether the server's checks run (`check`
// configured and not `disable health`).
func (s *Server) CheckEnabled() bool { return s.HasCheck() && !s.hc.CheckOff.Load() }

// CheckSnapshot returns the checker's state; false without checks.
func (s *Server) CheckSnapshot() (check.Snapshot, bool) {
	if !s.HasCheck() {
		return check.Snapshot{}, false
	}
	return s.hc.Chk.Load().Snapshot(), true
}

// ServerStatus returns the server's `show stat` status: "MAINT", "DRAIN",
// "NOLB", "no check", or the check state ("UP", "DOWN", "UP 1/3"...).
func (s *Server) ServerStatus() string {
	switch {
	case s.ResolvMaint():
		return "MAINT (resolution)"
	case s.AdminState() == AdminMaint:
		return "MAINT"
	case s.hc.NoLB.Load() && s.CheckUp() == false:
		return "NOLB"
	}
	if st, ok := s.agentStatus(); ok {
		return st
	}
	snap, ok := s.CheckSnapshot()
	checked := ok && !s.hc.CheckOff.Load()
	up := s.CheckUp()
	if checked {
		snap.Up = up
		st := snap.StateString()
		if up && s.AdminState() == AdminDrain {
			return "DRAIN"
		}
		return st
	}
	if !up {
		return "DOWN"
	}
	if s.AdminState() == AdminDrain {
		return "DRAIN"
	}
	return "no check"
}

// LastChange returns when the server last changed state.
func (s *Server) LastChange() time.Time { return time.Unix(0, s.hc.LastChange.Load()) }

// Downtime returns the total time the server spent down.
func (s *Server) Downtime() time.Duration {
	d := s.hc.Downtime.Load()
	if since := s.hc.DownSince.Load(); since != 0 {
		d += time.Now().UnixNano() - since
	}
	return time.Duration(d)
}

// AddrChanged reports whether the address was changed at runtime.
func (s *Server) AddrChanged() bool { return s.hc.AddrFromCLI.Load() }
