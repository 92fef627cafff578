package master

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/earlysig"
	"github.com/goha/goha/worker"
)

// envHandoff names the variable that tells a re-executed master which
// descriptor holds its state.
const envHandoff = earlysig.EnvHandoff

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
	// Programs are the `program` sections' processes.
	Programs []progRec `json:"programs,omitempty"`
	CurGen   int       `json:"cur_gen"`
	NextGen  int       `json:"next_gen"`
	Reloads  int       `json:"reloads"`
	Failed   int       `json:"failed"`
	// Start is the master's start time (unix nanoseconds).
	Start int64 `json:"start"`
	// Replies are CLI clients waiting for the answer of `reload`;
	// QueuedReplies wait for the reload queued after it.
	Replies       []int `json:"replies,omitempty"`
	QueuedReplies []int `json:"queued_replies,omitempty"`
	// ServerState is the previous generation's `show servers state`.
	ServerState string `json:"server_state,omitempty"`
	StartupLogs string `json:"startup_logs,omitempty"`
	// Sources is the configuration the current workers run, to fall back
	// on when the new one fails to load after the exec.
	Sources []config.Source `json:"sources,omitempty"`
	// Signals were caught by the previous image and not yet acted on.
	Signals   []int `json:"signals,omitempty"`
	FirstDone bool  `json:"first_done"`
	// TicketKeys are the TLS session-ticket keys (checked when decoded),
	// last rotated at TicketsRotated (unix nanoseconds).
	TicketKeys     *worker.TicketKeys `json:"ticket_keys,omitempty"`
	TicketsRotated int64              `json:"tickets_rotated,omitempty"`
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
func (m *Master) reexec(replies []net.Conn, serverState string) error {
	st := masterState{
		Version: stateVersion, CurGen: m.curGen, NextGen: m.nextGen,
		Reloads: m.reloads, Failed: m.failed, Start: m.start.UnixNano(),
		ServerState: serverState, FirstDone: m.firstDone, Sources: m.sources,
		Programs:   m.programRecs(),
		TicketKeys: m.tickets.keys, TicketsRotated: m.tickets.rotated.UnixNano(),
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
	carry := func(conns []net.Conn) (fds []int) {
		for _, r := range conns {
			if c, ok := r.(interface{ File() (*os.File, error) }); ok {
				if f, err := c.File(); err == nil {
					dups = append(dups, f)
					fds = append(fds, worker.RawFD(f))
					keep = append(keep, worker.RawFD(f))
				}
			}
		}
		return fds
	}
	st.Replies, st.QueuedReplies = carry(replies), carry(m.queuedReplies)
	defer func() {
		for _, f := range dups {
			f.Close()
		}
	}()
	// New master CLI connections wait in the kernel queue for the next
	// image instead of being accepted here and cut by the exec; answers
	// still being written get a moment to finish.
	for _, ln := range m.cliLns {
		ln.Close()
	}
	m.cliLns = nil
	m.replies.flush(200 * time.Millisecond)

	carried, restore := m.holdSignals()
	st.Signals = carryReloadOnce(carried, m.queued)
	fail := func(err error) error {
		restore()
		if cerr := m.startCLI(); cerr != nil {
			m.log.Error().Msg(cerr.Error())
		}
		return err
	}

	data, err := json.Marshal(&st)
	if err != nil {
		return fail(fmt.Errorf("encode master state: %w", err))
	}
	stf, err := sealedMemfd("goha-master-state", data)
	if err != nil {
		return fail(err)
	}
	defer stf.Close()
	// The running executable, kept open across the exec: a new binary
	// that cannot read the state re-executes it (rollback).
	exe, err := os.Open("/proc/self/exe")
	if err != nil {
		return fail(fmt.Errorf("open the running executable: %w", err))
	}
	defer exe.Close()
	sfd, efd := worker.RawFD(stf), worker.RawFD(exe)
	keep = append(keep, sfd, efd)

	env := append(envWithout(envHandoff, envRollback, envRolledBack),
		envHandoff+"="+strconv.Itoa(sfd), fmt.Sprintf("%s=%d,%d", envRollback, efd, sfd))
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

// holdSignals makes the master's signals safe across an exec. It returns
// the signals caught and not acted on yet (from the box, and from the
// kernel's pending set) and a function that undoes it all when the exec
// fails.
//
// The signals are blocked on every thread while the pending ones are
// taken, then set to SIG_IGN and unblocked again: SIG_IGN survives execve,
// so one arriving from then on until the new image asks for it (package
// earlysig, in an init) is dropped instead of running its default action,
// which would kill the new image. The Go runtime respects an inherited
// SIG_IGN for SIGHUP and SIGINT; for the others it installs its handler,
// which drops them, except SIGTERM, which then ends the process: what it
// asks for. The mask is not left blocked across the exec: the new image's
// runtime would keep it as the mask of every thread it creates and of
// every worker it starts. SIGCHLD is left alone (SIG_IGN would make the
// kernel reap workers behind the master's back); the loop reaps on every
// turn. Must run on the loop goroutine.
func (m *Master) holdSignals() ([]int, func()) {
	// os/signal moves a caught signal to the box within microseconds.
	time.Sleep(5 * time.Millisecond)
	var held []os.Signal
	var set unix.Sigset_t
	for _, s := range earlysig.Signals {
		if s == syscall.SIGCHLD {
			continue
		}
		held = append(held, s)
		n := int(s.(syscall.Signal))
		set.Val[(n-1)/64] |= 1 << ((uint(n) - 1) % 64)
	}
	runtime.LockOSThread()
	mask := func(how int) {
		if _, _, e := syscall.AllThreadsSyscall6(syscall.SYS_RT_SIGPROCMASK, uintptr(how), uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0); e != 0 {
			// cgo builds: this thread only; a signal another thread
			// takes still reaches the box or, once ignored, is dropped.
			unix.PthreadSigmask(how, &set, nil)
		}
	}
	mask(unix.SIG_BLOCK)
	time.Sleep(time.Millisecond)
	sigs := pendingSignals(&set)
	signal.Ignore(held...)
	sigs = append(sigs, pendingSignals(&set)...)
	mask(unix.SIG_UNBLOCK)
	carried := append(m.box.TakeAll(), sigs...)
	var out []int
	for _, s := range carried {
		out = append(out, int(s))
	}
	return out, func() {
		m.box.Renotify(held...)
		runtime.UnlockOSThread()
		m.box.Prepend(carried)
	}
}

// pendingSignals takes the signals of set pending for the process or
// this thread (they must be blocked), without waiting.
func pendingSignals(set *unix.Sigset_t) []syscall.Signal {
	var out []syscall.Signal
	var ts unix.Timespec
	for {
		n, _, e := syscall.Syscall6(syscall.SYS_RT_SIGTIMEDWAIT, uintptr(unsafe.Pointer(set)), 0, uintptr(unsafe.Pointer(&ts)), 8, 0, 0)
		if e != 0 {
			if e == syscall.EINTR {
				continue
			}
			return out
		}
		out = append(out, syscall.Signal(n))
	}
}

// sealedMemfd returns a memfd holding data that nobody can change any
// more (sealed against writes, shrinking and growing), close-on-exec.
func sealedMemfd(name string, data []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), name)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_WRITE|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_SEAL); err != nil {
		f.Close()
		return nil, fmt.Errorf("seal %s: %w", name, err)
	}
	return f, nil
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

