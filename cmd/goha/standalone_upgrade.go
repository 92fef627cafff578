package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/tableflip"
	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/goha/goha/master"
	"github.com/goha/goha/worker"
)

// queueKey names the pipe through which a process that has just been
// replaced passes a SIGUSR2 it received during the upgrade on to its
// successor (tableflip allows one upgrade at a time, and the successor may
// only upgrade once its parent has exited).
const queueKey = "goha-upgrade-queue"

// upgrade is a standalone process's SIGUSR2 self-upgrade (tableflip): at
// most one runs at a time, one more request is queued while it runs, and a
// request that arrives once this process has been replaced is passed on to
// the new process.
type upgrade struct {
	// upg is nil when upgrades are unavailable (refused says why, or
	// tableflip could not start).
	upg     *tableflip.Upgrader
	log     zerolog.Logger
	pidfile string
	// lns are the listening sockets to hand over, by config.Bind.Key.
	lns map[string]net.Listener
	// added holds the keys already given to tableflip (inherited ones
	// included): giving one twice would leak a duplicate descriptor.
	added map[string]bool
	// refused is why this process cannot upgrade itself ("" = it can).
	refused refusalReason
	// preflight, if set, checks the configuration with the binary now
	// installed before any new process is started.
	preflight func() error
	// queueR is the pipe inherited from the previous process (nil for a
	// first process); queueW is the one passed to the next.
	queueR, queueW *os.File

	mu       sync.Mutex
	running  bool // an upgrade is in progress
	pending  bool // one more was asked for meanwhile
	done     bool // this process has been replaced
	stopping bool
	// replaced is closed once this process has been replaced and any
	// queued request passed on: the signal to soft-stop.
	replaced chan struct{}
	ctx      context.Context
	cancel   context.CancelFunc
	stopOnce sync.Once
}

// refusalReason is why a process cannot upgrade itself, or "".
type refusalReason string

func (r refusalReason) ok() bool { return r == "" }

// refusal decides whether a process that dropped privileges as id says can
// still upgrade itself. tableflip's new process is started by this one:
// inside a chroot the binary at exe is out of reach, and after a uid or
// gid change the new process could neither bind a privileged port nor
// chroot nor (often) read the configuration. Such a process refuses
// SIGUSR2 with this reason instead of failing halfway.
func refusal(id worker.Identity, exe string) refusalReason {
	if id.Chroot != "" {
		return refusalReason(fmt.Sprintf("this process is chrooted in %q and can no longer run %s; reload it with -sf/-x from outside (or run goha in master-worker mode, -W)", id.Chroot, exe))
	}
	if (id.UID >= 0 && id.UID != os.Getuid()) || (id.GID >= 0 && id.GID != os.Getgid()) {
		return refusalReason(fmt.Sprintf("this process dropped its privileges (uid %d, gid %d): a process it starts could not bind privileged ports or read a root-only configuration; reload it with -sf/-x from outside (or run goha in master-worker mode, -W)", id.UID, id.GID))
	}
	return ""
}

// newUpgrade prepares the self-upgrade of this process. Call it before
// tableflip's Ready, which closes inherited files nobody claimed.
func newUpgrade(upg *tableflip.Upgrader, log zerolog.Logger) *upgrade {
	u := &upgrade{upg: upg, log: log, added: map[string]bool{}, replaced: make(chan struct{})}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	if upg != nil && upg.HasParent() {
		if f, err := upg.File(queueKey); err == nil && f != nil {
			u.queueR = f
		}
	}
	return u
}

// onceStopping returns a function that marks this process as stopping
// (no upgrade starts any more, one waiting for its parent gives up) and
// then runs f, once.
func (u *upgrade) onceStopping(f func()) func() {
	return func() {
		u.stopOnce.Do(func() {
			u.mu.Lock()
			u.stopping = true
			u.mu.Unlock()
			u.cancel()
			f()
		})
	}
}

// request asks for a self-upgrade; why names the trigger for the log.
func (u *upgrade) request(why string) {
	if u.upg == nil {
		reason := string(u.refused)
		if reason == "" {
			reason = "tableflip is not available"
		}
		u.log.Error().Msgf("%s ignored: no self-upgrade: %s.", why, reason)
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case u.done:
		u.forwardLocked(why)
	case u.stopping:
		u.log.Warn().Msgf("%s ignored: this process is stopping.", why)
	case u.running && u.pending:
		u.log.Warn().Msgf("%s: an upgrade is in progress and another one is already queued.", why)
	case u.running:
		u.pending = true
		u.log.Info().Msgf("%s: an upgrade is in progress; another one will follow it.", why)
	default:
		u.running = true
		go u.loop()
	}
}

// forwardLocked passes a request on to the process that replaced this one.
func (u *upgrade) forwardLocked(why string) {
	if u.queueW == nil {
		return
	}
	if _, err := u.queueW.Write([]byte{1}); err != nil {
		u.log.Warn().Msgf("%s: cannot pass the upgrade request on to the new process: %v", why, err)
		return
	}
	u.log.Info().Msgf("%s: this process has been replaced; the new process will upgrade once this one has exited.", why)
}

