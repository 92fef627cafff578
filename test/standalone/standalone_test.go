// Package standalone tests goha without -W against the real binary on
// loopback: -D, -db, classic -sf/-st reloads with -x, and SIGUSR2
// self-upgrades, under load.
package standalone

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// site is one test's configuration: a frontend on a free port balancing
// across two Go backends, and an admin stats socket.
type site struct {
	dir, cfg, pidfile, stats string
	port                     int
	url                      string
	s1, s2                   *harness.Backend
}

// newSite writes the configuration. statsOpts are the stats socket's
// options after its path (e.g. "level admin expose-fd listeners").
func newSite(t *testing.T, statsOpts string) *site {
	t.Helper()
	s := &site{dir: harness.TempDir(t), port: harness.FreePort(t)}
	s.pidfile = filepath.Join(s.dir, "goha.pid")
	s.stats = filepath.Join(s.dir, "stats.sock")
	s.url = fmt.Sprintf("http://127.0.0.1:%d/", s.port)
	s.s1 = harness.NewBackend(t, "s1", nil)
	s.s2 = harness.NewBackend(t, "s2", nil)
	s.cfg = harness.WriteFile(t, s.dir, "goha.cfg", fmt.Sprintf(`global
    maxconn 4000
    stats socket %s %s
    hard-stop-after 10s
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    option http-keep-alive
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    balance roundrobin
    server s1 %s
    server s2 %s
`, s.stats, statsOpts, s.port, s.s1.Addr, s.s2.Addr))
	return s
}

// daemon runs `goha -D -f cfg -p pidfile extra...` and returns the PID of
// the daemon once -D has returned 0.
func (s *site) daemon(t *testing.T, extra ...string) int {
	t.Helper()
	args := append([]string{"-D", "-f", s.cfg, "-p", s.pidfile}, extra...)
	out, code := harness.Run(t, s.dir, nil, args...)
	if code != 0 {
		t.Fatalf("goha %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	pid := harness.ReadPid(s.pidfile)
	if !harness.Alive(pid) {
		t.Fatalf("-D returned 0 but the pidfile names %d, not a live process", pid)
	}
	harness.KillAtEnd(t, pid)
	return pid
}

func TestDaemon(t *testing.T) {
	t.Run("returns 0 once serving", func(t *testing.T) {
		s := newSite(t, "level admin")
		pid := s.daemon(t)
		// No polling here: -D returning 0 promises the process serves.
		if !harness.Serves(s.url) {
			t.Fatal("-D returned 0 but the frontend does not answer")
		}
		if pid == os.Getpid() {
			t.Fatal("the pidfile names the launcher")
		}
		syscall.Kill(pid, syscall.SIGTERM)
		harness.WaitForf(t, 5*time.Second, func() bool { return !harness.Alive(pid) }, "daemon %d gone after SIGTERM", pid)
	})
	t.Run("bad config fails with the reason", func(t *testing.T) {
		s := newSite(t, "level admin")
		harness.WriteFile(t, s.dir, "goha.cfg", "frontend fe\n    bind 127.0.0.1:1\n    sever x 1.2.3.4:5\n")
		out, code := harness.Run(t, s.dir, nil, "-D", "-f", s.cfg, "-p", s.pidfile)
		if code == 0 {
			t.Fatalf("-D with a broken config exited 0:\n%s", out)
		}
		if !strings.Contains(out, "sever") {
			t.Fatalf("the reason is not shown:\n%s", out)
		}
		if _, err := os.Stat(s.pidfile); err == nil {
			t.Fatal("a pidfile was written by a daemon that never served")
		}
	})
	t.Run("address in use fails with the reason", func(t *testing.T) {
		s := newSite(t, "level admin")
		first := s.daemon(t)
		// -dR: no SO_REUSEPORT, so the second bind must fail.
		out, code := harness.Run(t, s.dir, nil, "-D", "-dR", "-f", s.cfg, "-p", filepath.Join(s.dir, "second.pid"))
		if code == 0 {
			t.Fatalf("second daemon on the same address exited 0:\n%s", out)
		}
		if !strings.Contains(out, "cannot bind") {
			t.Fatalf("the reason is not shown:\n%s", out)
		}
		if !harness.Alive(first) || !harness.Serves(s.url) {
			t.Fatal("the first daemon was disturbed")
		}
	})
}

func TestForeground(t *testing.T) {
	for _, flag := range []string{"-db", "-d"} {
		t.Run(flag, func(t *testing.T) {
			s := newSite(t, "level admin")
			p := harness.Start(t, s.dir, nil, flag, "-f", s.cfg, "-p", s.pidfile)
			// The pidfile is written once the process serves.
			harness.WaitForf(t, 5*time.Second, func() bool {
				return harness.ReadPid(s.pidfile) == p.Pid() && harness.Serves(s.url)
			}, "%s serves and its PID is in the pidfile", flag)
			p.Signal(syscall.SIGTERM)
			if code := p.Wait(5 * time.Second); code != 143 && code != 0 {
				t.Fatalf("exit code %d after SIGTERM; output:\n%s", code, p.Out)
			}
		})
	}
}

// reloadUnderLoad runs two loads (keep-alive and close) while reload
// replaces the process n times, and checks nothing was lost and every
// replaced process exited.
func reloadUnderLoad(t *testing.T, s *site, n int, reload func(i int) int) {
	t.Helper()
	stop := make(chan struct{})
	addr := fmt.Sprintf("127.0.0.1:%d", s.port)
	ka := harness.Load(addr, 8, true, stop)
	cl := harness.Load(addr, 8, false, stop)
	var olds []int
	for i := 0; i < n; i++ {
		olds = append(olds, reload(i))
	}
	// A little traffic on the last generation too.
	time.Sleep(100 * time.Millisecond)
	close(stop)
	kas, cls := <-ka, <-cl
	t.Logf("keep-alive: %v; close: %v", kas, cls)
	if kas.Errors != 0 || cls.Errors != 0 {
		t.Errorf("requests failed during %d reloads: keep-alive %v; close %v", n, kas, cls)
	}
	if kas.Requests < 100 || cls.Requests < 100 {
		t.Errorf("too little traffic to mean anything: keep-alive %v; close %v", kas, cls)
	}
	harness.WaitForf(t, 10*time.Second, func() bool { return harness.NoneAlive(olds...) }, "every replaced process (%v) gone", olds)
	cur := harness.ReadPid(s.pidfile)
	if !harness.Alive(cur) || !harness.Serves(s.url) {
		t.Fatalf("the last process %d does not serve", cur)
	}
	// No stray generation (an upgrade nobody asked for) runs besides it.
	harness.WaitForf(t, 5*time.Second, func() bool { return gohaCount(t, s) == 1 }, "only the pidfile's process %d left", cur)
}

// Classic reloads, as init scripts do them: a new daemon takes the
// listening sockets over the old one's stats socket, then soft-stops it.
func TestClassicReloadUnderLoad(t *testing.T) {
	s := newSite(t, "level admin mode 600 expose-fd listeners")
	s.daemon(t)
	reloadUnderLoad(t, s, 10, func(int) int {
		old := harness.ReadPid(s.pidfile)
		s.daemon(t, "-x", s.stats, "-sf", fmt.Sprint(old))
		return old
	})
}

// SIGUSR2 to a standalone process: a new process (a new PID in the
// pidfile) inherits the listeners; the old one drains and exits.
func TestSelfUpgradeUnderLoad(t *testing.T) {
	s := newSite(t, "level admin")
	s.daemon(t)
	reloadUnderLoad(t, s, 10, func(int) int {
		old := harness.ReadPid(s.pidfile)
		syscall.Kill(old, syscall.SIGUSR2)
		var cur int
		harness.WaitForf(t, 5*time.Second, func() bool {
			cur = harness.ReadPid(s.pidfile)
			return cur != old && cur != 0
		}, "a new PID in the pidfile after SIGUSR2 to %d", old)
		harness.KillAtEnd(t, cur)
		return old
	})
}

// -sf lets an in-flight request finish; -st stops the old process at once.
func TestSoftAndHardStop(t *testing.T) {
	tests := []struct {
		flag     string
		wantSlow bool // the slow request in flight completes
	}{
		{"-sf", true},
		{"-st", false},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			s := newSite(t, "level admin expose-fd listeners")
			old := s.daemon(t)
			type result struct {
				code int
				err  error
			}
			slow := make(chan result, 1)
			go func() {
				code, _, err := harness.GetTimeout(s.url+"slow?ms=1500", 5*time.Second)
				slow <- result{code, err}
			}()
			// Wait until the request is in flight in the old process: it
			// is the first request a backend sees.
			harness.WaitForf(t, 5*time.Second, func() bool {
				return s.s1.Requests.Load()+s.s2.Requests.Load() == 1
			}, "the slow request reaches a backend through the old process")
			start := time.Now()
			s.daemon(t, "-x", s.stats, tt.flag, fmt.Sprint(old))
			harness.WaitForf(t, 5*time.Second, func() bool { return !harness.Alive(old) }, "old process %d gone after %s", old, tt.flag)
			gone := time.Since(start)
			r := <-slow
			ok := r.err == nil && r.code == 200
			if ok != tt.wantSlow {
				t.Fatalf("%s: slow request ok=%v (code %d, err %v), want ok=%v; old process gone after %v", tt.flag, ok, r.code, r.err, tt.wantSlow, gone)
			}
			if !tt.wantSlow && gone > time.Second {
				t.Fatalf("-st took %v to stop the old process", gone)
			}
			if !harness.Serves(s.url) {
				t.Fatal("the new process does not serve")
			}
		})
	}
}

