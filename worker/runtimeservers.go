package worker

import (
	"errors"
	"strings"

	"github.com/goha/goha/cli"
)

// The dynamic server commands of HAProxy 2.6's runtime API: `add server
// BE/NAME ADDR [options]` and `del server BE/NAME`, with HAProxy's
// answers. They need a RuntimeData that also implements DynamicServers.

// DynamicServers is what `add server` and `del server` need from the
// data plane: a server parsed from words (NAME, ADDR, options) added to
// the backend, and one removed. Errors are answered as they are.
type DynamicServers interface {
	AddServer(backend string, words []string) error
	DelServer(backend, server string) error
}

func (a *runtimeAPI) serverCommands() []cli.Command {
	const admin = cli.LevelAdmin
	return []cli.Command{
		{Words: []string{"add", "server"}, Usage: "add server <bk>/<srv>", Help: "create a new server", Level: admin, Handler: a.addServer},
		{Words: []string{"del", "server"}, Usage: "del server <bk>/<srv>", Help: "remove a dynamically added server", Level: admin, Handler: a.delServer},
	}
}

func (a *runtimeAPI) dynamicServers() (DynamicServers, error) {
	ds, ok := a.d.(DynamicServers)
	if !ok {
		return nil, errors.New("dynamic servers are not available in this process.")
	}
	return ds, nil
}

func (a *runtimeAPI) addServer(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	be, name, ok := strings.Cut(arg(args, 2), "/")
	if !ok || be == "" || name == "" {
		return errors.New("Require 'backend/server'.")
	}
	ds, err := a.dynamicServers()
	if err != nil {
		return err
	}
	words := append([]string{name}, args[min(3, len(args)):]...)
	if err := ds.AddServer(be, words); err != nil {
		return err
	}
	w.WriteString("New server registered.\n")
	return nil
}

func (a *runtimeAPI) delServer(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	be, name, ok := strings.Cut(arg(args, 2), "/")
	if !ok || be == "" || name == "" {
		return errors.New("Require 'backend/server'.")
	}
	ds, err := a.dynamicServers()
	if err != nil {
		return err
	}
	if err := ds.DelServer(be, name); err != nil {
		return err
	}
	w.WriteString("Server deleted.\n")
	return nil
}
