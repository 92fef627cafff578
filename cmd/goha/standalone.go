package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/tableflip"
	"github.com/rs/zerolog"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/getsocks"
	"github.com/goha/goha/internal/listen"
	"github.com/goha/goha/internal/plog"
	"github.com/goha/goha/master"
	"github.com/goha/goha/proxy"
	"github.com/goha/goha/worker"
)

// Standalone mode (no -W): one process that both listens and serves.
//
// Where its listening sockets come from, in this order for each bind:
//  1. a SIGUSR2 self-upgrade's parent, through tableflip (the process was
//     started by tableflip: TABLEFLIP_HAS_PARENT_7DIU3 is set);
//  2. the old process named by -x, over its stats socket (`_getsocks`);
//  3. a fresh bind (SO_REUSEPORT, so an old process may still hold the
//     same address).
//
// Privileges: the process drops them like a master's worker (chroot,
// setgroups, setgid, setuid, no_new_privs) once everything is bound and
// loaded. A process that changed its root or its identity can neither run
// the binary at its path again nor bind privileged ports, so it refuses a
// SIGUSR2 self-upgrade with a message saying so; -sf/-x reloads (started by
// root from outside) and master-worker mode are the ways to reload such a
// configuration. See upgrade.refused.

// tableflipEnv is the variable tableflip sets in the processes it starts.
const tableflipEnv = "TABLEFLIP_HAS_PARENT_7DIU3"

// upgradeTimeout bounds a SIGUSR2 self-upgrade: a new process not ready by
// then is killed and the old one goes on serving.
const upgradeTimeout = 30 * time.Second

// getsocksTimeout bounds the -x exchange.
const getsocksTimeout = 5 * time.Second

// fdKeyPrefix names the listening sockets handed to an upgraded process.
const fdKeyPrefix = "goha-listener:"

// runStandalone is one process that both listens and serves: -d, -db, or
// -D (daemon), or `daemon` in the global section.
func runStandalone(f *flags, exe string, args []string) int {
	upgraded := os.Getenv(tableflipEnv) != ""
	log := plog.FromEnv(plog.Options{Quiet: f.quiet, Debug: f.debug})
	s := &standalone{f: f, exe: exe, log: log, upgraded: upgraded, parent: os.Getppid()}
	// A process started by a self-upgrade is already detached (its parent
	// was); it reports readiness to that parent, not to a launcher.
	if !upgraded && wantsDaemon(f) {
		if !isDaemonChild() {
			return daemonize(exe, args)
		}
		s.ready = daemonReady()
	}
	return s.run()
}

// wantsDaemon reports -D, or `daemon` in the global section, unless -d or
// -db keep the process in the foreground.
func wantsDaemon(f *flags) bool {
	if f.foreground || f.debug {
		return false
	}
	if f.daemon {
		return true
	}
	srcs, err := config.ReadSources(f.files)
	if err != nil {
		return false
	}
	cfg, err := config.Parse(srcs, config.ParseOptions{AllowTLS: true})
	return err == nil && cfg.Global.Daemon
}

// standalone is the state of one standalone process while it starts.
type standalone struct {
	f        *flags
	exe      string
	log      zerolog.Logger
	upgraded bool
	// parent is the PID of the process that started this one.
	parent int
	// ready reports the start-up outcome to a -D launcher (nil otherwise).
	ready func(error)
	upg   *tableflip.Upgrader
	// lns are the listening sockets by config.Bind.Key.
	lns map[string]net.Listener
	// inherited lists the keys whose socket came from a tableflip parent.
	inherited map[string]bool
	// early keeps a SIGUSR2 received while starting, for when the process
	// serves.
	early chan os.Signal
	// pidfile is where this process writes its PID (-p or the global
	// section's; empty: nowhere); pidWritten says it already did, before a
	// chroot hid the path.
	pidfile    string
	pidWritten bool
}

// fail logs the reason the process cannot start, tells a -D launcher, and
// returns the exit code.
func (s *standalone) fail(format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	s.log.Error().Msg(msg)
	if s.ready != nil {
		s.ready(errors.New(msg))
	}
	for _, ln := range s.lns {
		ln.Close()
	}
	return 1
}

