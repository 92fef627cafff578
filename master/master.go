package master

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/listen"
	"github.com/goha/goha/internal/nnp"
	"github.com/goha/goha/worker"
)

// Options is how cmd/goha starts a master.
type Options struct {
	// Exe is the path the master re-executes and starts workers from: the
	// path it was started with, made absolute (a symlink is kept, so
	// switching the symlink switches the binary at the next reload).
	Exe string
	// Args are the original arguments (without argv[0]), reused verbatim
	// for the re-exec.
	Args []string
	// Files are the configuration files and directories (-f, --).
	Files []string
	// Systemd enables sd_notify (-Ws).
	Systemd bool
	// Pidfile is -p ("" = none).
	Pidfile string
	// MasterCLI are the -S specifications.
	MasterCLI []string
	Debug     bool
	Quiet     bool
	// Maxconn (-n), DefMaxconn (-N), LocalPeer (-L) are handed to workers.
	Maxconn    int
	DefMaxconn int
	LocalPeer  string
	Listen     listen.Options
	Version    string
	// Ready, if set, is called once when the first generation serves
	// (used by -D to let the launching parent exit 0), or with an error
	// when it failed.
	Ready func(err error)
	// LogOut is where process messages go (stderr).
	LogOut io.Writer
	// Daemon detaches workers' stdio (/dev/null): the launching shell's
	// terminal or pipe must not be held by the daemon's children.
	Daemon bool
	// NewLogger builds a logger writing to w with the master's pid.
	NewLogger func(w io.Writer) zerolog.Logger
}

// DefaultReadyTimeout bounds how long new workers may take to announce
// they serve; past it the reload fails and the previous workers keep
// serving. GOHA_WORKER_READY_TIMEOUT (a Go duration) overrides it.
const DefaultReadyTimeout = 20 * time.Second

// Master is the supervising process. All its state is owned by the loop
// goroutine (run); others reach it through m.calls.
type Master struct {
	opt   Options
	log   zerolog.Logger
	pid   int
	start time.Time

	sources []config.Source
	cfg     *config.Config
	// sockets maps config.Bind.Key to the listening socket the master
	// holds; workerKeys are the keys workers get (not the master CLI).
	sockets    map[string]*os.File
	workerKeys []string
	cliKeys    map[string]string // key -> level

	procs   []*proc
	curGen  int
	nextGen int
	reloads int
	failed  int
	// readyTimeout is DefaultReadyTimeout or GOHA_WORKER_READY_TIMEOUT.
	readyTimeout time.Duration

	pending  *pendingGen
	queued   bool // a reload request arrived while one ran
	stopping bool
	exitCode int

	notify      notifier
	calls       chan func()
	childExited chan struct{}
	readyCh     chan int
	stoppingCh  chan int
	// settling holds `reload` answers until the previous workers have
	// stopped accepting, so a client that reloads then connects reaches
	// the new configuration.
	settling *settle

	// sigs is the os/signal channel; box holds signals read from it and
	// not yet acted on. The reading goroutine never blocks, so a signal
	// is either in sigs, in box, or acted on: reexec can carry the rest.
	sigs chan os.Signal
	box  sigBox

	spawner *nnp.Spawner

	logMu       sync.Mutex
	startupLogs bytes.Buffer
	cliLns      []net.Listener
	firstDone   bool
}

// pendingGen is a generation being started.
type pendingGen struct {
	gen      int
	deadline time.Time
	replies  []io.WriteCloser
}

// logTee captures the messages of the current load for `show
// startup-logs` and the `reload` answer, while writing them out.
type logTee struct{ m *Master }

func (t logTee) Write(p []byte) (int, error) {
	t.m.logMu.Lock()
	t.m.startupLogs.Write(p)
	t.m.logMu.Unlock()
	return t.m.opt.LogOut.Write(p)
}

