package observe

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestTrackChain runs servers that track others, as HAProxy 2.6 does: s2
// tracks s1 (checked through a port the test opens and closes), x1 in
// another backend tracks s2 (a chain). When s1's checks fail, s2 and x1
// go down with it ("Server be/s2 is DOWN via be/s1.") and take no
// traffic; when they pass again, the chain comes back up.
func TestTrackChain(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	checkAddr := ln.Addr().String()
	_, checkPort, _ := net.SplitHostPort(checkAddr)
	s1, s2, bk := harness.NewBackend(t, "s1", nil), harness.NewBackend(t, "s2", nil), harness.NewBackend(t, "bk", nil)
	port, sock := harness.FreePort(t), filepath.Join(dir, "stats.sock")
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    balance roundrobin
    server s1 %s check port %s inter 100ms rise 1 fall 1
    server s2 %s track s1
    server bk %s backup
backend other
    server x1 %s track be/s2
`, sock, port, s1.Addr, checkPort, s2.Addr, bk.Addr, s2.Addr))
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	p.WaitListening(t, 10*time.Second, fmt.Sprintf("127.0.0.1:%d", port))
	status := func(be, srv string) string {
		for _, l := range strings.Split(harness.Socat(t, sock, "show stat\n"), "\n") {
			f := strings.Split(l, ",")
			if len(f) > 17 && f[0] == be && f[1] == srv {
				return f[17]
			}
		}
		return ""
	}
	all := func(want string) func() bool {
		return func() bool {
			return status("be", "s1") == want && status("be", "s2") == want && status("other", "x1") == want
		}
	}
	harness.WaitForf(t, 5*time.Second, all("UP"), "s1, s2, x1 UP at start (%s %s %s)", status("be", "s1"), status("be", "s2"), status("other", "x1"))
	ln.Close()
	harness.WaitForf(t, 5*time.Second, all("DOWN"), "s1, s2, x1 DOWN once s1's checks fail (%s %s %s)", status("be", "s1"), status("be", "s2"), status("other", "x1"))
	before := s2.Requests.Load()
	for range 4 {
		if code, body, err := harness.Get(fmt.Sprintf("http://127.0.0.1:%d/", port)); code != 200 || body != "bk\n" {
			t.Errorf("request with s1 and its tracker down: %d %q %v, want the backup", code, body, err)
		}
	}
	if n := s2.Requests.Load() - before; n != 0 {
		t.Errorf("s2 got %d requests while the server it tracks was down", n)
	}
	ln2, err := net.Listen("tcp", checkAddr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", checkAddr, err)
	}
	defer ln2.Close()
	harness.WaitForf(t, 5*time.Second, all("UP"), "s1, s2, x1 UP again (%s %s %s)", status("be", "s1"), status("be", "s2"), status("other", "x1"))
	for _, msg := range []string{
		"Server be/s2 is DOWN via be/s1. 0 active and 1 backup servers left. Running on backup.",
		"Server other/x1 is DOWN via be/s2. 0 active and 0 backup servers left.",
		"Server be/s2 is UP via be/s1. 2 active and 1 backup servers online.",
		"Server other/x1 is UP via be/s2. 1 active and 0 backup servers online.",
	} {
		if !harness.Eventually(2*time.Second, func() bool { return strings.Contains(p.Output(), msg) }) {
			t.Errorf("no %q in the output:\n%s", msg, p.Output())
		}
	}
}
