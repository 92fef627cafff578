//go:build linux

package relay

import (
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The TCP relay loop: mode tcp sessions, once connected, are moved off
// their goroutine onto an event loop over raw file descriptors, the way
// HAProxy and nginx relay. Measured on loopback against a goroutine per
// direction (strace, keep-alive request/response through mode tcp): the
// Go netpoller costs one read that returns EAGAIN before each wait (6
// reads and writes per request where an event loop needs 4) plus a
// goroutine wake-up per message; the loop collects a batch of readiness
// events with one epoll_wait and does only read and write per message,
// and an idle session holds no goroutine. Requests per proxy CPU-second
// against HAProxy went from 0.68x to about 1.0-1.1x.
//
// How it fits into Go's scheduler: each loop owns an epoll instance
// (edge-triggered registrations, never modified) and is an ordinary
// goroutine. Its epoll file descriptor is itself registered in Go's
// netpoller (an epoll descriptor is readable while it has ready events),
// so the goroutine collects events with a non-blocking epoll_wait and
// parks in the runtime's poller when there are none: no thread blocks in
// a system call, and under load one wake-up serves a whole batch.
//
// Readiness is tracked per descriptor (canR/canW) from the edge events.
// A read that returns less than the scratch buffer is taken to have
// drained the socket (the next edge event says when there is more),
// which is what saves the EAGAIN read; not so once the peer's end was
// reported (EPOLLRDHUP: no further edge would come). A write that cannot
// finish keeps the rest in a pooled buffer until the next writable edge.
// A direction that fills the buffer twice in a row switches to splice
// through its own pipe; there only EAGAIN means drained.
//
// Timeouts are checked by a sweep about once a second (a read deadline on
// the loop's epoll file wakes a parked loop), so an inactivity timeout
// fires between T and T+1s, as elsewhere in the data plane.
//
// Traps:
//   - The session's sockets are raw (Conn: detached into the relay) or
//     net.Conns, closed once their descriptors are duplicated into the
//     relay; a kill then works on the relay's descriptors with
//     shutdown(2) under the owner's lock (ShutdownLocked), never
//     close(2), so a descriptor number is never touched after the loop
//     closed it.
//   - Non-blocking system calls go through RawSyscall (see rawRead): a
//     blocking one there would hold a P.
//   - Events carry a slot index and a generation, not a pointer: a stale
//     event for a reused slot is ignored by its generation.
//   - The session's end (Owner.Finish: counters, log, maxconn slots)
//     runs on the loop goroutine: it must not block.

const (
	// relayScratch is the loop's read buffer, and the size of a pending
	// buffer a slow writer keeps.
	relayScratch = 16 << 10
	// relayBudget is how many full reads one direction may do before the
	// loop turns to other sessions (it comes back before waiting).
	relayBudget = 8
	// relaySpliceAfter is how many consecutive full reads turn a
	// direction into a bulk stream moved with splice(2) through a pipe
	// (measured: splice loses on small messages, wins on bulk).
	relaySpliceAfter = 2
	// relaySweep is how often timeouts are checked.
	relaySweep = time.Second
	// relayChunk is the size of one block of the slot table.
	relayChunk = 1024
	// relayEvents is how many events one epoll_wait may return.
	relayEvents = 256
)

// relayLoops are the process' relay loops (one per GOMAXPROCS when
// started), created on first use; a loop that stays empty for two
// sweeps ends and is replaced on demand.
var relayLoops struct {
	mu    sync.Mutex
	loops []*relayLoop
	next  atomic.Uint32
}

// relayPend holds the pending buffers of slow writers.
var relayPend = sync.Pool{New: func() any { b := make([]byte, relayScratch); return &b }}

// relayLoop is one event loop.
type relayLoop struct {
	ep   int
	file *os.File
	rc   syscall.RawConn

	mu     sync.Mutex // free, count, closed, chunk creation
	free   []int32
	hi     int32 // slots in use are below hi
	count  int
	closed bool
	gen    uint32
	chunks [relayChunk]atomic.Pointer[[relayChunk]atomic.Pointer[Relay]]

	// Loop goroutine only.
	events    []unix.EpollEvent
	n         int
	buf       []byte
	now       int64
	nextSweep int64
	idle      int
	again     []*Relay
	waitFn    func(uintptr) bool
}

// Relay is a session's state in a loop. Side 0 is the client, side 1
// the server; direction d moves bytes from side d to side 1-d.
type Relay struct {
	o    Owner
	slot int32
	gen  uint32
	fd   [2]int
	tmo  [2]time.Duration // inactivity timeout of each side

	// Loop goroutine only.
	canR, canW [2]bool
	hup        [2]bool // side's end (or an error) is known to be pending
	eof        [2]bool // direction d read its end
	shut       [2]bool // direction d passed the end on (shutdown)
	pend       [2][]byte
	pbuf       [2]*[]byte
	bulk       [2]int    // consecutive full reads of direction d
	pipe       [2][2]int // direction d's splice pipe (read, write ends), once bulk
	inPipe     [2]int    // bytes in direction d's pipe
	n          [2]int64
	last       int64
	queued     bool // in l.again

	held   bool // fd holds the session's descriptors (under the owner's lock)
	closed bool // descriptors closed (under the owner's lock)
}

// New returns the relay of o's session, with the inactivity timeouts of
// its client and server sides; Start hands it to a loop.
func New(o Owner, tmoCli, tmoSrv time.Duration) *Relay {
	return &Relay{o: o, tmo: [2]time.Duration{tmoCli, tmoSrv}}
}

// Start hands the session's two connections to a relay loop. false means
// the connections are not both plain TCP sockets (or the loop could not
// take them): they are left to the session as they were (Usable turns a
// raw one into a net.Conn for a relay on its goroutine). On true the loop
// owns the session, and ends it with the owner's Finish; cli and srv are
// closed (their descriptors belong to the loop).
func (r *Relay) Start(cli, srv net.Conn) bool {
	var fds [2]int
	conns := [2]net.Conn{cli, srv}
	for i, c := range conns {
		fd, ok := -1, false
		if _, raw := c.(*Conn); !raw {
			fd, ok = dupConnFD(c)
		} else {
			ok = true // taken below, under the owner's lock
		}
		if !ok {
			if i == 1 && fds[0] >= 0 {
				unix.Close(fds[0])
			}
			return false
		}
		fds[i] = fd
	}
	o := r.o
	r.last = time.Now().UnixNano()
	o.Lock()
	for i, c := range conns {
		if rc, raw := c.(*Conn); raw {
			fds[i] = rc.Detach() // -1 if a kill closed it
		}
	}
	r.fd = fds
	r.held = true
	o.Unlock()
	if fds[0] < 0 || fds[1] < 0 || !addRelay(r) {
		o.Lock()
		r.held = false
		for i, c := range conns {
			if fds[i] < 0 {
				continue
			}
			if rc, raw := c.(*Conn); raw {
				rc.Attach(fds[i]) // give it back
			} else {
				unix.Close(fds[i])
			}
		}
		o.Unlock()
		return false
	}
	// The loop may already have finished the session: Close is safe to
	// repeat.
	cli.Close()
	srv.Close()
	if o.Killed() {
		o.Lock()
		r.ShutdownLocked()
		o.Unlock()
	}
	return true
}

// ShutdownLocked shuts both sockets down so that the loop ends the relay
// (a kill); the owner's lock is held. false means the relay does not
// hold the session's descriptors (Start has not taken them, or gave them
// back): close the connections instead.
func (r *Relay) ShutdownLocked() bool {
	if !r.held {
		return false
	}
	if !r.closed {
		rawShutdown(r.fd[0], unix.SHUT_RDWR)
		rawShutdown(r.fd[1], unix.SHUT_RDWR)
	}
	return true
}

// dupConnFD duplicates a TCP connection's descriptor (close-on-exec,
// still non-blocking: the flag belongs to the shared file description).
func dupConnFD(c net.Conn) (int, bool) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return -1, false
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return -1, false
	}
	nfd := -1
	var derr error
	err = rc.Control(func(fd uintptr) {
		nfd, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	})
	if err != nil || derr != nil {
		return -1, false
	}
	return nfd, true
}

