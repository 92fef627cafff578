// Command goha is a load balancer and reverse proxy that reads HAProxy's
// configuration language and is run the way HAProxy is run. See the
// README and shared/DESIGN.md.
//
// This package only reads the command line and chooses the mode: check
// (-c), master-worker (-W, -Ws, or `master-worker` in global), or one
// standalone process (-d, -db, -D). A process started by a master as its
// worker is recognised by the environment the master sets.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/rs/zerolog"

	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/listen"
	"github.com/goha/goha/internal/nnp"
	"github.com/goha/goha/internal/plog"
	"github.com/goha/goha/internal/version"
	"github.com/goha/goha/master"
	"github.com/goha/goha/worker"
)

// The main goroutine starts on the process' main thread and stays there
// if it becomes a master: a master re-executes itself from that thread,
// so the thread-group leader is never replaced (a replaced leader shows
// as a zombie under the master's PID while execve completes).
func init() { runtime.LockOSThread() }

func main() {
	os.Exit(run(os.Args))
}

func run(argv []string) int {
	if os.Getenv(worker.EnvRole) == "worker" {
		runtime.UnlockOSThread()
		return worker.RunChild(func(quiet, dbg bool) zerolog.Logger {
			return plog.FromEnv(plog.Options{Quiet: quiet, Debug: dbg})
		})
	}
	f, err := parseFlags(argv[1:])
	if errors.Is(err, errUsage) {
		fmt.Printf("goha version %s\n", version.Version)
		fmt.Fprint(os.Stderr, usage)
		return 1
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s%s\n", plog.Prefix("ALERT", os.Getpid()), err)
		fmt.Fprint(os.Stderr, usage)
		return 1
	}
	if f.version > 0 {
		printVersion(os.Stdout, f.version > 1)
		return 0
	}
	if f.checkCond {
		return checkCondition(f.condition)
	}
	// The executable and -C are resolved once, before anything changes
	// the working directory: every re-execution (reload, daemon) and
	// worker runs them again from the -C directory.
	exe, exeErr := executablePath(argv[0])
	if f.chdir != "" {
		if err := absChdir(f); err != nil {
			fmt.Fprintf(os.Stderr, "%sCannot chdir to %s: %v\n", plog.Prefix("ALERT", os.Getpid()), f.chdir, err)
			return 1
		}
	}
	if f.check {
		return check(f)
	}
	if exeErr != nil {
		fmt.Fprintf(os.Stderr, "%s%v\n", plog.Prefix("ALERT", os.Getpid()), exeErr)
		return 1
	}
	if g, mw := configGlobal(f); f.master || mw {
		return runMaster(f, exe, g)
	}
	runtime.UnlockOSThread()
	// A standalone process drops privileges itself. In a cgo build it
	// cannot set no_new_privs on all its threads: it re-executes itself
	// once, in place, from a thread that has the flag (package nnp).
	if !nnp.CanSetAllThreads() && !nnp.AllThreads() {
		if err := nnp.ExecSelf(exe, argv, os.Environ()); err != nil {
			fmt.Fprintf(os.Stderr, "%scannot re-execute %s with no_new_privs: %v\n", plog.Prefix("ALERT", os.Getpid()), exe, err)
			return 1
		}
	}
	return runStandalone(f, exe, f.args)
}

// absChdir makes -C absolute (in f.args too, which re-executions reuse)
// and changes to it.
func absChdir(f *flags) error {
	if !filepath.IsAbs(f.chdir) {
		abs, err := filepath.Abs(f.chdir)
		if err != nil {
			return err
		}
		for i := 0; i+1 < len(f.args); i++ {
			if f.args[i] == "-C" && f.args[i+1] == f.chdir {
				f.args[i+1] = abs
			}
		}
		f.chdir = abs
	}
	return os.Chdir(f.chdir)
}

// executablePath makes argv[0] absolute without resolving symlinks, so a
// reload runs whatever binary is installed at that path then.
func executablePath(arg0 string) (string, error) {
	if filepath.IsAbs(arg0) {
		return arg0, nil
	}
	if filepath.Base(arg0) != arg0 {
		return filepath.Abs(arg0)
	}
	p, err := exec.LookPath(arg0)
	if err != nil {
		if p, err2 := os.Executable(); err2 == nil {
			return p, nil
		}
		return "", fmt.Errorf("cannot find the path of %q: %w", arg0, err)
	}
	return filepath.Abs(p)
}

