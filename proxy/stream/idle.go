package stream

import (
	"io"
	"runtime"
	"time"

	"github.com/goha/goha/proxy/relay"
)

// waitIdle waits for the first bytes of the next request with no
// buffer and no server connection held. A session idle for
// relay.ParkAfter is handed to the parking lot (relay.Lot) and waitIdle
// reports parked: the goroutine is given up, and the lot starts another
// that comes back here (s.resumed) when the client sends, closes, or the
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
			(deadline.IsZero() || deadline.Sub(now) > relay.ParkAfter)
		if parkable {
			// Wait in Go's poller for ParkAfter (re-armed at most every
			// ParkAfter/2, so a busy connection rarely moves its timer).
			s.dl.setReadSlack(s.c, now, relay.ParkAfter, relay.ParkAfter/2)
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
			if lot.Park(s, deadline) {
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
		s.dl.rd = 0
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
	if s.readFn == nil {
		return s.readIdleTLS()
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
	if !s.parking.TakeUp() {
		return false
	}
	go s.serve()
	return true
}

// Control, Parking and Unpark make the session a relay.Parkable.
func (s *httpSession) Control(f func(fd uintptr)) error { return s.rc.Control(f) }

// Parking returns the session's parking state.
func (s *httpSession) Parking() *relay.Parking { return &s.parking }

// Unpark resumes the session if it is parked (the lot's wake-up).
func (s *httpSession) Unpark() { s.unpark() }
