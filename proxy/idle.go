package proxy

import (
	"errors"
	"io"
	"runtime"
	"time"
)

// errNoLot: this platform has no parking lot.
var errNoLot = errors.New("no parking lot")

// waitIdle waits for the first bytes of the next request with no
// buffer and no server connection held. A session idle for parkAfter
// is handed to the parking lot (park_linux.go) and waitIdle reports
// parked: the goroutine is given up, and the lot starts another that
// comes back here (s.resumed) when the client sends, closes, or the
// idle deadline passes.
func (s *httpSession) waitIdle(rs *reqStart) (parked bool, err error) {
	if s.resumed {
		s.resumed = false
		rs.start = time.Unix(0, s.idleSince.Load())
	} else {
		s.releaseWork()
		if s.sc != nil {
			s.sc.srv.putIdle(s.sc, rs.start)
			s.sc = nil
		}
		s.idleSince.Store(rs.start.UnixNano())
		s.idle.Store(true)
		if s.nreq > 0 {
			// The client is reading the response just sent: let the
			// other sessions run first so that the read below usually
			// finds the next request instead of EAGAIN.
			runtime.Gosched()
		}
	}
	lot := s.rt.lot
	for {
		stopping := s.stop.Load()
		var deadline time.Time
		if t := s.idleTimeout(stopping); t > 0 {
			deadline = rs.start.Add(t)
		}
		now := time.Now()
		parkable := lot != nil && s.rc != nil && !stopping && !s.killed.Load() &&
			(deadline.IsZero() || deadline.Sub(now) > parkAfter)
		if parkable {
			// Wait in Go's poller for parkAfter (re-armed at most every
			// parkAfter/2, so a busy connection rarely moves its timer).
			s.dl.setReadSlack(s.c, now, parkAfter, parkAfter/2)
		} else {
			s.dl.setReadExact(s.c, deadline)
		}
		err = s.readIdle()
		if err == nil {
			break
		}
		if parkable && isTimeout(err) && (deadline.IsZero() || time.Now().Before(deadline)) {
			// Everything the next goroutine reads is written before
			// the session is armed in the lot.
			s.resumed = true
			if lot.park(s, deadline) {
				return true, nil
			}
			s.resumed = false
			lot = nil // cannot park: wait here
			continue
		}
		s.idle.Store(false)
		return false, err
	}
	s.idle.Store(false)
	if s.stop.Load() {
		// A soft stop set the deadline behind the cache's back.
		s.dl.rd = time.Time{}
	}
	return false, nil
}

// readIdle reads the first bytes of a request straight into a pooled
// buffer taken inside the read callback and given back on EAGAIN, so
// that a waiting connection holds no buffer and no extra syscall is
// made.
func (s *httpSession) readIdle() error {
	if s.rc == nil {
		return nil // a plain net.Conn: readRequest's read waits
	}
	s.rn, s.rerr = 0, nil
	err := s.rc.Read(s.readFn)
	if err == nil {
		err = s.rerr
		if err == nil && s.rn == 0 {
			err = io.EOF
		}
	}
	if err == nil {
		s.inLen = s.rn
	}
	return err
}

// unpark takes a parked session up again on a new goroutine; it reports
// whether the session was parked.
func (s *httpSession) unpark() bool {
	if !s.parked.CompareAndSwap(true, false) {
		return false
	}
	go s.serve()
	return true
}
