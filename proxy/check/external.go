package check

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/goha/goha/config"
)

// External checks (`option external-check`): the check runs a program,
// as HAProxy runs it, with the arguments <proxy_address> <proxy_port>
// <server_address> <server_port> and the environment variables
// configuration.txt lists (HAPROXY_PROXY_NAME, HAPROXY_SERVER_ADDR, ...,
// PATH from `external-check path`; nothing else unless `external-check
// preserve-env`). It runs as the worker runs (after the privilege drop,
// the configured user), in its own process group, killed when the check's
// time is up. Exit status 0 passes (PROCOK), another fails (PROCERR),
// running out of time fails with PROCTOUT.

// External is an external check's program and what it is told.
type External struct {
	Command, Path string
	PreserveEnv   bool
	// Refused is set when the global section lacks insecure-fork-wanted:
	// every check fails, as HAProxy's fork is refused.
	Refused bool
	// ProxyAddr and ProxyPort are the proxy's first listener ("NOT_USED"
	// for a backend); ProxyID, ServerID and Maxconn its numbers.
	ProxyAddr, ProxyPort string
	ProxyID, ServerID    int
	Maxconn              int
	Proto                string
}

// The external check statuses (HAProxy's PROCERR, PROCTOUT, PROCOK).
const (
	StatusProcErr Status = iota + StatusChecked + 1
	StatusProcTOUT
	StatusProcOK
)

// statusExternal describes them, from StatusProcErr on.
var statusExternal = [...]statusInfo{
	{"PROCERR", "External check error", resFailed},
	{"PROCTOUT", "External check timeout", resFailed},
	{"PROCOK", "External check passed", resPassed},
}

// externalFromConfig fills c.External from the backend's settings.
func externalFromConfig(c *Config, px *config.Proxy, s *config.Server) {
	t := px.Traffic
	if !t.ExternalCheck {
		return
	}
	e := &External{Command: t.ExternalCommand, Path: t.ExternalPath, PreserveEnv: t.PreserveEnv,
		Refused: t.ForkRefused, ProxyAddr: "NOT_USED", ProxyPort: "NOT_USED",
		ProxyID: px.ID, ServerID: s.ID, Maxconn: s.Maxconn, Proto: "tcp"}
	if px.Mode == config.ModeHTTP {
		e.Proto = "http"
	}
	for _, b := range px.Binds {
		switch b.Network {
		case "unix":
			e.ProxyAddr = b.Addr
		case "tcp", "tcp4", "tcp6":
			host, port, err := net.SplitHostPort(b.Addr)
			if err != nil {
				continue
			}
			e.ProxyAddr, e.ProxyPort = host, port
		default:
			continue
		}
		break
	}
	c.External = e
}

// env returns the program's environment for a check of cfg.
func (e *External) env(cfg *Config, host, port string) []string {
	var env []string
	if e.PreserveEnv {
		env = os.Environ()
	}
	return append(env,
		"HAPROXY_PROXY_ADDR="+e.ProxyAddr,
		"HAPROXY_PROXY_ID="+strconv.Itoa(e.ProxyID),
		"HAPROXY_PROXY_NAME="+cfg.Backend,
		"HAPROXY_PROXY_PORT="+e.ProxyPort,
		"HAPROXY_SERVER_ADDR="+host,
		"HAPROXY_SERVER_CURCONN=0",
		"HAPROXY_SERVER_ID="+strconv.Itoa(e.ServerID),
		"HAPROXY_SERVER_MAXCONN="+strconv.Itoa(e.Maxconn),
		"HAPROXY_SERVER_NAME="+cfg.Server,
		"HAPROXY_SERVER_PORT="+port,
		"HAPROXY_SERVER_PROTO="+e.Proto,
		"HAPROXY_SERVER_SSL=0",
		"PATH="+e.Path,
	)
}

// probeExternal runs one external check, within timeout check (inter
// without one).
func probeExternal(ctx context.Context, cfg *Config) Result {
	e := cfg.External
	if e.Refused {
		return Result{Status: StatusProcErr, Info: "fork refused: 'insecure-fork-wanted' is not set"}
	}
	host, port := cfg.Addr, "NOT_USED"
	if cfg.Network == "tcp" {
		if h, p, err := net.SplitHostPort(cfg.Addr); err == nil {
			host, port = h, p
		}
	}
	limit := cfg.Inter
	if cfg.TimeoutCheck > 0 {
		limit = cfg.TimeoutCheck
	}
	cmd := exec.Command(e.Command, e.ProxyAddr, e.ProxyPort, host, port)
	cmd.Env = e.env(cfg, host, port)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return Result{Status: StatusProcErr, Info: err.Error()}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t := time.NewTimer(limit)
	defer t.Stop()
	var err error
	select {
	case err = <-done:
	case <-t.C:
		killGroup(cmd)
		<-done
		return Result{Status: StatusProcTOUT}
	case <-ctx.Done():
		killGroup(cmd)
		<-done
		return Result{Status: StatusUnknown}
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return Result{Status: StatusProcOK}
	case errors.As(err, &ee):
		// HAProxy reports the exit status as the check's code.
		return Result{Status: StatusProcErr, Code: ee.ExitCode()}
	}
	return Result{Status: StatusProcErr, Info: err.Error()}
}

// killGroup kills the check program and what it started.
func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
