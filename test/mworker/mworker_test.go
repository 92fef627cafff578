// Package mworker tests goha's master-worker mode end to end: the real
// binary under -W/-Ws on loopback, real clients, real signals.
package mworker

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

type env struct {
	t      *testing.T
	dir    string
	cfg    string
	port   int
	s1, s2 *harness.Backend
	master *harness.Proc
	msock  string
	pid    string
}

// cfgText renders the test configuration; gen shows up in X-Gen so a
// test can tell which generation answered.
func (e *env) cfgText(gen int, extraGlobal string) string {
	return fmt.Sprintf(`global
    maxconn 4000
    hard-stop-after 5s
    stats socket %s/admin.sock level admin mode 600
%s
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    option http-keep-alive

frontend fe
    bind 127.0.0.1:%d
    http-response set-header X-Gen %d
    default_backend be

backend be
    balance roundrobin
    server s1 %s
    server s2 %s
`, e.dir, extraGlobal, e.port, gen, e.s1.Addr, e.s2.Addr)
}

func (e *env) writeCfg(gen int, extraGlobal string) {
	tmp := e.cfg + ".tmp"
	if err := os.WriteFile(tmp, []byte(e.cfgText(gen, extraGlobal)), 0o644); err != nil {
		e.t.Fatal(err)
	}
	os.Rename(tmp, e.cfg)
}

func setup(t *testing.T, extraArgs ...string) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir()}
	e.s1 = harness.NewBackend(t, "s1", nil)
	e.s2 = harness.NewBackend(t, "s2", nil)
	e.port = harness.FreePort(t)
	e.cfg = filepath.Join(e.dir, "goha.cfg")
	e.msock = filepath.Join(e.dir, "master.sock")
	e.pid = filepath.Join(e.dir, "goha.pid")
	e.writeCfg(0, "")
	args := append([]string{"-W", "-d", "-S", e.msock + ",mode,600", "-p", e.pid, "-f", e.cfg}, extraArgs...)
	e.master = harness.Start(t, e.dir, nil, args...)
	e.waitServing()
	// A worker serves a moment before the master has read that it is
	// ready: a test that kills it in between would see a failed start.
	harness.WaitForf(t, 10*time.Second, func() bool { return strings.Contains(e.master.Output(), "Loading success.") }, "the master to commit its first generation: %s", e.master.Out)
	return e
}

func (e *env) url() string { return fmt.Sprintf("http://127.0.0.1:%d/", e.port) }

func (e *env) waitServing() {
	e.t.Helper()
	harness.WaitFor(e.t, 10*time.Second, "goha to serve", func() bool { return harness.Serves(e.url()) })
}

func (e *env) gen() int { return genOf(e.url()) }