// Run starts (or, after an in-place re-exec, resumes) the master and
// returns the process exit code when it stops.
func Run(opt Options) int {
	m := &Master{
		opt:         opt,
		pid:         os.Getpid(),
		start:       time.Now(),
		sockets:     map[string]*os.File{},
		cliKeys:     map[string]string{},
		calls:       make(chan func()),
		childExited: make(chan struct{}, 1),
		readyCh:     make(chan int, 64),
		stoppingCh:  make(chan int, 64),
		box:         sigBox{wake: make(chan struct{}, 1)},
		notify:      newNotifier(opt.Systemd),
	}
	m.log = opt.NewLogger(logTee{m})
	m.readyTimeout = DefaultReadyTimeout
	if v := os.Getenv("GOHA_WORKER_READY_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			m.log.Warn().Msgf("GOHA_WORKER_READY_TIMEOUT=%q is not a positive duration (like 30s): using %s", v, DefaultReadyTimeout)
		} else {
			m.readyTimeout = d
		}
	}

	// Signals first: a SIGUSR2 that was pending across the re-exec is
	// delivered as soon as it is unblocked here (see reexec).
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD, syscall.SIGTTOU, syscall.SIGTTIN)
	signal.Ignore(syscall.SIGPIPE)

	st, err := loadHandoff()
	if err != nil {
		m.log.Error().Msgf("cannot resume after reload: %v", err)
		return 1
	}
	if st != nil {
		m.resume(st)
	} else {
		if err := m.firstStart(); err != nil {
			m.log.Error().Msg(err.Error())
			m.closeSockets()
			if opt.Ready != nil {
				opt.Ready(err)
			}
			return 1
		}
	}
	m.sigs = sigs
	go func() {
		for s := range sigs {
			if s == syscall.SIGCHLD {
				select {
				case m.childExited <- struct{}{}:
				default:
				}
				continue
			}
			m.box.add(s.(syscall.Signal))
		}
	}()
	return m.loop()
}

// firstStart parses the configuration, binds every socket and starts the
// first generation.
func (m *Master) firstStart() error {
	m.log.Info().Msgf("goha version is %s", m.opt.Version)
	m.log.Info().Msgf("path to executable is %s", m.opt.Exe)
	srcs, cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	if err := m.applySockets(cfg); err != nil {
		return err
	}
	m.sources, m.cfg = srcs, cfg
	if m.opt.Pidfile != "" {
		if err := WritePidfile(m.opt.Pidfile, m.pid); err != nil {
			return err
		}
	}
	if err := m.startCLI(); err != nil {
		return err
	}
	return m.startGeneration(nil, "")
}

// loadConfig reads and parses the configuration files.
func (m *Master) loadConfig() ([]config.Source, *config.Config, error) {
	srcs, err := config.ReadSources(m.opt.Files)
	if err != nil {
		return nil, nil, fmt.Errorf("config : %v", err)
	}
	cfg, err := config.Parse(srcs, config.ParseOptions{MasterWorker: true, DefaultMaxconn: m.opt.DefMaxconn})
	msgs := config.Report(cfg, err)
	for i, msg := range msgs {
		if err != nil && i == len(msgs)-1 && msg.Level == config.LevelAlert {
			break // the last trailer becomes the returned error
		}
		switch msg.Level {
		case config.LevelAlert:
			m.log.Error().Msg("config : " + msg.Text)
		case config.LevelWarning:
			m.log.Warn().Msg("config : " + msg.Text)
		default:
			m.log.Info().Msg("config : " + msg.Text)
		}
	}
	if err != nil {
		if len(msgs) > 0 {
			return nil, nil, fmt.Errorf("config : %s", msgs[len(msgs)-1].Text)
		}
		return nil, nil, fmt.Errorf("config : %v", err)
	}
	return srcs, cfg, nil
}

