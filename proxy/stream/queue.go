package stream

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/goha/goha/proxy/lb"
)

// The backend queue, as in HAProxy: a request that finds no server with
// a free slot waits, and a slot freed later is handed straight to the
// first waiter that can use it (HAProxy's process_srv_queue), so a
// newcomer never overtakes a waiter of its priority and no wake-up is
// lost. Newcomers go to the back of the queue while it is not empty;
// the queue is ordered as HAProxy's is by set-priority-class (a lower
// class first) then by the date of queueing moved by
// set-priority-offset, and in the order of arrival among equals. A request bound to a
// server by a hash algorithm waits for that server (HAProxy's server
// queue: the server's qcur); the others wait for any server (the
// backend's qcur). A waiter leaves when its slot comes, when `timeout
// queue` expires (sQ, 503), or when its client goes away (CQ, cli_abrt):
// the context given to acquire may carry a queueWatch for that.

// errNoServer: no usable server (503, SC). errQueueTimeout: timeout queue
// expired (503, sQ). errQueueAbort: the client left while its request
// waited (CQ). errStopped: the proxy is stopping (KQ).
var (
	errNoServer     = errors.New("no server available")
	errQueueTimeout = errors.New("queue timeout")
	errQueueAbort   = errors.New("client aborted while queued")
	errStopped      = errors.New("proxy stopped")
)

// waiter is one request queued for a server slot.
type waiter struct {
	ready  chan struct{} // closed once srv is set
	srv    *Server       // the slot handed over (set under qmu)
	target *Server       // the server the request is bound to; nil: any
	src    netip.Addr
	req    lb.Request
	avoid  *lb.Server
	// class and when order the queue: when is the date of queueing
	// (ms since queueEpoch) plus the priority offset.
	class, when int64
}

// queueEpoch is the origin of waiter.when.
var queueEpoch = time.Now()

// before reports whether w is served before o.
func (w *waiter) before(o *waiter) bool {
	if w.class != o.class {
		return w.class < o.class
	}
	return w.when < o.when
}

// queueWatch watches the client of a request while it waits in the queue:
// it calls gone (at most once) if the client goes away, until stop is
// called. It returns nil stop when it cannot watch.
type queueWatch func(gone func()) (stop func())

type queueWatchKey struct{}

// withQueueWatch returns ctx carrying w for acquire.
func withQueueWatch(ctx context.Context, w queueWatch) context.Context {
	return context.WithValue(ctx, queueWatchKey{}, w)
}

// acquire picks a server and takes a slot on it (Scur+1, balancer
// count), waiting in the queue when no server has room. avoid is skipped
// when possible (redispatch). It returns the server and the time spent
// queued.
func (b *Backend) acquire(ctx context.Context, src netip.Addr, req lb.Request, avoid *Server) (*Server, time.Duration, error) {
	if s := stickTarget(ctx); s != nil && avoid == nil {
		return b.acquireSticky(ctx, src, req, s)
	}
	w := waiter{src: src, req: req}
	if avoid != nil {
		w.avoid = &avoid.lbs
	}
	if b.waiting.Load() == 0 {
		s, err := b.pickFree(&w)
		if s != nil || err != nil {
			return s, 0, err
		}
	} else if !b.anyUsable() {
		return nil, 0, errNoServer
	}
	// Only a request that waits needs its waiter on the heap: the
	// common case (a free server) allocates nothing.
	wq := new(waiter)
	*wq = w
	return b.wait(ctx, wq)
}

// pickFree asks the balancer for a server with a free slot and takes it.
// It returns nil and no error when the request must wait: every server is
// full, or the one it is bound to is (then w.target is set).
func (b *Backend) pickFree(w *waiter) (*Server, error) {
	l := b.bal.Pick(w.src, w.req, w.avoid)
	s := b.serverOf(l)
	if s == nil && b.dispatch != nil {
		s = b.dispatch
		b.takeSlot(s)
		return s, nil
	}
	switch {
	case s == nil && !b.anyUsable():
		return nil, errNoServer
	case s == nil:
		return nil, nil
	case l.Overbooked():
		b.bal.Release(l)
		w.target = s
		return nil, nil
	}
	b.takeSlot(s)
	return s, nil
}

// anyUsable reports whether some server takes load-balanced traffic.
func (b *Backend) anyUsable() bool {
	for _, s := range b.ServerList() {
		if s.lbs.Usable() && s.lbs.Weight() > 0 {
			return true
		}
	}
	return false
}

// wait queues w until a slot is handed to it, timeout queue expires, its
// client goes or the proxy stops.
func (b *Backend) wait(ctx context.Context, w *waiter) (*Server, time.Duration, error) {
	start := time.Now()
	w.ready = make(chan struct{})
	p := prioOf(ctx)
	w.class, w.when = p.Class, start.Sub(queueEpoch).Milliseconds()+p.Offset
	b.qmu.Lock()
	b.enqueueLocked(w)
	b.dispatchLocked()
	b.qmu.Unlock()
	select {
	case <-w.ready:
		return w.srv, time.Since(start), nil
	default:
	}
	gone := make(chan struct{})
	var stop func()
	if watch, ok := ctx.Value(queueWatchKey{}).(queueWatch); ok {
		stop = watch(func() { close(gone) })
	}
	tmr := time.NewTimer(b.queueTimeout())
	var err error
	select {
	case <-w.ready:
	case <-tmr.C:
		err = errQueueTimeout
	case <-gone:
		err = errQueueAbort
	case <-ctx.Done():
		err = errStopped
	}
	tmr.Stop()
	if stop != nil {
		stop()
	}
	qt := time.Since(start)
	if err == nil {
		return w.srv, qt, nil
	}
	b.qmu.Lock()
	got := w.srv
	if got == nil {
		b.removeLocked(w)
	}
	b.qmu.Unlock()
	switch {
	case got != nil && err == errQueueTimeout:
		// The slot came as the timer fired: use it.
		return got, qt, nil
	case got != nil:
		b.release(got) // to the next waiter
	}
	if err == errQueueAbort {
		b.CliAbrt.Add(1)
	}
	return nil, qt, err
}