// addRelay registers r with a loop, starting loops on first use.
func addRelay(r *Relay) bool {
	for tries := 0; tries < 3; tries++ {
		l := pickLoop()
		if l == nil {
			return false
		}
		switch l.add(r) {
		case nil:
			return true
		case errLoopClosed:
			continue
		default:
			return false
		}
	}
	return false
}

var errLoopClosed = errors.New("relay loop closed")

// pickLoop returns a live loop, round robin.
func pickLoop() *relayLoop {
	i := relayLoops.next.Add(1)
	relayLoops.mu.Lock()
	defer relayLoops.mu.Unlock()
	want := runtime.GOMAXPROCS(0)
	if len(relayLoops.loops) < want {
		l, err := newRelayLoop()
		if err != nil {
			if len(relayLoops.loops) == 0 {
				return nil
			}
		} else {
			relayLoops.loops = append(relayLoops.loops, l)
			go l.run()
		}
	}
	return relayLoops.loops[int(i%uint32(len(relayLoops.loops)))]
}

// newPolledEpoll creates a non-blocking epoll instance wrapped in an
// os.File, so that its goroutine waits for it in Go's netpoller (an epoll
// descriptor is readable while it has ready events).
func newPolledEpoll(name string) (int, *os.File, syscall.RawConn, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return 0, nil, nil, err
	}
	if err := unix.SetNonblock(ep, true); err != nil {
		unix.Close(ep)
		return 0, nil, nil, err
	}
	f := os.NewFile(uintptr(ep), name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return 0, nil, nil, err
	}
	return ep, f, rc, nil
}