// resume adopts the state of the previous image, loads the (possibly
// new) configuration and starts the next generation with it. Until that
// generation is ready, the running configuration and sockets stay the
// master's: a failure here, or of the generation, changes nothing.
func (m *Master) resume(st *masterState) {
	replies := m.adopt(st)
	m.log.Info().Msgf("goha version is %s", m.opt.Version)
	m.log.Info().Msgf("path to executable is %s", m.opt.Exe)

	// The configuration the running workers were started with stays the
	// master's (nbproc, no-exit-on-failure, mworker-max-reloads ...).
	m.sources = st.Sources
	prev, perr := config.Parse(st.Sources, config.ParseOptions{MasterWorker: true, DefaultMaxconn: m.opt.DefMaxconn, LocalPeer: m.opt.LocalPeer, AllowTLS: true})
	why := os.Getenv(envRolledBack)
	os.Unsetenv(envRolledBack)
	var srcs []config.Source
	var cfg *config.Config
	var err error
	if why == "" {
		srcs, cfg, err = m.loadConfig()
	} else {
		err = fmt.Errorf("Reload failed: the new executable could not take over (%s): rolled back to the previous one", why)
	}
	switch {
	case perr == nil:
		m.cfg = prev
	case err == nil:
		m.log.Warn().Msgf("the running configuration no longer parses (%v): its master settings are taken from the new one", perr)
		m.cfg = cfg
	default:
		m.cfg = &config.Config{}
	}
	m.adoptPrograms(st.Programs, m.cfg)
	if m.cfg == prev {
		if wb, _, werr := m.wantedSockets(prev); werr == nil {
			m.workerKeys = nil
			for _, b := range wb {
				if !contains(m.workerKeys, b.Key()) {
					m.workerKeys = append(m.workerKeys, b.Key())
				}
			}
		}
	}
	if _, cb, werr := m.wantedSockets(m.cfg); werr == nil {
		for _, b := range cb {
			lvl := b.Level
			if lvl == "" {
				lvl = "admin"
			}
			m.cliKeys[b.Key()] = lvl
		}
	}
	if err := m.startCLI(); err != nil {
		m.log.Error().Msg(err.Error())
	}
	fail := func(reason string) {
		m.failed++
		m.log.Error().Msg(reason)
		m.log.Warn().Msg("Loading failure!")
		m.notify.send("READY=1\nSTATUS=Reload failed: " + oneLine(reason))
		m.answerReplies(replies, false)
	}
	if err != nil {
		fail(err.Error())
		return
	}
	stage, err := m.stageSockets(cfg)
	if err != nil {
		fail(err.Error())
		return
	}
	if m.opt.Pidfile != "" {
		if err := WritePidfile(m.opt.Pidfile, m.pid); err != nil {
			m.log.Warn().Msg(err.Error())
		}
	}
	pg := &pendingGen{replies: replies, cfg: cfg, sources: srcs, stage: stage}
	if err := m.startGeneration(pg, st.ServerState); err != nil {
		m.log.Error().Msg(err.Error())
	}
}

