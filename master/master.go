package master

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/earlysig"
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
	progs   []*program
	curGen  int
	nextGen int
	reloads int
	failed  int // reloads failed since the last good one (show proc)
	// readyTimeout is DefaultReadyTimeout or GOHA_WORKER_READY_TIMEOUT.
	readyTimeout time.Duration

	pending *pendingGen
	// job is the reload being checked (preflight, server states) off the
	// loop; jobDone receives its outcome.
	job     *reloadJob
	jobDone chan jobResult
	// checkTimeout bounds the reload check (GOHA_RELOAD_CHECK_TIMEOUT).
	checkTimeout time.Duration
	queued       bool // a reload request arrived while one ran
	// queuedReplies are `reload` clients waiting for the queued reload.
	queuedReplies []net.Conn
	stopping      bool
	exitCode      int

	notify     notifier
	calls      chan func()
	readyCh    chan int
	stoppingCh chan int
	// settling holds `reload` answers until the previous workers have
	// stopped accepting, so a client that reloads then connects reaches
	// the new configuration.
	settling *settle

	// box holds the signals caught and not yet acted on; the loop takes
	// them one at a time, so reexec carries what is left.
	box *earlysig.Box
	// replies writes `reload` answers off the loop.
	replies replyWriter

	spawner *nnp.Spawner

	logMu       sync.Mutex
	startupLogs tailBuffer
	cliLns      []net.Listener
	firstDone   bool
	// tickets are the TLS session-ticket keys shared with the workers.
	tickets tickets
}

// pendingGen is a generation being started, with the configuration and
// sockets it runs: they become the master's only once it is ready.
type pendingGen struct {
	gen      int
	deadline time.Time
	replies  []net.Conn
	cfg      *config.Config
	sources  []config.Source
	// stage is the socket set of a reload (nil at first start, where the
	// sockets are committed at once).
	stage *sockStage
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
		opt:        opt,
		pid:        os.Getpid(),
		start:      time.Now(),
		sockets:    map[string]*os.File{},
		cliKeys:    map[string]string{},
		calls:      make(chan func()),
		readyCh:    make(chan int, 64),
		stoppingCh: make(chan int, 64),
		jobDone:    make(chan jobResult, 1),
		notify:     newNotifier(opt.Systemd),
		// Signals first (a re-executed master caught them at init).
		box: earlysig.Catch(),
	}
	defer m.box.Stop()
	signal.Ignore(syscall.SIGPIPE)
	m.startupLogs.max = startupLogMax
	m.log = opt.NewLogger(logTee{m})
	m.readyTimeout = durationEnv(m.log, "GOHA_WORKER_READY_TIMEOUT", DefaultReadyTimeout)
	m.checkTimeout = durationEnv(m.log, "GOHA_RELOAD_CHECK_TIMEOUT", DefaultCheckTimeout)

	st, err := loadHandoff()
	if err != nil {
		m.log.Error().Msgf("cannot resume after reload: %v", err)
		if rerr := m.rollback(err); rerr != nil {
			m.log.Error().Msgf("cannot roll back to the previous executable: %v", rerr)
		}
		return 1
	}
	m.initTickets(st)
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
	code := m.loop()
	m.replies.flush(time.Second)
	return code
}

// durationEnv reads a positive Go duration from the environment, or
// returns def (with a warning when the value is not one).
func durationEnv(log zerolog.Logger, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		log.Warn().Msgf("%s=%q is not a positive duration (like 30s): using %s", name, v, def)
		return def
	}
	return d
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
	stage, err := m.stageSockets(cfg)
	if err != nil {
		return err
	}
	m.commitSockets(stage)
	m.sources, m.cfg = srcs, cfg
	if m.opt.Pidfile != "" {
		if err := WritePidfile(m.opt.Pidfile, m.pid); err != nil {
			return err
		}
	}
	if err := m.startCLI(); err != nil {
		return err
	}
	m.applyPrograms(cfg)
	return m.startGeneration(&pendingGen{cfg: cfg, sources: srcs}, "")
}