// wantedSockets lists the sockets a configuration needs: every frontend
// bind (one per port of a range), every stats socket, and the master CLI.
func (m *Master) wantedSockets(cfg *config.Config) (workers []config.Bind, cli []config.Bind, err error) {
	for _, p := range cfg.Proxies {
		if !p.IsFrontend() || p.Disabled {
			continue
		}
		for _, b := range p.Binds {
			workers = append(workers, listen.Expand(b)...)
		}
	}
	workers = append(workers, cfg.Global.StatsSockets...)
	for _, spec := range m.opt.MasterCLI {
		b, err := ParseMasterCLI(spec)
		if err != nil {
			return nil, nil, err
		}
		cli = append(cli, b)
	}
	return workers, cli, nil
}

// applySockets makes m.sockets match cfg: sockets whose address is still
// configured are kept (their accept queue is never closed), new ones are
// bound, removed ones closed. On error nothing changes.
func (m *Master) applySockets(cfg *config.Config) error {
	wb, cb, err := m.wantedSockets(cfg)
	if err != nil {
		return err
	}
	fresh := map[string]*os.File{}
	next := map[string]*os.File{}
	var keys []string
	cliKeys := map[string]string{}
	add := func(b config.Bind) error {
		k := b.Key()
		if _, dup := next[k]; dup {
			return nil
		}
		if f, ok := m.sockets[k]; ok {
			next[k] = f
			return nil
		}
		f, err := listen.Bind(b, m.opt.Listen)
		if err != nil {
			name := b.Addr
			return fmt.Errorf("Starting proxy %s: %v", name, err)
		}
		fresh[k] = f
		next[k] = f
		return nil
	}
	for _, b := range wb {
		if err := add(b); err != nil {
			for _, f := range fresh {
				f.Close()
			}
			return err
		}
		if !contains(keys, b.Key()) {
			keys = append(keys, b.Key())
		}
	}
	for _, b := range cb {
		if err := add(b); err != nil {
			for _, f := range fresh {
				f.Close()
			}
			return err
		}
		lvl := b.Level
		if lvl == "" {
			lvl = "admin"
		}
		cliKeys[b.Key()] = lvl
	}
	for k, f := range m.sockets {
		if _, ok := next[k]; !ok {
			f.Close()
		}
	}
	m.sockets, m.workerKeys, m.cliKeys = next, keys, cliKeys
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m *Master) closeSockets() {
	for _, f := range m.sockets {
		f.Close()
	}
}

// startGeneration starts nbproc workers of a new generation and makes it
// pending; it becomes current when all of them are ready.
func (m *Master) startGeneration(replies []io.WriteCloser, serverState string) error {
	m.nextGen++
	gen := m.nextGen
	n := m.cfg.Global.Nbproc
	if n <= 0 {
		n = 1
	}
	pg := &pendingGen{gen: gen, deadline: time.Now().Add(m.readyTimeout), replies: replies}
	for i := 1; i <= n; i++ {
		p, err := m.spawn(gen, i, serverState)
		if err != nil {
			m.pending = pg
			m.failGeneration(fmt.Sprintf("cannot start worker: %v", err))
			return err
		}
		m.procs = append(m.procs, p)
		m.log.Info().Msgf("New worker (%d) forked", p.pid)
	}
	m.pending = pg
	return nil
}

