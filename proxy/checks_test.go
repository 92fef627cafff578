package proxy

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/stats"
	"github.com/rs/zerolog"
)

// waitUntil polls cond until it holds or fails the test after d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func statusOf(rt *Runtime, px, sv string) string {
	for _, r := range rt.StatRows() {
		if r.Get(stats.ColPxname).Str() == px && r.Get(stats.ColSvname).Str() == sv {
			return r.Get(stats.ColStatus).Str()
		}
	}
	return "?"
}

func TestChecksTakeServerOutAndBack(t *testing.T) {
	live, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	go func() {
		for {
			c, err := live.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	// A port with nothing behind it.
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()

	src := fmt.Sprintf(`
defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
backend be
    server s1 %s check inter 50 rise 2 fall 2
    server s2 %s check inter 50 rise 2 fall 2
    server s3 127.0.0.1:1
`, live.Addr(), deadAddr)
	cfg, err := config.Parse([]config.Source{{Name: "c.cfg", Data: []byte(src)}}, config.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &syncWriter{}
	rt, err := New(cfg, Options{Log: zerolog.New(logBuf)})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(map[string]net.Listener{}); err != nil {
		t.Fatal(err)
	}
	defer rt.HardStop()
	be := rt.FindBackend("be")
	s1, s2, s3 := be.FindServer("s1"), be.FindServer("s2"), be.FindServer("s3")
	waitUntil(t, 2*time.Second, "s2 DOWN", func() bool { return !s2.Usable() })
	if !s1.Usable() || statusOf(rt, "be", "s1") != "UP" {
		t.Errorf("s1: usable %v status %q, want UP", s1.Usable(), statusOf(rt, "be", "s1"))
	}
	if got := statusOf(rt, "be", "s2"); got != "DOWN" {
		t.Errorf("s2 status %q, want DOWN", got)
	}
	if got := statusOf(rt, "be", "s3"); got != "no check" {
		t.Errorf("s3 status %q, want no check", got)
	}
	if !s3.Usable() {
		t.Error("unchecked s3 not usable")
	}

	// Maintenance pauses the checks; leaving it checks again.
	rt.ServerAdmin(s1, AdminMaint)
	if got := statusOf(rt, "be", "s1"); got != "MAINT" || s1.Usable() {
		t.Errorf("maint: status %q usable %v", got, s1.Usable())
	}
	rt.ServerAdmin(s1, AdminReady)
	waitUntil(t, 2*time.Second, "s1 back UP", func() bool { return s1.Usable() && statusOf(rt, "be", "s1") == "UP" })

	// disable health: the server counts as UP, unchecked.
	if err := rt.SetCheckEnabled(s2, false); err != nil {
		t.Fatal(err)
	}
	if !s2.Usable() || statusOf(rt, "be", "s2") != "no check" {
		t.Errorf("disable health: usable %v status %q", s2.Usable(), statusOf(rt, "be", "s2"))
	}
	if err := rt.SetCheckEnabled(s3, true); err == nil {
		t.Error("enable health on an unchecked server: no error")
	}
	if err := rt.SetCheckEnabled(s2, true); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 2*time.Second, "s2 DOWN again", func() bool { return !s2.Usable() })

	// Forced health.
	rt.SetServerHealth(s3, HealthDown)
	if s3.Usable() || statusOf(rt, "be", "s3") != "DOWN" {
		t.Errorf("health down: usable %v status %q", s3.Usable(), statusOf(rt, "be", "s3"))
	}
	rt.SetServerHealth(s3, HealthUp)
	if !s3.Usable() {
		t.Error("health up: not usable")
	}
	out := logBuf.String()
	for _, want := range []string{
		"Server be/s2 is DOWN, reason: Layer4 connection problem",
		"Server be/s1 is going DOWN for maintenance.",
		"Server be/s1 is UP/READY (leaving forced maintenance).",
		"Server be/s3 is DOWN, changed from CLI.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("process log lacks %q:\n%s", want, out)
		}
	}
	snap, _ := s2.CheckSnapshot()
	if snap.Downs < 1 {
		t.Errorf("chkdown %d", snap.Downs)
	}

	// The checks follow an address change: s2 moved to the live port.
	la := live.Addr().(*net.TCPAddr)
	if err := rt.SetServerAddr(s2, la.IP.String(), la.Port); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 2*time.Second, "s2 UP at its new address", func() bool { return s2.Usable() && statusOf(rt, "be", "s2") == "UP" })
	rt.SoftStop()
}

// syncWriter serialises writes of the process log.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
