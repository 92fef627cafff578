package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// dynEnv is goha -db with an admin stats socket, a roundrobin backend
// of s1 and a `balance source` one, for the dynamic server commands.
type dynEnv struct {
	t          *testing.T
	sock, url  string
	port       int
	s1, s2, s3 *harness.Backend
	proc       *harness.Proc
}

func dynSetup(t *testing.T) *dynEnv {
	t.Helper()
	needSocat(t)
	dir := t.TempDir()
	e := &dynEnv{t: t, sock: filepath.Join(dir, "admin.sock"), port: harness.FreePort(t)}
	e.s1 = harness.NewBackend(t, "s1", nil)
	e.s2 = harness.NewBackend(t, "s2", nil)
	e.s3 = harness.NewBackend(t, "s3", nil)
	e.url = fmt.Sprintf("http://127.0.0.1:%d/", e.port)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin mode 600
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    balance roundrobin
    server s1 %s
backend hashed
    balance source
    server s1 %s
`, e.sock, e.port, e.s1.Addr, e.s1.Addr))
	e.proc = harness.Start(t, dir, nil, "-db", "-f", cfg)
	harness.WaitFor(t, 10*time.Second, "goha serving with its stats socket", func() bool {
		_, err := os.Stat(e.sock)
		return err == nil && harness.Serves(e.url)
	})
	return e
}

// cli sends one line and returns the first line of the answer.
func (e *dynEnv) cli(line string) string {
	out := harness.Socat(e.t, e.sock, line+"\n")
	first, _, _ := strings.Cut(strings.TrimLeft(out, "\n"), "\n")
	return first
}

// servers does n requests and counts the answers per server.
func (e *dynEnv) servers(n int) map[string]int {
	got := map[string]int{}
	for i := 0; i < n; i++ {
		_, body, err := harness.Get(e.url)
		if err != nil {
			e.t.Fatalf("request %d: %v", i, err)
		}
		got[strings.TrimSpace(body)]++
	}
	return got
}

// TestDynamicServers: `add server` registers a server in maintenance,
// `enable server` puts it in the roundrobin at once, the stats list it,
// `del server` refuses it until it is in maintenance and then removes
// it from traffic and state; HAProxy 2.6's answers throughout. All of it
// while a load runs, which must see no error.
func TestDynamicServers(t *testing.T) {
	e := dynSetup(t)
	stop := make(chan struct{})
	load := harness.Load(fmt.Sprintf("127.0.0.1:%d", e.port), 4, true, stop)

	steps := []struct{ line, want string }{
		{"add server be/s3 " + e.s3.Addr, "New server registered."},
		{"add server be/s3 " + e.s3.Addr, "Already exists a server with the same name in backend."},
		{"add server hashed/s3 " + e.s3.Addr, "Backend must use a dynamic load balancing to support dynamic servers."},
		{"add server be/s4 " + e.s3.Addr + " cookie c4", "'cookie' option is not accepted for dynamic server"},
		{"add server be/s4 " + e.s3.Addr + " bogus", "unknown keyword 'bogus'."},
		{"add server nope/s4 " + e.s3.Addr, "No such backend."},
		{"add server be", "Require 'backend/server'."},
	}
	for _, s := range steps {
		if got := e.cli(s.line); got != s.want {
			t.Errorf("%s = %q; want %q", s.line, got, s.want)
		}
	}
	if got := e.servers(4); got["s3"] != 0 {
		t.Errorf("a new server in maintenance got traffic: %v", got)
	}
	e.cli("enable server be/s3")
	// The load shares the roundrobin: each server has its turn within
	// any few requests, not an exact count of these.
	if got := e.servers(8); got["s1"] == 0 || got["s3"] == 0 {
		t.Errorf("after enable server be/s3: %v; want both s1 and s3", got)
	}
	stat := harness.Socat(t, e.sock, "show stat\n")
	if st := field(stat, "be", "s3", colStatus); st != "no check" {
		t.Errorf("show stat row be,s3 status %q; want 'no check':\n%s", st, stat)
	}
	if got := e.cli("del server be/s3"); got != "Only servers in maintenance mode can be deleted." {
		t.Errorf("del server on a ready server = %q", got)
	}
	e.cli("disable server be/s3")
	if got := e.cli("del server be/s3"); got != "Server deleted." {
		t.Errorf("del server in maintenance = %q", got)
	}
	if got := e.servers(4); got["s1"] != 4 {
		t.Errorf("after del server: %v; want only s1", got)
	}
	state := harness.Socat(t, e.sock, "show servers state be\n")
	if strings.Contains(state, " s3 ") || !strings.Contains(state, " s1 ") {
		t.Errorf("show servers state after del: %q", state)
	}
	if got := e.cli("del server be/s3"); got != "No such server." {
		t.Errorf("del server twice = %q", got)
	}
	// A server added with a check is checked once enabled.
	if got := e.cli("add server be/c1 " + e.s2.Addr + " check inter 200 rise 1"); got != "New server registered." {
		t.Fatalf("add server with check = %q", got)
	}
	e.cli("enable server be/c1")
	harness.WaitForf(t, 5*time.Second, func() bool {
		return field(harness.Socat(t, e.sock, "show stat\n"), "be", "c1", colStatus) == "UP"
	}, "be/c1 UP by its check")
	close(stop)
	if st := <-load; st.Errors > 0 || st.Requests == 0 {
		t.Errorf("load during the changes: %s", st)
	}
}
