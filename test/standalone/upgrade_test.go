package standalone

import (
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// installBinary copies the goha under test to dir/goha, so a test can
// replace it (as a package upgrade would) without touching the shared one,
// and hard-links the copy as dir/goha.spare, to run or restore later.
func installBinary(t *testing.T, dir string) (bin, spare string) {
	t.Helper()
	src, err := os.Open(harness.Bin(t))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := filepath.Join(dir, "goha")
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, src); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	spare = dst + ".spare"
	if err := os.Link(dst, spare); err != nil {
		t.Fatal(err)
	}
	return dst, spare
}

// replaceWith atomically installs a shell script at path (a new "binary").
func replaceWith(t *testing.T, path, script string) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// startAt runs the binary at bin in the foreground (-db) so its log is
// captured, and waits until it serves.
func startAt(t *testing.T, s *site, bin string) (*harness.Buffer, int) {
	t.Helper()
	p := harness.StartBin(t, bin, s.dir, nil, "-db", "-f", s.cfg, "-p", s.pidfile)
	harness.WaitForf(t, 5*time.Second, func() bool { return harness.ReadPid(s.pidfile) == p.Pid() && harness.Serves(s.url) }, "goha serves")
	return p.Out, p.Pid()
}

// waitLog waits until the log contains want.
func waitLog(t *testing.T, log *harness.Buffer, want string) {
	t.Helper()
	harness.WaitForf(t, 10*time.Second, func() bool { return strings.Contains(log.String(), want) }, "log line %q; log:\n%s", want, log)
}

// A new binary that crashes at start: the old process keeps serving, says
// why, and a later upgrade to a good binary works.
func TestSelfUpgradeToCrashingBinary(t *testing.T) {
	s := newSite(t, "level admin")
	bin, good := installBinary(t, s.dir)
	log, pid := startAt(t, s, bin)
	replaceWith(t, bin, "echo 'new binary: crashing at start' >&2\nkill -SEGV $$\n")
	syscall.Kill(pid, syscall.SIGUSR2)
	waitLog(t, log, "Self-upgrade failed")
	if !strings.Contains(log.String(), "crashing at start") {
		t.Errorf("the new process's own words are not in the log:\n%s", log)
	}
	if got := harness.ReadPid(s.pidfile); got != pid {
		t.Fatalf("pidfile names %d after a failed upgrade, want %d", got, pid)
	}
	if !harness.Alive(pid) || !harness.Serves(s.url) {
		t.Fatal("the old process stopped serving after a failed upgrade")
	}
	// Put a good binary back: the next SIGUSR2 upgrades.
	if err := os.Rename(good, bin); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(pid, syscall.SIGUSR2)
	harness.WaitForf(t, 5*time.Second, func() bool { p := harness.ReadPid(s.pidfile); return p != pid && harness.Alive(p) }, "upgrade after the binary was fixed")
	harness.KillAtEnd(t, harness.ReadPid(s.pidfile))
	harness.WaitForf(t, 5*time.Second, func() bool { return !harness.Alive(pid) }, "old process gone")
}

