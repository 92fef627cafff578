package mworker

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// With `master-worker no-exit-on-failure`, a crashed worker is logged and
// the master keeps running (HAProxy 2.6 documents this but loses the
// setting in its wait-mode re-exec; goha re-reads it at every load).
// The master does not respawn the worker: restarting is the service
// manager's job, as in HAProxy. A reload starts a new generation.
func TestNoExitOnFailure(t *testing.T) {
	e := setup(t)
	e.writeCfg(1, "    master-worker no-exit-on-failure")
	if out := e.mcli("reload"); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload = %q", out)
	}
	harness.WaitFor(t, 10*time.Second, "one worker", func() bool { return len(e.workers()) == 1 })
	w := e.workers()[0]
	syscall.Kill(w, syscall.SIGKILL)
	harness.WaitFor(t, 5*time.Second, "the crash to be logged", func() bool {
		return strings.Contains(e.master.Output(), fmt.Sprintf("Current worker (%d) exited with code 137 (Killed)", w))
	})
	if e.master.Exited() {
		t.Fatal("master exited despite no-exit-on-failure")
	}
	if out := e.mcli("reload"); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload after a crash = %q", out)
	}
	e.waitServing()
}

// An old worker killed while draining is just logged.
func TestOldWorkerKilledWhileDraining(t *testing.T) {
	e := setup(t)
	// Hold a connection so the old worker stays while draining.
	c := harness.Dial(t, fmt.Sprintf("127.0.0.1:%d", e.port))
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		t.Fatal(err)
	}
	old := e.workers()[0]
	e.writeCfg(1, "")
	if out := e.mcli("reload"); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload = %q", out)
	}
	if !harness.Alive(old) {
		t.Fatal("the old worker left although a client holds an idle connection")
	}
	syscall.Kill(old, syscall.SIGKILL)
	harness.WaitFor(t, 5*time.Second, "the old worker's exit to be logged", func() bool {
		return strings.Contains(e.master.Output(), fmt.Sprintf("Former worker (%d) exited with code 137 (Killed)", old))
	})
	if e.master.Exited() {
		t.Fatal("the master exited when an old worker died")
	}
	if g := e.gen(); g != 1 {
		t.Errorf("serving generation %d; want 1", g)
	}
}

// SIGTERM while a reload is in progress still stops everything: the
// master, the current and the starting workers.
func TestSIGTERMDuringReload(t *testing.T) {
	e := setupMidReload(t)
	before := e.workers()
	e.master.Signal(syscall.SIGTERM)
	if code := e.master.Wait(8 * time.Second); code < 0 {
		t.Fatal("master still running 8 s after SIGTERM during a reload")
	}
	harness.WaitFor(t, 3*time.Second, "every worker to be gone", func() bool { return harness.NoneAlive(before...) })
	// The slow wrapper's `sleep` inherits the new worker's descriptors
	// for up to its 0.3 s: allow that, not more.
	harness.WaitFor(t, 2*time.Second, "the listening socket to be closed", func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", e.port), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
}

// A tunnel (WebSocket-like Upgrade) open across a reload lives until
// hard-stop-after, then the old worker exits.
func TestTunnelSurvivesUntilHardStopAfter(t *testing.T) {
	up := harness.NewBackend(t, "ws", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			http.Error(w, "no upgrade", 400)
			return
		}
		hj := w.(http.Hijacker)
		conn, brw, err := hj.Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		buf := make([]byte, 1024)
		for {
			n, err := brw.Read(buf)
			if err != nil {
				return
			}
			conn.Write(buf[:n])
		}
	}))
	dir := t.TempDir()
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "c.cfg", fmt.Sprintf(`global
    hard-stop-after 2s
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout tunnel 1h
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    server ws %s
`, port, up.Addr))
	m := harness.Start(t, dir, nil, "-W", "-f", cfg)
	var c net.Conn
	harness.WaitFor(t, 10*time.Second, "serving", func() bool {
		var err error
		c, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		return err == nil
	})
	defer c.Close()
	fmt.Fprintf(c, "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReader(c)
	r, err := http.ReadResponse(br, nil)
	if err != nil || r.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", r, err)
	}
	echo := func(msg string) error {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write([]byte(msg)); err != nil {
			return err
		}
		buf := make([]byte, len(msg))
		_, err := io.ReadFull(br, buf)
		if err == nil && string(buf) != msg {
			err = fmt.Errorf("echo %q; want %q", buf, msg)
		}
		return err
	}
	if err := echo("before"); err != nil {
		t.Fatal(err)
	}
	old := harness.Children(m.Pid())[0]
	start := time.Now()
	m.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 10*time.Second, "a new worker", func() bool { return len(harness.Children(m.Pid())) == 2 })
	if err := echo("during soft stop"); err != nil {
		t.Fatalf("tunnel broken by the reload: %v", err)
	}
	harness.WaitFor(t, 6*time.Second, "the old worker to exit at hard-stop-after", func() bool { return !harness.Alive(old) })
	if d := time.Since(start); d < 1500*time.Millisecond {
		t.Errorf("old worker left after %v; want about hard-stop-after (2s)", d)
	}
	if err := echo("after"); err == nil {
		t.Error("the tunnel outlived hard-stop-after")
	}
}

