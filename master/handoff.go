package master

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/config"
	"github.com/goha/goha/worker"
)

// envHandoff names the variable that tells a re-executed master which
// descriptor holds its state.
const envHandoff = "GOHA_MASTER_HANDOFF"

// stateVersion is the version of the master's re-exec handoff. The
// reload preflight tells the new binary which version the running master
// will hand over (EnvStateVersion); a binary that cannot read it fails
// its -c there, so an incompatible upgrade is refused before the exec
// instead of killing the master after it (CheckStateVersion).
const stateVersion = 1

// masterState is what a master carries across its in-place re-exec.
// Descriptors are listed by number; they are inherited because their
// close-on-exec flag was cleared just before the exec.
type masterState struct {
	Version int `json:"version"`
	// Sockets are the listening sockets, keyed by config.Bind.Key.
	Sockets []sockRec `json:"sockets"`
	Procs   []procRec `json:"procs"`
	CurGen  int       `json:"cur_gen"`
	NextGen int       `json:"next_gen"`
	Reloads int       `json:"reloads"`
	Failed  int       `json:"failed"`
	// Start is the master's start time (unix nanoseconds).
	Start int64 `json:"start"`
	// Replies are CLI clients waiting for the answer of `reload`.
	Replies []int `json:"replies,omitempty"`
	// ServerState is the previous generation's `show servers state`.
	ServerState string `json:"server_state,omitempty"`
	StartupLogs string `json:"startup_logs,omitempty"`
	// Sources is the configuration the current workers run, to fall back
	// on when the new one fails to load after the exec.
	Sources []config.Source `json:"sources,omitempty"`
	// Signals were caught by the previous image and not yet acted on.
	Signals   []int `json:"signals,omitempty"`
	FirstDone bool  `json:"first_done"`
}

type sockRec struct {
	Key string `json:"key"`
	FD  int    `json:"fd"`
}

type procRec struct {
	Pid            int    `json:"pid"`
	Gen            int    `json:"gen"`
	RelNum         int    `json:"rel_num"`
	ReloadsAtStart int    `json:"reloads_at_start"`
	IPC            int    `json:"ipc"`
	Started        int64  `json:"started"`
	Version        string `json:"version"`
	Ready          bool   `json:"ready"`
	Stopping       bool   `json:"stopping"`
}