// run starts the process in named steps (take over from a previous
// process, load the configuration, bind, build the proxies, drop
// privileges, arm self-upgrades) and serves until it stops. The first
// step that fails ends the start with its message.
func (s *standalone) run() int {
	// A SIGUSR2 while starting must neither kill the process (the default
	// action) nor be lost: it is kept and acted upon once serving.
	s.early = make(chan os.Signal, 1)
	signal.Notify(s.early, syscall.SIGUSR2)
	defer signal.Stop(s.early)
	up, err := s.takeOver()
	if err != nil {
		return s.fail("%v", err)
	}
	cfg, err := s.loadConfig()
	if err != nil {
		return s.fail("%v", err)
	}
	id, err := worker.ResolveIdentity(cfg.Global)
	if err != nil {
		return s.fail("%v", err)
	}
	if err := s.openListeners(cfg); err != nil {
		return s.fail("Starting proxy: %v", err)
	}
	worker.ApplyThreads(cfg.Global)
	worker.DeriveMaxconn(cfg, 0) // after the identity: its file limit follows the configured maxconn only
	hub := worker.NewLogHub(cfg) // log sockets open before the privilege drop
	defer hub.Close()
	if s.ready != nil || (s.upgraded && wantsDaemon(s.f)) {
		s.log = syslogEvents(s.log, hub, cfg.Global)
		up.log = s.log
	}
	tlsb, alerts := worker.LoadTLS(cfg) // certificates are read before the privilege drop
	if alerts != nil {
		return s.fail("%v", worker.TLSError(alerts))
	}
	rt, err := proxy.New(cfg, proxy.Options{Log: s.log, Pid: os.Getpid(), ProcessNum: 1, LogHub: hub, TLS: tlsb})
	if err != nil {
		return s.fail("%v", err)
	}
	worker.LoadServerState(s.log, rt, cfg, "")
	if err := s.dropPrivileges(cfg, id); err != nil {
		return s.fail("%v", err)
	}
	s.armUpgrade(up, id)
	return s.serve(cfg, rt, up)
}

// takeOver sets up tableflip, which in an upgraded process takes over the
// previous process' sockets (fds 3 and up), so it comes first. Only an
// upgraded process fails without it; another serves with self-upgrades
// disabled.
func (s *standalone) takeOver() (*upgrade, error) {
	upg, err := tableflip.New(tableflip.Options{UpgradeTimeout: upgradeTimeout})
	if err != nil {
		if s.upgraded {
			return nil, fmt.Errorf("cannot take the sockets of the previous process: %v", err)
		}
		s.log.Warn().Msgf("SIGUSR2 self-upgrades are disabled: %v", err)
	}
	s.upg = upg
	up := newUpgrade(upg, s.log)
	// Nothing this process starts may believe it was started by tableflip
	// (tableflip sets the marker itself for the processes it starts).
	os.Unsetenv(tableflipEnv)
	// tableflip runs os.Args[0] (looked up at upgrade time): make it the
	// absolute path this process was started as, symlinks kept, so an
	// upgrade runs whatever binary is installed there then.
	os.Args[0] = s.exe
	return up, nil
}

// loadConfig reads and parses the -f files, prints the parser's warnings
// (its alerts too when parsing fails) and applies -n.
func (s *standalone) loadConfig() (*config.Config, error) {
	f := s.f
	srcs, err := config.ReadSources(f.files)
	if err != nil {
		return nil, fmt.Errorf("config : %v", err)
	}
	cfg, err := config.Parse(srcs, config.ParseOptions{DefaultMaxconn: f.defMaxconn, LocalPeer: f.localPeer, AllowTLS: true})
	if err != nil {
		for _, m := range config.Report(cfg, err) {
			fmt.Fprintln(os.Stderr, config.FormatMessage(m, os.Getpid()))
		}
		return nil, errors.New("config : Fatal errors found in configuration.")
	}
	if !f.quiet {
		for _, m := range config.Report(cfg, nil) {
			fmt.Fprintln(os.Stderr, config.FormatMessage(m, os.Getpid()))
		}
	}
	if f.maxconn > 0 {
		cfg.Global.Maxconn = f.maxconn
	}
	return cfg, nil
}

// dropPrivileges gives up id's privileges once everything is bound and
// loaded. The pidfile names the process once it serves, so that a failed
// start never leaves it pointing at a dead process while the old one goes
// on serving; a chroot hides its path, so then it is written here, before.
func (s *standalone) dropPrivileges(cfg *config.Config, id worker.Identity) error {
	s.pidfile = s.f.pidfile
	if s.pidfile == "" {
		s.pidfile = cfg.Global.Pidfile
	}
	if s.pidfile != "" && id.Chroot != "" {
		if err := master.WritePidfile(s.pidfile, os.Getpid()); err != nil {
			return err
		}
		s.pidWritten = true
	}
	return worker.Drop(id)
}

