package worker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/listen"
	"github.com/goha/goha/proxy"
)

// statsLn is a stats socket's listener and the CLI level it grants.
type statsLn struct {
	ln    net.Listener
	level cli.Level
}

// splitListeners sorts the inherited listeners into the stats sockets
// (with their levels) and the others (frontends and peers).
func splitListeners(cfg *config.Config, lns map[string]net.Listener) (map[string]net.Listener, []statsLn) {
	feLns := map[string]net.Listener{}
	var stats []statsLn
	statsKeys := map[string]config.Bind{}
	for _, b := range cfg.Global.StatsSockets {
		statsKeys[b.Key()] = b
	}
	for k, ln := range lns {
		b, ok := statsKeys[k]
		if !ok {
			feLns[k] = ln
			continue
		}
		lvl := cli.LevelOperator
		if b.Level != "" {
			if l, err := cli.ParseLevel(b.Level); err == nil {
				lvl = l
			}
		}
		stats = append(stats, statsLn{ln, lvl})
	}
	return feLns, stats
}

// ServeOptions describe one serving process: a master's worker, or a
// standalone goha.
type ServeOptions struct {
	Config *config.Config
	// Listeners are the inherited or freshly bound sockets, by
	// config.Bind.Key: frontends' binds and stats sockets.
	Listeners map[string]net.Listener
	Log       zerolog.Logger
	// RelNum is the worker's relative number (1 standalone).
	RelNum int
	// ServerState is a `show servers state` dump to apply before serving.
	ServerState string
	// Ready is called once the process serves.
	Ready func()
	// IPC is the master socketpair (nil standalone): CLI sessions arrive
	// on it, and EOF on it means the master died.
	IPC *os.File
	// Extra lets the caller register more CLI commands (standalone mode's
	// `_getsocks`, for example) and see the runtime.
	Extra func(reg *cli.Registry, rt *proxy.Runtime)
	// OnSignal, if set, receives signals the worker does not handle
	// itself (SIGUSR2 in standalone mode). Return true if handled.
	OnSignal func(sig os.Signal) bool
	// PeersFromLocal says an old process of the same service is to
	// teach this one its stick tables through the local peer (a reload).
	PeersFromLocal bool
	// TicketKeys, if set, receives the TLS session-ticket keys the
	// master rotated (MsgTicketKeys).
	TicketKeys func(*TicketKeys)
	// SoftStop, if non-nil, triggers a soft stop when closed (standalone
	// mode's -sf handling in the next process goes through signals; this
	// is for in-process triggers such as a tableflip upgrade).
	SoftStop <-chan struct{}
}

