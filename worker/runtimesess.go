package worker

import (
	"errors"
	"strings"

	"github.com/goha/goha/cli"
)

// `shutdown sessions server BE/S`: every session connected to a server
// is closed. It needs a RuntimeData that implements ServerSessions.

// ServerSessions closes the sessions of one server; errors are answered
// as they are (ErrNoSuchBackend, ErrNoSuchServer).
type ServerSessions interface {
	ShutdownServerSessions(backend, server string) error
}

func (a *runtimeAPI) sessionCommands() []cli.Command {
	return []cli.Command{
		{Words: []string{"shutdown", "sessions", "server"}, Usage: "shutdown sessions server <bk>/<srv>", Help: "kill sessions on a server", Level: cli.LevelAdmin, Handler: a.shutdownServerSessions},
	}
}

func (a *runtimeAPI) shutdownServerSessions(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	be, name, ok := strings.Cut(arg(args, 3), "/")
	if !ok || be == "" || name == "" {
		return errors.New("Require 'backend/server'.")
	}
	ss, ok := a.d.(ServerSessions)
	if !ok {
		return errors.New("sessions cannot be listed per server in this process.")
	}
	return ss.ShutdownServerSessions(be, name)
}
