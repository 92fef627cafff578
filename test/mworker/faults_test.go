package mworker

import (
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// The master must never be what takes the service down: these tests
// drive the real binary into the situations of issue 21 (signals across
// the re-exec, a hanging reload check, a frozen worker, a client that
// never reads, failed generations, an unreadable re-exec state) and
// check that it keeps its PID, answers and serves.

// ask sends text on a unix socket, half-closes, and reads the answer
// until the peer closes, all within d. It never blocks longer than d.
func ask(sock, text string, d time.Duration) (string, error) {
	deadline := time.Now().Add(d)
	c, err := net.DialTimeout("unix", sock, d)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(deadline)
	if _, err := io.WriteString(c, text); err != nil {
		return "", err
	}
	c.(*net.UnixConn).CloseWrite()
	out, err := io.ReadAll(c)
	return string(out), err
}

// masterRow parses the master row of `show proc`: pid, reloads, failed.
func masterRow(showProc string) (pid, reloads, failed int, ok bool) {
	for _, l := range strings.Split(showProc, "\n") {
		f := strings.Fields(l)
		if len(f) >= 5 && f[1] == "master" {
			pid, _ = strconv.Atoi(f[0])
			reloads, _ = strconv.Atoi(f[2])
			failed, _ = strconv.Atoi(strings.TrimSuffix(f[4], "]"))
			return pid, reloads, failed, true
		}
	}
	return 0, 0, 0, false
}

// showProcWithin asks the master CLI for `show proc` and fails the test
// unless the master row names want within d.
func showProcWithin(t *testing.T, sock string, d time.Duration, want int) (reloads, failed int) {
	t.Helper()
	start := time.Now()
	var out string
	var err error
	// A session cut before any answer (the master re-executing) is tried
	// again, within d.
	for out == "" && time.Since(start) < d {
		out, err = ask(sock, "show proc\n", d-time.Since(start))
		if out == "" {
			time.Sleep(10 * time.Millisecond)
		}
	}
	pid, r, f, ok := masterRow(out)
	if !ok || pid != want {
		t.Fatalf("show proc after %v: %q, %v; want the master row of %d within %v", time.Since(start).Round(time.Millisecond), out, err, want, d)
	}
	return r, f
}

// simpleCfg is one frontend on port answering 200 body, plus extra
// global lines and extra sections.
func simpleCfg(port int, body, global, extra string) string {
	return fmt.Sprintf(`global
    maxconn 200
    hard-stop-after 3s
%s
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:%d
    http-request return status 200 content-type text/plain string "%s"
%s`, global, port, body, extra)
}

// bareMaster starts goha -W -S <dir>/m.sock -f <dir>/c.cfg with cfg,
// through bin ("" = the binary under test) and waits for port to serve.
func bareMaster(t *testing.T, bin, cfg string, port int, env []string, extra ...string) (p *harness.Proc, dir, sock string) {
	t.Helper()
	dir = t.TempDir()
	harness.WriteFile(t, dir, "c.cfg", cfg)
	sock = filepath.Join(dir, "m.sock")
	if bin == "" {
		bin = harness.Bin(t)
	}
	args := append([]string{"-W", "-S", sock, "-f", filepath.Join(dir, "c.cfg")}, extra...)
	p = harness.StartBin(t, bin, dir, env, args...)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	harness.WaitForf(t, 10*time.Second, func() bool { return harness.Serves(url) }, "goha to serve on %d: %s", port, p.Out)
	return p, dir, sock
}

// listenInode is the inode of the socket listening on 127.0.0.1:port
// (from /proc/net/tcp), or "" when none listens.
func listenInode(port int) string {
	data, _ := os.ReadFile("/proc/net/tcp")
	want := strings.ToUpper(hex.EncodeToString([]byte{127, 0, 0, 1}))
	for _, l := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 10 || f[3] != "0A" {
			continue
		}
		// local address is little-endian hex ip:port
		ipPort := strings.Split(f[1], ":")
		if len(ipPort) != 2 {
			continue
		}
		p, _ := strconv.ParseUint(ipPort[1], 16, 16)
		if int(p) == port && ipPort[0] == reverseHex(want) {
			return f[9]
		}
	}
	return ""
}

