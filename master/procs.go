package master

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// proc is one worker process in the master's table. Only the master's
// loop goroutine mutates it; CLI sessions read snapshots.
type proc struct {
	pid int
	// gen is the generation the worker belongs to; relNum its number in
	// it (1..nbproc), which `@N` addresses for the current generation.
	gen    int
	relNum int
	// reloadsAtStart is the master's reload count when it was started:
	// `show proc` shows how many reloads it has survived.
	reloadsAtStart int
	ipc            *os.File
	started        time.Time
	version        string
	ready          bool
	// stopping is set once the worker was told to soft-stop.
	stopping bool
}

// procView is a read-only copy of a proc for CLI sessions.
type procView struct {
	Pid     int
	Gen     int
	RelNum  int
	Reloads int
	Started time.Time
	Version string
	// Current is set for the current generation and for one starting
	// (not ready yet): only workers a reload replaced are "old".
	Current  bool
	Ready    bool
	IPC      *os.File
	Stopping bool
}

// formatUptime renders a duration as show proc does: 0d00h00m04s.
func formatUptime(d time.Duration) string {
	s := int64(d / time.Second)
	if s < 0 {
		s = 0
	}
	return fmt.Sprintf("%dd%02dh%02dm%02ds", s/86400, (s/3600)%24, (s/60)%60, s%60)
}

// showProc renders HAProxy 2.6's `show proc` layout: %-15s columns
// separated by one space, the master row, `# workers`, `# old workers`
// when some are draining, `# programs` (and `# old programs`), and a
// final empty line (added by the CLI).
func showProc(masterPid int, reloads, failed int, masterStart time.Time, version string, procs []procView, progs []progView, now time.Time) string {
	var b strings.Builder
	row := func(cols ...string) {
		for i, c := range cols {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%-15s", c)
		}
		b.WriteByte('\n')
	}
	row("#<PID>", "<type>", "<reloads>", "<uptime>", "<version>")
	row(fmt.Sprint(masterPid), "master", fmt.Sprintf("%d [failed: %d]", reloads, failed), formatUptime(now.Sub(masterStart)), version)
	b.WriteString("# workers\n")
	for _, p := range procs {
		if p.Current {
			row(fmt.Sprint(p.Pid), "worker", fmt.Sprint(p.Reloads), formatUptime(now.Sub(p.Started)), p.Version)
		}
	}
	old := false
	for _, p := range procs {
		if !p.Current {
			if !old {
				b.WriteString("# old workers\n")
				old = true
			}
			row(fmt.Sprint(p.Pid), "worker", fmt.Sprint(p.Reloads), formatUptime(now.Sub(p.Started)), p.Version)
		}
	}
	programRows(row, &b, progs, now)
	return b.String()
}

// exitText describes a wait status as HAProxy does: the code (exit
// status, or 128+signal) and `Exit` or the signal's description.
func exitText(ws syscall.WaitStatus) (int, string) {
	if ws.Signaled() {
		sig := ws.Signal()
		return 128 + int(sig), signalDesc(sig)
	}
	return ws.ExitStatus(), "Exit"
}

func signalDesc(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		return "Killed"
	case syscall.SIGTERM:
		return "Terminated"
	case syscall.SIGINT:
		return "Interrupt"
	case syscall.SIGSEGV:
		return "Segmentation fault"
	case syscall.SIGABRT:
		return "Aborted"
	case syscall.SIGQUIT:
		return "Quit"
	case syscall.SIGHUP:
		return "Hangup"
	case syscall.SIGUSR1:
		return "User defined signal 1"
	case syscall.SIGUSR2:
		return "User defined signal 2"
	case syscall.SIGPIPE:
		return "Broken pipe"
	case syscall.SIGBUS:
		return "Bus error"
	}
	s := sig.String()
	if s == "" {
		return fmt.Sprintf("signal %d", int(sig))
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
