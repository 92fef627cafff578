// Package harness runs the real goha binary in end-to-end tests: it finds
// or builds the binary, starts processes with their stderr captured,
// serves small HTTP backends on loopback, generates load with a client that
// never retries behind the test's back (as wrk), and tells a live process
// from an exited one.
//
// Traps:
//   - An exited process stays a zombie until its parent reaps it, and
//     `kill -0` succeeds on a zombie. Daemons (-D) and self-upgraded
//     processes are orphans; where PID 1 does not reap (some containers and
//     microVMs), they would look alive forever. Init makes the test process
//     a child subreaper, so orphans are re-parented to it, and Alive reaps
//     them.
//   - Go's http.Transport retries an idempotent request on a keep-alive
//     connection the server closed: a load generator built on it would
//     hide exactly the errors a reload test must count. Load speaks
//     HTTP/1.1 on raw connections instead.
package harness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// Init prepares the test process: it becomes a child subreaper (so that
// orphaned goha processes can be reaped). Call it from TestMain; call
// Cleanup after the tests.
func Init() {
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// Cleanup reaps every exited child left and removes a binary built here.
func Cleanup() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if pid <= 0 || err != nil {
			break
		}
	}
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// Binary returns the goha binary under test: $GOHA_BIN, or one built
// (CGO_ENABLED=0, as `make build`) from the module this package is in.
func Binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if p := os.Getenv("GOHA_BIN"); p != "" {
			binPath, binErr = filepath.Abs(p)
			return
		}
		root, err := moduleRoot()
		if err != nil {
			binErr = err
			return
		}
		binDir, err = os.MkdirTemp("", "goha-test-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(binDir, "goha")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/goha")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/goha: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatalf("goha binary: %v", binErr)
	}
	return binPath
}

// ModuleRoot returns the directory of the module's go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Buffer is a goroutine-safe bytes.Buffer for a process's output.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Proc is a goha process started by Start.
type Proc struct {
	Cmd    *exec.Cmd
	Stderr *Buffer
	done   chan struct{}
	err    error
}

// Start runs goha with args in dir, stdout and stderr captured together.
// The process (and every process whose PID the test registers with
// KillAtEnd) is killed when the test ends.
func Start(t testing.TB, dir string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Dir = dir
	p := &Proc{Cmd: cmd, Stderr: &Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Stderr, p.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start goha %v: %v", args, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits up to d for the process to exit and returns its exit code
// (-1 if it did not exit or died by a signal).
func (p *Proc) Wait(d time.Duration) int {
	select {
	case <-p.done:
	case <-time.After(d):
		return -1
	}
	return p.Cmd.ProcessState.ExitCode()
}

// Run runs goha with args in dir to completion (at most 30 s) and returns
// its combined output and exit code.
func Run(t testing.TB, dir string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// A daemon that keeps the launcher's stderr open must not hang us.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("run goha %v: %v", args, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("goha %v did not return within 30s; output:\n%s", args, out.String())
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// KillAtEnd kills pid (SIGKILL) when the test ends, if it still runs.
func KillAtEnd(t testing.TB, pid int) {
	t.Cleanup(func() {
		if Alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			Eventually(t, 5*time.Second, func() bool { return !Alive(pid) }, "pid %d killed", pid)
		}
	})
}

// Alive reports whether pid is a process that has not exited. An exited
// child of the test process (an adopted orphan included) is reaped here;
// any other zombie counts as exited too.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	var ws unix.WaitStatus
	if got, _ := unix.Wait4(pid, &ws, unix.WNOHANG, nil); got == pid {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z' && stat[i+2] != 'X'
	}
	return true
}

// ReadPid returns the PID in a pidfile, or 0.
func ReadPid(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return n
}

// Eventually polls cond every few milliseconds until it holds, or fails
// the test after d with the message.
func Eventually(t testing.TB, d time.Duration, cond func() bool, format string, a ...any) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: "+format, append([]any{d}, a...)...)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// FreePort returns a TCP port free on 127.0.0.1 at the time of the call,
// chosen below the kernel's ephemeral range (so no outgoing connection or
// port-0 listener of this or another test can take it before goha binds
// it) and at random (so tests running side by side rarely pick the same).
func FreePort(t testing.TB) int {
	t.Helper()
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				lo = n
			}
		}
	}
	const base = 10000
	if lo <= base+1000 {
		lo = 65535 // no room below: fall back to the whole range
	}
	for i := 0; i < 200; i++ {
		port := base + rand.IntN(lo-base)
		ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		return port
	}
	t.Fatal("no free port found")
	return 0
}

