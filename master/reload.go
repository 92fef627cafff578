package master

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goha/goha/worker"
)

// DefaultCheckTimeout bounds the reload check (the new binary's -c run
// and the fetch of the server states); past it the reload fails and
// nothing changes. GOHA_RELOAD_CHECK_TIMEOUT (a Go duration) overrides it.
const DefaultCheckTimeout = 60 * time.Second

// stateFetchTimeout bounds the fetch of `show servers state` from a
// current worker: one that does not answer is left behind.
const stateFetchTimeout = 2 * time.Second

// reloadJob is a reload whose check runs off the loop.
type reloadJob struct {
	replies []net.Conn
	cancel  context.CancelFunc
}

// jobResult is what a reload check found.
type jobResult struct {
	out   string // the check's output
	err   error  // the check failed
	state string // the current workers' server states
}

// reload starts a reload if none is running; otherwise it is queued once
// (it runs when the one under way is done). reply, if set, receives the
// synchronous answer of `reload`: that of the reload it starts or of the
// queued one.
func (m *Master) reload(reply net.Conn) {
	if reply != nil {
		m.queuedReplies = append(m.queuedReplies, reply)
	}
	if m.stopping {
		for _, c := range m.queuedReplies {
			m.replies.send(c, "Success=0\n--\nThe master is stopping.\n\n")
		}
		m.queuedReplies = nil
		return
	}
	if m.pending != nil || m.job != nil {
		m.log.Debug().Msg("reload requested during a reload: queued")
		m.queued = true
		return
	}
	replies := m.queuedReplies
	m.queuedReplies, m.queued = nil, false
	// A previous reload's answer still waiting for old workers to settle
	// is sent now: this image may be replaced.
	if st := m.settling; st != nil {
		m.settling = nil
		m.answerReplies(st.replies, true)
	}
	m.logMu.Lock()
	m.startupLogs.Reset()
	m.logMu.Unlock()
	m.reloads++
	m.log.Info().Msg("Reloading goha")
	m.notify.send("RELOADING=1\nSTATUS=Reloading Configuration.\n" + monotonicUsec())
	m.startJob(replies)
}

// startJob runs the reload check in a goroutine: the new binary's -c,
// then `show servers state` from a current worker. The loop stays free
// (show proc, signals) and gets the outcome on jobDone.
func (m *Master) startJob(replies []net.Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	m.job = &reloadJob{replies: replies, cancel: cancel}
	var ipc *os.File
	var pid int
	for _, p := range m.procs {
		if p.gen == m.curGen && p.ready && !p.stopping {
			ipc, pid = p.ipc, p.pid
			break
		}
	}
	args := m.checkArgs()
	go func() {
		var r jobResult
		cctx, ccancel := context.WithTimeout(ctx, m.checkTimeout)
		r.out, r.err = m.preflight(cctx, args)
		ccancel()
		if r.err == nil && ipc != nil {
			sctx, scancel := context.WithTimeout(ctx, stateFetchTimeout)
			out, err := forward(sctx, ipc, "admin", []byte("show servers state\n"))
			scancel()
			if err != nil {
				m.log.Warn().Msgf("cannot fetch server states from worker %d (left behind): %v", pid, err)
			} else {
				r.state = out
			}
		}
		m.jobDone <- r // buffered: one job at a time
	}()
}

// finishReload acts on a reload check's outcome: re-execute, or report
// the failure and change nothing.
func (m *Master) finishReload(r jobResult) {
	job := m.job
	m.job = nil
	if job == nil {
		return
	}
	job.cancel()
	if m.stopping {
		m.answerReplies(job.replies, false)
		return
	}
	fail := func(status string) {
		m.failed++
		m.log.Warn().Msg("Loading failure!")
		m.notify.send("READY=1\nSTATUS=Reload failed: " + status)
		m.answerReplies(job.replies, false)
		m.runQueued()
	}
	if r.err != nil {
		m.log.Error().Msgf("reload preflight failed: %s", strings.TrimSpace(r.out))
		fail("configuration check failed: " + lastAlert(r.out))
		return
	}
	if err := m.reexec(job.replies, r.state); err != nil {
		m.log.Error().Msgf("Reload failed: %v", err)
		fail(oneLine(err.Error()))
	}
}

// checkArgs are the -c arguments of the reload check: the master's own
// mode and the flags that change how a configuration parses (-W or -Ws
// defines HAPROXY_MWORKER; -L, -N, -n), then the files.
func (m *Master) checkArgs() []string {
	mode := "-W"
	if m.opt.Systemd {
		mode = "-Ws"
	}
	args := []string{"-c", "-q", mode}
	if m.opt.LocalPeer != "" {
		args = append(args, "-L", m.opt.LocalPeer)
	}
	if m.opt.DefMaxconn > 0 {
		args = append(args, "-N", strconv.Itoa(m.opt.DefMaxconn))
	}
	if m.opt.Maxconn > 0 {
		args = append(args, "-n", strconv.Itoa(m.opt.Maxconn))
	}
	for _, f := range m.opt.Files {
		args = append(args, "-f", f)
	}
	return args
}

// preflight runs the binary now installed at the master's path with the
// check arguments: a broken config or a broken binary fails here and
// changes nothing. The check runs in a process group of its own, killed
// whole when ctx ends (a check that hangs, a master told to stop).
func (m *Master) preflight(ctx context.Context, args []string) (string, error) {
	cmd := exec.CommandContext(ctx, m.opt.Exe, args...)
	cmd.Env = append(envWithout("NOTIFY_SOCKET", envHandoff, envRollback, "GOHA_DAEMON_FD", worker.EnvRole),
		EnvStateVersion+"="+strconv.Itoa(stateVersion))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Sprintf("%s -c did not finish within %s: killed", m.opt.Exe, m.checkTimeout), ctx.Err()
	}
	if err != nil {
		if out.Len() == 0 {
			out.WriteString(err.Error())
		}
		return out.String(), fmt.Errorf("%s -c: %w", m.opt.Exe, err)
	}
	return out.String(), nil
}

func lastAlert(out string) string {
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(l, "parsing [") || strings.Contains(l, "Cannot open") {
			if i := strings.Index(l, ": "); i >= 0 {
				return strings.TrimSpace(l[i+2:])
			}
			return l
		}
	}
	return oneLine(out)
}