// check is -c: parse everything, print what HAProxy would print, exit 0
// when valid, 1 on errors, 2 when valid but nothing to serve (no
// listener), as HAProxy 2.6 does.
func check(f *flags) int {
	pid := os.Getpid()
	if err := master.CheckStateVersion(); err != nil {
		fmt.Fprintf(os.Stderr, "%s%v\n", plog.Prefix("ALERT", pid), err)
		return 1
	}
	srcs, err := config.ReadSources(f.files)
	if err != nil {
		fmt.Fprintln(os.Stderr, config.FormatMessage(config.Message{Level: config.LevelAlert, Text: err.Error()}, pid))
		return 1
	}
	cfg, err := config.Parse(srcs, config.ParseOptions{MasterWorker: f.master, DefaultMaxconn: f.defMaxconn, LocalPeer: f.localPeer})
	msgs := config.Report(cfg, err)
	for _, m := range msgs {
		if f.quiet && m.Level != config.LevelAlert {
			continue
		}
		fmt.Fprintln(os.Stderr, config.FormatMessage(m, pid))
	}
	if err != nil {
		return 1
	}
	if f.zeroWarning && len(cfg.Warnings) > 0 {
		return 1
	}
	if !cfg.HasListener(f.master) {
		// HAProxy's exact words and exit status: scripts test for 2.
		fmt.Println("Configuration file has no error but will not start (no listener) => exit(2).")
		return 2
	}
	if !f.quiet {
		if len(cfg.Warnings) > 0 {
			fmt.Println("Warnings were found.")
		}
		fmt.Println("Configuration file is valid")
	}
	return 0
}

// checkCondition is -cc: evaluate a `.if` condition with the process'
// environment and exit 0 when true, 1 when false, 2 (with HAProxy's
// alert) when it cannot be evaluated.
func checkCondition(expr string) int {
	v, err := config.CheckCondition(expr, os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, config.FormatMessage(config.Message{Level: config.LevelAlert, Text: err.Error()}, os.Getpid()))
		return 2
	}
	if v {
		return 0
	}
	return 1
}

// configGlobal reads the global section (master-worker, daemon, pidfile)
// and reports whether it asks for master-worker mode. A config that
// cannot be read is left to the mode's own error path.
func configGlobal(f *flags) (config.Global, bool) {
	srcs, err := config.ReadSources(f.files)
	if err != nil {
		return config.Global{}, false
	}
	cfg, err := config.Parse(srcs, config.ParseOptions{MasterWorker: f.master, DefaultMaxconn: f.defMaxconn, LocalPeer: f.localPeer})
	if err != nil {
		return config.Global{}, false
	}
	return cfg.Global, cfg.Global.MasterWorker
}

func runMaster(f *flags, exe string, g config.Global) int {
	args := f.args
	// -p and -D win; `pidfile` and `daemon` in global count as well.
	pidfile := f.pidfile
	if pidfile == "" {
		pidfile = g.Pidfile
	}
	newLog := func(w io.Writer) zerolog.Logger {
		return plog.New(w, plog.Options{Quiet: f.quiet, Debug: f.debug, JSON: os.Getenv("GOHA_LOG_FORMAT") == "json"})
	}
	opt := master.Options{
		Exe: exe, Args: args, Files: f.files, Systemd: f.systemd, Pidfile: pidfile,
		MasterCLI: f.masterCLI, Debug: f.debug, Quiet: f.quiet,
		Maxconn: f.maxconn, DefMaxconn: f.defMaxconn, LocalPeer: f.localPeer,
		Listen: listen.Options{NoReusePort: f.noReuseport}, Version: version.Version,
		LogOut: os.Stderr, NewLogger: newLog,
	}
	// -D (ignored under -Ws, as HAProxy does): the launching process
	// waits until the daemon's first generation serves.
	if (f.daemon || g.Daemon) && !f.systemd && !f.foreground && !f.debug {
		if master.Resuming() {
			// A re-executed daemon master: already detached.
			opt.Daemon = true
		} else if isDaemonChild() {
			opt.Ready = daemonReady()
			opt.Daemon = true
		} else {
			return daemonize(exe, args)
		}
	}
	return master.Run(opt)
}

func printVersion(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "goha version %s %s - https://github.com/goha/goha\n", version.Version, version.ReleaseDate)
	fmt.Fprintf(w, "Status: development branch - compatible with HAProxy 2.6 configurations, master CLI and runtime API.\n")
	if !verbose {
		return
	}
	fmt.Fprintf(w, "Running on: %s/%s, %d CPUs\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(w, "Build options :\n  Go version: %s\n", runtime.Version())
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "CGO_ENABLED", "-trimpath", "-ldflags", "GOAMD64", "vcs.revision", "vcs.time", "vcs.modified":
				fmt.Fprintf(w, "  %s=%s\n", s.Key, s.Value)
			}
		}
		fmt.Fprintf(w, "Dependencies :\n")
		for _, d := range bi.Deps {
			fmt.Fprintf(w, "  %s %s\n", d.Path, d.Version)
		}
	}
	fmt.Fprintf(w, "Feature list : +MASTER_WORKER +SYSTEMD_NOTIFY +SO_REUSEPORT +SPLICE +HTTP1 -HTTP2 -SSL -LUA -PROMEX\n")
	fmt.Fprintf(w, "Available polling systems :\n  Go netpoller (epoll) : pref=300, test result OK\n")
}