// loadConfig reads and parses the configuration files.
func (m *Master) loadConfig() ([]config.Source, *config.Config, error) {
	srcs, err := config.ReadSources(m.opt.Files)
	if err != nil {
		return nil, nil, fmt.Errorf("config : %v", err)
	}
	cfg, err := config.Parse(srcs, config.ParseOptions{MasterWorker: true, DefaultMaxconn: m.opt.DefMaxconn, LocalPeer: m.opt.LocalPeer, AllowTLS: true})
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
	workers = append(workers, cfg.PeerBinds()...)
	for _, spec := range m.opt.MasterCLI {
		b, err := ParseMasterCLI(spec)
		if err != nil {
			return nil, nil, err
		}
		cli = append(cli, b)
	}
	return workers, cli, nil
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

// startGeneration starts nbproc workers of pg's configuration and makes
// pg pending; it becomes current when all of them are ready.
func (m *Master) startGeneration(pg *pendingGen, serverState string) error {
	m.nextGen++
	pg.gen = m.nextGen
	pg.deadline = time.Now().Add(m.readyTimeout)
	n := pg.cfg.Global.Nbproc
	if n <= 0 {
		n = 1
	}
	m.pending = pg
	for i := 1; i <= n; i++ {
		p, err := m.spawn(pg, i, serverState)
		if err != nil {
			m.failGeneration(fmt.Sprintf("cannot start worker: %v", err))
			return err
		}
		m.procs = append(m.procs, p)
		m.log.Info().Msgf("New worker (%d) forked", p.pid)
	}
	return nil
}

// spawn starts one worker of pg: the same binary, with its socketpair
// end, the handoff memfd and pg's listening sockets as inherited
// descriptors.
func (m *Master) spawn(pg *pendingGen, relNum int, serverState string) (*proc, error) {
	gen := pg.gen
	sockets, keys := m.sockets, m.workerKeys
	if pg.stage != nil {
		sockets, keys = pg.stage.next, pg.stage.workerKeys
	}
	mEnd, wEnd, err := worker.SocketPair()
	if err != nil {
		return nil, err
	}
	defer wEnd.Close()
	h := &worker.Handoff{
		Sources:      pg.sources,
		Listeners:    keys,
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
		TicketKeys:   m.tickets.keys,
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
	for _, k := range keys {
		files = append(files, uintptr(worker.RawFD(sockets[k])))
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
	if pg.cfg.Global.InsecureSetuidWanted {
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
		case <-m.box.Child():
		case <-m.box.Wake():
			// One at a time: a signal after one that re-executes the
			// master stays in the box, which reexec carries.
			for sig, ok := m.box.Pop(); ok; sig, ok = m.box.Pop() {
				m.onSignal(sig)
			}
		case r := <-m.jobDone:
			m.finishReload(r)
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
			m.rotateTickets(time.Now())
		}
	}
}

// done reports whether the master should exit now.
func (m *Master) done() bool {
	if len(m.procs) > 0 || m.job != nil {
		return false
	}
	// With `master-worker no-exit-on-failure` the master outlives its
	// workers: a reload (systemctl reload, `reload`) starts new ones.
	// Otherwise it leaves with them, its programs stopped first.
	if !m.stopping && m.firstDone && m.pending == nil && !m.cfg.Global.NoExitOnFailure && m.programsRunning() {
		m.stopping = true
		m.signalPrograms(syscall.SIGTERM)
	}
	if m.stopping || (m.firstDone && m.pending == nil && !m.cfg.Global.NoExitOnFailure) {
		if m.programsRunning() {
			return false
		}
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
	if pg.stage != nil {
		m.commitSockets(pg.stage)
	}
	m.cfg, m.sources = pg.cfg, pg.sources
	if m.firstDone {
		m.applyPrograms(m.cfg)
	}
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
	m.failed = 0 // show proc counts the failures since the last good reload, as HAProxy does
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
	replies  []net.Conn
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
	// Only what this generation bound goes; the running sockets, removed
	// ones included, and the running configuration stay.
	if pg.stage != nil {
		pg.stage.abort()
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

// answerReplies sends the synchronous `reload` answer to waiting CLI
// clients: Success=1|0, `--`, then the messages of this load. The writes
// happen off the loop, each with a deadline (see replyWriter).
func (m *Master) answerReplies(replies []net.Conn, ok bool) {
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
	for _, c := range replies {
		m.replies.send(c, fmt.Sprintf("%s\n--\n%s\n", s, logs))
	}
}

func (m *Master) runQueued() {
	if m.queued && !m.stopping {
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
	m.reapPrograms()
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
		if m.pending.stage != nil {
			m.pending.stage.abort()
		}
		m.pending = nil
	}
	if m.job != nil {
		m.job.cancel()
	}
	m.answerReplies(m.queuedReplies, false)
	m.queuedReplies, m.queued = nil, false
	for _, p := range m.procs {
		syscall.Kill(p.pid, sig)
	}
	m.signalPrograms(sig)
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

// views returns a copy of the process table for CLI sessions.
func (m *Master) views() []procView {
	out := make([]procView, 0, len(m.procs))
	for _, p := range m.procs {
		out = append(out, procView{
			Pid: p.pid, Gen: p.gen, RelNum: p.relNum, Reloads: m.reloads - p.reloadsAtStart,
			Started: p.started, Version: p.version, Current: p.gen >= m.curGen, Ready: p.ready,
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