// Backend serves HTTP on 127.0.0.1 answering body (and header X-Server:
// body) to every request; /slow?ms=N answers after N milliseconds. It
// returns the address and a counter of requests served.
func Backend(t testing.TB, body string) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/slow" {
			ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("X-Server", body)
		io.WriteString(w, body+"\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), &hits
}

// Get makes one request on a fresh connection and returns the status and
// body.
func Get(url string, timeout time.Duration) (int, string, error) {
	c := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// Serves reports whether a GET of url answers 200 right now.
func Serves(url string) bool {
	code, _, err := Get(url, 2*time.Second)
	return err == nil && code == 200
}

// LoadStats are the counts of a load run.
type LoadStats struct {
	Requests int64
	Errors   int64
	// FirstErrors are the first few errors, for the failure message.
	FirstErrors []string
}

func (s LoadStats) String() string {
	return fmt.Sprintf("%d requests, %d errors %q", s.Requests, s.Errors, s.FirstErrors)
}

// Load sends requests to addr (host:port) from clients goroutines until
// stop is closed. keepAlive: each client keeps its connection open and
// reconnects only when the server says `Connection: close` or closes it
// between responses; otherwise every request has its own connection and
// says `Connection: close`. Like wrk, nothing is retried: a refused or
// reset connection, a failed read or a non-2xx answer is an error.
func Load(addr string, clients int, keepAlive bool, stop <-chan struct{}) <-chan LoadStats {
	out := make(chan LoadStats, 1)
	var reqs, errs atomic.Int64
	var mu sync.Mutex
	var first []string
	fail := func(err error) {
		errs.Add(1)
		mu.Lock()
		if len(first) < 5 {
			first = append(first, err.Error())
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn net.Conn
			var br *bufio.Reader
			defer func() {
				if conn != nil {
					conn.Close()
				}
			}()
			req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"
			if !keepAlive {
				req = "GET / HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n"
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				if conn == nil {
					c, err := net.DialTimeout("tcp", addr, 2*time.Second)
					if err != nil {
						fail(fmt.Errorf("connect: %w", err))
						time.Sleep(time.Millisecond)
						continue
					}
					conn, br = c, bufio.NewReader(c)
				}
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				err := func() error {
					if _, err := io.WriteString(conn, req); err != nil {
						return fmt.Errorf("write: %w", err)
					}
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						return fmt.Errorf("read: %w", err)
					}
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil {
						return fmt.Errorf("read body: %w", err)
					}
					if resp.StatusCode < 200 || resp.StatusCode > 299 {
						return fmt.Errorf("status %d", resp.StatusCode)
					}
					if resp.Close || !keepAlive {
						conn.Close()
						conn = nil
					}
					return nil
				}()
				reqs.Add(1)
				if err != nil {
					fail(err)
					if conn != nil {
						conn.Close()
						conn = nil
					}
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		mu.Lock()
		out <- LoadStats{Requests: reqs.Load(), Errors: errs.Load(), FirstErrors: first}
		mu.Unlock()
	}()
	return out
}

// WriteFile writes text to dir/name and returns the path.
func WriteFile(t testing.TB, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TempDir returns a short temporary directory readable by everyone (unix
// socket paths must stay under 108 bytes; t.TempDir's can be long).
func TempDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "goha-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(d, 0o755)
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// StartCmd runs the program at bin (a goha, or a copy of it at another
// path) with args in dir, output to out, and returns its PID. It is killed
// when the test ends.
func StartCmd(t testing.TB, dir, bin string, out io.Writer, args ...string) int {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s %v: %v", bin, args, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	return cmd.Process.Pid
}