// Serve builds the data plane, drops privileges, serves until stopped,
// and returns the process exit code. Privileges are dropped by the caller
// before Serve (see Drop), after everything was loaded from disk.
func Serve(o ServeOptions, rt *proxy.Runtime) int {
	log := o.Log
	cfg := o.Config
	feLns, stats := splitListeners(cfg, o.Listeners)
	peerLns := splitPeerListeners(cfg, feLns)

	reg := cli.NewRegistry()
	registerRuntime(reg, rt, cfg)
	if o.Extra != nil {
		o.Extra(reg, rt)
	}

	// Signals are ours before the listeners serve: a SIGTTOU sent once
	// the port answers must find the worker listening for it.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGTTOU, syscall.SIGTTIN)
	signal.Ignore(syscall.SIGPIPE)
	defer signal.Stop(sigs)
	if err := rt.Start(feLns); err != nil {
		log.Error().Msgf("Starting proxies: %v", err)
		return 1
	}
	pr, err := startPeers(log, cfg, rt.Tables(), peerLns, o.PeersFromLocal)
	if err != nil {
		log.Error().Msgf("Starting peers: %v", err)
		rt.HardStop()
		return 1
	}
	defer pr.stop()
	reg.Register(pr.showPeersCommand())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	timeout := cfg.Global.StatsTimeout
	var wg sync.WaitGroup
	for _, s := range stats {
		wg.Add(1)
		go func(s statsLn) {
			defer wg.Done()
			serveCLI(ctx, s.ln, reg, cli.SessionOptions{Level: s.level, Timeout: timeout})
		}(s)
	}

	masterGone := make(chan struct{})
	if o.IPC != nil {
		go readIPC(ctx, o.IPC, reg, timeout, o.TicketKeys, masterGone)
	}
	if o.Ready != nil {
		o.Ready()
	}

	var hardStop <-chan time.Time
	stopping := false
	softStop := func() {
		if stopping {
			return
		}
		stopping = true
		for _, s := range stats {
			s.ln.Close()
		}
		rt.SoftStop()
		pr.handOver()
		if o.IPC != nil {
			// The master answers a synchronous `reload` once every old
			// worker has stopped accepting.
			tellMaster(log, o.IPC, MsgStopping)
		}
		saveServerState(log, rt, cfg)
		if d := cfg.Global.HardStopAfter; d > 0 {
			hardStop = time.After(d)
		}
	}
	for {
		select {
		case <-o.SoftStop:
			o.SoftStop = nil
			softStop()
		case s := <-sigs:
			switch s {
			case syscall.SIGUSR1:
				softStop()
			case syscall.SIGTERM, syscall.SIGINT:
				saveServerState(log, rt, cfg)
				rt.HardStop()
				if s == syscall.SIGINT {
					return 130
				}
				return 143
			default:
				otherSignal(log, rt, s, o.OnSignal)
			}
		case <-masterGone:
			// The master died (its end of our socketpair closed): never
			// outlive it.
			rt.HardStop()
			return 1
		case <-hardStop:
			log.Warn().Msg("soft-stop running for too long, performing a hard-stop.")
			rt.HardStop()
			return 0
		case <-rt.Done():
			if stopping {
				pr.wait()
				cancel()
				return 0
			}
		}
	}
}

// otherSignal handles a signal other than a stop: SIGTTOU and SIGTTIN
// pause and resume the frontends; the caller's OnSignal gets the rest.
func otherSignal(log zerolog.Logger, rt *proxy.Runtime, s os.Signal, on func(os.Signal) bool) {
	switch s {
	case syscall.SIGTTOU, syscall.SIGTTIN:
		pauseFrontends(log, rt, s == syscall.SIGTTOU)
	default:
		if on != nil {
			on(s)
		}
	}
}

// pauseFrontends is SIGTTOU (pause) and SIGTTIN (resume): every frontend
// stops or resumes taking connections, as `disable frontend` and `enable
// frontend` do for one.
func pauseFrontends(log zerolog.Logger, rt *proxy.Runtime, pause bool) {
	for _, f := range rt.Frontends() {
		if pause {
			f.Disable()
		} else {
			f.Enable()
		}
	}
	if pause {
		log.Warn().Msg("SIGTTOU received: pausing every frontend.")
	} else {
		log.Warn().Msg("SIGTTIN received: resuming every frontend.")
	}
}

// serveCLI accepts runtime API sessions until ctx ends or ln closes.
func serveCLI(ctx context.Context, ln net.Listener, reg *cli.Registry, o cli.SessionOptions) {
	cli.AcceptLoop(ctx, ln, func(c net.Conn) { cli.Serve(ctx, c, reg, o) })
}

// readIPC serves the master's messages: CLI sessions forwarded with their
// socket attached, rotated TLS ticket keys (given to keys). It closes
// gone when the master's end closes.
func readIPC(ctx context.Context, ipc *os.File, reg *cli.Registry, timeout time.Duration, keys func(*TicketKeys), gone chan<- struct{}) {
	defer close(gone)
	for {
		msg, f, err := RecvMsg(ipc)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return
		}
		words := strings.Fields(msg)
		if len(words) == 1 && words[0] == MsgTicketKeys && f != nil {
			takeTicketKeys(f, keys)
			continue
		}
		if len(words) == 0 || words[0] != MsgCLI || f == nil {
			if f != nil {
				f.Close()
			}
			continue
		}
		lvl := cli.LevelAdmin
		if len(words) > 1 {
			if l, err := cli.ParseLevel(words[1]); err == nil {
				lvl = l
			}
		}
		c, err := FileConn(f)
		if err != nil {
			continue
		}
		go cli.Serve(ctx, c, reg, cli.SessionOptions{Level: lvl, Timeout: timeout})
	}
}