// reexec replaces the master's image in place (same PID) by the binary
// installed at its path, carrying its state. It returns only on failure.
func (m *Master) reexec(replies []io.WriteCloser, serverState string) error {
	st := masterState{
		Version: stateVersion, CurGen: m.curGen, NextGen: m.nextGen,
		Reloads: m.reloads, Failed: m.failed, Start: m.start.UnixNano(),
		ServerState: serverState, FirstDone: m.firstDone, Sources: m.sources,
	}
	m.logMu.Lock()
	st.StartupLogs = m.startupLogs.String()
	m.logMu.Unlock()
	var keep []int
	for k, f := range m.sockets {
		fd := worker.RawFD(f)
		st.Sockets = append(st.Sockets, sockRec{Key: k, FD: fd})
		keep = append(keep, fd)
	}
	for _, p := range m.procs {
		fd := worker.RawFD(p.ipc)
		st.Procs = append(st.Procs, procRec{Pid: p.pid, Gen: p.gen, RelNum: p.relNum,
			ReloadsAtStart: p.reloadsAtStart, IPC: fd, Started: p.started.UnixNano(),
			Version: p.version, Ready: p.ready, Stopping: p.stopping})
		keep = append(keep, fd)
	}
	var dups []*os.File
	for _, r := range replies {
		if c, ok := r.(interface{ File() (*os.File, error) }); ok {
			if f, err := c.File(); err == nil {
				dups = append(dups, f)
				st.Replies = append(st.Replies, worker.RawFD(f))
				keep = append(keep, worker.RawFD(f))
			}
		}
	}
	defer func() {
		for _, f := range dups {
			f.Close()
		}
	}()
	// Signals the Go runtime caught but the loop has not acted on would
	// vanish with this image: they travel in the state instead. The
	// os/signal goroutine moves a caught signal to its channel within
	// microseconds: drain for a few milliseconds, then block the signals
	// on every thread (so later ones stay pending in the kernel, which
	// keeps them across execve) and take what is left.
	drainSignals := func(d time.Duration) {
		limit := time.After(d)
		for {
			select {
			case s := <-m.sigs:
				if s != syscall.SIGCHLD {
					m.box.add(s.(syscall.Signal))
				}
			case <-limit:
				return
			}
		}
	}
	// New master CLI connections wait in the kernel queue for the next
	// image instead of being accepted here and cut by the exec.
	for _, ln := range m.cliLns {
		ln.Close()
	}
	m.cliLns = nil
	drainSignals(5 * time.Millisecond)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var set, old unix.Sigset_t
	for _, s := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD, syscall.SIGTTOU, syscall.SIGTTIN} {
		set.Val[(int(s)-1)/64] |= 1 << ((uint(s) - 1) % 64)
	}
	allThreads := true
	if _, _, e := syscall.AllThreadsSyscall6(syscall.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, uintptr(ptr(&set)), 0, 8, 0, 0); e != 0 {
		m.log.Debug().Msgf("cannot block signals on every thread (%v): blocking on the exec thread only", e)
		allThreads = false
		unix.PthreadSigmask(unix.SIG_BLOCK, &set, &old)
	}
	unblock := func() {
		if allThreads {
			syscall.AllThreadsSyscall6(syscall.SYS_RT_SIGPROCMASK, unix.SIG_UNBLOCK, uintptr(ptr(&set)), 0, 8, 0, 0)
		} else {
			unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
		}
	}
	drainSignals(time.Millisecond)
	carried := m.box.take()
	for _, sig := range carried {
		st.Signals = append(st.Signals, int(sig))
	}
	fail := func(err error) error {
		unblock()
		if cerr := m.startCLI(); cerr != nil {
			m.log.Error().Msg(cerr.Error())
		}
		for _, sig := range carried {
			m.box.add(sig)
		}
		return err
	}

	data, err := json.Marshal(&st)
	if err != nil {
		return fail(fmt.Errorf("encode master state: %w", err))
	}
	fd, err := unix.MemfdCreate("goha-master-state", 0)
	if err != nil {
		return fail(fmt.Errorf("memfd_create: %w", err))
	}
	stf := os.NewFile(uintptr(fd), "master-state")
	defer stf.Close()
	if _, err := stf.Write(data); err != nil {
		return fail(fmt.Errorf("write master state: %w", err))
	}
	keep = append(keep, fd)

	env := append(envWithout(envHandoff), envHandoff+"="+strconv.Itoa(fd))
	argv := append([]string{m.opt.Exe}, m.opt.Args...)

	syscall.ForkLock.Lock()
	for _, fd := range keep {
		unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0)
	}
	err = syscall.Exec(m.opt.Exe, argv, env)
	for _, fd := range keep {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.Unlock()
	return fail(fmt.Errorf("cannot re-execute %s: %w", m.opt.Exe, err))
}

// EnvStateVersion carries the running master's handoff version to the
// preflight run of the new binary.
const EnvStateVersion = "GOHA_MASTER_STATE_VERSION"

// CheckStateVersion is called by -c: it fails when a running master
// asked this binary to take over a handoff version it does not speak.
func CheckStateVersion() error {
	v := os.Getenv(EnvStateVersion)
	if v == "" || v == strconv.Itoa(stateVersion) {
		return nil
	}
	return fmt.Errorf("this binary reads master state version %d, the running master hands over version %s: reload refused (restart goha to upgrade)", stateVersion, v)
}

// Resuming reports whether this process is a master re-executed in place
// by a reload (it must not daemonize again, for one).
func Resuming() bool { return os.Getenv(envHandoff) != "" }

// loadHandoff reads the state a previous image left, if any.
func loadHandoff() (*masterState, error) {
	v := os.Getenv(envHandoff)
	if v == "" {
		return nil, nil
	}
	os.Unsetenv(envHandoff)
	fd, err := strconv.Atoi(v)
	if err != nil {
		return nil, fmt.Errorf("bad %s=%q", envHandoff, v)
	}
	unix.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), "master-state")
	defer f.Close()
	if _, err := f.Seek(0, 0); err != nil {
		return nil, fmt.Errorf("read master state: %w", err)
	}
	var st masterState
	if err := json.NewDecoder(f).Decode(&st); err != nil {
		return nil, fmt.Errorf("decode master state: %w", err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("master state version %d, this binary speaks %d", st.Version, stateVersion)
	}
	return &st, nil
}

