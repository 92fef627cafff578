package proxy

import (
	"net"
	"time"
)

// srvConn is a connection to a server, pooled between requests in HTTP
// mode.
type srvConn struct {
	c      net.Conn
	srv    *Server
	dl     deadlines
	idleAt time.Time
	reused bool // taken from the idle pool (may have been closed by the server)
}

// maxIdlePerServer bounds each server's idle pool.
const maxIdlePerServer = 256

// idleMaxAge is how long an idle pooled connection is kept (HAProxy's
// pool-purge-delay is 5s and halves the pool each time; goha closes
// connections idle longer than this).
const idleMaxAge = 10 * time.Second

// getIdle takes the most recently used idle connection, or nil.
func (s *Server) getIdle(now time.Time) *srvConn {
	s.pmu.Lock()
	for n := len(s.idle); n > 0; n = len(s.idle) {
		sc := s.idle[n-1]
		s.idle[n-1] = nil
		s.idle = s.idle[:n-1]
		if now.Sub(sc.idleAt) < idleMaxAge {
			s.pmu.Unlock()
			sc.reused = true
			return sc
		}
		s.pmu.Unlock()
		sc.c.Close()
		s.pmu.Lock()
	}
	s.pmu.Unlock()
	return nil
}

// putIdle returns a reusable connection to the pool (or closes it).
func (s *Server) putIdle(sc *srvConn, now time.Time) {
	if s.Backend.rt.stopping.Load() || s.AdminState() == AdminMaint || sc.srv != s {
		sc.c.Close()
		return
	}
	sc.idleAt = now
	s.pmu.Lock()
	if len(s.idle) >= maxIdlePerServer {
		s.pmu.Unlock()
		sc.c.Close()
		return
	}
	s.idle = append(s.idle, sc)
	s.pmu.Unlock()
}

// IdleConns returns the number of idle pooled connections.
func (s *Server) IdleConns() int {
	s.pmu.Lock()
	n := len(s.idle)
	s.pmu.Unlock()
	return n
}

// purgeIdle closes idle connections older than maxAge (0 = all).
func (s *Server) purgeIdle(maxAge time.Duration) {
	now := time.Now()
	s.pmu.Lock()
	keep := s.idle[:0]
	var drop []*srvConn
	for _, sc := range s.idle {
		if maxAge > 0 && now.Sub(sc.idleAt) < maxAge {
			keep = append(keep, sc)
		} else {
			drop = append(drop, sc)
		}
	}
	for i := len(keep); i < len(s.idle); i++ {
		s.idle[i] = nil
	}
	s.idle = keep
	s.pmu.Unlock()
	for _, sc := range drop {
		sc.c.Close()
	}
}