// -x against a stats socket without `expose-fd listeners`: a clear
// message, and the new process binds its own sockets (SO_REUSEPORT).
func TestXWithoutExposeFD(t *testing.T) {
	s := newSite(t, "level admin")
	old := s.daemon(t)
	out, code := harness.Run(t, s.dir, nil, "-D", "-f", s.cfg, "-p", s.pidfile, "-x", s.stats, "-sf", fmt.Sprint(old))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, "expose-fd listeners") || !strings.Contains(out, "binding every listening socket") {
		t.Fatalf("no clear message about the missing `expose-fd listeners`:\n%s", out)
	}
	cur := harness.ReadPid(s.pidfile)
	harness.KillAtEnd(t, cur)
	if cur == old || !harness.Alive(cur) {
		t.Fatalf("no new process (pidfile %d, old %d)", cur, old)
	}
	harness.WaitForf(t, 10*time.Second, func() bool { return !harness.Alive(old) }, "old process gone")
	if !harness.Serves(s.url) {
		t.Fatal("the new process does not serve")
	}
}

// -x with a socket path nobody listens on: same fallback.
func TestXMissingSocket(t *testing.T) {
	s := newSite(t, "level admin")
	out, code := harness.Run(t, s.dir, nil, "-D", "-f", s.cfg, "-p", s.pidfile, "-x", filepath.Join(s.dir, "nothing.sock"))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, "nothing.sock") {
		t.Fatalf("the message does not name the socket:\n%s", out)
	}
	harness.KillAtEnd(t, harness.ReadPid(s.pidfile))
	if !harness.Serves(s.url) {
		t.Fatal("does not serve")
	}
}
