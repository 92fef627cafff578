package mworker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// Faults during a reload (issue 19): a new worker that crashes while it
// starts, the master killed in the middle of a reload, a full disk for
// the pidfile and the server-state file. A new worker that never says it
// is ready is TestReloadFailsWhenWorkersNeverReady; a new worker that
// exits with an error (a chroot it cannot enter) is
// TestFailedGenerationKeepsSockets; a hanging reload check is
// TestHungPreflight.

// A new worker killed by a signal before it is ready (a crash, not an
// orderly exit) fails the reload: the master does not apply
// exit-on-failure to it (it is not the current worker), the previous
// generation keeps serving, `show proc` and the log say the reload
// failed, and the next reload works.
func TestReloadNewWorkerCrashesAtStart(t *testing.T) {
	dir := t.TempDir()
	crash := filepath.Join(dir, "crash")
	bin := filepath.Join(dir, "goha-crash")
	// Once the crash file exists, a worker dies of SIGSEGV as it starts
	// (no core file); the master's own runs are unaffected.
	script := "#!/bin/bash\nif [ \"$GOHA_ROLE\" = worker ] && [ -e " + crash + " ]; then ulimit -c 0; kill -SEGV $$; fi\nexec -a \"$0\" " + harness.Bin(t) + " \"$@\"\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOHA_BIN", bin)
	e := setup(t)
	old := e.workers()
	os.WriteFile(crash, nil, 0o644)
	e.writeCfg(1, "")
	e.master.Signal(syscall.SIGUSR2)
	harness.WaitForf(t, 15*time.Second, func() bool {
		_, _, f, _ := masterRow(e.mcli("show proc"))
		return f == 1 || e.master.Exited()
	}, "show proc to count the failed reload: %s", e.master.Out)
	if e.master.Exited() {
		t.Fatalf("the master exited when a new worker crashed at start:\n%s", e.master.Output())
	}
	for _, want := range []string{"exited with code 139 (Segmentation fault) before it was ready", "Reload failed: new worker ("} {
		if !strings.Contains(e.master.Output(), want) {
			t.Errorf("the master's log lacks %q:\n%s", want, e.master.Output())
		}
	}
	if now := e.workers(); len(now) != 1 || now[0] != old[0] {
		t.Errorf("workers %v -> %v; want the previous one alone", old, now)
	}
	if g := e.gen(); g != 0 {
		t.Errorf("serving generation %d; want 0 (the previous one)", g)
	}
	os.Remove(crash)
	e.writeCfg(2, "")
	if out := e.mcli("reload"); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload after the crash = %q", out)
	}
	if g := e.gen(); g != 2 {
		t.Errorf("serving generation %d; want 2", g)
	}
}

// TestKillMasterDuringReload kills the master (SIGKILL, as the OOM killer
// or a careless operator would) in two moments of a reload, with a
// current worker and an old one still draining (a request in flight),
// both started by a master that had re-executed already: every worker
// exits at once (as HAProxy's do when their master dies, whatever is in
// flight), the ports are released, and a restart by the service manager
// binds them again and serves.
//   - re-exec: the master's new image has not started yet (it is a
//     wrapper that waits on a FIFO);
//   - check: the reload's -c check of the new configuration hangs and is
//     left running (in a process group of its own): it must not hold the
//     workers' IPC sockets open, or they would never see their master go.
func TestKillMasterDuringReload(t *testing.T) {
	for _, tc := range []struct{ name, wrap string }{
		{"re-exec", `if [ -n "$GOHA_MASTER_HANDOFF" ] && [ -e $ARM ]; then : > $HERE; read -t 30 <> $FIFO; fi`},
		{"check", `for a in "$@"; do if [ "$a" = -c ] && [ -e $ARM ]; then echo $$ > $HERE; exec sleep 30; fi; done`},
	} {
		t.Run(tc.name, func(t *testing.T) { killMasterDuringReload(t, tc.wrap) })
	}
}

func killMasterDuringReload(t *testing.T, wrap string) {
	wdir := t.TempDir()
	arm, here, fifo := filepath.Join(wdir, "arm"), filepath.Join(wdir, "here"), filepath.Join(wdir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link, switchTo := wrapperBin(t, wdir)
	switchTo("ARM=" + arm + " HERE=" + here + " FIFO=" + fifo + "\n" + wrap + "\nexec -a \"$0\" $REAL \"$@\"")
	b := harness.NewBackend(t, "slow", nil)
	port := harness.FreePort(t)
	cfg := func(body string) string {
		return fmt.Sprintf(`global
    hard-stop-after 30s
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
frontend fe
    bind 127.0.0.1:%d
    http-response set-header X-Body %s
    default_backend be
backend be
    server s %s
`, port, body, b.Addr)
	}
	m, dir, sock := bareMaster(t, link, cfg("zero"), port, nil)
	t.Cleanup(func() {
		if pid := harness.ReadPid(here); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL) // the orphaned check
		}
	})
	// A request in flight keeps generation 0 draining once replaced.
	c := harness.Dial(t, fmt.Sprintf("127.0.0.1:%d", port))
	fmt.Fprintf(c, "GET /slow?ms=60000 HTTP/1.1\r\nHost: x\r\n\r\n")
	harness.WaitFor(t, 5*time.Second, "the slow request to reach the server", func() bool { return b.Requests.Load() >= 1 })
	harness.WriteFile(t, dir, "c.cfg", cfg("one"))
	if out, _ := ask(sock, "reload\n", 15*time.Second); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("first reload = %q", out)
	}
	ws := harness.Children(m.Pid())
	if len(ws) != 2 {
		t.Fatalf("workers after the first reload: %v; want the draining one and the new one", ws)
	}
	os.WriteFile(arm, nil, 0o644)
	harness.WriteFile(t, dir, "c.cfg", cfg("two"))
	m.Signal(syscall.SIGUSR2)
	harness.WaitForf(t, 10*time.Second, func() bool { _, err := os.Stat(here); return err == nil }, "the reload to reach the fault: %s", m.Out)
	m.Signal(syscall.SIGKILL)
	start := time.Now()
	harness.WaitForf(t, 3*time.Second, func() bool { return harness.NoneAlive(ws...) }, "workers %v to exit after their master's death", ws)
	t.Logf("workers gone %v after the master's SIGKILL", time.Since(start).Round(time.Millisecond))
	harness.WaitFor(t, 3*time.Second, "the port to be released", func() bool { return refused(port) })
	// The service manager starts goha again: it binds and serves.
	os.Remove(arm)
	m2, _, _ := bareMaster(t, "", cfg("restarted"), port, nil)
	if m2.Exited() {
		t.Fatalf("the restarted master exited: %s", m2.Out)
	}
}