// A broken configuration: the new process fails with the configuration's
// error in the log, the old one keeps serving.
func TestSelfUpgradeBadConfig(t *testing.T) {
	s := newSite(t, "level admin")
	log, pid := startAt(t, s, harness.Bin(t))
	good, err := os.ReadFile(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	harness.WriteFile(t, s.dir, "goha.cfg", string(good)+"    sever x 1.2.3.4:5\n")
	syscall.Kill(pid, syscall.SIGUSR2)
	waitLog(t, log, "Self-upgrade failed")
	if !strings.Contains(log.String(), "sever") {
		t.Errorf("the configuration error is not in the log:\n%s", log)
	}
	if harness.ReadPid(s.pidfile) != pid || !harness.Serves(s.url) {
		t.Fatal("the old process does not serve any more")
	}
}

// SIGUSR2 while an upgrade runs is queued once: two signals during one
// upgrade make exactly one more upgrade, after the first.
func TestSelfUpgradeQueuedOnce(t *testing.T) {
	s := newSite(t, "level admin")
	bin, real := installBinary(t, s.dir)
	log, pid := startAt(t, s, bin)
	// The new "binary" takes a while to start: the window in which the
	// next signals arrive. It then runs the real goha at another path, so
	// later upgrades are quick.
	replaceWith(t, bin, fmt.Sprintf("echo slow start >&2\nsleep 0.5\nexec %s \"$@\"\n", real))
	syscall.Kill(pid, syscall.SIGUSR2)
	waitLog(t, log, "slow start")
	syscall.Kill(pid, syscall.SIGUSR2)
	waitLog(t, log, "another one will follow it")
	syscall.Kill(pid, syscall.SIGUSR2)
	waitLog(t, log, "another one is already queued")

	// First upgrade, then the queued one in the new process once the first
	// process is gone: two new generations, no third.
	harness.WaitForf(t, 10*time.Second, func() bool { return strings.Count(log.String(), "Self-upgrade complete") == 2 }, "two upgrades; log:\n%s", log)
	last := harness.ReadPid(s.pidfile)
	harness.KillAtEnd(t, last)
	harness.WaitForf(t, 10*time.Second, func() bool { return harness.Alive(last) && gohaCount(t, s) == 1 }, "a single process left")
	if !harness.Alive(last) || last == pid || !harness.Serves(s.url) {
		t.Fatalf("the last generation %d does not serve", last)
	}
	// Give a third, wrongly queued upgrade every chance to show up.
	time.Sleep(300 * time.Millisecond)
	if n := strings.Count(log.String(), "Self-upgrade complete"); n != 2 {
		t.Fatalf("%d upgrades, want 2:\n%s", n, log)
	}
}

// gohaCount counts live processes that serve this site's configuration.
func gohaCount(t *testing.T, s *site) int {
	t.Helper()
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if strings.Contains(string(cmd), s.cfg) && harness.Alive(pid) {
			n++
		}
	}
	return n
}

// A standalone process that dropped its privileges refuses SIGUSR2 with a
// clear message and goes on serving; a classic -x -sf reload from root
// still replaces it.
func TestSelfUpgradeRefusedAfterPrivilegeDrop(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chroot and change user")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	s := newSite(t, "level admin expose-fd listeners")
	jail := filepath.Join(s.dir, "empty")
	if err := os.Mkdir(jail, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.ReadFile(s.cfg)
	harness.WriteFile(t, s.dir, "goha.cfg", strings.Replace(string(cfg), "global\n",
		fmt.Sprintf("global\n    user nobody\n    chroot %s\n", jail), 1))
	log, pid := startAt(t, s, harness.Bin(t))
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if !strings.Contains(string(status), "\nUid:\t"+nobody.Uid+"\t") {
		t.Fatalf("the standalone process did not drop to nobody:\n%s", status)
	}
	syscall.Kill(pid, syscall.SIGUSR2)
	waitLog(t, log, "no self-upgrade")
	if !strings.Contains(log.String(), "chroot") {
		t.Errorf("the message does not say why:\n%s", log)
	}
	if harness.ReadPid(s.pidfile) != pid || !harness.Serves(s.url) {
		t.Fatal("the process stopped serving")
	}
	s.daemon(t, "-x", s.stats, "-sf", fmt.Sprint(pid))
	harness.WaitForf(t, 10*time.Second, func() bool { return !harness.Alive(pid) }, "old process gone after -x -sf")
	if !harness.Serves(s.url) {
		t.Fatal("the new process does not serve")
	}
}

// A daemon's stderr is /dev/null: why a self-upgrade failed must reach the
// global log targets instead, goha's check output included.
func TestDaemonUpgradeFailureReachesSyslog(t *testing.T) {
	got := harness.ListenDatagrams(t, "udp4", "127.0.0.1:0")
	s := newSite(t, "level admin")
	cfg, _ := os.ReadFile(s.cfg)
	good := strings.Replace(string(cfg), "global\n", fmt.Sprintf("global\n    log %s local0\n", got.Addr()), 1)
	harness.WriteFile(t, s.dir, "goha.cfg", good)
	pid := s.daemon(t)
	harness.WriteFile(t, s.dir, "goha.cfg", good+"    sever x 1.2.3.4:5\n")
	syscall.Kill(pid, syscall.SIGUSR2)
	harness.WaitForf(t, 10*time.Second, func() bool {
		return strings.Contains(got.String(), "Self-upgrade failed") && strings.Contains(got.String(), "sever")
	}, "the failure and goha's error in the syslog datagrams; got:\n%s", got)
	if !strings.Contains(got.String(), "<131>") { // local0.err = 16*8+3
		t.Errorf("not sent as local0.err:\n%s", got)
	}
	if harness.ReadPid(s.pidfile) != pid || !harness.Serves(s.url) {
		t.Fatal("the daemon stopped serving")
	}
}
