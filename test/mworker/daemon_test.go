package mworker

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// `-W -D` returns 0 only once the first generation serves, and the
// pidfile holds the daemonized master, which keeps its PID across
// reloads.
func TestMasterDaemon(t *testing.T) {
	dir := t.TempDir()
	b := harness.NewBackend(t, "s1", nil)
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "c.cfg", fmt.Sprintf("defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind 127.0.0.1:%d\n    default_backend be\nbackend be\n    server s1 %s\n", port, b.Addr))
	pidf := filepath.Join(dir, "pid")
	msock := filepath.Join(dir, "m.sock")
	if out, code := harness.Run(t, dir, nil, "-W", "-D", "-f", cfg, "-p", pidf, "-S", msock); code != 0 {
		t.Fatalf("goha -W -D: exit %d\n%s", code, out)
	}
	pid := harness.ReadPid(pidf)
	if pid == 0 || !harness.Alive(pid) {
		t.Fatalf("pidfile %s holds no live master (%d)", pidf, pid)
	}
	harness.KillAtEnd(t, pid)
	// Serving already when -D returned: no wait.
	if code, _, err := harness.Get(fmt.Sprintf("http://127.0.0.1:%d/", port)); err != nil || code != 200 {
		t.Fatalf("not serving when -D returned: %d %v", code, err)
	}
	if r := harness.Socat(t, msock, "reload\n"); !strings.HasPrefix(r, "Success=1") {
		t.Fatalf("reload = %q", r)
	}
	if got := harness.ReadPid(pidf); got != pid {
		t.Errorf("pidfile after reload names %d; want %d", got, pid)
	}
	// SIGUSR1: every worker stops softly, then the master exits.
	syscall.Kill(pid, syscall.SIGUSR1)
	harness.WaitFor(t, 10*time.Second, "the master to exit after SIGUSR1", func() bool { return !harness.Alive(pid) })
}

// `-W -D` with a broken configuration exits non-zero with the reason.
func TestMasterDaemonBrokenConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := harness.WriteFile(t, dir, "c.cfg", "frontend fe\n    bindd 127.0.0.1:1\n")
	out, code := harness.Run(t, dir, nil, "-W", "-D", "-f", cfg, "-p", filepath.Join(dir, "pid"))
	if code == 0 {
		t.Fatalf("goha -W -D with a broken config exited 0:\n%s", out)
	}
	if !strings.Contains(out, "bindd") {
		t.Errorf("output lacks the configuration error:\n%s", out)
	}
}