// adopt takes over the previous image's counters, sockets, workers,
// waiting CLI clients and signals; it returns the clients.
func (m *Master) adopt(st *masterState) []net.Conn {
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
	adoptConns := func(fds []int) (out []net.Conn) {
		for _, fd := range fds {
			unix.CloseOnExec(fd)
			f := os.NewFile(uintptr(fd), "cli-reply")
			c, err := net.FileConn(f)
			f.Close()
			if err == nil {
				out = append(out, c)
			}
		}
		return out
	}
	replies := adoptConns(st.Replies)
	m.queuedReplies = adoptConns(st.QueuedReplies)
	var sigs []syscall.Signal
	for _, sig := range st.Signals {
		sigs = append(sigs, syscall.Signal(sig))
	}
	m.box.Prepend(sigs)
	return replies
}

// errNoWorker is returned when a CLI target names no live worker.
var errNoWorker = errors.New("no such worker")

// forward runs one CLI command in a worker: a fresh stream socketpair is
// sent to the worker over its IPC socket, wire (the command, and its
// payload if any) written to it, and the answer read until the worker
// closes its end. Every step ends with ctx (the CLI session's, bounded).
func forward(ctx context.Context, ipc *os.File, level string, wire []byte) (string, error) {
	a, b, err := worker.StreamPair()
	if err != nil {
		return "", err
	}
	err = worker.SendMsg(ctx, ipc, worker.MsgCLI+" "+level, b)
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
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := c.Write(wire); err != nil {
		return "", err
	}
	out, err := io.ReadAll(c)
	return string(out), err
}

// carryReloadOnce returns the signals to carry across the exec with at
// most one reload request among them: any number of reload signals
// (SIGUSR2, SIGHUP) arriving during a reload, queued by the loop
// (queued) or still pending at the exec, is one reload to run next, as
// the loop itself coalesces them. Carrying each one made the new image
// run a reload per signal.
func carryReloadOnce(carried []int, queued bool) []int {
	out := make([]int, 0, len(carried)+1)
	reload := queued
	for _, sig := range carried {
		if s := syscall.Signal(sig); s == syscall.SIGUSR2 || s == syscall.SIGHUP {
			reload = true
			continue
		}
		out = append(out, sig)
	}
	if reload {
		// A reload asked for while this one ran runs next.
		out = append(out, int(syscall.SIGUSR2))
	}
	return out
}