// armUpgrade gives the SIGUSR2 self-upgrade what it hands on, or disables
// it when the dropped privileges would make it fail (see refusal).
func (s *standalone) armUpgrade(up *upgrade, id worker.Identity) {
	up.pidfile, up.lns, up.added, up.refused = s.pidfile, s.lns, s.inherited, refusal(id, s.exe)
	up.preflight = preflightCheck(s.exe, s.f.files)
	if !up.refused.ok() {
		up.upg = nil
	}
}

// serve runs the proxies on the listening sockets until the process
// stops; SIGUSR2 asks for a self-upgrade.
func (s *standalone) serve(cfg *config.Config, rt *proxy.Runtime, up *upgrade) int {
	statsTimeout := cfg.Global.StatsTimeout
	if statsTimeout <= 0 {
		statsTimeout = cli.DefaultTimeout
	}
	served := s.wrapListeners(cfg, up, statsTimeout)
	return worker.Serve(worker.ServeOptions{
		Config: cfg, Listeners: served, Log: s.log, RelNum: 1,
		SoftStop: up.replaced,
		// A process started to replace another learns its tables.
		PeersFromLocal: s.upgraded || len(s.f.softStop) > 0,
		OnSignal: func(sig os.Signal) bool {
			if sig == syscall.SIGUSR2 {
				up.request("SIGUSR2")
				return true
			}
			return false
		},
		Ready: func() { s.serving(up) },
	}, rt)
}

// serving runs once the process serves: it names it in the pidfile, stops
// the old processes (-sf/-st), tells a -D launcher or a tableflip parent,
// and acts on a SIGUSR2 received while starting.
func (s *standalone) serving(up *upgrade) {
	// Serve handles SIGUSR2 from now on. Stop the early channel first
	// thing, before the pidfile makes this PID known: a signal delivered
	// to both channels would upgrade twice.
	signal.Stop(s.early)
	startSignal := false
	select {
	case <-s.early:
		startSignal = true
	default:
	}
	if s.pidfile != "" && !s.pidWritten {
		if err := master.WritePidfile(s.pidfile, os.Getpid()); err != nil {
			s.log.Error().Msgf("%v", err)
		}
	}
	if !s.upgraded {
		s.stopOld()
	}
	if s.ready != nil {
		s.ready(nil)
	}
	if s.upg != nil {
		if err := s.upg.Ready(); err != nil {
			s.log.Error().Msgf("cannot tell the previous process that this one serves: %v", err)
		}
	}
	if startSignal {
		up.request("SIGUSR2 (received while starting)")
	}
	if s.upgraded {
		s.log.Info().Msgf("Self-upgrade complete: process %d serves, the previous one (pid %d) is stopping.", os.Getpid(), s.parent)
		up.watchQueue()
	}
}

// stopOld is -sf/-st: once this process serves, the old ones get a soft
// stop (SIGUSR1) or a hard stop (SIGTERM). Unknown PIDs are reported and
// skipped; this process is never signalled.
func (s *standalone) stopOld() {
	send := func(pids []int, sig syscall.Signal) {
		for _, pid := range pids {
			if pid == os.Getpid() {
				continue
			}
			if err := syscall.Kill(pid, sig); err != nil {
				s.log.Warn().Msgf("cannot send %v to old process %d: %v", sig, pid, err)
			}
		}
	}
	send(s.f.softStop, syscall.SIGUSR1)
	send(s.f.hardStop, syscall.SIGTERM)
}

// binds lists every listening socket the configuration asks for, one per
// address (port ranges expanded), frontends first, then stats sockets.
func binds(cfg *config.Config) []config.Bind {
	var out []config.Bind
	seen := map[string]bool{}
	add := func(b config.Bind) {
		if !seen[b.Key()] {
			seen[b.Key()] = true
			out = append(out, b)
		}
	}
	for _, p := range cfg.Proxies {
		if p.IsFrontend() && !p.Disabled {
			for _, b := range p.Binds {
				for _, e := range listen.Expand(b) {
					add(e)
				}
			}
		}
	}
	for _, b := range cfg.Global.StatsSockets {
		add(b)
	}
	for _, b := range cfg.PeerBinds() {
		add(b)
	}
	return out
}