// queueTimeout is timeout queue, or timeout connect when unset, as in
// HAProxy (5 s when neither is set).
func (b *Backend) queueTimeout() time.Duration {
	t := b.Cfg.Timeouts.Queue
	if t <= 0 {
		t = b.Cfg.Timeouts.Connect
	}
	if t <= 0 {
		t = 5 * time.Second
	}
	return t
}

// enqueueLocked appends w to the queue and counts it in the backend's (or
// its target server's) qcur. The caller holds qmu.
func (b *Backend) enqueueLocked(w *waiter) {
	i := len(b.waiters)
	for i > 0 && w.before(b.waiters[i-1]) {
		i--
	}
	b.waiters = append(b.waiters, nil)
	copy(b.waiters[i+1:], b.waiters[i:])
	b.waiters[i] = w
	b.waiting.Add(1)
	b.countQueued(w, 1)
}

// countQueued adds d to the qcur that w counts in.
func (b *Backend) countQueued(w *waiter, d int64) {
	c := &b.Counters
	if w.target != nil {
		c = &w.target.Counters
		b.targeted += int(d)
	}
	v := c.Qcur.Add(d)
	storeMax(&c.Qmax, v)
}

// removeLocked takes w out of the queue. The caller holds qmu.
func (b *Backend) removeLocked(w *waiter) {
	for i, x := range b.waiters {
		if x == w {
			b.removeAtLocked(i)
			return
		}
	}
}

func (b *Backend) removeAtLocked(i int) {
	w := b.waiters[i]
	copy(b.waiters[i:], b.waiters[i+1:])
	b.waiters[len(b.waiters)-1] = nil
	b.waiters = b.waiters[:len(b.waiters)-1]
	b.waiting.Add(-1)
	b.countQueued(w, -1)
}

// dispatchLocked hands free slots to the waiters in queue order, as many as
// there are free slots: a waiter bound to a server takes a slot on it; the
// others ask the balancer, until it finds every server full. The caller
// holds qmu.
func (b *Backend) dispatchLocked() {
	full := false
	for i := 0; i < len(b.waiters); {
		if full && b.targeted == 0 {
			return
		}
		w := b.waiters[i]
		var s *Server
		if w.target == nil && !full {
			l := b.bal.Pick(w.src, w.req, w.avoid)
			s = b.serverOf(l)
			switch {
			case s == nil:
				full = true
			case l.Overbooked():
				// Bound by its hash to a full server: wait for that one.
				b.bal.Release(l)
				b.countQueued(w, -1)
				w.target, s = s, nil
				b.countQueued(w, 1)
			}
		} else if w.target != nil && lb.TryTake(b.bal, &w.target.lbs) {
			s = w.target
		}
		if s == nil {
			i++
			continue
		}
		b.takeSlot(s)
		w.srv = s
		b.removeAtLocked(i)
		close(w.ready)
	}
}

// kickQueue hands out the slots that a state change (maxconn, weight, a
// server coming up) made available.
func (b *Backend) kickQueue() {
	if b.waiting.Load() > 0 {
		b.qmu.Lock()
		b.dispatchLocked()
		b.qmu.Unlock()
	}
}

func (b *Backend) takeSlot(s *Server) {
	s.Lbtot.Add(1)
	v := s.Scur.Add(1)
	storeMax(&s.Smax, v)
	s.Stot.Add(1)
	s.Lastsess.Store(time.Now().Unix())
}

// release gives back the slot taken by acquire: to the oldest waiter that
// can use it, if any.
func (b *Backend) release(s *Server) {
	s.Scur.Add(-1)
	if s == b.dispatch {
		return // not the balancer's
	}
	b.bal.Release(&s.lbs)
	b.kickQueue()
}

// queueCtx is the context this session's requests connect with: the
// runtime's, with a watch on the client while a request waits in the
// queue. A client that closes or resets its connection takes its request
// out of the queue (CQ); the requests it pipelined behind it go with the
// connection. A client that only half-closes is taken for gone too, as
// HAProxy's `option abortonclose` does: an HTTP client waiting for its
// answer does not close.
func (s *httpSession) queueCtx() context.Context {
	if s.qctx == nil {
		s.qctx = withQueueWatch(s.rt.ctx, func(gone func()) func() {
			return watchConn(s.c, true, s.dl.readAt(), gone)
		})
	}
	return s.qctx
}

// queueCtx is the context a mode tcp session connects with: a client that
// resets its connection while queued leaves the queue (CQ). A half-close
// is ordinary in TCP (a client that sent everything and waits for the
// answer): it counts as gone only with `option abortonclose`.
func (s *tcpSession) queueCtx() context.Context {
	return withQueueWatch(s.f.rt.ctx, func(gone func()) func() {
		return watchConn(s.cli, s.be.Cfg.Options.AbortOnClose, time.Time{}, gone)
	})
}