// genOf is the X-Gen header of a GET of url on a new connection, -1 on
// any failure.
func genOf(url string) int {
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	r, err := c.Get(url)
	if err != nil {
		return -1
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	n, err := strconv.Atoi(r.Header.Get("X-Gen"))
	if err != nil {
		return -1
	}
	return n
}

func (e *env) workers() []int { return harness.Children(e.master.Pid()) }

func (e *env) mcli(line string) string { return harness.Socat(e.t, e.msock, line+"\n") }

func TestStartPidfileShowProc(t *testing.T) {
	e := setup(t)
	data, err := os.ReadFile(e.pid)
	if err != nil || strings.TrimSpace(string(data)) != strconv.Itoa(e.master.Pid()) {
		t.Fatalf("pidfile = %q, %v; want the master's pid %d", data, err, e.master.Pid())
	}
	if fi, err := os.Stat(e.pid); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("pidfile mode = %v, %v; want 0644", fi.Mode(), err)
	}
	if fi, err := os.Stat(e.msock); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("master socket mode = %v, %v; want 0600", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Join(e.dir, "admin.sock")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("stats socket mode = %v, %v; want 0600", fi.Mode(), err)
	}
	ws := e.workers()
	if len(ws) != 1 {
		t.Fatalf("workers = %v; want one", ws)
	}
	proc := e.mcli("show proc")
	lines := strings.Split(proc, "\n")
	if !strings.HasPrefix(lines[0], "#<PID>          <type>          <reloads>       <uptime>        <version>") {
		t.Errorf("show proc header = %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], fmt.Sprintf("%-15d master          0 [failed: 0]", e.master.Pid())) {
		t.Errorf("show proc master row = %q", lines[1])
	}
	if lines[2] != "# workers" || !strings.HasPrefix(lines[3], fmt.Sprintf("%-15d worker          0", ws[0])) {
		t.Errorf("show proc workers = %q", proc)
	}
	info := e.mcli("@1 show info")
	if !strings.Contains(info, fmt.Sprintf("\nPid: %d\n", ws[0])) {
		t.Errorf("@1 show info = %q; want Pid: %d", info, ws[0])
	}
	info = e.mcli(fmt.Sprintf("@!%d show info", ws[0]))
	if !strings.Contains(info, fmt.Sprintf("\nPid: %d\n", ws[0])) {
		t.Errorf("@!PID show info = %q", info)
	}
	if out := e.mcli("@!1 show info"); !strings.Contains(out, "Can't find the target") {
		t.Errorf("@!1 = %q; want a clear error", out)
	}
}

// reloadUnderLoad runs keep-alive and new-connection clients while the
// master is reloaded with a changed config every interval; no request
// may fail.
func TestReloadUnderLoad(t *testing.T) {
	e := setup(t)
	const clients = 8
	dur := 11 * time.Second // about 50 reloads, 200 ms apart
	if testing.Short() {
		dur = 3 * time.Second
	}
	// A raw HTTP/1.1 client, as wrk: nothing is retried (Go's
	// http.Transport silently retries a request whose reused connection
	// was closed, which would hide exactly the loss this test is about).
	stop := make(chan struct{})
	addr := fmt.Sprintf("127.0.0.1:%d", e.port)
	ka := harness.Load(addr, clients, true, stop)
	cl := harness.Load(addr, clients, false, stop)
	fd0 := harness.CountFDs(e.master.Pid())
	deadline := time.Now().Add(dur)
	gen := 0
	for time.Now().Before(deadline) {
		gen++
		e.writeCfg(gen, "")
		e.master.Signal(syscall.SIGUSR2)
		time.Sleep(200 * time.Millisecond)
	}
	close(stop)
	kas, cls := <-ka, <-cl
	for _, l := range []struct {
		name string
		st   harness.LoadStats
	}{{"keep-alive", kas}, {"new connection per request", cls}} {
		if l.st.Errors != 0 {
			t.Errorf("%s load: %v across %d reloads", l.name, l.st, gen)
		}
		if l.st.Requests < 500 {
			t.Errorf("%s load: only %d requests", l.name, l.st.Requests)
		}
	}
	harness.WaitFor(t, 10*time.Second, fmt.Sprintf("generation %d to serve", gen), func() bool { return e.gen() == gen })
	harness.WaitFor(t, 10*time.Second, "old workers to exit", func() bool { return len(e.workers()) == 1 })
	if e.master.Exited() {
		t.Fatal("master exited")
	}
	data, _ := os.ReadFile(e.pid)
	if strings.TrimSpace(string(data)) != strconv.Itoa(e.master.Pid()) {
		t.Errorf("pidfile = %q after reloads; want %d", data, e.master.Pid())
	}
	if fd1 := harness.CountFDs(e.master.Pid()); fd1 > fd0 {
		t.Errorf("master fds grew across %d reloads: %d -> %d", gen, fd0, fd1)
	}
	t.Logf("keep-alive %v; close %v; %d reloads", kas, cls, gen)
}

func TestBadConfigReloadChangesNothing(t *testing.T) {
	e := setup(t)
	w := e.workers()
	os.WriteFile(e.cfg, []byte(e.cfgText(1, "")+"\nbackend broken\n    sever x 127.0.0.1:1\n"), 0o644)
	out := e.mcli("reload")
	if !strings.HasPrefix(out, "Success=0\n--\n") || !strings.Contains(out, "sever") {
		t.Errorf("reload answer = %q; want Success=0 with the error", out)
	}
	if got := e.workers(); len(got) != 1 || got[0] != w[0] {
		t.Errorf("workers after a bad reload = %v; want %v", got, w)
	}
	if g := e.gen(); g != 0 {
		t.Errorf("generation serving = %d; want 0", g)
	}
	proc := e.mcli("show proc")
	if !strings.Contains(proc, "1 [failed: 1]") || !strings.Contains(proc, fmt.Sprintf("\n%-15d worker", w[0])) {
		t.Errorf("show proc after a failed reload = %q", proc)
	}
	// SIGUSR2 with the bad config: still serving, same processes.
	e.master.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 5*time.Second, "the failed reload to be counted", func() bool {
		return strings.Contains(e.mcli("show proc"), "2 [failed: 2]")
	})
	if got := e.workers(); len(got) != 1 || got[0] != w[0] {
		t.Errorf("workers after SIGUSR2 with a bad config = %v; want %v", got, w)
	}
	// A good config again: reload succeeds synchronously.
	e.writeCfg(3, "")
	out = e.mcli("reload")
	if !strings.HasPrefix(out, "Success=1\n--\n") {
		t.Fatalf("reload answer = %q; want Success=1", out)
	}
	if g := e.gen(); g != 3 {
		t.Errorf("generation after a good reload = %d; want 3", g)
	}
	// As HAProxy's, the master row counts the failures since the last
	// good reload.
	if p := e.mcli("show proc"); !strings.Contains(p, "3 [failed: 0]") {
		t.Errorf("show proc after a good reload = %q; want 3 [failed: 0]", p)
	}
}

