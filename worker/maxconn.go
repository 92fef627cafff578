package worker

import (
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/config"
)

// HAProxy's sizing of a process without `maxconn`: the descriptors the
// configuration itself holds are set aside and the rest is shared out at
// two per proxied connection (client and server side). The figures are
// HAProxy 2.6's, so `show info` agrees with it under the same limit:
// with one frontend, a stats socket and two threads, `ulimit -n 20000`
// gives Maxconn 9986 on both.
const (
	// fdReserve is the descriptors always kept back (logs, pidfile, ...).
	fdReserve = 10
	// fdPerThread is a poller and a two-ended wake-up pipe per thread.
	fdPerThread = 3
	// fdPerConn is a client and a server socket.
	fdPerConn = 2
	// minDerivedMaxconn is the floor HAProxy keeps under a tight limit.
	minDerivedMaxconn = 100
	// defaultStatsMaxconn is `stats maxconn` when unset.
	defaultStatsMaxconn = 10
)

// DeriveMaxconn sets cfg.Global.Maxconn when the configuration (and -n)
// left it unset, from the file descriptor limit the process will run
// under: `ulimit-n` when configured, else the hard limit (the soft one is
// raised to it at start, by Go as by HAProxy). extraListeners counts
// sockets the configuration does not list (a worker's master CLI pair).
// It returns the maxconn in force.
func DeriveMaxconn(cfg *config.Config, extraListeners int) int {
	g := &cfg.Global
	if g.Maxconn > 0 {
		return g.Maxconn
	}
	g.Maxconn = IdealMaxconn(cfg, fdLimit(g.UlimitN), runtime.GOMAXPROCS(0), extraListeners)
	return g.Maxconn
}

// IdealMaxconn is the maxconn HAProxy derives for cfg under a limit of
// nofile descriptors with nbthread threads.
func IdealMaxconn(cfg *config.Config, nofile, nbthread, extraListeners int) int {
	held := fdReserve + extraListeners + fdPerThread*nbthread
	for _, p := range cfg.Proxies {
		if p.IsFrontend() {
			held += len(p.Binds)
		}
	}
	if n := len(cfg.Global.StatsSockets); n > 0 {
		held += n
		if cfg.Global.StatsMaxconn > 0 {
			held += cfg.Global.StatsMaxconn
		} else {
			held += defaultStatsMaxconn
		}
	}
	return max((nofile-held)/fdPerConn, minDerivedMaxconn)
}

// fdLimit is the descriptor limit the process serves under: ulimitN when
// configured, else the larger of the current soft and hard limits.
func fdLimit(ulimitN int) int {
	if ulimitN > 0 {
		return ulimitN
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return 1024 // the kernel's default soft limit
	}
	return int(min(max(rl.Cur, rl.Max), 1<<31-1))
}
