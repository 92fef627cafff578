// Command gohad is a test-only runner of goha's data plane: it parses a
// config with package config, binds every frontend, and serves with
// package proxy in one process, with no master, CLI or privilege drop.
// It accepts `-db -f cfg` like goha so that benchmarks and end-to-end
// tests can use it before (or instead of) the real binary. SIGTERM and
// SIGINT hard-stop; SIGUSR1 soft-stops.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy"
	"github.com/goha/goha/proxy/tlog"
	"github.com/rs/zerolog"
)

type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	var cfgs files
	flag.Var(&cfgs, "f", "config file")
	flag.Bool("db", false, "foreground, no background (ignored)")
	flag.Bool("d", false, "debug (ignored)")
	flag.Parse()
	if err := run(cfgs); err != nil {
		fmt.Fprintln(os.Stderr, "gohad:", err)
		os.Exit(1)
	}
}

func run(paths []string) error {
	srcs, err := config.ReadSources(paths)
	if err != nil {
		return err
	}
	cfg, err := config.Parse(srcs, config.ParseOptions{})
	if err != nil {
		return err
	}
	log := zerolog.New(os.Stderr)
	hub := tlog.NewHub(tlog.HubOptions{Tag: cfg.Global.LogTag})
	defer hub.Close()
	rt, err := proxy.New(cfg, proxy.Options{Log: log, Pid: os.Getpid(), ProcessNum: 1, LogHub: hub})
	if err != nil {
		return err
	}
	lns := map[string]net.Listener{}
	for _, p := range cfg.Proxies {
		if !p.IsFrontend() || p.Disabled {
			continue
		}
		for _, b := range p.Binds {
			for _, k := range keys(b) {
				if _, ok := lns[k]; ok {
					continue
				}
				i := strings.IndexByte(k, ':')
				ln, err := net.Listen(k[:i], k[i+1:])
				if err != nil {
					return err
				}
				lns[k] = ln
			}
		}
	}
	if err := rt.Start(lns); err != nil {
		return err
	}
	if p := os.Getenv("GOHAD_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1, syscall.SIGUSR2)
	for {
		select {
		case s := <-sig:
			if s == syscall.SIGUSR2 {
				// Memory figures for benchmarks.
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				fmt.Fprintf(os.Stderr, "heapinuse %d stackinuse %d heapidle %d released %d sys %d numgc %d goroutines %d\n",
					m.HeapInuse>>10, m.StackInuse>>10, m.HeapIdle>>10, m.HeapReleased>>10, m.Sys>>10, m.NumGC, runtime.NumGoroutine())
				continue
			}
			if s == syscall.SIGUSR1 {
				rt.SoftStop()
				continue
			}
			rt.HardStop()
			<-rt.Done()
			return nil
		case <-rt.Done():
			return nil
		}
	}
}

func keys(b config.Bind) []string {
	if b.PortEnd == 0 || b.Network == "unix" {
		return []string{b.Key()}
	}
	host, port, _ := net.SplitHostPort(b.Addr)
	start, _ := strconv.Atoi(port)
	var out []string
	for p := start; p <= b.PortEnd; p++ {
		out = append(out, b.Network+":"+net.JoinHostPort(host, strconv.Itoa(p)))
	}
	return out
}
