package check

import (
	"context"
	"net"
	"sync"
	"time"
)

// EventKind tells what an Event reports.
type EventKind int

const (
	// EventState: the server went UP or DOWN because of its checks.
	EventState EventKind = iota + 1
	// EventHealth: with `option log-health-checks`, a check changed the
	// server's health or status without (necessarily) changing its state.
	EventHealth
)

// Event reports a check outcome worth telling. The proxy core wires
// EventState to lb.SetUsable and logs both kinds.
type Event struct {
	Kind            EventKind
	Backend, Server string
	Backup          bool
	// Up is the server's state after the event.
	Up bool
	// Result is the check that caused the event.
	Result Result
	// Health, Rise, Fall are the check counters after the event.
	Health, Rise, Fall int
	// Message is the text of the event in HAProxy's words. For
	// EventHealth it is complete ("Health check for server be/s1
	// failed, reason: ..., status: 2/3 UP."). For EventState it stops
	// before the backend-wide part: use StateMessage to finish it.
	Message string
}

// Checker runs the health checks of one server. Create it with New, run it
// with Run; the other methods are safe to call from any goroutine.
//
// Initial state, as HAProxy: the server starts UP with its health at
// `rise` ("UP 1/3" in the stats), so its first failed check takes it DOWN
// at once, and its first successful check brings it to full health.
type Checker struct {
	cfg    Config
	report func(Event)
	dial   dialFunc
	kick   chan struct{}

	mu          sync.Mutex
	health      int
	up          bool
	paused      bool
	running     bool
	last        Result
	lastChange  time.Time
	failedCount int64 // chkfail
	downCount   int64 // chkdown
}

// New returns the checker for cfg. report is called (from the checker's
// goroutine, one call at a time) for each Event; it must not block for
// long. cfg is normalised: zero values get HAProxy's defaults.
func New(cfg Config, report func(Event)) (*Checker, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	if report == nil {
		report = func(Event) {}
	}
	var d net.Dialer
	return &Checker{
		cfg:        cfg,
		report:     report,
		dial:       d.DialContext,
		kick:       make(chan struct{}, 1),
		health:     cfg.Rise,
		up:         true,
		last:       Result{Status: StatusInit, Duration: -1},
		lastChange: time.Now(),
	}, nil
}

// Config returns the checker's normalised configuration.
func (c *Checker) Config() Config { return c.cfg }

// Run checks the server until ctx is done: the first check after delay
// (see Spread), then every inter while the server is fully UP, fastinter
// while its health is in transition, downinter while it is fully DOWN,
// each interval counted from the end of the previous check.
func (c *Checker) Run(ctx context.Context, delay time.Duration) {
	t := time.NewTimer(delay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-c.kick:
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
		}
		c.mu.Lock()
		paused := c.paused
		c.running = !paused
		c.mu.Unlock()
		if !paused {
			r := probe(ctx, &c.cfg, c.dial)
			if ctx.Err() != nil {
				return
			}
			c.apply(r)
		}
		t.Reset(c.interval())
	}
}

// interval is HAProxy's srv_getinter.
func (c *Checker) interval() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.health == c.cfg.Rise+c.cfg.Fall-1:
		return c.cfg.Inter
	case !c.up && c.health == 0:
		return c.cfg.DownInter
	}
	return c.cfg.FastInter
}

// apply updates health and state from a check result, as HAProxy's
// set_server_check_status and check_notify_* do, and reports events.
func (c *Checker) apply(r Result) {
	c.mu.Lock()
	prev := c.last.Status
	c.last = r
	c.running = false
	rise, fall := c.cfg.Rise, c.cfg.Fall
	changed := false
	switch {
	case r.Status.Failed():
		if c.health > 0 {
			c.failedCount++
			changed = true
			c.health--
			if c.health < rise {
				c.health = 0
			}
		}
	case r.Status.Passed():
		if c.health < rise+fall-1 {
			changed = true
			c.health++
			if c.health >= rise {
				c.health = rise + fall - 1
			}
		}
	}
	var events []Event
	if c.cfg.LogHealthChecks && (r.Status != prev || changed) {
		events = append(events, c.event(EventHealth, r, c.healthMessage(r)))
	}
	switch {
	case c.up && c.health == 0:
		c.up = false
		c.downCount++
		c.lastChange = time.Now()
		events = append(events, c.event(EventState, r, c.stateMessage(r)))
	case !c.up && c.health >= rise:
		c.up = true
		c.lastChange = time.Now()
		events = append(events, c.event(EventState, r, c.stateMessage(r)))
	}
	c.mu.Unlock()
	for _, e := range events {
		c.report(e)
	}
}

func (c *Checker) event(k EventKind, r Result, msg string) Event {
	return Event{Kind: k, Backend: c.cfg.Backend, Server: c.cfg.Server, Backup: c.cfg.Backup, Up: c.up,
		Result: r, Health: c.health, Rise: c.cfg.Rise, Fall: c.cfg.Fall, Message: msg}
}

// Pause stops checking (server in maintenance): HAProxy sets the health
// to 0. No event is reported; the proxy logs the maintenance itself.
func (c *Checker) Pause() {
	c.mu.Lock()
	c.paused = true
	c.health = 0
	c.mu.Unlock()
}

// Resume restarts checking after Pause: the server is UP with its health
// at rise (HAProxy: "start OK but check immediately"), and a check runs
// at once.
func (c *Checker) Resume() {
	c.mu.Lock()
	c.paused = false
	c.health = c.cfg.Rise
	if !c.up {
		c.up = true
		c.lastChange = time.Now()
	}
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// SetHealth forces the check result (`set server B/S health up|down`):
// up gives full health, down zero. It reports whether the state changed;
// no event is reported (the proxy logs "changed from CLI").
func (c *Checker) SetHealth(up bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if up {
		c.health = c.cfg.Rise + c.cfg.Fall - 1
	} else {
		c.health = 0
	}
	if c.up == up {
		return false
	}
	c.up = up
	c.lastChange = time.Now()
	if !up {
		c.downCount++
	}
	return true
}

// Snapshot is the checker's state for `show stat` and `show servers state`.
type Snapshot struct {
	Up                 bool
	Paused             bool
	InProgress         bool
	Health, Rise, Fall int
	Last               Result
	LastChange         time.Time
	// Failed counts failed checks while the server was not fully down
	// (chkfail); Downs counts UP to DOWN transitions (chkdown).
	Failed, Downs int64
}

// Snapshot returns the current state.
func (c *Checker) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Snapshot{Up: c.up, Paused: c.paused, InProgress: c.running, Health: c.health, Rise: c.cfg.Rise,
		Fall: c.cfg.Fall, Last: c.last, LastChange: c.lastChange, Failed: c.failedCount, Downs: c.downCount}
}

// Spread returns the delay before the first check of checker i among n,
// so that checks start spread over the longest interval instead of all at
// once (HAProxy: mininter * srvpos / nbcheck).
func Spread(i, n int, maxInter time.Duration) time.Duration {
	if n <= 0 || i <= 0 {
		return 0
	}
	return maxInter * time.Duration(i) / time.Duration(n)
}

// RunAll starts every checker with spread initial delays and returns a
// function that waits until all of them have stopped (after ctx is done).
func RunAll(ctx context.Context, cs []*Checker) (wait func()) {
	var maxInter time.Duration
	for _, c := range cs {
		maxInter = max(maxInter, c.cfg.Inter)
	}
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Run(ctx, Spread(i, len(cs), maxInter))
		}()
	}
	return wg.Wait
}
