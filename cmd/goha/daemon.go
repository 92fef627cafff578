package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/internal/plog"
)

// envDaemonFD tells a daemonized process which descriptor reports its
// start-up outcome to the process that launched it.
const envDaemonFD = "GOHA_DAEMON_FD"

func isDaemonChild() bool { return os.Getenv(envDaemonFD) != "" }

// daemonize is -D: start the same command again in a new session with
// stdio on /dev/null, and exit 0 only once it reports that it serves, or
// 1 with the reason it gave (or its death) otherwise. Go cannot fork
// without exec, so the daemon is a re-executed copy rather than a fork.
func daemonize(exe string, args []string) int {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%scannot daemonize: %v\n", plog.Prefix("ALERT", os.Getpid()), err)
		return 1
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%scannot daemonize: %v\n", plog.Prefix("ALERT", os.Getpid()), err)
		return 1
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	// Keep stderr until the daemon is up so start-up errors reach the
	// user, as HAProxy prints them before it forks.
	cmd.Stderr = os.Stderr
	// The descriptors the parent handed down (fd@N listeners) keep their
	// numbers in the daemon, as they would across HAProxy's fork; the
	// report pipe goes after them.
	cmd.ExtraFiles = append(inheritedFiles(null), w)
	cmd.Env = append(os.Environ(), envDaemonFD+"="+strconv.Itoa(2+len(cmd.ExtraFiles)))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "%scannot daemonize: %v\n", plog.Prefix("ALERT", os.Getpid()), err)
		return 1
	}
	w.Close()
	null.Close()
	line, _ := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "OK" {
		cmd.Process.Release()
		return 0
	}
	if line == "" {
		state, _ := cmd.Process.Wait()
		line = fmt.Sprintf("the daemon exited before serving (%v)", state)
	}
	fmt.Fprintf(os.Stderr, "%s%s\n", plog.Prefix("ALERT", os.Getpid()), line)
	return 1
}

// daemonReady returns the function a daemon calls once: nil when it
// serves, or the error that stops it. It then points stderr at /dev/null,
// opened here, before any chroot hides it: the launcher's stderr must not
// stay open, or whoever reads it (a shell's $(...), a test) waits forever.
func daemonReady() func(error) {
	var once sync.Once
	null, nullErr := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	fd, _ := strconv.Atoi(os.Getenv(envDaemonFD))
	return func(err error) {
		once.Do(func() {
			f := os.NewFile(uintptr(fd), "daemon-ready")
			os.Unsetenv(envDaemonFD)
			if err != nil {
				fmt.Fprintf(f, "%s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			} else {
				fmt.Fprint(f, "OK\n")
			}
			f.Close()
			if nullErr == nil {
				syscall.Dup2(int(null.Fd()), 2)
				null.Close()
			}
		})
	}
}

// inheritedFiles returns, for exec.Cmd.ExtraFiles, the descriptors from
// 3 up that this process inherited open without close-on-exec (the
// sockets of fd@N), each at its own index so it keeps its number in the
// child, and filler for the gaps below the highest one. Every descriptor
// goha opens itself is close-on-exec and is not passed on.
func inheritedFiles(filler *os.File) []*os.File {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	var fds []int
	top := 2
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil || n < 3 {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(n), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			continue
		}
		fds = append(fds, n)
		top = max(top, n)
	}
	out := make([]*os.File, top-2)
	for i := range out {
		out[i] = filler
	}
	for _, n := range fds {
		out[n-3] = os.NewFile(uintptr(n), "inherited")
	}
	return out
}