// fullDisk mounts a small tmpfs at dir and returns a function that fills
// it up (one file, written until ENOSPC) and one that frees it. The test
// is skipped when it cannot mount (not root, no mount namespace rights).
func fullDisk(t *testing.T, dir string) (fill, free func()) {
	if os.Geteuid() != 0 {
		t.Skip("a full disk needs a tmpfs mount: run as root")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs at %s: %v %s", dir, err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	filler := filepath.Join(dir, "filler")
	fill = func() {
		f, err := os.Create(filler)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		buf := make([]byte, 4096)
		for {
			if _, err := f.Write(buf); err != nil {
				if !strings.Contains(err.Error(), "no space left") {
					t.Fatalf("filling %s: %v", dir, err)
				}
				return
			}
		}
	}
	return fill, func() { os.Remove(filler) }
}

// A reload on a full disk: the master rewrites its pidfile after its
// re-exec and the stopping worker saves the server-state file, both fail.
// The reload still goes through (the pidfile already names the same
// master), each failure is logged with its file and cause, both files
// are left whole with their previous content (written to a temporary
// file, then renamed: never truncated in place) and no temporary file is
// left behind. Once there is room again, the next reload writes both.
func TestReloadOnFullDisk(t *testing.T) {
	disk := t.TempDir()
	fill, free := fullDisk(t, disk)
	pidf, statef := filepath.Join(disk, "goha.pid"), filepath.Join(disk, "state")
	b := harness.NewBackend(t, "s", nil)
	port := harness.FreePort(t)
	// Generation 1 has many servers: its state is larger than the one
	// it replaces by several pages, which a write in place on a full
	// disk would leave truncated.
	cfg := func(gen, servers int) string {
		var s strings.Builder
		fmt.Fprintf(&s, "global\n    hard-stop-after 5s\n    server-state-file %s\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n", statef)
		fmt.Fprintf(&s, "frontend fe\n    bind 127.0.0.1:%d\n    http-response set-header X-Gen %d\n    default_backend be\nbackend be\n", port, gen)
		for i := 0; i < servers; i++ {
			fmt.Fprintf(&s, "    server s%d %s\n", i, b.Addr)
		}
		return s.String()
	}
	m, dir, sock := bareMaster(t, "", cfg(0, 1), port, nil, "-p", pidf)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	reload := func(gen, servers int) string {
		harness.WriteFile(t, dir, "c.cfg", cfg(gen, servers))
		out, _ := ask(sock, "reload\n", 20*time.Second)
		harness.WaitForf(t, 10*time.Second, func() bool { return len(harness.Children(m.Pid())) == 1 }, "the old worker to stop: %s", m.Out)
		return out
	}
	if out := reload(1, 200); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload 1 = %q", out)
	}
	pid0, state0 := readOrEmpty(pidf), readOrEmpty(statef)
	if strings.TrimSpace(pid0) != strconv.Itoa(m.Pid()) || !strings.Contains(state0, " s0 ") {
		t.Fatalf("before the disk is full: pidfile %q, state file %q", pid0, state0)
	}
	fill()
	out := reload(2, 2)
	if !strings.HasPrefix(out, "Success=1") || genOf(url) != 2 {
		t.Errorf("reload on a full disk = %q, serving generation %d; want Success=1 and generation 2", out, genOf(url))
	}
	if m.Exited() {
		t.Fatalf("the master exited on a full disk: %s", m.Out)
	}
	for _, want := range []string{"cannot write pidfile " + pidf, "server state file \"" + statef + "\"", "no space left on device"} {
		if !strings.Contains(m.Output(), want) {
			t.Errorf("the log lacks %q:\n%s", want, tail(m.Output(), 3000))
		}
	}
	if p, s := readOrEmpty(pidf), readOrEmpty(statef); p != pid0 || s != state0 {
		t.Errorf("on a full disk the files changed: pidfile %q -> %q; state file %d bytes -> %d bytes (%q...)", pid0, p, len(state0), len(s), tail(s, 200))
	}
	if ents, _ := os.ReadDir(disk); len(ents) != 3 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files on the full disk: %v; want goha.pid, state and the filler (no temporary left)", names)
	}
	free()
	if out := reload(3, 1); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload with room again = %q", out)
	}
	if s := readOrEmpty(statef); !strings.Contains(s, " s1 ") || strings.Contains(s, " s2 ") {
		t.Errorf("the state file after a reload with room again: %d bytes (%q); want generation 2's two servers", len(s), tail(s, 200))
	}
	if p := readOrEmpty(pidf); p != pid0 {
		t.Errorf("pidfile = %q; want %q", p, pid0)
	}
}

func readOrEmpty(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}
