package proxy

import (
	"fmt"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/check"
	"github.com/goha/goha/proxy/tlog"
)

// Tracking (`track [BACKEND/]SERVER`): a server without checks of its own
// follows the operational state of another, which may itself track a
// third (a chain). The config parser has checked that every target
// exists and that no chain loops.

// initTracks links every tracking server to the server it follows.
func (rt *Runtime) initTracks() {
	for _, b := range rt.Backends() {
		for _, s := range b.Servers {
			if s.Cfg.Track == "" {
				continue
			}
			bn, sn := config.TrackTarget(b.Cfg, s.Cfg)
			tb := rt.FindBackend(bn)
			if tb == nil {
				continue
			}
			t := tb.FindServer(sn)
			if t == nil {
				continue
			}
			s.Health().Tracks = t
			t.Health().Trackers = append(t.Health().Trackers, s)
			s.SetCheckUp(t.CheckUp())
		}
	}
}

// propagateTrack hands s's operational state (up or down) to the servers
// tracking it, and theirs to the servers tracking them, logging each
// change as HAProxy does: "Server be/s2 is DOWN via be/s1. ...".
func (rt *Runtime) propagateTrack(s *Server) {
	up := s.CheckUp()
	for _, t := range s.Health().Trackers {
		if t.CheckUp() == up {
			continue
		}
		t.SetCheckUp(up)
		if t.AdminState() != AdminMaint {
			t.MarkChange(up)
			b := t.Backend
			act, bck := b.ActiveServers()
			who := "Server"
			if t.Cfg.Backup {
				who = "Backup Server"
			}
			word := "DOWN"
			if up {
				word = "UP"
			}
			e := check.Event{Up: up, Message: fmt.Sprintf("%s %s/%s is %s via %s/%s", who, b.Name, t.Name, word, s.Backend.Name, s.Name)}
			msg := e.StateMessage(act, bck, int(t.Scur.Load()), 0, 0)
			if up {
				rt.logEvent(b, tlog.Notice, msg, false)
			} else {
				rt.logEvent(b, tlog.Alert, msg, false)
			}
			rt.backendChanged(b)
		}
		rt.propagateTrack(t)
	}
}
