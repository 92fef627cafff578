package harness

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

func TestFreePortBelowEphemeralRange(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Skip("no ip_local_port_range")
	}
	lo, err := strconv.Atoi(strings.Fields(string(b))[0])
	if err != nil || lo <= 11000 {
		t.Skipf("ephemeral range starts at %q: no room below", b)
	}
	for i := 0; i < 20; i++ {
		if p := FreePort(t); p < 10000 || p >= lo {
			t.Fatalf("FreePort = %d; want it in [10000, %d)", p, lo)
		}
	}
}

func TestReadPid(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		want          int
	}{
		{"with newline", "1234\n", 1234},
		{"spaces", "  42  ", 42},
		{"empty", "", 0},
		{"garbage", "pid", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReadPid(WriteFile(t, dir, "pid", tt.content)); got != tt.want {
				t.Errorf("ReadPid(%q) = %d; want %d", tt.content, got, tt.want)
			}
		})
	}
	if got := ReadPid(filepath.Join(dir, "missing")); got != 0 {
		t.Errorf("ReadPid(missing) = %d; want 0", got)
	}
}

func TestRunExitCodeAndOutput(t *testing.T) {
	t.Setenv("GOHA_BIN", "/bin/sh")
	out, code := Run(t, TempDir(t), []string{"WORD=hello"}, "-c", "echo $WORD; echo err >&2; exit 3")
	if out != "hello\nerr\n" || code != 3 {
		t.Errorf("Run = %q, %d; want \"hello\\nerr\\n\", 3", out, code)
	}
}

func TestAlive(t *testing.T) {
	if Alive(0) || Alive(-1) {
		t.Error("Alive(0 or -1) = true")
	}
	if !Alive(os.Getpid()) {
		t.Error("the test process is not alive")
	}
	t.Setenv("GOHA_BIN", "/bin/sh")
	// The background child is orphaned when sh exits and re-parented to
	// the test process (Main made it a subreaper): Alive must reap it.
	out, code := Run(t, "", nil, "-c", "sleep 0.05 & echo $!")
	orphan, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || code != 0 {
		t.Fatalf("sh: %q, exit %d", out, code)
	}
	WaitFor(t, 5*time.Second, "the orphan to be reaped", func() bool { return !Alive(orphan) })
	if NoneAlive(orphan, os.Getpid()) || !NoneAlive(orphan) {
		t.Error("NoneAlive disagrees with Alive")
	}
	// A process Start runs is reaped by its own Wait, not by Alive.
	p := StartBin(t, "/bin/sh", "", nil, "-c", "exit 7")
	WaitFor(t, 5*time.Second, "sh to exit", func() bool { return !Alive(p.Pid()) })
	if code := p.Wait(5 * time.Second); code != 7 {
		t.Errorf("exit code %d; want 7 (Alive must not steal the exit status)", code)
	}
}

func TestProcWaitListening(t *testing.T) {
	b := NewBackend(t, "b", nil)
	p := StartBin(t, "/bin/sh", "", nil, "-c", "exec sleep 30")
	p.WaitListening(t, 5*time.Second, b.Addr)
	p.Signal(syscall.SIGTERM)
	if code := p.Wait(5 * time.Second); code != -1 {
		t.Errorf("exit code after SIGTERM = %d; want -1 (signalled)", code)
	}
}

func TestLoadCountsEveryError(t *testing.T) {
	b := NewBackend(t, "b", nil)
	closed := FreeAddr(t)
	tests := []struct {
		name       string
		addr       string
		keepAlive  bool
		wantErrors bool
	}{
		{"keep-alive", b.Addr, true, false},
		{"close", b.Addr, false, false},
		{"refused", closed, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stop := make(chan struct{})
			res := Load(tt.addr, 2, tt.keepAlive, stop)
			time.Sleep(50 * time.Millisecond) // a run of this length
			close(stop)
			s := <-res
			if s.Requests == 0 && !tt.wantErrors {
				t.Fatalf("no request sent: %v", s)
			}
			if (s.Errors > 0) != tt.wantErrors {
				t.Errorf("%v; want errors: %v", s, tt.wantErrors)
			}
		})
	}
	if b.Requests.Load() == 0 || b.Accepts.Load() == 0 || b.LastRequest() == nil {
		t.Errorf("backend saw %d requests on %d connections", b.Requests.Load(), b.Accepts.Load())
	}
}