// openListeners gets every listening socket: inherited from a tableflip
// parent, taken from the old process (-x), or bound.
func (s *standalone) openListeners(cfg *config.Config) error {
	s.lns = map[string]net.Listener{}
	s.inherited = map[string]bool{}
	var taken []getsocks.Socket
	if s.f.sockets != "" && !s.upgraded {
		socks, err := getsocks.Fetch(s.f.sockets, getsocksTimeout)
		if err != nil {
			s.log.Warn().Msgf("-x: %v; binding every listening socket instead (SO_REUSEPORT overlap with the old process).", err)
		} else {
			taken = socks
		}
		defer getsocks.Close(taken) // the ones not taken
	}
	nTaken, nBound := 0, 0
	for _, b := range binds(cfg) {
		key := b.Key()
		var file *os.File
		if s.upg != nil && s.upgraded {
			f, err := s.upg.File(fdKeyPrefix + key)
			if err != nil {
				return fmt.Errorf("cannot take the socket of %s from the previous process: %w", key, err)
			}
			if f != nil {
				file = f
				s.inherited[key] = true
			}
		}
		if file == nil && taken != nil {
			if file = getsocks.Take(taken, b.Network, b.Addr); file != nil {
				nTaken++
			}
		}
		if file == nil {
			f, err := listen.Bind(b, listen.Options{NoReusePort: s.f.noReuseport})
			if err != nil {
				return err
			}
			file = f
			nBound++
		}
		ln, err := listen.FileListener(file)
		file.Close()
		if err != nil {
			return fmt.Errorf("cannot use the socket of %s: %w", key, err)
		}
		if ul, ok := ln.(*net.UnixListener); ok {
			ul.SetUnlinkOnClose(false)
		}
		s.lns[key] = ln
	}
	if taken != nil {
		left := 0
		for _, t := range taken {
			if t.File != nil {
				left++
			}
		}
		s.log.Info().Msgf("-x: took %d listening sockets from the old process over %s, bound %d, closed %d unused.", nTaken, s.f.sockets, nBound, left)
	}
	return nil
}

// wrapListeners returns the listeners to serve: stats sockets wrapped to
// answer `_getsocks`, and every listener wrapped so that its first close
// (a soft or hard stop starting) releases tableflip's duplicates, which
// would otherwise keep a closed socket in its SO_REUSEPORT group.
func (s *standalone) wrapListeners(cfg *config.Config, up *upgrade, timeout time.Duration) map[string]net.Listener {
	stats := map[string]config.Bind{}
	for _, b := range cfg.Global.StatsSockets {
		stats[b.Key()] = b
	}
	onClose := func() {
		if s.upg != nil {
			s.upg.Stop()
		}
	}
	out := make(map[string]net.Listener, len(s.lns))
	for key, ln := range s.lns {
		var w net.Listener = ln
		if b, ok := stats[key]; ok {
			key := key
			w = getsocks.NewListener(ln, getsocks.ListenerOptions{
				Expose:  b.ExposeFD,
				Timeout: timeout,
				Sockets: s.dupListeners,
				Event: func(n int, err error) {
					if err != nil {
						s.log.Warn().Msgf("_getsocks on %s: %v", key, err)
						return
					}
					s.log.Info().Msgf("_getsocks on %s: sent %d listening sockets.", key, n)
				},
			})
		}
		out[key] = &closeHook{Listener: w, hook: up.onceStopping(onClose)}
	}
	return out
}

// dupListeners duplicates every listening socket still open, for
// `_getsocks`.
func (s *standalone) dupListeners() ([]*os.File, error) {
	var out []*os.File
	for _, ln := range s.lns {
		f, err := dupListener(ln)
		if err != nil {
			continue // closed by a stop already
		}
		out = append(out, f)
	}
	return out, nil
}

// dupListener returns a close-on-exec duplicate of ln's descriptor.
func dupListener(ln net.Listener) (*os.File, error) {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("listener %s has no descriptor", ln.Addr())
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var dup int
	var derr error
	if err := raw.Control(func(fd uintptr) {
		dup, derr = dupCloexec(int(fd))
	}); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	return os.NewFile(uintptr(dup), ln.Addr().String()), nil
}

// closeHook calls hook when the listener is first closed.
type closeHook struct {
	net.Listener
	hook func()
}

// Unwrap gives the data plane the listener underneath, so mode tcp
// frontends can accept raw sockets from it.
func (c *closeHook) Unwrap() net.Listener { return c.Listener }

func (c *closeHook) Close() error {
	err := c.Listener.Close()
	c.hook()
	return err
}