func reverseHex(h string) string {
	var b strings.Builder
	for i := len(h) - 2; i >= 0; i -= 2 {
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// refused reports whether a TCP connect to port is refused.
func refused(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err == nil {
		c.Close()
		return false
	}
	return strings.Contains(err.Error(), "refused")
}

// wrapperBin installs at dir/bin a symlink to the binary under test and
// returns it with a function that switches it to a bash wrapper running
// body (the real binary is $REAL).
func wrapperBin(t *testing.T, dir string) (link string, switchTo func(body string)) {
	link = filepath.Join(dir, "bin")
	if err := os.Symlink(harness.Bin(t), link); err != nil {
		t.Fatal(err)
	}
	n := 0
	return link, func(body string) {
		n++
		w := filepath.Join(dir, fmt.Sprintf("wrap%d.sh", n))
		script := "#!/bin/bash\nREAL=" + harness.Bin(t) + "\n" + body + "\n"
		if err := os.WriteFile(w, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		tmp := link + ".new"
		os.Remove(tmp)
		if err := os.Symlink(w, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, link); err != nil {
			t.Fatal(err)
		}
	}
}

// SIGHUP every 1-10 ms across re-execs: a signal pending at the exec or
// arriving while the new image starts must never kill the master.
func TestSIGHUPBurstAcrossReexec(t *testing.T) {
	port := harness.FreePort(t)
	m, _, sock := bareMaster(t, "", simpleCfg(port, "hup", "", ""), port, nil)
	pid := m.Pid()
	end := time.Now().Add(1500 * time.Millisecond)
	sent := 0
	for time.Now().Before(end) && !m.Exited() {
		syscall.Kill(pid, syscall.SIGHUP)
		sent++
		time.Sleep(time.Duration(1+rand.Intn(10)) * time.Millisecond)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	harness.WaitForf(t, 10*time.Second, func() bool { return m.Exited() || harness.Serves(url) }, "serving after %d SIGHUPs", sent)
	if m.Exited() {
		t.Fatalf("the master died after %d SIGHUPs: %s", sent, m.Out)
	}
	reloads, _ := showProcWithin(t, sock, 5*time.Second, pid)
	if reloads < 1 {
		t.Errorf("%d SIGHUPs, %d reloads; want at least one", sent, reloads)
	}
}

// A reload check (-c) that never returns: the master keeps answering,
// reports the reload failed after its bound, and SIGTERM still stops it.
func TestHungPreflight(t *testing.T) {
	port := harness.FreePort(t)
	wdir := t.TempDir()
	link, switchTo := wrapperBin(t, wdir)
	m, _, sock := bareMaster(t, link, simpleCfg(port, "pre", "", ""), port, []string{"GOHA_RELOAD_CHECK_TIMEOUT=1s"})
	calls := filepath.Join(wdir, "calls")
	switchTo(`echo "$*" >> ` + calls + `
for a in "$@"; do [ "$a" = -c ] && exec sleep 60; done
exec -a "$0" $REAL "$@"`)
	checks := func() int {
		data, _ := os.ReadFile(calls)
		return strings.Count(string(data), "-c")
	}
	m.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 5*time.Second, "the hanging check", func() bool { return checks() == 1 })
	showProcWithin(t, sock, 2*time.Second, m.Pid())
	harness.WaitForf(t, 5*time.Second, func() bool {
		out, _ := ask(sock, "show proc\n", 2*time.Second)
		_, _, f, _ := masterRow(out)
		return f == 1
	}, "the hung reload to be reported failed: %s", m.Out)
	if !harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", port)) {
		t.Fatal("the previous worker no longer serves")
	}
	m.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 5*time.Second, "the second hanging check", func() bool { return checks() == 2 })
	m.Signal(syscall.SIGTERM)
	if m.Wait(2*time.Second) < 0 && !m.Exited() {
		t.Fatal("SIGTERM during a hanging check did not stop the master within 2 s")
	}
}

// A stopped worker with queued `@1` commands, then a reload: the master
// must stay responsive (sends to the worker have deadlines).
func TestStoppedWorkerQueuedCommands(t *testing.T) {
	port := harness.FreePort(t)
	qdir := t.TempDir()
	var qs, extra []string
	for i := 1; i <= 5; i++ {
		q := filepath.Join(qdir, fmt.Sprintf("q%d.sock", i))
		qs, extra = append(qs, q), append(extra, "-S", q)
	}
	m, _, sock := bareMaster(t, "", simpleCfg(port, "stop", "", ""), port, nil, extra...)
	harness.WaitFor(t, 5*time.Second, "a worker", func() bool { return len(harness.Children(m.Pid())) == 1 })
	w := harness.Children(m.Pid())[0]
	syscall.Kill(w, syscall.SIGSTOP)
	t.Cleanup(func() { syscall.Kill(w, syscall.SIGCONT) })
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// 300 commands over 5 other CLI sockets (60 each, within a socket's
	// session limit): enough to fill the stopped worker's IPC socket.
	for i := 0; i < 300; i++ {
		c, err := net.Dial("unix", qs[i%len(qs)])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "@1 show info\n")
		conns = append(conns, c)
	}
	showProcWithin(t, sock, 2*time.Second, m.Pid())
	m.Signal(syscall.SIGUSR2)
	// The reload's check runs, then asks the stopped worker for its
	// server states: the master must answer all along.
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		showProcWithin(t, sock, 2*time.Second, m.Pid())
	}
}

