package resolve

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/goha/goha/config"
)

// Resolvers runs one `resolvers` section: its nameservers, its
// resolutions and the groups of servers that follow them.
type Resolvers struct {
	// Name is the section's name.
	Name string
	cfg  config.Resolvers
	ns   []*nameserver

	// mu guards everything below; the loop goroutine and the API
	// (Subscribe, Group methods) take it. Callbacks run without it.
	mu      sync.Mutex
	groups  []*Group
	pending map[uint16]*resolution
	started bool
	stopped bool

	packets chan packet
	wake    chan struct{}
	ctx     context.Context // the loop's; nil before Start
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	now     func() time.Time
}

// Options tune a Resolvers beyond its configuration section; there is
// none yet (the zero value is the only one), the parameter keeps New's
// signature stable.
type Options struct{}

// New returns the Resolvers of a section; nothing is sent before Start.
func New(sec *config.Resolvers, opts Options) (*Resolvers, error) {
	if sec == nil {
		return nil, errors.New("resolve: no resolvers section")
	}
	r := &Resolvers{Name: sec.Name, cfg: *sec, pending: map[uint16]*resolution{},
		packets: make(chan packet, 64), wake: make(chan struct{}, 1), now: time.Now}
	if r.cfg.AcceptedPayloadSize == 0 {
		r.cfg.AcceptedPayloadSize = 512
	}
	for _, c := range sec.Nameservers {
		ap, err := netip.ParseAddrPort(c.Addr)
		if err != nil {
			return nil, fmt.Errorf("resolve: resolvers %s: nameserver %s: address %q: %w", sec.Name, c.Name, c.Addr, err)
		}
		r.ns = append(r.ns, &nameserver{name: c.Name, addr: netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), tcp: c.TCP})
	}
	return r, nil
}

// Start opens the nameservers' sockets and starts the loop; it runs
// until ctx ends or Stop is called.
func (r *Resolvers) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return fmt.Errorf("resolve: resolvers %s already started or stopped", r.Name)
	}
	ctx, cancel := context.WithCancel(ctx)
	for _, ns := range r.ns {
		if err := ns.open(); err != nil {
			cancel()
			r.closeSockets()
			return fmt.Errorf("resolve: resolvers %s: nameserver %s: %w", r.Name, ns.name, err)
		}
	}
	r.started, r.ctx, r.cancel = true, ctx, cancel
	for _, ns := range r.ns {
		if ns.udp != nil {
			r.wg.Add(1)
			go r.readUDP(ctx, ns)
		}
	}
	r.wg.Add(1)
	go r.loop(ctx)
	return nil
}

// Stop ends the loop, closes the sockets and waits for every goroutine
// of the section to return. It is safe to call more than once, and
// before Start.
func (r *Resolvers) Stop() {
	r.mu.Lock()
	if !r.started || r.stopped {
		r.stopped = true
		r.mu.Unlock()
		return
	}
	r.stopped = true
	r.cancel()
	r.closeSockets()
	r.mu.Unlock()
	r.wg.Wait()
}

// closeSockets closes every nameserver's UDP socket (mu held).
func (r *Resolvers) closeSockets() {
	for _, ns := range r.ns {
		if ns.udp != nil {
			ns.udp.Close()
		}
	}
}

// poke wakes the loop up (a group changed).
func (r *Resolvers) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// loop is the section's task: it reads answers and runs the timers.
func (r *Resolvers) loop(ctx context.Context) {
	defer r.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		r.mu.Lock()
		out := r.tick()
		next := r.nextWake()
		r.mu.Unlock()
		out.deliver()
		timer.Reset(next)
		select {
		case <-ctx.Done():
			return
		case p := <-r.packets:
			r.mu.Lock()
			out := r.handlePacket(p)
			r.mu.Unlock()
			out.deliver()
		case <-r.wake:
		case <-timer.C:
		}
	}
}

// tick starts the resolutions that are due and handles the queries
// whose retry timeout struck (mu held).
func (r *Resolvers) tick() *outbox {
	out := &outbox{}
	now := r.now()
	for _, g := range r.groups {
		for _, res := range g.resolutions() {
			switch {
			case res.querying && !now.Before(res.lastQuery.Add(r.cfg.TimeoutRetry)):
				r.retry(res, now, out)
			case !res.querying && (res.lastResolution.IsZero() || !now.Before(res.lastResolution.Add(r.cfg.Hold.Valid))):
				r.startResolution(res, now)
			}
		}
	}
	return out
}

// nextWake is how long the loop may sleep (mu held): until the first
// retry or re-resolution, and at most `timeout resolve`.
func (r *Resolvers) nextWake() time.Duration {
	now := r.now()
	next := now.Add(r.cfg.TimeoutResolve)
	if r.cfg.TimeoutResolve <= 0 {
		next = now.Add(time.Second)
	}
	for _, g := range r.groups {
		for _, res := range g.resolutions() {
			at := res.lastResolution.Add(r.cfg.Hold.Valid)
			if res.querying {
				at = res.lastQuery.Add(r.cfg.TimeoutRetry)
			}
			if at.Before(next) {
				next = at
			}
		}
	}
	if d := next.Sub(now); d > time.Millisecond {
		return d
	}
	return time.Millisecond
}

// newQueryID returns a query ID no pending query uses (mu held).
func (r *Resolvers) newQueryID() uint16 {
	for {
		id := uint16(rand.UintN(1 << 16))
		if _, used := r.pending[id]; !used {
			return id
		}
	}
}
