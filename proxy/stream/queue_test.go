package stream

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/config"
)

// queueBackend builds a backend from the lines of its section (servers at
// unreachable addresses: the queue never dials).
func queueBackend(t *testing.T, lines ...string) *Backend {
	t.Helper()
	text := "defaults\n    mode http\n    timeout connect 1s\nbackend be\n    " + strings.Join(lines, "\n    ") + "\n"
	cfg, err := config.Parse([]config.Source{{Name: "q.cfg", Data: []byte(text)}}, config.ParseOptions{})
	if err != nil {
		t.Fatalf("config.Parse: %v\n%s", err, text)
	}
	for _, p := range cfg.Proxies {
		if p.Name == "be" {
			b, err := newBackend(nil, p)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no backend be")
	return nil
}

// until polls cond every millisecond for up to d.
func until(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// gone is a context that is already cancelled: a request that would have
// to wait in the queue gives up at once (errStopped) instead.
func goneCtx() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

type got struct {
	id  int
	srv *Server
	err error
}

// queueUp starts a waiter that reports on out, and waits until the
// backend's queue holds want requests.
func queueUp(t *testing.T, b *Backend, ctx context.Context, id int, out chan<- got, want int64) {
	t.Helper()
	go func() {
		s, _, err := b.acquire(ctx, netip.Addr{}, nil, nil)
		out <- got{id, s, err}
	}()
	if !until(2*time.Second, func() bool { return b.Qcur.Load() == want }) {
		t.Fatalf("waiter %d: qcur = %d; want %d", id, b.Qcur.Load(), want)
	}
}

// TestQueueHandsSlotToHead: a freed slot goes to the oldest waiter, never
// to a request arriving right after the release (issue 22.9).
func TestQueueHandsSlotToHead(t *testing.T) {
	b := queueBackend(t, "timeout queue 5s", "server s1 127.0.0.1:9 maxconn 1")
	held, _, err := b.acquire(context.Background(), netip.Addr{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	out := make(chan got, n)
	for i := range n {
		queueUp(t, b, context.Background(), i, out, int64(i+1))
	}
	for i := range n {
		b.release(held)
		if s, _, err := b.acquire(goneCtx(), netip.Addr{}, nil, nil); err == nil {
			t.Fatalf("round %d: a newcomer took the freed slot on %s before the %d queued requests", i, s.Name, n-i)
		}
		g := <-out
		if g.err != nil || g.id != i {
			t.Fatalf("round %d: waiter %d got the slot (err %v); want waiter %d (FIFO)", i, g.id, g.err, i)
		}
		held = g.srv
	}
	b.release(held)
	if q, c := b.Qcur.Load(), held.Scur.Load(); q != 0 || c != 0 {
		t.Errorf("after the queue drained: qcur %d, scur %d; want 0, 0", q, c)
	}
}

// TestQueueNoLostWakeUp: when the head of the queue leaves (its client
// went, its timeout fired) just as a slot is handed to it, the slot goes
// on to the next waiter instead of being lost until that one times out.
func TestQueueNoLostWakeUp(t *testing.T) {
	b := queueBackend(t, "timeout queue 3s", "server s1 127.0.0.1:9 maxconn 1")
	for round := range 200 {
		held, _, err := b.acquire(context.Background(), netip.Addr{}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := make(chan got, 2)
		ctx0, cancel0 := context.WithCancel(context.Background())
		queueUp(t, b, ctx0, 0, out, 1)
		queueUp(t, b, context.Background(), 1, out, 2)
		// The head leaves as the slot frees: its goroutine is woken by
		// the cancel but has not run yet when the slot is handed out.
		cancel0()
		b.release(held)
		deadline := time.After(time.Second)
		for range 2 {
			select {
			case g := <-out:
				if g.err == nil {
					b.release(g.srv)
				} else if g.id == 1 {
					t.Fatalf("round %d: waiter 1: %v", round, g.err)
				}
			case <-deadline:
				t.Fatalf("round %d: a waiter is still queued 1 s after the slot freed (qcur %d): the wake-up was lost", round, b.Qcur.Load())
			}
		}
	}
}

// TestQueueWakesOnePerFreeSlot: raising maxconn hands every new slot to a
// waiter at once.
func TestQueueWakesOnePerFreeSlot(t *testing.T) {
	b := queueBackend(t, "timeout queue 5s", "server s1 127.0.0.1:9 maxconn 1")
	held, _, err := b.acquire(context.Background(), netip.Addr{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan got, 3)
	for i := range 3 {
		queueUp(t, b, context.Background(), i, out, int64(i+1))
	}
	b.Servers[0].SetMaxconn(4)
	deadline := time.After(time.Second)
	for i := range 3 {
		select {
		case g := <-out:
			if g.err != nil {
				t.Fatalf("waiter %d: %v", g.id, g.err)
			}
		case <-deadline:
			t.Fatalf("%d of 3 waiters served 1 s after maxconn went from 1 to 4 (qcur %d)", i, b.Qcur.Load())
		}
	}
	if c := held.Scur.Load(); c != 4 {
		t.Errorf("scur = %d; want 4", c)
	}
}

// TestQueueFirstWaits: `balance first` with its servers full queues the
// request instead of answering 503 at once (issue 22.8).
func TestQueueFirstWaits(t *testing.T) {
	b := queueBackend(t, "balance first", "timeout queue 5s", "server s1 127.0.0.1:9 maxconn 1", "server s2 127.0.0.1:9 maxconn 1")
	var held []*Server
	for range 2 {
		s, _, err := b.acquire(context.Background(), netip.Addr{}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, s)
	}
	if held[0].Name != "s1" || held[1].Name != "s2" {
		t.Fatalf("first filled %s then %s; want s1 then s2", held[0].Name, held[1].Name)
	}
	out := make(chan got, 1)
	queueUp(t, b, context.Background(), 0, out, 1)
	b.release(held[1])
	select {
	case g := <-out:
		if g.err != nil || g.srv != held[1] {
			t.Fatalf("queued request: %v on %v; want s2", g.err, g.srv)
		}
	case <-time.After(time.Second):
		t.Fatal("queued request not served 1 s after s2 freed a slot")
	}
}

// TestQueueOnlyWhenAllFull: a request goes to a free server instead of
// waiting for the full one whose turn it is (issue 22.7), for every
// algorithm that chooses freely.
func TestQueueOnlyWhenAllFull(t *testing.T) {
	for _, algo := range []string{"roundrobin", "static-rr", "leastconn", "first", "random", "uri", "source"} {
		t.Run(algo, func(t *testing.T) {
			b := queueBackend(t, "balance "+algo, "timeout queue 5s",
				"server s1 127.0.0.1:9 maxconn 1", "server s2 127.0.0.1:9 maxconn 1", "server s3 127.0.0.1:9 maxconn 1")
			seen := map[string]bool{}
			for i := range 3 {
				s, _, err := b.acquire(goneCtx(), netip.Addr{}, nil, nil)
				if err != nil {
					t.Fatalf("request %d with %d of 3 servers busy: %v; want a free server", i+1, i, err)
				}
				seen[s.Name] = true
			}
			if len(seen) != 3 {
				t.Fatalf("servers used: %v; want all three", seen)
			}
			if _, _, err := b.acquire(goneCtx(), netip.Addr{}, nil, nil); err != errStopped {
				t.Fatalf("request with every server full: %v; want it queued (errStopped here)", err)
			}
			// s1 frees a slot: the next request goes there even when
			// the turn is another (full) server's.
			b.release(b.Servers[0])
			s, _, err := b.acquire(goneCtx(), netip.Addr{}, nil, nil)
			if err != nil || s != b.Servers[0] {
				t.Fatalf("request after s1 freed a slot: %v on %v; want s1", err, s)
			}
		})
	}
}

// uriReq is an lb.Request for balance uri.
type uriReq string

func (u uriReq) URI() []byte                  { return []byte(u) }
func (u uriReq) Header(string) ([]byte, bool) { return nil, false }

// TestQueueHashWaitsForItsServer: a request that balance uri binds to a
// full server waits for that server (its qcur, not the backend's), while
// other keys are served by the free servers; the freed slot goes to it.
func TestQueueHashWaitsForItsServer(t *testing.T) {
	b := queueBackend(t, "balance uri", "timeout queue 5s", "server s1 127.0.0.1:9 maxconn 1", "server s2 127.0.0.1:9 maxconn 1")
	ctx := context.Background()
	held, _, err := b.acquire(ctx, netip.Addr{}, uriReq("/a"), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan got, 1)
	go func() {
		s, _, err := b.acquire(ctx, netip.Addr{}, uriReq("/a"), nil)
		out <- got{0, s, err}
	}()
	if !until(2*time.Second, func() bool { return held.Qcur.Load() == 1 }) {
		t.Fatalf("%s qcur = %d, backend qcur = %d; want the request for /a queued on %s", held.Name, held.Qcur.Load(), b.Qcur.Load(), held.Name)
	}
	// A key of the other server is served at once.
	for i := range 50 {
		u := uriReq(fmt.Sprintf("/k%d", i))
		s, _, err := b.acquire(goneCtx(), netip.Addr{}, u, nil)
		if err == nil {
			if s == held {
				t.Fatalf("%s got a slot on the full %s", u, s.Name)
			}
			b.release(s)
		}
	}
	b.release(held)
	select {
	case g := <-out:
		if g.err != nil || g.srv != held {
			t.Fatalf("queued /a: %v on %v; want %s", g.err, g.srv, held.Name)
		}
	case <-time.After(time.Second):
		t.Fatal("queued /a not served 1 s after its server freed a slot")
	}
	if q := held.Qcur.Load(); q != 0 {
		t.Errorf("%s qcur = %d after the hand-off", held.Name, q)
	}
}

// TestQueueClientGone: a request whose client goes away leaves the queue
// at once, counted as a client abort (issue 23).
func TestQueueClientGone(t *testing.T) {
	b := queueBackend(t, "timeout queue 5s", "server s1 127.0.0.1:9 maxconn 1")
	held, _, err := b.acquire(context.Background(), netip.Addr{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var goneFn func()
	stopped := make(chan struct{})
	watch := queueWatch(func(gone func()) func() {
		mu.Lock()
		goneFn = gone
		mu.Unlock()
		return func() { close(stopped) }
	})
	out := make(chan got, 1)
	queueUp(t, b, withQueueWatch(context.Background(), watch), 0, out, 1)
	if !until(time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return goneFn != nil }) {
		t.Fatal("the queued request's client is not watched")
	}
	mu.Lock()
	goneFn()
	mu.Unlock()
	select {
	case g := <-out:
		if g.err != errQueueAbort {
			t.Fatalf("acquire after the client went: %v; want %v", g.err, errQueueAbort)
		}
	case <-time.After(time.Second):
		t.Fatal("the request of a gone client is still queued after 1 s")
	}
	<-stopped
	if q, a := b.Qcur.Load(), b.CliAbrt.Load(); q != 0 || a != 1 {
		t.Errorf("qcur %d, cli_abrt %d; want 0, 1", q, a)
	}
	b.release(held)
	if c := held.Scur.Load(); c != 0 {
		t.Errorf("scur %d after release; want 0 (no slot for the gone client)", c)
	}
}