// A `reload` client that never reads its (large) answer must not freeze
// the master.
func TestReloadClientNeverReads(t *testing.T) {
	port := harness.FreePort(t)
	global := strings.Repeat("    nosplice\n", 3000)
	m, _, sock := bareMaster(t, "", simpleCfg(port, "noread", global, ""), port, nil)
	harness.WaitFor(t, 5*time.Second, "one worker", func() bool { return len(harness.Children(m.Pid())) == 1 })
	w0 := harness.Children(m.Pid())
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return nil
	}}
	c, err := d.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "reload\n"); err != nil {
		t.Fatal(err)
	}
	harness.WaitForf(t, 20*time.Second, func() bool {
		for _, p := range harness.Children(m.Pid()) {
			if p != w0[0] {
				return true
			}
		}
		return false
	}, "a new worker: %s", m.Out)
	harness.WaitFor(t, 5*time.Second, "the old worker to leave", func() bool { return len(harness.Children(m.Pid())) == 1 })
	if r, _ := showProcWithin(t, sock, 2*time.Second, m.Pid()); r != 1 {
		t.Errorf("reloads = %d; want 1", r)
	}
}

// Failed generations change nothing: a bind the failed config added is
// not left listening, one it removed keeps its socket through a later
// good reload.
func TestFailedGenerationKeepsSockets(t *testing.T) {
	port, x, y := harness.FreePort(t), harness.FreePort(t), harness.FreePort(t)
	fx := func(p int) string {
		return fmt.Sprintf("frontend fx\n    bind 127.0.0.1:%d\n    http-request return status 200 content-type text/plain string \"fx\"\n", p)
	}
	m, dir, sock := bareMaster(t, "", simpleCfg(port, "gen", "", fx(x)), port, nil)
	i0 := listenInode(x)
	if i0 == "" {
		t.Fatalf("nothing listens on %d", x)
	}
	harness.WriteFile(t, dir, "c.cfg", simpleCfg(port, "gen", "    chroot "+filepath.Join(dir, "no-such-dir"), fx(y)))
	if out, _ := ask(sock, "reload\n", 15*time.Second); !strings.HasPrefix(out, "Success=0") {
		t.Fatalf("reload to a config whose worker cannot chroot = %q; want Success=0", out)
	}
	if !refused(y) {
		t.Errorf("the failed generation's new bind %d is left listening with no worker", y)
	}
	if i := listenInode(x); i != i0 || !harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", x)) {
		t.Errorf("after the failed reload, bind %d: inode %s -> %q (serves %v)", x, i0, i, harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", x)))
	}
	harness.WriteFile(t, dir, "c.cfg", simpleCfg(port, "gen", "", fx(x)))
	if out, _ := ask(sock, "reload\n", 15*time.Second); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("good reload = %q", out)
	}
	if i := listenInode(x); i != i0 {
		t.Errorf("a good reload after the failed one rebound %d: inode %s -> %s (accept queue dropped)", x, i0, i)
	}
	if m.Exited() {
		t.Fatal("master exited")
	}
}