func TestKillMasterLeavesNoOrphan(t *testing.T) {
	e := setup(t)
	ws := e.workers()
	e.master.Signal(syscall.SIGKILL)
	harness.WaitFor(t, 2*time.Second, "workers to exit after the master's death", func() bool { return harness.NoneAlive(ws...) })
}

func TestSIGTERMStopsEverything(t *testing.T) {
	e := setup(t)
	ws := e.workers()
	e.master.Signal(syscall.SIGTERM)
	if code := e.master.Wait(5 * time.Second); code < 0 {
		t.Fatal("master still running 5 s after SIGTERM")
	}
	for _, w := range ws {
		if harness.Alive(w) {
			t.Errorf("worker %d survived SIGTERM", w)
		}
	}
}

func TestWorkerCrashStopsMaster(t *testing.T) {
	e := setup(t)
	ws := e.workers()
	syscall.Kill(ws[0], syscall.SIGKILL)
	code := e.master.Wait(5 * time.Second)
	if code != 137 {
		t.Errorf("master exit code = %d; want 137 (the worker's, as HAProxy's exit-on-failure)", code)
	}
	if !strings.Contains(e.master.Output(), fmt.Sprintf("Current worker (%d) exited with code 137 (Killed)", ws[0])) {
		t.Errorf("output lacks the worker's exit message:\n%s", e.master.Output())
	}
}

func TestSoftStopDrainsInFlight(t *testing.T) {
	// A slow download in flight across a reload completes intact.
	dir := t.TempDir()
	const size = 4 << 20
	slow := harness.NewBackend(t, "slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		buf := make([]byte, 64<<10)
		for i := range buf {
			buf[i] = 'x'
		}
		for sent := 0; sent < size; sent += len(buf) {
			w.Write(buf)
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	}))
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "c.cfg", fmt.Sprintf(`global
    hard-stop-after 30s
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    server s %s
`, port, slow.Addr))
	m := harness.Start(t, dir, nil, "-W", "-f", cfg)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	m.WaitListening(t, 10*time.Second, fmt.Sprintf("127.0.0.1:%d", port))
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	br := bufio.NewReader(r.Body)
	if _, err := br.Peek(1); err != nil {
		t.Fatal(err)
	}
	old := harness.Children(m.Pid())
	m.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 10*time.Second, "a new worker", func() bool {
		for _, c := range harness.Children(m.Pid()) {
			if c != old[0] {
				return true
			}
		}
		return false
	})
	n, err := io.Copy(io.Discard, br)
	if err != nil || n != size {
		t.Fatalf("download across a reload: %d bytes, %v; want %d", n, err, size)
	}
	// The next request on that idle keep-alive connection is still
	// answered by the old worker, with Connection: close.
	r2, err := http.Get(url)
	if err != nil {
		t.Fatalf("request on the draining keep-alive connection: %v", err)
	}
	io.Copy(io.Discard, r2.Body)
	r2.Body.Close()
	if !r2.Close {
		t.Errorf("response on a draining connection lacks Connection: close (headers %v)", r2.Header)
	}
	harness.WaitFor(t, 5*time.Second, "the old worker to exit once drained", func() bool { return !harness.Alive(old[0]) })
}

