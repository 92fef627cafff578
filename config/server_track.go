package config

import (
	"strconv"
	"strings"
)

// `track [BACKEND/]SERVER`: a server following another's state, with
// HAProxy 2.6's checks of the chain once every section is read.

// serverTrack handles the `track` option.
func (p *parser) serverTrack(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'track' expects [<proxy>/]<server> as argument..")
	}
	l.s.Track = v
	return true
}

// checkTrackLine refuses `check` and `track` on one server line.
func (p *parser) checkTrackLine(l *serverLine) bool {
	if l.isDef || l.s.Track == "" || !l.s.Check {
		return true
	}
	return l.fail(p, "unable to enable checks and tracking at the same time!")
}

// TrackTarget splits a server's `track` value into the backend (its own
// when the value names none) and the server.
func TrackTarget(px *Proxy, s *Server) (backend, server string) {
	if b, srv, ok := strings.Cut(s.Track, "/"); ok {
		return b, srv
	}
	return px.Name, s.Track
}

// checkTracks checks every `track`: the server exists, the chain ends at
// a server with health or agent checks, and it does not loop.
func (p *parser) checkTracks(backends map[string]*Proxy) {
	find := func(px *Proxy, s *Server) (*Proxy, *Server, string) {
		bn, sn := TrackTarget(px, s)
		b, ok := backends[bn]
		if !ok {
			return nil, nil, "unable to find required proxy '" + bn + "' for tracking."
		}
		for _, t := range b.Servers {
			if t.Name == sn {
				return b, t, ""
			}
		}
		return nil, nil, "unable to find required server '" + sn + "' for tracking."
	}
	for _, px := range p.cfg.Proxies {
		for _, s := range px.Servers {
			if s.Track == "" || px.Disabled {
				continue
			}
			prefix := "[" + s.File + ":" + strconv.Itoa(s.Line) + "] : '" + "server " + px.Name + "/" + s.Name + "' : "
			bn, sn := TrackTarget(px, s)
			_, t, msg := find(px, s)
			if msg == "" && !t.Check && !t.Agent.Check && t.Track == "" {
				msg = "unable to use " + bn + "/" + sn + " for tracking as it does not have any check nor agent enabled."
			}
			if msg == "" && p.trackLoops(backends, px, s) {
				msg = "unable to track " + bn + "/" + sn + " as it belongs to a tracking chain looping back to " + px.Name + "/" + s.Name + "."
			}
			if msg != "" {
				p.checkAlert(s.File, s.Line, prefix+msg)
			}
		}
	}
}

// trackLoops reports whether following the chain from s comes back to s.
func (p *parser) trackLoops(backends map[string]*Proxy, px *Proxy, s *Server) bool {
	cur, curPx := s, px
	for range 4096 {
		bn, sn := TrackTarget(curPx, cur)
		b, ok := backends[bn]
		if !ok {
			return false
		}
		var next *Server
		for _, t := range b.Servers {
			if t.Name == sn {
				next = t
				break
			}
		}
		switch {
		case next == nil:
			return false
		case next == s:
			return true
		case next.Track == "":
			return false
		}
		cur, curPx = next, b
	}
	return false
}