// The reload check runs in the master's mode: a config testing
// defined(HAPROXY_MWORKER) reloads.
func TestReloadCheckSeesMasterWorkerMode(t *testing.T) {
	port := harness.FreePort(t)
	_, dir, sock := bareMaster(t, "", simpleCfg(port, "plain", "", ""), port, nil)
	cond := strings.Replace(simpleCfg(port, "mworker", "", ""), fmt.Sprintf("    bind 127.0.0.1:%d\n", port),
		fmt.Sprintf(".if defined(HAPROXY_MWORKER)\n    bind 127.0.0.1:%d\n.else\n    .alert \"needs master-worker mode\"\n.endif\n", port), 1)
	harness.WriteFile(t, dir, "c.cfg", cond)
	if out, _ := ask(sock, "reload\n", 15*time.Second); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload to a defined(HAPROXY_MWORKER) config = %q; want Success=1", out)
	}
}

// SIGUSR2 and SIGTERM taken in one batch: the master stops.
func TestReloadAndStopInOneBatch(t *testing.T) {
	port := harness.FreePort(t)
	m, _, _ := bareMaster(t, "", simpleCfg(port, "batch", "", ""), port, nil)
	m.Signal(syscall.SIGSTOP)
	m.Signal(syscall.SIGUSR2)
	m.Signal(syscall.SIGTERM)
	m.Signal(syscall.SIGCONT)
	if m.Wait(5*time.Second) < 0 && !m.Exited() {
		t.Fatal("SIGUSR2+SIGTERM in one batch: the master still runs")
	}
}

// A new binary that cannot read the re-exec state does not take the
// service down: the previous executable is re-executed with the state.
func TestUnreadableStateRollsBack(t *testing.T) {
	port := harness.FreePort(t)
	wdir := t.TempDir()
	link, switchTo := wrapperBin(t, wdir)
	m, _, sock := bareMaster(t, link, simpleCfg(port, "rb", "", ""), port, nil)
	w0 := harness.Children(m.Pid())
	trunc := filepath.Join(wdir, "trunc")
	// The new "binary" hands the real one a truncated copy of the state.
	switchTo(`if [ -n "$GOHA_MASTER_HANDOFF" ]; then
  head -c 20 /proc/self/fd/$GOHA_MASTER_HANDOFF > ` + trunc + `
  exec 200<` + trunc + `
  export GOHA_MASTER_HANDOFF=200
fi
exec -a "$0" $REAL "$@"`)
	m.Signal(syscall.SIGUSR2)
	harness.WaitForf(t, 10*time.Second, func() bool {
		if m.Exited() {
			return true
		}
		out, _ := ask(sock, "show proc\n", time.Second)
		_, _, f, _ := masterRow(out)
		return f == 1
	}, "the failed upgrade to be reported: %s", m.Out)
	if m.Exited() {
		t.Fatalf("the master exited on an unreadable state: %s", m.Out)
	}
	showProcWithin(t, sock, 2*time.Second, m.Pid())
	if w := harness.Children(m.Pid()); fmt.Sprint(w) != fmt.Sprint(w0) {
		t.Errorf("workers %v -> %v; want the same", w0, w)
	}
	if !harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", port)) {
		t.Error("no longer serves")
	}
}