// spawn starts one worker: the same binary, with its socketpair end, the
// handoff memfd and the listening sockets as inherited descriptors.
func (m *Master) spawn(gen, relNum int, serverState string) (*proc, error) {
	mEnd, wEnd, err := worker.SocketPair()
	if err != nil {
		return nil, err
	}
	defer wEnd.Close()
	h := &worker.Handoff{
		Sources:      m.sources,
		Listeners:    m.workerKeys,
		MasterPid:    m.pid,
		Gen:          gen,
		RelNum:       relNum,
		ServerState:  serverState,
		Debug:        m.opt.Debug,
		Quiet:        m.opt.Quiet,
		Maxconn:      m.opt.Maxconn,
		DefMaxconn:   m.opt.DefMaxconn,
		LocalPeer:    m.opt.LocalPeer,
		MasterWorker: true,
	}
	hf, err := worker.WriteHandoff(h)
	if err != nil {
		mEnd.Close()
		return nil, err
	}
	defer hf.Close()
	files := []uintptr{0, 1, 2, uintptr(worker.RawFD(wEnd)), uintptr(worker.RawFD(hf))}
	if m.opt.Daemon {
		null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
		if err != nil {
			mEnd.Close()
			return nil, err
		}
		defer null.Close()
		n := uintptr(null.Fd())
		files[0], files[1], files[2] = n, n, n
	}
	for _, k := range m.workerKeys {
		files = append(files, uintptr(worker.RawFD(m.sockets[k])))
	}
	argv := append([]string{m.opt.Exe}, m.opt.Args...)
	var pid int
	fork := func() {
		pid, err = syscall.ForkExec(m.opt.Exe, argv, &syscall.ProcAttr{
			Env:   workerEnv(),
			Files: files,
		})
	}
	// Workers are forked from a thread carrying no_new_privs, so they
	// have it on every thread from birth even in cgo builds, where they
	// could not set it on all their threads themselves.
	if m.cfg.Global.InsecureSetuidWanted {
		fork()
	} else {
		if m.spawner == nil {
			if m.spawner, err = nnp.NewSpawner(); err != nil {
				mEnd.Close()
				return nil, err
			}
		}
		m.spawner.Do(fork)
	}
	if err != nil {
		mEnd.Close()
		return nil, fmt.Errorf("fork/exec %s: %w", m.opt.Exe, err)
	}
	p := &proc{pid: pid, gen: gen, relNum: relNum, reloadsAtStart: m.reloads, ipc: mEnd, started: time.Now(), version: m.opt.Version}
	m.watchIPC(p)
	return p, nil
}

// workerEnv is the master's environment minus what only the master may
// act on (systemd's socket, the re-exec handoff, tableflip's marker).
func workerEnv() []string {
	return append(envWithout("NOTIFY_SOCKET", envHandoff, "GOHA_DAEMON_FD", "TABLEFLIP_HAS_PARENT_7DIU3", worker.EnvRole),
		worker.EnvRole+"=worker", "HAPROXY_MWORKER=1")
}

// envWithout returns the process environment minus the named variables.
func envWithout(names ...string) []string {
	var env []string
next:
	for _, kv := range os.Environ() {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}

// watchIPC reads the worker's messages until its socket closes.
func (m *Master) watchIPC(p *proc) {
	go func(pid int, f *os.File) {
		for {
			msg, fd, err := worker.RecvMsg(f)
			if fd != nil {
				fd.Close()
			}
			if err != nil {
				return
			}
			switch msg {
			case worker.MsgReady:
				m.readyCh <- pid
			case worker.MsgStopping:
				m.stoppingCh <- pid
			}
		}
	}(p.pid, p.ipc)
}

// loop is the master's event loop: the only goroutine touching its state.
func (m *Master) loop() int {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		m.reap()
		if m.done() {
			return m.exitCode
		}
		select {
		case f := <-m.calls:
			f()
		case <-m.childExited:
		case <-m.box.wake:
			for _, sig := range m.box.take() {
				m.onSignal(sig)
			}
		case pid := <-m.readyCh:
			m.onReady(pid)
		case pid := <-m.stoppingCh:
			m.settled(pid)
		case <-tick.C:
			if m.pending != nil && time.Now().After(m.pending.deadline) {
				m.failGeneration(fmt.Sprintf("new worker(s) not ready within %s", m.readyTimeout))
			}
			if m.settling != nil && time.Now().After(m.settling.deadline) {
				m.settled(0)
			}
		}
	}
}

