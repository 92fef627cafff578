package master

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/goha/goha/cli"
)

type connKey struct{}

// startCLI serves the master CLI on every -S socket. Each accepted
// connection is one cli.Session whose Router is the master.
func (m *Master) startCLI() error {
	for _, ln := range m.cliLns {
		ln.Close()
	}
	m.cliLns = nil
	reg := cli.NewMasterRegistry()
	reg.MustRegister(
		cli.Command{Words: []string{"show", "proc"}, Usage: "show proc", Help: "show processes status", Level: cli.LevelUser, Handler: m.cliShowProc},
		cli.Command{Words: []string{"reload"}, Usage: "reload", Help: "reload goha", Level: cli.LevelOperator, Handler: m.cliReload},
		cli.Command{Words: []string{"show", "startup-logs"}, Usage: "show startup-logs", Help: "report logs emitted during last startup", Level: cli.LevelOperator, Handler: m.cliStartupLogs},
		cli.Command{Words: []string{"show", "version"}, Usage: "show version", Help: "show version of the current process", Level: cli.LevelUser, Handler: func(s *cli.Session, _ []string, _ string, w *cli.Writer) error {
			w.Printf("%s\n", m.opt.Version)
			return nil
		}},
	)
	for key, level := range m.cliKeys {
		f := m.sockets[key]
		ln, err := net.FileListener(f)
		if err != nil {
			return fmt.Errorf("master CLI %s: %w", key, err)
		}
		if ul, ok := ln.(*net.UnixListener); ok {
			ul.SetUnlinkOnClose(false)
		}
		lvl, err := cli.ParseLevel(level)
		if err != nil {
			lvl = cli.LevelAdmin
		}
		m.cliLns = append(m.cliLns, ln)
		go m.acceptCLI(ln, reg, lvl)
	}
	return nil
}

// acceptCLI serves one master CLI listener until it is closed (see
// cli.AcceptLoop for how sessions are bounded).
func (m *Master) acceptCLI(ln net.Listener, reg *cli.Registry, level cli.Level) {
	cli.AcceptLoop(context.Background(), ln, func(c net.Conn) {
		ctx := context.WithValue(context.Background(), connKey{}, c)
		cli.Serve(ctx, c, reg, cli.SessionOptions{Level: level, Router: m})
	})
}

func (m *Master) cliShowProc(s *cli.Session, _ []string, _ string, w *cli.Writer) error {
	var out string
	m.call(func() {
		out = showProc(m.pid, m.reloads, m.failed, m.start, m.opt.Version, m.views(), time.Now())
	})
	w.WriteString(out)
	return nil
}

func (m *Master) cliStartupLogs(s *cli.Session, _ []string, _ string, w *cli.Writer) error {
	m.logMu.Lock()
	w.WriteString(m.startupLogs.String())
	m.logMu.Unlock()
	return nil
}

// cliReload is the synchronous `reload`: the connection is handed to the
// master loop, which answers Success=1 or Success=0 once the new
// generation is ready or has failed, possibly from the re-executed image.
func (m *Master) cliReload(s *cli.Session, _ []string, _ string, w *cli.Writer) error {
	c, _ := s.Context().Value(connKey{}).(net.Conn)
	if c == nil {
		return fmt.Errorf("reload: no connection to answer on")
	}
	m.call(func() { m.reload(c.(io.WriteCloser)) })
	w.NoLF()
	s.Quit()
	return nil
}

// Resolve implements cli.Router: `@N` is the N-th worker of the current
// generation, `@!PID` any worker, old ones included.
func (m *Master) Resolve(t cli.Target) (int, bool) {
	var pid int
	m.call(func() {
		for _, p := range m.procs {
			switch t.Kind {
			case cli.TargetRelative:
				if p.gen == m.curGen && p.relNum == t.N {
					pid = p.pid
				}
			case cli.TargetPID:
				if p.pid == t.N {
					pid = p.pid
				}
			}
		}
	})
	return pid, pid != 0
}

// Forward implements cli.Router: the command runs in the worker over a
// fresh socketpair passed through its IPC socket, at the session's level.
func (m *Master) Forward(ctx context.Context, pid int, req cli.Forward, w io.Writer) error {
	var ipc *os.File
	m.call(func() {
		for _, p := range m.procs {
			if p.pid == pid {
				ipc = p.ipc
			}
		}
	})
	if ipc == nil {
		return errNoWorker
	}
	line := req.Line
	if req.HasPayload {
		line += "\n" + req.Payload + "\n"
	}
	out, err := forward(ipc, req.Level.String(), strings.TrimRight(line, "\n"), 30*time.Second)
	io.WriteString(w, out)
	return err
}

var _ cli.Router = (*Master)(nil)