// `daemon` and `pidfile` in global apply in master-worker mode.
func TestDaemonAndPidfileFromConfig(t *testing.T) {
	port := harness.FreePort(t)
	dir := t.TempDir()
	pidf := filepath.Join(dir, "p.pid")
	cfg := harness.WriteFile(t, dir, "c.cfg", simpleCfg(port, "d", "    master-worker\n    daemon\n    pidfile "+pidf, ""))
	cmd := harness.Command(t, dir, nil, "-f", cfg)
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("goha with daemon in global: %v", err)
		}
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatal("goha with `daemon` in global did not return")
	}
	harness.WaitFor(t, 5*time.Second, "the pidfile", func() bool { return harness.ReadPid(pidf) > 0 })
	pid := harness.ReadPid(pidf)
	harness.KillAtEnd(t, pid)
	if !harness.Alive(pid) || len(harness.Children(pid)) < 1 {
		t.Fatalf("pidfile names %d (alive %v, children %v)", pid, harness.Alive(pid), harness.Children(pid))
	}
	harness.WaitFor(t, 5*time.Second, "serving", func() bool { return harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", port)) })
	syscall.Kill(pid, syscall.SIGTERM)
	harness.WaitFor(t, 5*time.Second, "the daemon to stop", func() bool { return !harness.Alive(pid) })
}

// -C with a relative directory, and a relative argv[0]: both are resolved
// once at start, so reloads work.
func TestRelativeChdirAndArgv0(t *testing.T) {
	port := harness.FreePort(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "conf"), 0o755)
	harness.WriteFile(t, filepath.Join(dir, "conf"), "c.cfg", simpleCfg(port, "cdir", "", ""))
	os.Symlink(harness.Bin(t), filepath.Join(dir, "prog"))
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	for _, tc := range []struct{ name, bin, chdir string }{
		{"relative -C", harness.Bin(t), "conf"},
		{"relative argv[0]", "./prog", filepath.Join(dir, "conf")},
	} {
		sock := filepath.Join(dir, "m.sock")
		m := harness.StartBin(t, tc.bin, dir, nil, "-W", "-S", sock, "-C", tc.chdir, "-f", "c.cfg")
		harness.WaitForf(t, 10*time.Second, func() bool { return m.Exited() || harness.Serves(url) }, "%s: serving", tc.name)
		if m.Exited() {
			t.Fatalf("%s: the master exited at start: %s", tc.name, m.Out)
		}
		if out, _ := ask(sock, "reload\n", 15*time.Second); !strings.HasPrefix(out, "Success=1") {
			t.Errorf("%s: reload = %q (%s)", tc.name, out, m.Out)
		}
		showProcWithin(t, sock, 2*time.Second, m.Pid())
		m.Signal(syscall.SIGTERM)
		m.Wait(5 * time.Second)
		harness.WaitFor(t, 5*time.Second, "the port to be free", func() bool { return refused(port) })
	}
}

// SIGTTOU pauses the listeners, SIGTTIN resumes them.
func TestTTOUPausesTTINResumes(t *testing.T) {
	port := harness.FreePort(t)
	m, _, _ := bareMaster(t, "", simpleCfg(port, "pause", "", ""), port, nil)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	m.Signal(syscall.SIGTTOU)
	// Two signals pending at once are delivered in signal-number order
	// (SIGTTIN first): SIGTTIN goes only once the pause was taken.
	harness.WaitFor(t, 3*time.Second, "the worker to pause", func() bool { return strings.Contains(m.Output(), "pausing every frontend") })
	harness.WaitFor(t, 3*time.Second, "the port to stop serving", func() bool {
		code, _, err := harness.GetTimeout(url, 500*time.Millisecond)
		return err != nil || code != 200
	})
	m.Signal(syscall.SIGTTIN)
	harness.WaitFor(t, 3*time.Second, "the port to serve again", func() bool { return harness.Serves(url) })
}

