// Package nnp sets PR_SET_NO_NEW_PRIVS on every thread of a process,
// whatever the build.
//
// The flag is per thread. In a static build (CGO_ENABLED=0) Go can set it
// on every thread at once with syscall.AllThreadsSyscall6. With cgo that
// call returns ENOTSUP, and no libc function broadcasts prctl. But the
// flag is inherited by threads a thread creates and by processes it
// forks, and it survives execve: a process started (or re-executed) from
// a thread that carries it has it on all its threads from birth. So a
// parent spawns children from one goroutine locked to a thread that has
// the flag set (Spawner), and a process that must have it itself can
// re-execute itself in place from such a thread (ExecSelf).
package nnp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// SetAllThreads sets no_new_privs on every thread. It returns
// ErrUnsupported when the runtime cannot run a syscall on all threads
// (cgo builds).
func SetAllThreads() error {
	_, _, e := syscall.AllThreadsSyscall6(syscall.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0)
	if e == syscall.ENOTSUP {
		return ErrUnsupported
	}
	if e != 0 {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", e)
	}
	return nil
}

// ErrUnsupported means the flag cannot be set on all threads from here.
var ErrUnsupported = errors.New("no_new_privs cannot be set on every thread from this process (cgo build)")

// AllThreads reports whether every thread of the process has the flag,
// from /proc/self/task/*/status.
func AllThreads() bool {
	tasks, err := filepath.Glob("/proc/self/task/*/status")
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue // the thread exited meanwhile
		}
		found := false
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "NoNewPrivs:") {
				found = true
				if strings.TrimSpace(l[len("NoNewPrivs:"):]) != "1" {
					return false
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Ensure makes sure every thread has the flag: set it everywhere if the
// runtime can, or check that it was inherited.
func Ensure() error {
	err := SetAllThreads()
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrUnsupported) {
		return err
	}
	// Inherited at exec time, the flag is on every thread, since all of
	// them descend from the first one and it can never be cleared. Check
	// the calling thread, and every thread when /proc is reachable (it
	// is not inside a chroot).
	if v, perr := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); perr != nil || v != 1 {
		return err
	}
	if _, serr := os.Stat("/proc/self/task"); serr == nil && !AllThreads() {
		return err
	}
	return nil
}

// Spawner runs functions on one OS thread that carries no_new_privs, so
// processes forked there inherit it. Zero value is not usable: use
// NewSpawner.
type Spawner struct {
	calls chan func()
}

// NewSpawner starts the locked thread. It lives as long as the process.
func NewSpawner() (*Spawner, error) {
	s := &Spawner{calls: make(chan func())}
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the thread keeps the flag, and the Go runtime
		// destroys a locked thread whose goroutine exits, which is fine
		// too, but this goroutine serves for the process's life.
		runtime.LockOSThread()
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			errc <- fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
			return
		}
		errc <- nil
		for f := range s.calls {
			f()
		}
	}()
	if err := <-errc; err != nil {
		return nil, err
	}
	return s, nil
}

// Do runs f on the flagged thread and waits for it.
func (s *Spawner) Do(f func()) {
	done := make(chan struct{})
	s.calls <- func() { f(); close(done) }
	<-done
}

// ExecSelf re-executes the running binary in place (same PID) from a
// thread carrying the flag, with the given arguments and environment. It
// returns only on failure.
func ExecSelf(path string, argv, env []string) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			errc <- err
			return
		}
		errc <- syscall.Exec(path, argv, env)
	}()
	return <-errc
}

// CanSetAllThreads reports whether SetAllThreads can work here (false in
// cgo builds). It changes nothing.
func CanSetAllThreads() bool {
	_, _, e := syscall.AllThreadsSyscall6(syscall.SYS_PRCTL, unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0, 0)
	return e != syscall.ENOTSUP
}
