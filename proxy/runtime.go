package proxy

import (
	"net"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/stream"
	"github.com/rs/zerolog"
)

// The data plane's types, defined with the sessions that use them
// (package stream) and named here for the worker.
type (
	// Options are what the worker gives the data plane besides the
	// config.
	Options = stream.Options
	// Frontend is a frontend (or the frontend half of a listen section).
	Frontend = stream.Frontend
	// Backend is a backend (or the backend half of a listen section).
	Backend = stream.Backend
	// Server is one `server` line with its live state.
	Server = stream.Server
	// Counters are a proxy's or a server's statistics.
	Counters = stream.Counters
	// AdminState is a server's administrative state.
	AdminState = stream.AdminState
	// CapturedErr is the last invalid request or response (show errors).
	CapturedErr = stream.CapturedErr
	// SessionView is one live session as `show sess` lists it.
	SessionView = stream.SessionView
)

// Administrative states (`set server be/srv state ready|drain|maint`).
const (
	AdminReady = stream.AdminReady
	AdminDrain = stream.AdminDrain
	AdminMaint = stream.AdminMaint
)

// Runtime is one generation of the data plane: the frontends, backends
// and servers of a config with the sessions they carry (the embedded
// stream.Process), and around them what is not on a request's path:
// health checks, event logs, rates sampling, stats pages and rows, and
// the runtime API's entry points.
type Runtime struct {
	*stream.Process

	cfg *config.Config
	opt Options
	log zerolog.Logger

	obs observe   // checks, rates sampling, stats pages (checks.go)
	dns discovery // DNS service discovery (resolvers.go)
}

// New builds frontends, backends and servers from cfg, compiles their
// rules and ACLs, loads error files and prepares health checks and stats
// pages. It opens no socket.
func New(cfg *config.Config, opt Options) (*Runtime, error) {
	p, err := stream.New(cfg, opt)
	if err != nil {
		return nil, err
	}
	rt := &Runtime{Process: p, cfg: cfg, opt: opt, log: opt.Log}
	if err := rt.initObserve(); err != nil {
		return nil, err
	}
	if err := rt.initDiscovery(); err != nil {
		return nil, err
	}
	return rt, nil
}

// Start serves every frontend bind on the listening sockets in lns, keyed
// by config.Bind.Key() (one key per port for port ranges), and starts
// the health checks. A missing key is an error and nothing is served.
func (rt *Runtime) Start(lns map[string]net.Listener) error {
	if err := rt.Process.Start(lns); err != nil {
		return err
	}
	rt.startObserve()
	rt.startDiscovery()
	return nil
}

// SoftStop stops the health checks (only the newest generation checks
// servers) and stops the process softly (stream.Process.SoftStop): no
// more accepts, in-flight requests finish, idle connections close. Done
// is closed when every connection has ended.
func (rt *Runtime) SoftStop() {
	rt.stopObserve()
	rt.stopDiscovery()
	rt.Process.SoftStop()
}

// HardStop closes every listener and connection now.
func (rt *Runtime) HardStop() {
	rt.stopObserve()
	rt.stopDiscovery()
	rt.Process.HardStop()
}