// `@1 <command> <<` with a payload is forwarded framed as the stats socket
// expects: the answer is the stats socket's own.
func TestPayloadThroughMasterCLI(t *testing.T) {
	port := harness.FreePort(t)
	dir := t.TempDir()
	stats := filepath.Join(dir, "stats.sock")
	_, _, sock := bareMaster(t, "", simpleCfg(port, "pay", "    stats socket "+stats+" level admin", ""), port, nil)
	direct, err := ask(stats, "show version <<\nline one\nline two\n\n", 5*time.Second)
	if err != nil || direct == "" {
		t.Fatalf("stats socket: %q, %v", direct, err)
	}
	via, err := ask(sock, "@1 show version <<\nline one\nline two\n\n", 5*time.Second)
	if err != nil || via != direct {
		t.Fatalf("@1 with a payload on the master CLI = %q, %v; want the stats socket's %q", via, err, direct)
	}
}

// While a reload's new worker starts, `show proc` lists it under
// "# workers", and the current one is not "old" yet.
func TestShowProcDuringReload(t *testing.T) {
	t.Setenv("GOHA_BIN", slowBinary(t, "0.5"))
	e := setup(t)
	old := e.workers()
	e.writeCfg(1, "")
	e.master.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 10*time.Second, "the new worker to be forked", func() bool { return len(e.workers()) == 2 })
	var out string
	harness.WaitFor(t, 2*time.Second, "show proc", func() bool {
		out, _ = ask(e.msock, "show proc\n", time.Second)
		return out != ""
	})
	if len(e.workers()) == 2 && e.gen() == 0 && strings.Contains(out, "# old workers") {
		t.Errorf("show proc while the new worker starts (workers %v, before %v):\n%s", e.workers(), old, out)
	}
}

// Workers started after a reload begin with the signals they act on
// unblocked, on every thread (a mask carried across the master's re-exec
// would be inherited by them and by whatever they run).
func TestWorkersAfterReloadHaveCleanSignalMask(t *testing.T) {
	port := harness.FreePort(t)
	m, _, sock := bareMaster(t, "", simpleCfg(port, "mask", "", ""), port, nil)
	if out, _ := ask(sock, "reload\n", 15*time.Second); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload = %q", out)
	}
	harness.WaitFor(t, 5*time.Second, "one worker", func() bool { return len(harness.Children(m.Pid())) == 1 })
	w := harness.Children(m.Pid())[0]
	const usr1 = 1 << (syscall.SIGUSR1 - 1)
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", w))
	blocked := 0
	for _, st := range tasks {
		data, _ := os.ReadFile(st)
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, "SigBlk:\t"); ok {
				if n, err := strconv.ParseUint(v, 16, 64); err == nil && n&usr1 != 0 {
					blocked++
				}
			}
		}
	}
	if blocked > 0 {
		t.Errorf("%d of the new worker's %d threads block SIGUSR1", blocked, len(tasks))
	}
}

// A `reload` that arrives while a generation is still starting is queued
// and answered when it ran, not refused.
func TestReloadDuringStartIsQueued(t *testing.T) {
	port := harness.FreePort(t)
	dir := t.TempDir()
	cfg := harness.WriteFile(t, dir, "c.cfg", simpleCfg(port, "q", "", ""))
	sock := filepath.Join(dir, "m.sock")
	m := harness.StartBin(t, slowBinary(t, "0.5"), dir, nil, "-W", "-S", sock, "-f", cfg)
	harness.WaitFor(t, 10*time.Second, "the master CLI", func() bool { _, err := os.Stat(sock); return err == nil })
	out, err := ask(sock, "reload\n", 20*time.Second)
	if !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload while the first generation starts = %q, %v; want Success=1", out, err)
	}
	if r, _ := showProcWithin(t, sock, 2*time.Second, m.Pid()); r != 1 {
		t.Errorf("reloads = %d; want 1", r)
	}
}