// resume adopts the state of the previous image, loads the (possibly
// new) configuration and starts the next generation. A failure here
// keeps the previous generation serving.
func (m *Master) resume(st *masterState) {
	m.start = time.Unix(0, st.Start)
	m.curGen, m.nextGen, m.reloads, m.failed, m.firstDone = st.CurGen, st.NextGen, st.Reloads, st.Failed, st.FirstDone
	m.logMu.Lock()
	m.startupLogs.WriteString(st.StartupLogs)
	m.logMu.Unlock()
	for _, s := range st.Sockets {
		unix.CloseOnExec(s.FD)
		m.sockets[s.Key] = os.NewFile(uintptr(s.FD), s.Key)
	}
	for _, r := range st.Procs {
		unix.CloseOnExec(r.IPC)
		unix.SetNonblock(r.IPC, true)
		p := &proc{pid: r.Pid, gen: r.Gen, relNum: r.RelNum, reloadsAtStart: r.ReloadsAtStart,
			ipc: os.NewFile(uintptr(r.IPC), "ipc-master"), started: time.Unix(0, r.Started),
			version: r.Version, ready: r.Ready, stopping: r.Stopping}
		m.procs = append(m.procs, p)
		m.watchIPC(p)
	}
	var replies []io.WriteCloser
	for _, fd := range st.Replies {
		unix.CloseOnExec(fd)
		f := os.NewFile(uintptr(fd), "cli-reply")
		c, err := net.FileConn(f)
		f.Close()
		if err == nil {
			replies = append(replies, c.(io.WriteCloser))
		}
	}
	for _, sig := range st.Signals {
		m.box.add(syscall.Signal(sig))
	}
	m.log.Info().Msgf("goha version is %s", m.opt.Version)
	m.log.Info().Msgf("path to executable is %s", m.opt.Exe)

	fail := func(reason string) {
		m.failed++
		m.log.Error().Msg(reason)
		m.log.Warn().Msg("Loading failure!")
		m.notify.send("READY=1\nSTATUS=Reload failed: " + oneLine(reason))
		m.answerReplies(replies, false)
		// Go on with the configuration the running workers were started
		// with, so the master CLI, nbproc and master-only settings stay
		// as they were.
		m.sources = st.Sources
		prev, perr := config.Parse(st.Sources, config.ParseOptions{MasterWorker: true, DefaultMaxconn: m.opt.DefMaxconn})
		if perr != nil {
			m.log.Error().Msgf("the previous configuration no longer parses either: %v", perr)
			prev = &config.Config{}
		}
		m.cfg = prev
		if err := m.applySockets(prev); err != nil {
			m.log.Error().Msgf("previous sockets: %v", err)
		}
		if err := m.startCLI(); err != nil {
			m.log.Error().Msg(err.Error())
		}
	}
	srcs, cfg, err := m.loadConfig()
	if err != nil {
		fail(err.Error())
		return
	}
	if err := m.applySockets(cfg); err != nil {
		fail(err.Error())
		return
	}
	m.sources, m.cfg = srcs, cfg
	if m.opt.Pidfile != "" {
		if err := WritePidfile(m.opt.Pidfile, m.pid); err != nil {
			m.log.Warn().Msg(err.Error())
		}
	}
	if err := m.startCLI(); err != nil {
		m.log.Error().Msg(err.Error())
	}
	if err := m.startGeneration(replies, st.ServerState); err != nil {
		m.log.Error().Msg(err.Error())
	}
}

// fetchServerState asks the first current worker for `show servers
// state`, so runtime changes (disabled servers, weights, addresses)
// carry over to the next generation.
func (m *Master) fetchServerState() string {
	for _, p := range m.procs {
		if p.gen == m.curGen && p.ready {
			out, err := forward(p.ipc, "admin", "show servers state", 2*time.Second)
			if err != nil {
				m.log.Warn().Msgf("cannot fetch server states from worker %d: %v", p.pid, err)
				return ""
			}
			return out
		}
	}
	return ""
}

// errNoWorker is returned when a CLI target names no live worker.
var errNoWorker = errors.New("no such worker")

// forward runs one CLI command in a worker: a fresh stream socketpair is
// sent to the worker over its IPC socket, the command written to it, and
// the answer read until the worker closes its end.
func forward(ipc *os.File, level, cmd string, timeout time.Duration) (string, error) {
	a, b, err := worker.StreamPair()
	if err != nil {
		return "", err
	}
	err = worker.SendMsg(ipc, worker.MsgCLI+" "+level, b)
	b.Close()
	if err != nil {
		a.Close()
		return "", err
	}
	c, err := net.FileConn(a)
	a.Close()
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		return "", err
	}
	out, err := io.ReadAll(c)
	if err != nil {
		return string(out), err
	}
	return string(out), nil
}

func ptr(s *unix.Sigset_t) unsafe.Pointer { return unsafe.Pointer(s) }
