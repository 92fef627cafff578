package harness

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

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

// Proc is a process started by Start or StartBin, in a process group of
// its own; the group is killed (SIGKILL) when the test ends, and the
// output is logged if the test failed.
type Proc struct {
	Cmd *exec.Cmd
	// Out is everything the process (and whoever inherited its stdout or
	// stderr) wrote so far. As a fmt.Stringer it can be handed to
	// WaitForf, which formats it only on failure.
	Out    *Buffer
	exited chan struct{}
}

// started holds the PIDs of the processes Start runs until their Wait
// returned: Alive must not reap them behind exec.Cmd's back.
var started sync.Map

// Start runs the binary under test with args in dir (or the current
// directory), with extra environment variables.
func Start(t testing.TB, dir string, env []string, args ...string) *Proc {
	t.Helper()
	return StartBin(t, Bin(t), dir, env, args...)
}

// StartBin is Start for the program at bin (a copy of goha at another
// path, a wrapper script).
func StartBin(t testing.TB, bin, dir string, env []string, args ...string) *Proc {
	t.Helper()
	return startFiles(t, bin, dir, env, nil, args...)
}

// StartFiles is Start with files inherited as descriptors 3, 4, ... in
// order: the sockets a service manager or a supervisor binds for the
// process it starts (fd@3).
func StartFiles(t testing.TB, dir string, env []string, files []*os.File, args ...string) *Proc {
	t.Helper()
	return startFiles(t, Bin(t), dir, env, files, args...)
}

func startFiles(t testing.TB, bin, dir string, env []string, files []*os.File, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.ExtraFiles = files
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	p := &Proc{Cmd: cmd, Out: &Buffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Out, p.Out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s %v: %v", bin, args, err)
	}
	pid := cmd.Process.Pid
	started.Store(pid, true)
	go func() {
		cmd.Wait()
		started.Delete(pid)
		close(p.exited)
	}()
	t.Cleanup(func() {
		syscall.Kill(-pid, syscall.SIGKILL)
		<-p.exited
		if t.Failed() {
			t.Logf("%s %v output:\n%s", filepath.Base(bin), args, p.Out.String())
		}
	})
	return p
}

// Pid is the process's PID.
func (p *Proc) Pid() int { return p.Cmd.Process.Pid }

// Output is everything the process wrote so far.
func (p *Proc) Output() string { return p.Out.String() }

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
// code (-1 if it did not exit or a signal ended it).
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

// WaitListening waits until every addr (host:port) accepts a TCP
// connection; it fails the test, with the output, as soon as the process
// exits or when the timeout passes.
func (p *Proc) WaitListening(t testing.TB, timeout time.Duration, addrs ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for _, a := range addrs {
		for {
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if p.Exited() {
				t.Fatalf("%s exited before listening on %s: %s", filepath.Base(p.Cmd.Path), a, p.Output())
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s does not listen on %s within %v: %s", filepath.Base(p.Cmd.Path), a, timeout, p.Output())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// KillAtEnd kills pid (SIGKILL) when the test ends, if it still runs.
func KillAtEnd(t testing.TB, pid int) {
	t.Cleanup(func() {
		if Alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			WaitForf(t, 5*time.Second, func() bool { return !Alive(pid) }, "pid %d killed", pid)
		}
	})
}

// Alive reports whether pid is a process that has not exited. An exited
// child of the test process (an orphan adopted by the subreaper Main set
// up) is reaped here, unless Start runs it; any other zombie counts as
// exited too.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if _, own := started.Load(pid); !own {
		var ws unix.WaitStatus
		if got, _ := unix.Wait4(pid, &ws, unix.WNOHANG, nil); got == pid {
			return false
		}
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	state, _, ok := procStat(pid)
	return ok && state != "Z" && state != "X"
}

// NoneAlive reports whether every pid has exited (see Alive).
func NoneAlive(pids ...int) bool {
	for _, pid := range pids {
		if Alive(pid) {
			return false
		}
	}
	return true
}

// procStat returns the state letter and parent PID from /proc/pid/stat.
func procStat(pid int) (state string, ppid int, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0, false
	}
	// The command name, in parentheses, may itself hold spaces and ')'.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", 0, false
	}
	if _, err := fmt.Sscanf(s[i+1:], " %s %d", &state, &ppid); err != nil {
		return "", 0, false
	}
	return state, ppid, true
}

// Children lists the live (not zombie) processes whose parent is pid.
func Children(pid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if state, ppid, ok := procStat(child); ok && ppid == pid && state != "Z" {
			out = append(out, child)
		}
	}
	return out
}

// CountFDs counts the open descriptors of pid.
func CountFDs(pid int) int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents)
}

// ReadPid returns the PID in a pidfile, or 0 if there is none.
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
