package master

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
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
		out = showProc(m.pid, m.reloads, m.failed, m.start, m.opt.Version, m.views(), m.progViews(), time.Now())
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
	fc, ok := c.(interface{ File() (*os.File, error) })
	if !ok {
		return fmt.Errorf("reload: no connection to answer on")
	}
	// The loop gets its own descriptor of the connection: the session
	// ends (and closes its own) now, the answer comes when the reload
	// is done, possibly from the re-executed image.
	f, err := fc.File()
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	reply, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	m.call(func() { m.reload(reply) })
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
	// The level travels in the IPC message; the wire carries the command
	// and its payload, framed as a stats socket reads them.
	wire := cli.Forward{Line: req.Line, Payload: req.Payload, HasPayload: req.HasPayload, Level: cli.LevelAdmin}.Wire()
	ctx, cancel := context.WithTimeout(ctx, forwardTimeout)
	defer cancel()
	out, err := forward(ctx, ipc, req.Level.String(), wire)
	io.WriteString(w, out)
	return err
}

// forwardTimeout bounds one command forwarded to a worker.
const forwardTimeout = 30 * time.Second

var _ cli.Router = (*Master)(nil)
