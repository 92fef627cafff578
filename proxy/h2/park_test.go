package h2

import (
	"context"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/proxy/relay"
	"golang.org/x/net/http2"
)

// testLot adapts relay.Lot to Parker as proxy/stream does.
type testLot struct{ lot *relay.Lot }

func (l testLot) Spot(control func(f func(fd uintptr)) error, resume func()) ParkSpot {
	return &testSpot{lot: l.lot, control: control, resume: resume}
}

type testSpot struct {
	lot     *relay.Lot
	control func(f func(fd uintptr)) error
	resume  func()
	k       relay.Parking
}

func (s *testSpot) Control(f func(fd uintptr)) error { return s.control(f) }
func (s *testSpot) Parking() *relay.Parking          { return &s.k }
func (s *testSpot) Unpark() {
	if s.k.TakeUp() {
		go s.resume()
	}
}
func (s *testSpot) Park(deadline time.Time) bool { return s.lot.Park(s, deadline) }
func (s *testSpot) Wake()                        { s.Unpark() }
func (s *testSpot) Release()                     { s.lot.Release(s) }

// parkServer serves h2c with Server.Serve and a parking lot; ends counts
// the connections whose end ran, servers holds them for Kill.
type parkServer struct {
	addr    string
	lot     *relay.Lot
	cancel  context.CancelFunc
	mu      sync.Mutex
	servers []*Server
	ends    int
}

func startParkServer(t *testing.T, opts Options) *parkServer {
	t.Helper()
	done := make(chan struct{})
	lot, err := relay.NewLot(done)
	if err != nil {
		t.Skip("no parking lot here:", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ps := &parkServer{addr: ln.Addr().String(), lot: lot, cancel: cancel}
	opts.Lot = testLot{lot}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			srv := NewServer(c, opts, okH1)
			ps.mu.Lock()
			ps.servers = append(ps.servers, srv)
			ps.mu.Unlock()
			go srv.Serve(ctx, func(error) {
				ps.mu.Lock()
				ps.ends++
				ps.mu.Unlock()
			})
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		cancel()
		waitFor(t, "every connection's end", func() bool {
			ps.mu.Lock()
			defer ps.mu.Unlock()
			return ps.ends == len(ps.servers)
		})
		close(done)
	})
	return ps
}

func (ps *parkServer) ended() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.ends
}

// getOK makes one request on rc's connection (stream id) and waits for
// its answer.
func getOK(t *testing.T, rc *rawClient, id uint32) {
	t.Helper()
	rc.headers(id, true, get()...)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		rc.nc.SetReadDeadline(deadline)
		f, err := rc.fr.ReadFrame()
		if err != nil {
			t.Fatalf("stream %d: %v", id, err)
		}
		if d, ok := f.(*http2.DataFrame); ok && d.StreamID == id && d.StreamEnded() {
			return
		}
	}
	t.Fatalf("stream %d: no answer", id)
}

// TestIdleConnParks: a connection idle for parkAfter gives up its
// goroutine; its next request takes it up again and is answered.
func TestIdleConnParks(t *testing.T) {
	ps := startParkServer(t, Options{IdleTimeout: time.Minute})
	const n = 20
	base := runtime.NumGoroutine()
	rcs := make([]*rawClient, n)
	for i := range rcs {
		rcs[i] = dialRaw(t, ps.addr)
		getOK(t, rcs[i], 1)
	}
	waitFor(t, "every idle connection parked", func() bool { return ps.lot.Parked() == n })
	waitFor(t, "no goroutine per idle connection", func() bool { return runtime.NumGoroutine() < base+n/2 })
	for i, rc := range rcs {
		getOK(t, rc, 3)
		getOK(t, rc, 5)
		if i == 0 && ps.lot.Parked() == n {
			t.Fatal("a connection answering requests is still counted parked")
		}
	}
	waitFor(t, "the connections parked again", func() bool { return ps.lot.Parked() == n })
	if e := ps.ended(); e != 0 {
		t.Fatalf("%d connections ended, want none", e)
	}
}

// TestParkedConnTimesOut: the idle timeout of a parked connection sends
// GOAWAY(NO_ERROR) and closes it.
func TestParkedConnTimesOut(t *testing.T) {
	ps := startParkServer(t, Options{IdleTimeout: 600 * time.Millisecond})
	rc := dialRaw(t, ps.addr)
	getOK(t, rc, 1)
	waitFor(t, "the idle connection parked", func() bool { return ps.lot.Parked() == 1 })
	out := rc.await(5 * time.Second)
	if !out.goaway || out.code != http2.ErrCodeNo {
		t.Fatalf("got goaway=%v code=%v closed=%v; want GOAWAY NO_ERROR", out.goaway, out.code, out.closed)
	}
	waitFor(t, "the connection's end", func() bool { return ps.ended() == 1 })
}

// TestParkedConnStops: a parked connection woken with nothing to read
// parks again; a soft stop sends GOAWAY to a parked connection and ends
// it; Kill ends another at once.
func TestParkedConnStops(t *testing.T) {
	ps := startParkServer(t, Options{})
	a, b := dialRaw(t, ps.addr), dialRaw(t, ps.addr)
	getOK(t, a, 1)
	getOK(t, b, 1)
	waitFor(t, "both idle connections parked", func() bool { return ps.lot.Parked() == 2 })
	ps.mu.Lock()
	first, second := ps.servers[0], ps.servers[1]
	ps.mu.Unlock()
	// A wake-up with nothing to read (the lot's look at a connection
	// without idle timeout) parks the connection again.
	second.c.mu.Lock()
	spot := second.c.spot.(*testSpot)
	second.c.mu.Unlock()
	spot.Wake()
	waitFor(t, "the woken idle connection parked again", func() bool {
		return ps.lot.Parked() == 2 && spot.k.Parked()
	})
	first.Kill()
	waitFor(t, "the killed connection's end", func() bool { return ps.ended() == 1 })
	ps.cancel()
	var out outcome
	for _, rc := range []*rawClient{a, b} {
		if o := rc.await(5 * time.Second); o.goaway {
			out = o
		}
	}
	if !out.goaway || out.code != http2.ErrCodeNo {
		t.Fatalf("soft stop: got goaway=%v code=%v; want GOAWAY NO_ERROR on the parked connection", out.goaway, out.code)
	}
	waitFor(t, "both connections' end", func() bool { return ps.ended() == 2 })
}