// loop runs upgrades until none is pending.
func (u *upgrade) loop() {
	for {
		err := u.attempt()
		u.mu.Lock()
		if err == nil {
			u.done, u.running = true, false
			if u.pending {
				u.pending = false
				u.forwardLocked("queued upgrade")
			}
			u.mu.Unlock()
			close(u.replaced)
			return
		}
		retry := u.pending && !u.stopping
		u.pending = false
		if !retry {
			u.running = false
		}
		u.mu.Unlock()
		if errors.Is(err, context.Canceled) {
			return
		}
		u.log.Error().Msgf("Self-upgrade failed, process %d keeps serving: %v", os.Getpid(), err)
		var ce *checkError
		if errors.As(err, &ce) {
			for _, line := range ce.lines() {
				u.log.Error().Msgf("  %s", line)
			}
		}
		if u.pidfile != "" {
			// The failed process may have written its PID already.
			if err := master.WritePidfile(u.pidfile, os.Getpid()); err != nil {
				u.log.Warn().Msgf("%v", err)
			}
		}
		if !retry {
			return
		}
	}
}

// attempt waits until the previous process (if any) has exited, then
// starts the new process with every listening socket and waits until it
// is ready or failed.
func (u *upgrade) attempt() error {
	if u.upg.HasParent() {
		quick, cancel := context.WithTimeout(u.ctx, 20*time.Millisecond)
		err := u.upg.WaitForParent(quick)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			u.log.Info().Msg("Self-upgrade: waiting for the previous process to finish first.")
			err = u.upg.WaitForParent(u.ctx)
		}
		if errors.Is(err, context.Canceled) {
			return err
		}
	}
	u.mu.Lock()
	stopping := u.stopping
	u.mu.Unlock()
	if stopping {
		return context.Canceled
	}
	for key, ln := range u.lns {
		if u.added[key] {
			continue
		}
		f, err := dupListener(ln)
		if err != nil {
			return fmt.Errorf("cannot hand over the socket of %s: %w", key, err)
		}
		err = u.upg.AddFile(fdKeyPrefix+key, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("cannot hand over the socket of %s: %w", key, err)
		}
		u.added[key] = true
	}
	if u.queueW == nil {
		r, w, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("cannot create the upgrade queue pipe: %w", err)
		}
		err = u.upg.AddFile(queueKey, r)
		r.Close()
		if err != nil {
			w.Close()
			return fmt.Errorf("cannot hand over the upgrade queue pipe: %w", err)
		}
		u.queueW = w
	}
	if u.preflight != nil {
		if err := u.preflight(); err != nil {
			return err
		}
	}
	u.log.Info().Msgf("Self-upgrade: starting %s.", os.Args[0])
	return u.upg.Upgrade()
}

// watchQueue turns requests passed on by the previous process into
// upgrades of this one. It ends when that process exits.
func (u *upgrade) watchQueue() {
	if u.queueR == nil {
		return
	}
	go func() {
		defer u.queueR.Close()
		buf := make([]byte, 16)
		for {
			n, err := u.queueR.Read(buf)
			if n > 0 {
				u.request("SIGUSR2 received by the previous process")
			}
			if err != nil {
				return
			}
		}
	}()
}

// dupCloexec duplicates fd, close-on-exec.
func dupCloexec(fd int) (int, error) {
	return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
}

// checkError is a failed preflight: the check's exit status and output.
type checkError struct {
	cmd    string
	err    error
	output string
}

func (e *checkError) Error() string {
	return fmt.Sprintf("the configuration check `%s` failed (%v); its output follows", e.cmd, e.err)
}

// lines returns the check's output, one entry per non-empty line.
func (e *checkError) lines() []string {
	var out []string
	for _, l := range strings.Split(e.output, "\n") {
		if l = strings.TrimRight(l, "\r "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// preflightCheck runs `exe -c -q -f FILE...` (the binary installed now,
// the configuration as it is now) and returns a *checkError if it fails:
// a broken configuration or a binary that cannot even start is reported
// with its own words, and no new process is started for nothing.
func preflightCheck(exe string, files []string) func() error {
	return func() error {
		args := []string{"-c", "-q"}
		for _, f := range files {
			args = append(args, "-f", f)
		}
		ctx, cancel := context.WithTimeout(context.Background(), upgradeTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, exe, args...)
		cmd.Env = withoutEnv(os.Environ(), tableflipEnv, envDaemonFD)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return &checkError{cmd: exe + " " + strings.Join(args, " "), err: err, output: string(out)}
		}
		return nil
	}
}

// withoutEnv returns env without the variables named.
func withoutEnv(env []string, names ...string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, k) {
			out = append(out, kv)
		}
	}
	return out
}