// A configuration that passes the -c preflight but cannot be applied
// after the re-exec (an address already taken) fails the reload and
// changes nothing: same workers, master CLI still there, next good
// reload fine.
func TestReloadFailsAfterReexec(t *testing.T) {
	e := setup(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	w := e.workers()
	os.WriteFile(e.cfg, []byte(e.cfgText(1, "")+"\nfrontend taken\n    bind "+busy.Addr().String()+"\n    default_backend be\n"), 0o644)
	out := e.mcli("reload")
	if !strings.HasPrefix(out, "Success=0") || !strings.Contains(out, "cannot bind") {
		t.Errorf("reload onto a taken address = %q; want Success=0 and the bind error", out)
	}
	if got := e.workers(); len(got) != 1 || got[0] != w[0] {
		t.Errorf("workers = %v; want %v", got, w)
	}
	if p := e.mcli("show proc"); !strings.Contains(p, "1 [failed: 1]") {
		t.Errorf("show proc = %q", p)
	}
	if g := e.gen(); g != 0 {
		t.Errorf("serving generation %d; want 0", g)
	}
	e.writeCfg(2, "")
	if out := e.mcli("reload"); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload = %q", out)
	}
	if g := e.gen(); g != 2 {
		t.Errorf("serving generation %d; want 2", g)
	}
}

// New workers that never say they are ready fail the reload after
// GOHA_WORKER_READY_TIMEOUT; they are killed and the previous generation
// keeps serving.
func TestReloadFailsWhenWorkersNeverReady(t *testing.T) {
	dir := t.TempDir()
	hang := filepath.Join(dir, "hang")
	bin := filepath.Join(dir, "goha-hang")
	// Once the hang file exists, a worker started by the master sleeps
	// instead of serving (the master's own re-exec is unaffected).
	script := "#!/bin/bash\nif [ \"$GOHA_ROLE\" = worker ] && [ -e " + hang + " ]; then exec sleep 60; fi\nexec -a \"$0\" " + harness.Bin(t) + " \"$@\"\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOHA_BIN", bin)
	t.Setenv("GOHA_WORKER_READY_TIMEOUT", "1s")
	e := setup(t)
	old := e.workers()
	os.WriteFile(hang, nil, 0o644)
	e.writeCfg(1, "")
	start := time.Now()
	out := e.mcli("reload")
	if !strings.HasPrefix(out, "Success=0") || !strings.Contains(out, "not ready within 1s") {
		t.Errorf("reload with hanging workers = %q; want Success=0 and the timeout", out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("reload answered after %v; want about the 1s timeout", d)
	}
	harness.WaitFor(t, 5*time.Second, "the hanging worker to be killed", func() bool {
		now := e.workers()
		return len(now) == 1 && now[0] == old[0]
	})
	if g := e.gen(); g != 0 {
		t.Errorf("serving generation %d; want 0", g)
	}
	// The failure is visible to whoever did not ask with `reload`: in
	// `show proc` and in the master's log.
	if _, r, f, ok := masterRow(e.mcli("show proc")); !ok || r != 1 || f != 1 {
		t.Errorf("show proc after the timed-out reload: reloads %d, failed %d; want 1 and 1", r, f)
	}
	if want := "Reload failed: new worker(s) not ready within 1s"; !strings.Contains(e.master.Output(), want) {
		t.Errorf("the master's log lacks %q:\n%s", want, e.master.Output())
	}
}
