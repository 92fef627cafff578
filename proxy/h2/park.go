package h2

import (
	"errors"
	"time"
)

// Parking an idle server connection (Options.Lot): the reader, finding
// no stream open, waits parkAfter in Go's poller; if nothing comes
// it hands the connection to the lot and its goroutine ends, holding no
// buffer. The lot starts a new goroutine (resume) when the client sends,
// closes, or the idle deadline passes; a soft stop (GOAWAY written) or a
// kill takes it up at once. The resumed reader does what the waiting one
// would have: reads frames, or finds its deadline past and ends.

// parkAfter is how long an idle connection waits in Go's poller before
// it parks: relay.ParkAfter (this package imports only proxy/http1
// of goha's, hence Parker).
const parkAfter = 100 * time.Millisecond

// Parker is a parking lot for idle connections: proxy/stream adapts the
// runtime's relay.Lot to it.
type Parker interface {
	// Spot returns one connection's place in the lot: control runs f
	// with the connection's socket descriptor, and resume is called on a
	// new goroutine when the parked connection is taken up.
	Spot(control func(f func(fd uintptr)) error, resume func()) ParkSpot
}

// ParkSpot is one connection's place in a Parker.
type ParkSpot interface {
	// Park hands the connection over until its socket is readable or
	// closed, deadline passes, or Wake is called; false when it could
	// not. After true the connection belongs to whoever resumes it.
	Park(deadline time.Time) bool
	// Wake resumes the connection now if it is parked.
	Wake()
	// Release frees the place at the end of the connection.
	Release()
}

// errParked is the read loop's way to say that the connection is idle
// and may be parked.
var errParked = errors.New("h2: idle connection to park")

// parkable reports whether idle periods end in the lot.
func (c *conn) parkable() bool { return c.opts.Lot != nil && c.br.raw != nil && !c.client }

// park hands the idle connection to the lot; false means it could not
// (a stream, a GOAWAY or a kill came meanwhile) and the caller reads on.
// c.mu is held across the lot's registration so that sendGoAway and Kill
// either come before (and are seen here) or find the connection parked.
func (c *conn) park() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active > 0 || c.goawayOut || c.killed || c.dead != nil || c.br.buffered() > 0 {
		return false
	}
	deadline := c.idleUntil
	c.nc.SetReadDeadline(deadline) // the resumed read finds it past, or clears it
	c.idleArmed = true             // a new stream clears it
	c.br.release()
	if deadline.IsZero() {
		deadline = time.Now().Add(24 * time.Hour) // no timeout: look again then
	}
	if c.spot == nil {
		c.spot = c.opts.Lot.Spot(c.br.raw.rc.Control, c.resume)
	}
	return c.spot.Park(deadline)
}

// unpark takes the connection up again if it is parked (callers hold
// mu, which guards spot).
func (c *conn) unpark() {
	if c.spot != nil {
		c.spot.Wake()
	}
}

// resume reads on after a parking. A connection still idle whose
// deadline has not passed (woken by bytes, or by the lot's look at a
// connection without idle timeout) gets its deadline back: it parks
// again if nothing comes.
func (c *conn) resume() {
	c.mu.Lock()
	if now := time.Now(); c.active == 0 && !c.goawayOut && (c.idleUntil.IsZero() || now.Before(c.idleUntil)) {
		c.armIdleLocked(now)
	}
	c.mu.Unlock()
	c.runServer(c.readLoop(c.startPending))
}
