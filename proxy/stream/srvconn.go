package stream

import (
	"net"
	"syscall"
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

// livenessAfter is how long a connection may sit in the pool before it
// is checked before reuse: servers close idle connections after a
// timeout of their own (Apache 5 s, Node 5 s, gunicorn 2 s), and a
// request sent on such a connection fails, which cannot be retried once
// its body has streamed or when it is not idempotent. Connections idle
// for less are used at once, which keeps the keep-alive path to one
// syscall less under load.
const livenessAfter = time.Millisecond

// alive reports whether the server has neither closed the idle
// connection nor sent anything on it: a non-blocking peek finds no
// byte and no end of file.
func (sc *srvConn) alive() bool {
	rc, ok := sc.c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := rc.SyscallConn()
	if err != nil {
		return false
	}
	ok = false
	var b [1]byte
	err = raw.Read(func(fd uintptr) bool {
		_, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		ok = rerr == syscall.EAGAIN
		return true
	})
	return err == nil && ok
}

// getIdle takes the most recently used idle connection, or nil.
func (s *Server) getIdle(now time.Time) *srvConn {
	s.pmu.Lock()
	for n := len(s.idle); n > 0; n = len(s.idle) {
		sc := s.idle[n-1]
		s.idle[n-1] = nil
		s.idle = s.idle[:n-1]
		if age := now.Sub(sc.idleAt); age < idleMaxAge {
			s.pmu.Unlock()
			if age < livenessAfter || sc.alive() {
				sc.reused = true
				return sc
			}
			sc.c.Close()
			s.pmu.Lock()
			continue
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
	if s.h2p != nil {
		s.h2p.purge(maxAge)
	}
}