// RunChild is a master's worker: it reads the handoff, loads the
// configuration, drops privileges, serves, and returns the exit code.
func RunChild(newLog func(quiet, debug bool) zerolog.Logger) int {
	unix.SetNonblock(FDIPC, true)
	ipc := os.NewFile(FDIPC, "ipc")
	hf := os.NewFile(FDHandoff, "handoff")
	h, err := ReadHandoff(hf)
	hf.Close()
	if err != nil {
		l := newLog(false, false)
		l.Error().Msgf("worker: %v", err)
		return 1
	}
	log := newLog(h.Quiet, h.Debug)
	lns := map[string]net.Listener{}
	for i, k := range h.Listeners {
		f := os.NewFile(uintptr(FDFirstListener+i), k)
		ln, err := listen.FileListener(f)
		f.Close()
		if err != nil {
			log.Error().Msgf("worker: inherited socket %s: %v", k, err)
			return 1
		}
		if ul, ok := ln.(*net.UnixListener); ok {
			ul.SetUnlinkOnClose(false)
		}
		lns[k] = ln
	}
	cfg, err := config.Parse(h.Sources, config.ParseOptions{MasterWorker: h.MasterWorker, DefaultMaxconn: h.DefMaxconn, LocalPeer: h.LocalPeer, AllowTLS: true})
	if err != nil {
		log.Error().Msgf("worker: configuration: %v", err)
		return 1
	}
	if h.Maxconn > 0 {
		cfg.Global.Maxconn = h.Maxconn
	}
	ApplyThreads(cfg.Global)
	// The identity (and its file limit) follows the configured maxconn,
	// not the one derived from the limit.
	id, idErr := ResolveIdentity(cfg.Global)
	DeriveMaxconn(cfg, 1) // the master's CLI socket pair is a listener too
	hub := NewLogHub(cfg) // log sockets are opened before the privilege drop
	defer hub.Close()
	tlsb, alerts := LoadTLS(cfg) // certificates are read before the privilege drop
	if alerts != nil {
		log.Error().Msgf("worker: %v", TLSError(alerts))
		return 1
	}
	ApplyTicketKeys(tlsb, h.TicketKeys)
	rt, err := proxy.New(cfg, proxy.Options{Log: log, Pid: os.Getpid(), ProcessNum: h.RelNum, LogHub: hub, TLS: tlsb})
	if err != nil {
		log.Error().Msgf("worker: %v", err)
		return 1
	}
	LoadServerState(log, rt, cfg, h.ServerState)
	err = idErr
	if err == nil {
		err = Drop(id)
	}
	if err != nil {
		log.Error().Msgf("worker: %v", err)
		return 1
	}
	return Serve(ServeOptions{
		Config:    cfg,
		Listeners: lns,
		Log:       log,
		RelNum:    h.RelNum,
		IPC:       ipc,
		// Generation 1 is the master's first: later ones are reloads.
		PeersFromLocal: h.Gen > 1,
		Ready: func() {
			tellMaster(log, ipc, MsgReady)
		},
		TicketKeys: func(k *TicketKeys) { ApplyTicketKeys(tlsb, k) },
	}, rt)
}

// tellMaster sends msg to the master, within ipcTimeout: a master that
// does not read is no reason to stop serving.
func tellMaster(log zerolog.Logger, ipc *os.File, msg string) {
	ctx, cancel := context.WithTimeout(context.Background(), ipcTimeout)
	defer cancel()
	if err := SendMsg(ctx, ipc, msg, nil); err != nil {
		log.Error().Msgf("worker: cannot tell the master %q: %v", msg, err)
	}
}

// ipcTimeout bounds a worker's message to its master.
const ipcTimeout = 5 * time.Second

// ApplyThreads sets GOMAXPROCS from `nbthread` (HAProxy's threads are
// Go's Ps): unset keeps Go's default, one per CPU.
func ApplyThreads(g config.Global) {
	if g.Nbthread > 0 {
		runtime.GOMAXPROCS(g.Nbthread)
	}
}

// errNoServerState is returned for a dump without its version line.
var errNoServerState = fmt.Errorf("server state dump: missing version line")
