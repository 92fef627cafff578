// Package harness is what goha's end-to-end tests share: the real binary
// (built once, or $GOHA_BIN), free loopback ports, scripted backends that
// count what reaches them, processes that are always cleaned up, socat
// as the CLI client, and waiting on conditions with a deadline (never a
// sleep and a hope).
package harness

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// Bin returns the goha binary under test: $GOHA_BIN, or a fresh static
// build of ./cmd/goha (once per test binary).
func Bin(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("GOHA_BIN"); b != "" {
		abs, err := filepath.Abs(b)
		if err != nil {
			t.Fatalf("GOHA_BIN=%q: %v", b, err)
		}
		return abs
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "goha-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "goha")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", builtBin, "./cmd/goha")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/goha: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// WaitFor polls cond every 10 ms until it holds or the timeout passes,
// then fails the test with what.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Eventually(timeout, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// Eventually polls cond until it holds (true) or the timeout passes.
func Eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Backend is a scripted HTTP server on 127.0.0.1 that answers its name
// and counts the TCP connections it accepted and the requests it served.
type Backend struct {
	Name     string
	Addr     string
	Port     int
	Accepts  atomic.Int64
	Requests atomic.Int64
	srv      *http.Server
	ln       net.Listener
}

type countingListener struct {
	net.Listener
	b *Backend
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.b.Accepts.Add(1)
	}
	return c, err
}

// NewBackend starts a backend answering "<name>\n" with header
// X-Server: name, unless handler is given. It stops with the test.
func NewBackend(t testing.TB, name string, handler http.Handler) *Backend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("backend %s: %v", name, err)
	}
	b := &Backend{Name: name, Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port, ln: ln}
	if handler == nil {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("X-Server", name)
			io.WriteString(w, name+"\n")
		})
	}
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.Requests.Add(1)
		handler.ServeHTTP(w, r)
	})}
	go b.srv.Serve(countingListener{ln, b})
	t.Cleanup(func() { b.srv.Close() })
	return b
}

// Proc is a goha process started by a test; it is killed (with its
// process group) when the test ends.
type Proc struct {
	Cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Start runs the binary with args in dir (or the current directory),
// with extra environment variables.
func Start(t testing.TB, dir string, env []string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(Bin(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	p := &Proc{Cmd: cmd, out: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", args, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
		if t.Failed() {
			t.Logf("goha %v output:\n%s", args, p.out.String())
		}
	})
	return p
}

// Pid is the process's PID.
func (p *Proc) Pid() int { return p.Cmd.Process.Pid }

// Output is everything the process wrote so far.
func (p *Proc) Output() string { return p.out.String() }

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Wait waits up to timeout for the process to exit and returns its exit
// code (-1 if it did not exit).
func (p *Proc) Wait(timeout time.Duration) int {
	select {
	case <-p.exited:
		return p.Cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		return -1
	}
}

// Signal sends sig to the process.
func (p *Proc) Signal(sig syscall.Signal) { syscall.Kill(p.Pid(), sig) }

// Children lists the PIDs whose parent is pid.
func Children(pid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var child int
		if _, err := fmt.Sscanf(e.Name(), "%d", &child); err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		var state string
		var ppid int
		fmt.Sscanf(s[i+2:], "%s %d", &state, &ppid)
		if ppid == pid && state != "Z" {
			out = append(out, child)
		}
	}
	return out
}

// Alive reports whether pid exists and is not a zombie.
func Alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || !strings.HasPrefix(s[i+1:], " Z")
}

// CountFDs counts the open descriptors of pid.
func CountFDs(pid int) int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents)
}

// Socat sends input to a unix (or tcp) socket with real socat and returns
// the answer.
func Socat(t testing.TB, sock, input string) string {
	t.Helper()
	addr := "UNIX-CONNECT:" + sock
	if strings.Contains(sock, ":") && !strings.HasPrefix(sock, "/") {
		addr = "TCP:" + sock
	}
	cmd := exec.Command("socat", "-t", "5", "STDIO", addr)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Logf("socat %s: %v: %s", sock, err, out)
	}
	return string(out)
}

// Get does one HTTP GET on a new connection and returns status and body.
func Get(url string) (int, string, error) {
	c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	r, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	return r.StatusCode, string(b), err
}

// WriteFile writes content to dir/name and returns the path.
func WriteFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