func TestSdNotify(t *testing.T) {
	dir := t.TempDir()
	nsock := filepath.Join(dir, "notify.sock")
	notes := harness.ListenDatagrams(t, "unixgram", nsock)
	b := harness.NewBackend(t, "s1", nil)
	port := harness.FreePort(t)
	cfgText := fmt.Sprintf("defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind 127.0.0.1:%d\n    default_backend be\nbackend be\n    server s1 %s\n", port, b.Addr)
	cfg := harness.WriteFile(t, dir, "c.cfg", cfgText)
	m := harness.Start(t, dir, []string{"NOTIFY_SOCKET=" + nsock}, "-Ws", "-f", cfg, "-S", filepath.Join(dir, "m.sock"))
	harness.WaitFor(t, 10*time.Second, "READY=1", notes.Has("READY=1"))
	if first := notes.All()[0]; !strings.Contains(first, fmt.Sprintf("MAINPID=%d", m.Pid())) {
		t.Errorf("first notification = %q; want MAINPID=%d", first, m.Pid())
	}
	os.WriteFile(cfg, []byte(cfgText+"    bogus_keyword\n"), 0o644)
	m.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 10*time.Second, "RELOADING=1", notes.Has("RELOADING=1"))
	harness.WaitFor(t, 10*time.Second, "STATUS=Reload failed", notes.Has("STATUS=Reload failed"))
	os.WriteFile(cfg, []byte(cfgText), 0o644)
	m.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 10*time.Second, "STATUS=Reloaded", notes.Has("STATUS=Reloaded"))
	m.Signal(syscall.SIGTERM)
	harness.WaitFor(t, 5*time.Second, "STOPPING=1", notes.Has("STOPPING=1"))
}

// slowBinary installs a wrapper that runs goha after a delay: every
// reload step that starts the binary (preflight, re-exec, new workers)
// then takes that long, which leaves a wide window "during a reload".
func slowBinary(t *testing.T, delay string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "goha-slow")
	script := "#!/bin/bash\nsleep " + delay + "\nexec -a \"$0\" " + harness.Bin(t) + " \"$@\"\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// preflightRunning reports whether the master is running its -c check.
func preflightRunning(master int) bool {
	for _, c := range harness.Children(master) {
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c))
		if strings.Contains(string(cmd), "\x00-c\x00") {
			return true
		}
	}
	return false
}

// setupMidReload starts goha behind a slow binary and leaves it in the
// middle of a reload to generation 1: the reload's preflight runs.
func setupMidReload(t *testing.T) *env {
	t.Helper()
	t.Setenv("GOHA_BIN", slowBinary(t, "0.3"))
	e := setup(t)
	e.writeCfg(1, "")
	e.master.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 5*time.Second, "the reload's preflight", func() bool { return preflightRunning(e.master.Pid()) })
	return e
}

func TestSIGUSR2DuringReloadIsNotLost(t *testing.T) {
	// Signals sent during a reload must not be lost (the last config
	// must win) nor multiplied (exactly one queued reload).
	e := setupMidReload(t)
	e.writeCfg(2, "")
	e.master.Signal(syscall.SIGUSR2)
	e.master.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 15*time.Second, "generation 2 to serve", func() bool { return e.gen() == 2 })
	// Both reloads done: counted, their generations loaded (the start
	// and two reloads each log "Loading success."), one left serving. The
	// counter alone moves when the second reload starts, before it has
	// read its configuration.
	harness.WaitFor(t, 15*time.Second, "two reloads done, one generation left", func() bool {
		return strings.Contains(e.mcli("show proc"), "2 [failed: 0]") &&
			strings.Count(e.master.Output(), "Loading success.") == 3 && len(e.workers()) == 1
	})
	// No third reload follows.
	e.writeCfg(3, "")
	if harness.Eventually(time.Second, func() bool { return e.gen() == 3 }) {
		t.Errorf("a third reload ran: the signals were doubled")
	}
}