func newRelayLoop() (*relayLoop, error) {
	ep, f, rc, err := newPolledEpoll("relay-epoll")
	if err != nil {
		return nil, err
	}
	l := &relayLoop{ep: ep, file: f, rc: rc, events: make([]unix.EpollEvent, relayEvents), buf: make([]byte, relayScratch)}
	l.waitFn = func(fd uintptr) bool {
		for {
			n, err := rawEpollWait(int(fd), l.events)
			if err == unix.EINTR {
				continue
			}
			if n < 0 {
				n = 0
			}
			l.n = n
			return n > 0 || err != nil
		}
	}
	return l, nil
}

// add gives r a slot and registers its descriptors.
func (l *relayLoop) add(r *Relay) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return errLoopClosed
	}
	var slot int32
	if k := len(l.free); k > 0 {
		slot = l.free[k-1]
		l.free = l.free[:k-1]
	} else {
		if int(l.hi) >= relayChunk*relayChunk {
			l.mu.Unlock()
			return errors.New("relay loop full")
		}
		slot = l.hi
		l.hi++
		if l.chunks[slot/relayChunk].Load() == nil {
			l.chunks[slot/relayChunk].Store(new([relayChunk]atomic.Pointer[Relay]))
		}
	}
	l.gen++
	r.slot, r.gen = slot, l.gen
	l.count++
	l.chunks[slot/relayChunk].Load()[slot%relayChunk].Store(r)
	l.mu.Unlock()
	for side := 0; side < 2; side++ {
		ev := unix.EpollEvent{
			Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET,
			Fd:     slot<<1 | int32(side),
			Pad:    int32(r.gen),
		}
		if err := unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, r.fd[side], &ev); err != nil {
			if side == 1 {
				unix.EpollCtl(l.ep, unix.EPOLL_CTL_DEL, r.fd[0], nil)
			}
			l.release(r)
			return err
		}
	}
	return nil
}

// release frees r's slot.
func (l *relayLoop) release(r *Relay) {
	l.mu.Lock()
	l.chunks[r.slot/relayChunk].Load()[r.slot%relayChunk].Store(nil)
	l.free = append(l.free, r.slot)
	l.count--
	l.mu.Unlock()
}

func (l *relayLoop) lookup(slot int32) *Relay {
	if slot < 0 || slot >= relayChunk*relayChunk {
		return nil
	}
	c := l.chunks[slot/relayChunk].Load()
	if c == nil {
		return nil
	}
	return c[slot%relayChunk].Load()
}

// run is the loop goroutine. It ends when the loop has had no session
// for two sweeps.
func (l *relayLoop) run() {
	l.now = time.Now().UnixNano()
	l.nextSweep = l.now + int64(relaySweep)
	l.file.SetReadDeadline(time.Unix(0, l.nextSweep))
	for {
		var err error
		if len(l.again) > 0 {
			l.waitFn(uintptr(l.ep))
		} else {
			err = l.rc.Read(l.waitFn)
		}
		l.now = time.Now().UnixNano()
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			// The epoll file cannot fail short of being closed, which
			// only run does.
			l.n = 0
		}
		for _, ev := range l.events[:l.n] {
			r := l.lookup(ev.Fd >> 1)
			if r == nil || r.gen != uint32(ev.Pad) {
				continue
			}
			side := ev.Fd & 1
			if ev.Events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
				r.canR[side] = true
			}
			if ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
				r.hup[side] = true
			}
			if ev.Events&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
				r.canW[side] = true
			}
			if !r.queued {
				r.pump(l)
			}
		}
		l.n = 0
		if len(l.again) > 0 {
			again := l.again
			l.again = nil
			for i, r := range again {
				again[i] = nil
				r.queued = false
				if !r.closed {
					r.pump(l)
				}
			}
			if l.again == nil {
				l.again = again[:0]
			}
		}
		if l.now >= l.nextSweep {
			if l.sweep() {
				return
			}
		}
	}
}