// done reports whether the master should exit now.
func (m *Master) done() bool {
	if len(m.procs) > 0 {
		return false
	}
	if m.stopping {
		m.log.Warn().Msgf("All workers exited. Exiting... (%d)", m.exitCode)
		return true
	}
	// With `master-worker no-exit-on-failure` the master outlives its
	// workers: a reload (systemctl reload, `reload`) starts new ones.
	if m.firstDone && m.pending == nil && !m.cfg.Global.NoExitOnFailure {
		m.log.Warn().Msgf("All workers exited. Exiting... (%d)", m.exitCode)
		return true
	}
	return false
}

// drainReady handles the readiness messages already received.
func (m *Master) drainReady() {
	for {
		select {
		case pid := <-m.readyCh:
			m.onReady(pid)
		default:
			return
		}
	}
}

func (m *Master) onReady(pid int) {
	for _, p := range m.procs {
		if p.pid == pid {
			p.ready = true
		}
	}
	if m.pending == nil {
		return
	}
	for _, p := range m.procs {
		if p.gen == m.pending.gen && !p.ready {
			return
		}
	}
	m.commitGeneration()
}

// commitGeneration makes the pending generation current and soft-stops
// the previous one.
func (m *Master) commitGeneration() {
	pg := m.pending
	m.pending = nil
	m.curGen = pg.gen
	for _, p := range m.procs {
		if p.gen < m.curGen && !p.stopping {
			p.stopping = true
			syscall.Kill(p.pid, syscall.SIGUSR1)
		}
	}
	max := m.cfg.Global.MworkerMaxReloads
	if max > 0 {
		for _, p := range m.procs {
			if p.gen < m.curGen && m.reloads-p.reloadsAtStart > max {
				m.log.Warn().Msgf("Former worker (%d) exceeds mworker-max-reloads (%d), sending SIGTERM", p.pid, max)
				syscall.Kill(p.pid, syscall.SIGTERM)
			}
		}
	}
	m.log.Info().Msg("Loading success.")
	if !m.firstDone {
		m.firstDone = true
		m.notify.send("READY=1\nSTATUS=Ready.\nMAINPID=" + fmt.Sprint(m.pid))
		if m.opt.Ready != nil {
			m.opt.Ready(nil)
		}
	} else {
		m.notify.send(fmt.Sprintf("READY=1\nSTATUS=Reloaded (generation %d, %d reloads).\nMAINPID=%d", m.curGen, m.reloads, m.pid))
	}
	if len(pg.replies) > 0 {
		st := &settle{replies: pg.replies, waiting: map[int]bool{}, deadline: time.Now().Add(2 * time.Second)}
		for _, p := range m.procs {
			if p.gen < m.curGen && p.stopping {
				st.waiting[p.pid] = true
			}
		}
		m.settling = st
		m.settled(0)
	}
	m.runQueued()
}

// settle is a `reload` answer waiting for old workers to stop accepting.
type settle struct {
	replies  []io.WriteCloser
	waiting  map[int]bool
	deadline time.Time
}

// settled records that pid stopped accepting (0: nothing new) and sends
// the waiting answers once no old worker accepts any more, or at the
// deadline (a stuck old worker must not hold the answer forever).
func (m *Master) settled(pid int) {
	st := m.settling
	if st == nil {
		return
	}
	delete(st.waiting, pid)
	if len(st.waiting) > 0 && time.Now().Before(st.deadline) {
		return
	}
	m.settling = nil
	m.answerReplies(st.replies, true)
}

