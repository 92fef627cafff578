package main

import (
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/listen"
	"github.com/goha/goha/internal/plog"
	"github.com/goha/goha/master"
	"github.com/goha/goha/proxy"
	"github.com/goha/goha/worker"
)

// runStandalone is one process that both listens and serves: -d, -db, or
// -D (daemon). Privileges are dropped exactly as in a master's worker.
func runStandalone(f *flags, exe string, args []string) int {
	log := plog.FromEnv(plog.Options{Quiet: f.quiet, Debug: f.debug})
	var ready func(error)
	if f.daemon && !f.foreground && !f.debug {
		if !isDaemonChild() {
			return daemonize(exe, args)
		}
		ready = daemonReady()
	}
	fail := func(format string, a ...any) int {
		msg := fmt.Sprintf(format, a...)
		log.Error().Msg(msg)
		if ready != nil {
			ready(fmt.Errorf("%s", msg))
		}
		return 1
	}
	srcs, err := config.ReadSources(f.files)
	if err != nil {
		return fail("config : %v", err)
	}
	cfg, err := config.Parse(srcs, config.ParseOptions{DefaultMaxconn: f.defMaxconn})
	if err != nil {
		for _, m := range config.Report(cfg, err) {
			fmt.Fprintln(os.Stderr, config.FormatMessage(m, os.Getpid()))
		}
		return fail("config : Fatal errors found in configuration.")
	}
	if f.maxconn > 0 {
		cfg.Global.Maxconn = f.maxconn
	}
	lns := map[string]net.Listener{}
	var binds []config.Bind
	for _, p := range cfg.Proxies {
		if p.IsFrontend() && !p.Disabled {
			for _, b := range p.Binds {
				binds = append(binds, listen.Expand(b)...)
			}
		}
	}
	binds = append(binds, cfg.Global.StatsSockets...)
	for _, b := range binds {
		if _, ok := lns[b.Key()]; ok {
			continue
		}
		file, err := listen.Bind(b, listen.Options{NoReusePort: f.noReuseport})
		if err != nil {
			return fail("Starting proxy: %v", err)
		}
		ln, err := net.FileListener(file)
		file.Close()
		if err != nil {
			return fail("Starting proxy: %v", err)
		}
		if ul, ok := ln.(*net.UnixListener); ok {
			ul.SetUnlinkOnClose(false)
		}
		lns[b.Key()] = ln
	}
	rt, err := proxy.New(cfg, proxy.Options{Log: log, Pid: os.Getpid(), ProcessNum: 1})
	if err != nil {
		return fail("%v", err)
	}
	pidfile := f.pidfile
	if pidfile == "" && f.daemon {
		pidfile = cfg.Global.Pidfile
	}
	if pidfile != "" {
		if err := master.WritePidfile(pidfile, os.Getpid()); err != nil {
			return fail("%v", err)
		}
	}
	id, err := worker.ResolveIdentity(cfg.Global)
	if err == nil {
		err = worker.Drop(id)
	}
	if err != nil {
		return fail("%v", err)
	}
	return worker.Serve(worker.ServeOptions{
		Config: cfg, Listeners: lns, Log: log, RelNum: 1,
		Ready: func() {
			for _, pid := range f.softStop {
				syscall.Kill(pid, syscall.SIGUSR1)
			}
			for _, pid := range f.hardStop {
				syscall.Kill(pid, syscall.SIGTERM)
			}
			if ready != nil {
				ready(nil)
			}
		},
	}, rt)
}