// sweep ends sessions idle past their timeout; true when the loop has
// ended (empty for two sweeps).
func (l *relayLoop) sweep() bool {
	l.nextSweep = l.now + int64(relaySweep)
	l.mu.Lock()
	hi, count := l.hi, l.count
	if count == 0 {
		l.idle++
		if l.idle >= 2 {
			l.closed = true
			l.mu.Unlock()
			relayLoops.mu.Lock()
			for i, x := range relayLoops.loops {
				if x == l {
					relayLoops.loops = append(relayLoops.loops[:i], relayLoops.loops[i+1:]...)
					break
				}
			}
			relayLoops.mu.Unlock()
			l.file.Close()
			return true
		}
	} else {
		l.idle = 0
	}
	l.mu.Unlock()
	for slot := int32(0); slot < hi; slot++ {
		r := l.lookup(slot)
		if r == nil || r.closed {
			continue
		}
		idle := time.Duration(l.now - r.last)
		for side := 0; side < 2; side++ {
			open := !r.eof[side] || len(r.pend[1-side]) > 0 || r.inPipe[1-side] > 0
			if t := r.tmo[side]; t > 0 && open && idle >= t {
				who := byte('c')
				if side == 1 {
					who = 's'
				}
				r.end(l, [2]byte{who, 'D'})
				break
			}
		}
	}
	l.file.SetReadDeadline(time.Unix(0, l.nextSweep))
	return false
}

// pump moves what it can in both directions.
func (r *Relay) pump(l *relayLoop) {
	if r.move(l, 0) {
		r.move(l, 1)
	}
}

// who names side k for a termination state.
func sideWho(k int) byte {
	if k == 0 {
		return 'C'
	}
	return 'S'
}

// move moves bytes in direction d until it would block; false when the
// relay has ended.
func (r *Relay) move(l *relayLoop, d int) bool {
	full := 0
	for {
		var st relayStep
		switch {
		case len(r.pend[d]) > 0:
			st = r.flushPend(l, d)
		case r.inPipe[d] > 0:
			st = r.flushPipe(l, d)
		case r.eof[d]:
			st = r.atEOF(l, d)
		case !r.canR[d]:
			st = stepWait
		case full >= relayBudget:
			if !r.queued {
				r.queued = true
				l.again = append(l.again, r)
			}
			st = stepWait
		case r.pipe[d][1] > 0:
			st = r.spliceIn(l, d, &full)
		default:
			st = r.readWrite(l, d, &full)
		}
		switch st {
		case stepWait:
			return true
		case stepEnded:
			return false
		}
	}
}

// relayStep says what move does after one of its steps.
type relayStep uint8

const (
	stepAgain relayStep = iota // go on moving
	stepWait                   // wait for the next readiness event
	stepEnded                  // the relay has ended
)

// ioFailed handles a failed non-blocking call on side who: EAGAIN
// clears its readiness (ready), EINTR retries, anything else ends the
// relay.
func (r *Relay) ioFailed(l *relayLoop, err error, ready *bool, who byte) relayStep {
	switch err {
	case unix.EAGAIN:
		*ready = false
		return stepWait
	case unix.EINTR:
		return stepAgain
	}
	r.end(l, [2]byte{who, 'D'})
	return stepEnded
}

// flushPend writes the bytes a slow destination left pending.
func (r *Relay) flushPend(l *relayLoop, d int) relayStep {
	if !r.canW[1-d] {
		return stepWait
	}
	nw, err := rawWrite(r.fd[1-d], r.pend[d])
	if nw > 0 {
		r.pend[d] = r.pend[d][nw:]
	}
	if err != nil {
		return r.ioFailed(l, err, &r.canW[1-d], sideWho(1-d))
	}
	if len(r.pend[d]) == 0 {
		relayPend.Put(r.pbuf[d])
		r.pbuf[d], r.pend[d] = nil, nil
	}
	return stepAgain
}

