//go:build linux

package relay

import (
	"errors"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The parking lot: an HTTP keep-alive connection with no request in
// flight holds no goroutine and no buffer. A session that has waited
// ParkAfter for its next request in Go's poller is handed to the lot
// and its goroutine ends; the lot's one goroutine watches every parked
// descriptor with an epoll instance of its own (one-shot registrations,
// re-armed at each parking) and starts a new goroutine for a session
// when its client sends bytes, closes, or when its idle deadline passes,
// a soft stop asks it to close sooner, or it is killed. The resumed
// session then does exactly what it would have done had it waited
// itself: reads its request, or finds the deadline past and ends.
//
// Why not park at once: a connection that is kept busy (the next request
// comes within microseconds) would pay an epoll_ctl and a goroutine
// start per request; waiting ParkAfter in Go's poller first costs those
// only to connections that are really idle, which is where memory
// matters (HAProxy holds an idle connection in about 1.1 KiB).
//
// The lot's epoll descriptor is itself registered in Go's netpoller, as
// the relay loops' are: the lot's goroutine parks in the runtime while
// nothing happens, and wakes once a second to check deadlines (so an
// idle timeout fires between T and T+1s, as elsewhere).

const (
	// ParkAfter is how long a session waits for its next request in Go's
	// poller before it gives up its goroutine.
	ParkAfter = 100 * time.Millisecond
	// parkSweep is how often parked deadlines are checked.
	parkSweep = 250 * time.Millisecond
	// parkBurst is how many connections parking since the last look
	// make a burst whose memory is handed back once it is over.
	parkBurst = 1024
)

// parkSlot is a parked session's registration, kept across parkings.
type parkSlot struct {
	s        Parkable
	gen      uint32
	deadline atomic.Int64 // Unix ns; 0 while not parked
}

// Lot is a runtime's parking lot.
type Lot struct {
	ep   int
	file *os.File
	rc   syscall.RawConn

	mu    sync.Mutex
	slots []*parkSlot
	free  []int32
	gen   uint32

	parkings atomic.Int64 // sessions parked, ever
	seen     int64        // parkings at the last sweep
	burst    int64        // parkings of the burst not yet followed by a quiet sweep

	events []unix.EpollEvent
	n      int
	waitFn func(fd uintptr) bool
}

// NewLot creates a lot and starts its goroutine, which ends when done
// is closed.
func NewLot(done <-chan struct{}) (*Lot, error) {
	ep, f, rc, err := newPolledEpoll("park-epoll")
	if err != nil {
		return nil, err
	}
	p := &Lot{ep: ep, file: f, rc: rc, events: make([]unix.EpollEvent, 256)}
	p.waitFn = func(fd uintptr) bool {
		for {
			n, err := rawEpollWait(int(fd), p.events)
			if err == unix.EINTR {
				continue
			}
			p.n = max(n, 0)
			return n > 0 || err != nil
		}
	}
	go p.run(done)
	return p, nil
}

// slotOf returns the index of s's slot, registering s's descriptor
// (disarmed) the first time.
func (p *Lot) slotOf(s Parkable, k *Parking) (int32, error) {
	if k.slot > 0 {
		return k.slot - 1, nil
	}
	p.mu.Lock()
	var i int32
	if k := len(p.free); k > 0 {
		i = p.free[k-1]
		p.free = p.free[:k-1]
	} else {
		i = int32(len(p.slots))
		p.slots = append(p.slots, new(parkSlot))
	}
	p.gen++
	sl := p.slots[i]
	sl.s, sl.gen = s, p.gen
	sl.deadline.Store(0)
	p.mu.Unlock()
	var err error
	cerr := s.Control(func(fd uintptr) {
		ev := unix.EpollEvent{Events: unix.EPOLLONESHOT, Fd: i, Pad: int32(sl.gen)}
		err = unix.EpollCtl(p.ep, unix.EPOLL_CTL_ADD, int(fd), &ev)
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		p.drop(i)
		return 0, err
	}
	k.slot = i + 1
	return i, nil
}

// Park hands s to the lot until its client sends something or deadline
// passes. It reports false when s could not be parked (the session then
// waits on its own). Once s counts as parked, whoever takes it up first
// (Parking.TakeUp) owns it: a true result may mean that another
// goroutine already resumed s.
func (p *Lot) Park(s Parkable, deadline time.Time) bool {
	k := s.Parking()
	i, err := p.slotOf(s, k)
	if err != nil {
		return false
	}
	p.mu.Lock()
	sl := p.slots[i]
	p.mu.Unlock()
	sl.deadline.Store(deadline.UnixNano())
	p.parkings.Add(1)
	k.parked.Store(true)
	cerr := s.Control(func(fd uintptr) {
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT, Fd: i, Pad: int32(sl.gen)}
		err = unix.EpollCtl(p.ep, unix.EPOLL_CTL_MOD, int(fd), &ev)
	})
	if err != nil || cerr != nil {
		// Not armed: take it back unless a kill or soft stop already did.
		return !k.TakeUp()
	}
	return true
}

// Release frees s's slot at the end of the session (its descriptor is
// about to be closed, which removes it from the epoll set).
func (p *Lot) Release(s Parkable) {
	if k := s.Parking(); k.slot > 0 {
		p.drop(k.slot - 1)
		k.slot = 0
	}
}

func (p *Lot) drop(i int32) {
	p.mu.Lock()
	sl := p.slots[i]
	sl.s = nil
	sl.deadline.Store(0)
	p.free = append(p.free, i)
	p.mu.Unlock()
}

// run is the lot's goroutine.
func (p *Lot) run(done <-chan struct{}) {
	defer p.file.Close()
	next := time.Now().Add(parkSweep)
	p.file.SetReadDeadline(next)
	for {
		err := p.rc.Read(p.waitFn)
		select {
		case <-done:
			return
		default:
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			p.n = 0
		}
		for _, ev := range p.events[:p.n] {
			p.wake(ev.Fd, uint32(ev.Pad))
		}
		p.n = 0
		if now := time.Now(); !now.Before(next) {
			p.sweep(now)
			next = now.Add(parkSweep)
			p.file.SetReadDeadline(next)
		}
	}
}

// wake resumes the session of slot i if the event is not stale.
func (p *Lot) wake(i int32, gen uint32) {
	p.mu.Lock()
	var s Parkable
	if i >= 0 && int(i) < len(p.slots) && p.slots[i].gen == gen {
		s = p.slots[i].s
	}
	p.mu.Unlock()
	if s != nil {
		s.Unpark()
	}
}

// sweep resumes the sessions whose idle deadline has passed; they find
// it past and end as a waiting session would.
func (p *Lot) sweep(now time.Time) {
	p.settle()
	var due []Parkable
	p.mu.Lock()
	for _, sl := range p.slots {
		if d := sl.deadline.Load(); sl.s != nil && d != 0 && d <= now.UnixNano() {
			due = append(due, sl.s)
		}
	}
	p.mu.Unlock()
	for _, s := range due {
		s.Unpark()
	}
}

// settle hands memory back after a burst of connections went idle: the
// setup garbage of thousands of new connections and the stacks of the
// goroutines they no longer hold would otherwise stay until the
// runtime's next forced collection (two minutes later) returns them. It
// acts once per burst, at the first sweep that sees no new parking, so a
// steady load never triggers it.
func (p *Lot) settle() {
	n := p.parkings.Load()
	delta := n - p.seen
	p.seen = n
	if delta > 0 {
		p.burst += delta
		return
	}
	if p.burst >= parkBurst {
		debug.FreeOSMemory()
	}
	p.burst = 0
}

// Parked returns how many sessions are parked (for tests).
func (p *Lot) Parked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, sl := range p.slots {
		if sl.s != nil && sl.s.Parking().Parked() {
			n++
		}
	}
	return n
}