// failGeneration stops the pending generation and keeps the current one.
func (m *Master) failGeneration(reason string) {
	pg := m.pending
	m.pending = nil
	if pg == nil {
		return
	}
	for _, p := range m.procs {
		if p.gen == pg.gen {
			syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
	if !m.firstDone {
		m.log.Error().Msgf("Failed to start: %s", reason)
		m.stopping = true
		m.exitCode = 1
		if m.opt.Ready != nil {
			m.opt.Ready(errors.New(reason))
		}
		m.answerReplies(pg.replies, false)
		return
	}
	m.log.Error().Msgf("Reload failed: %s", reason)
	m.failed++
	m.notify.send("READY=1\nSTATUS=Reload failed: " + oneLine(reason))
	m.answerReplies(pg.replies, false)
	m.runQueued()
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// answerReplies writes the synchronous `reload` answer to waiting CLI
// clients: Success=1|0, `--`, then the messages of this load.
func (m *Master) answerReplies(replies []io.WriteCloser, ok bool) {
	if len(replies) == 0 {
		return
	}
	m.logMu.Lock()
	logs := m.startupLogs.String()
	m.logMu.Unlock()
	s := "Success=0"
	if ok {
		s = "Success=1"
	}
	for _, w := range replies {
		fmt.Fprintf(w, "%s\n--\n%s\n", s, logs)
		w.Close()
	}
}

func (m *Master) runQueued() {
	if m.queued && !m.stopping {
		m.queued = false
		m.reload(nil)
	}
}

// reap collects exited workers.
func (m *Master) reap() {
	for i := 0; i < len(m.procs); {
		p := m.procs[i]
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil)
		if pid == 0 || (err != nil && err != syscall.ECHILD) {
			i++
			continue
		}
		// A worker may say "ready" and die right after: read what it
		// left on its socket (and what the reader already passed on)
		// before judging its exit.
		m.drainReady()
		if !p.ready && worker.DrainMsgs(p.ipc, worker.MsgReady) {
			m.onReady(p.pid)
		}
		m.procs = append(m.procs[:i], m.procs[i+1:]...)
		p.ipc.Close()
		m.settled(p.pid)
		m.onExit(p, ws, err == syscall.ECHILD)
	}
}

func (m *Master) onExit(p *proc, ws syscall.WaitStatus, lost bool) {
	code, what := exitText(ws)
	if lost {
		code, what = 0, "Exit"
	}
	switch {
	case m.pending != nil && p.gen == m.pending.gen && !p.ready:
		m.log.Error().Msgf("New worker (%d) exited with code %d (%s)", p.pid, code, what)
		m.failGeneration(fmt.Sprintf("new worker (%d) exited with code %d (%s) before it was ready", p.pid, code, what))
	case p.gen == m.curGen && !p.stopping && !m.stopping:
		ev := m.log.Warn()
		if code >= 128 {
			ev = m.log.Error()
		}
		ev.Msgf("Current worker (%d) exited with code %d (%s)", p.pid, code, what)
		if code != 0 && code != 130 && code != 143 && !m.cfg.Global.NoExitOnFailure {
			m.log.Error().Msg("exit-on-failure: killing every processes with SIGTERM")
			m.exitCode = code
			m.stopAll(syscall.SIGTERM)
		}
	default:
		m.log.Warn().Msgf("Former worker (%d) exited with code %d (%s)", p.pid, code, what)
	}
}

// stopAll sends sig to every worker and makes the master exit once they
// are gone. Workers that ignore a hard stop are killed after 4 s.
func (m *Master) stopAll(sig syscall.Signal) {
	m.stopping = true
	if m.pending != nil {
		m.answerReplies(m.pending.replies, false)
		m.pending = nil
	}
	for _, p := range m.procs {
		syscall.Kill(p.pid, sig)
	}
	if sig == syscall.SIGTERM || sig == syscall.SIGINT {
		time.AfterFunc(4*time.Second, func() {
			m.calls <- func() {
				for _, p := range m.procs {
					syscall.Kill(p.pid, syscall.SIGKILL)
				}
			}
		})
	}
}

func (m *Master) onSignal(s syscall.Signal) {
	switch s {
	case syscall.SIGUSR2, syscall.SIGHUP:
		m.reload(nil)
	case syscall.SIGUSR1:
		m.log.Warn().Msg("Exiting Master process...")
		m.notify.send("STOPPING=1")
		m.stopAll(syscall.SIGUSR1)
	case syscall.SIGTERM, syscall.SIGINT:
		m.notify.send("STOPPING=1")
		if s == syscall.SIGINT {
			m.exitCode = 130
		}
		m.stopAll(syscall.SIGTERM)
	case syscall.SIGTTOU, syscall.SIGTTIN:
		for _, p := range m.procs {
			syscall.Kill(p.pid, s)
		}
	}
}

// reload runs a reload if none is running; otherwise it is queued once.
// reply, if set, receives the synchronous answer of `reload`.
func (m *Master) reload(reply io.WriteCloser) {
	if m.stopping {
		if reply != nil {
			fmt.Fprint(reply, "Success=0\n--\nThe master is stopping.\n\n")
			reply.Close()
		}
		return
	}
	if m.pending != nil {
		if reply != nil {
			fmt.Fprint(reply, "Success=0\n--\nAnother reload is still in progress.\n\n")
			reply.Close()
			return
		}
		m.log.Debug().Msg("reload requested during a reload: queued")
		m.queued = true
		return
	}
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
	var replies []io.WriteCloser
	if reply != nil {
		replies = append(replies, reply)
	}
	if out, err := m.preflight(); err != nil {
		m.log.Error().Msgf("reload preflight failed: %s", strings.TrimSpace(out))
		m.failed++
		m.log.Warn().Msg("Loading failure!")
		m.notify.send("READY=1\nSTATUS=Reload failed: configuration check failed: " + lastAlert(out))
		m.answerReplies(replies, false)
		m.runQueued()
		return
	}
	state := m.fetchServerState()
	if err := m.reexec(replies, state); err != nil {
		m.failed++
		m.log.Error().Msgf("Reload failed: %v", err)
		m.notify.send("READY=1\nSTATUS=Reload failed: " + oneLine(err.Error()))
		m.answerReplies(replies, false)
		m.runQueued()
	}
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

// preflight runs the binary now installed at the master's path with -c on
// the configuration: a broken config or a broken binary fails here and
// changes nothing.
func (m *Master) preflight() (string, error) {
	args := []string{"-c", "-q"}
	for _, f := range m.opt.Files {
		args = append(args, "-f", f)
	}
	cmd := exec.Command(m.opt.Exe, args...)
	cmd.Env = append(envWithout("NOTIFY_SOCKET", envHandoff, "GOHA_DAEMON_FD", worker.EnvRole),
		EnvStateVersion+"="+strconv.Itoa(stateVersion))
	out, err := cmd.CombinedOutput()
	if err != nil {
		if len(out) == 0 {
			out = []byte(err.Error())
		}
		return string(out), fmt.Errorf("%s -c: %w", m.opt.Exe, err)
	}
	return string(out), nil
}

// views returns a copy of the process table for CLI sessions.
func (m *Master) views() []procView {
	out := make([]procView, 0, len(m.procs))
	for _, p := range m.procs {
		out = append(out, procView{
			Pid: p.pid, Gen: p.gen, RelNum: p.relNum, Reloads: m.reloads - p.reloadsAtStart,
			Started: p.started, Version: p.version, Current: p.gen == m.curGen, Ready: p.ready,
			IPC: p.ipc, Stopping: p.stopping,
		})
	}
	return out
}

// call runs f on the loop goroutine and waits for it.
func (m *Master) call(f func()) {
	done := make(chan struct{})
	m.calls <- func() { f(); close(done) }
	<-done
}

// sigBox collects signals for the loop without ever blocking the
// goroutine that reads them from os/signal.
type sigBox struct {
	mu      sync.Mutex
	pending []syscall.Signal
	wake    chan struct{}
}

func (b *sigBox) add(s syscall.Signal) {
	b.mu.Lock()
	b.pending = append(b.pending, s)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *sigBox) take() []syscall.Signal {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.pending
	b.pending = nil
	return p
}