// flushPipe splices what waits in the direction's pipe to the
// destination.
func (r *Relay) flushPipe(l *relayLoop, d int) relayStep {
	if !r.canW[1-d] {
		return stepWait
	}
	n, err := rawSplice(r.pipe[d][0], r.fd[1-d], r.inPipe[d])
	if n > 0 {
		r.inPipe[d] -= n
	}
	if err != nil {
		return r.ioFailed(l, err, &r.canW[1-d], sideWho(1-d))
	}
	return stepAgain
}

// atEOF passes the end of the source on once everything before it was
// written: a shutdown of the destination's write side, or the end of the
// relay when both ends are read.
func (r *Relay) atEOF(l *relayLoop, d int) relayStep {
	if !r.shut[d] {
		r.shut[d] = true
		if r.shut[1-d] {
			// Both ends read: close(2) sends the last FIN (no unread
			// bytes are left to turn it into a reset).
			r.end(l, [2]byte{'-', '-'})
			return stepEnded
		}
		rawShutdown(r.fd[1-d], unix.SHUT_WR)
	}
	return stepWait
}

// spliceIn moves source bytes into the direction's pipe (bulk streams).
func (r *Relay) spliceIn(l *relayLoop, d int, full *int) relayStep {
	n, err := rawSplice(r.fd[d], r.pipe[d][1], PipeChunk)
	if err != nil {
		return r.ioFailed(l, err, &r.canR[d], sideWho(d))
	}
	if n == 0 {
		r.eof[d] = true
		return stepAgain
	}
	r.inPipe[d] += n
	r.n[d] += int64(n)
	r.last = l.now
	// A short splice does not mean the socket is drained (the pipe's
	// slots may be full of small fragments): only EAGAIN does.
	*full++
	return stepAgain
}

// readWrite reads the source into the loop's buffer and writes it to the
// destination, keeping what does not fit in a pending buffer; a
// direction that keeps filling the buffer turns to splice.
func (r *Relay) readWrite(l *relayLoop, d int, full *int) relayStep {
	nr, err := rawRead(r.fd[d], l.buf)
	if err != nil {
		return r.ioFailed(l, err, &r.canR[d], sideWho(d))
	}
	if nr == 0 {
		r.eof[d] = true
		return stepAgain
	}
	r.n[d] += int64(nr)
	r.last = l.now
	if nr < len(l.buf) && !r.hup[d] {
		// A short read drained the socket: the next edge says when
		// there is more. Not so when the peer's end already came (no
		// further edge would announce it).
		r.canR[d] = false
		r.bulk[d] = 0
	} else {
		*full++
		r.bulk[d]++
	}
	b := l.buf[:nr]
	for len(b) > 0 && r.canW[1-d] {
		nw, err := rawWrite(r.fd[1-d], b)
		if nw > 0 {
			b = b[nw:]
		}
		if err != nil {
			if st := r.ioFailed(l, err, &r.canW[1-d], sideWho(1-d)); st == stepEnded {
				return st
			}
		}
	}
	if len(b) > 0 {
		bp := relayPend.Get().(*[]byte)
		r.pbuf[d] = bp
		r.pend[d] = (*bp)[:copy(*bp, b)]
	}
	if r.bulk[d] >= relaySpliceAfter && r.pipe[d][1] == 0 {
		// A bulk stream: splice from now on (after the pending bytes,
		// which go first).
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err == nil {
			r.pipe[d] = p
		} else {
			r.bulk[d] = -1 << 30 // no pipe to be had: stay with read/write
		}
	}
	return stepAgain
}

// end closes the relay's descriptors, frees its slot and finishes the
// session.
func (r *Relay) end(l *relayLoop, term [2]byte) {
	o := r.o
	o.Lock()
	r.closed = true
	rawClose(r.fd[0])
	rawClose(r.fd[1])
	o.Unlock()
	for d := 0; d < 2; d++ {
		if r.pipe[d][1] > 0 {
			rawClose(r.pipe[d][0])
			rawClose(r.pipe[d][1])
			r.pipe[d] = [2]int{}
		}
		if r.pbuf[d] != nil {
			relayPend.Put(r.pbuf[d])
			r.pbuf[d], r.pend[d] = nil, nil
		}
	}
	l.release(r)
	if o.Killed() {
		term = [2]byte{'K', 'D'}
	}
	o.Finish(r.n[0], r.n[1], term)
}
