package worker

import (
	"errors"
	"io"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy"
	"github.com/goha/goha/proxy/stats"
)

// ResolversData is what a RuntimeData offers when the data plane has
// DNS service discovery: `show resolvers`.
type ResolversData interface {
	// WriteResolvers writes `show resolvers [NAME]`; an unknown NAME is
	// an error whose text is the answer.
	WriteResolvers(w io.Writer, name string) error
}

// FQDNServer is a RuntimeServer whose name can change at run time
// (`set server BE/SRV fqdn NAME`).
type FQDNServer interface {
	// SetFQDN makes the server follow name; it returns the answer, or an
	// error whose text is the answer.
	SetFQDN(name string) (string, error)
}

// resolverCommands are the runtime API's DNS commands.
func (a *runtimeAPI) resolverCommands() []cli.Command {
	return []cli.Command{
		{Words: []string{"show", "resolvers"}, Usage: "show resolvers [id]", Help: "dumps counters from all resolvers section and associated name servers", Level: cli.LevelUser, Handler: a.showResolvers},
	}
}

func (a *runtimeAPI) showResolvers(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	rd, ok := a.d.(ResolversData)
	if !ok {
		_, err := w.WriteString("No resolvers found\n")
		return err
	}
	return rd.WriteResolvers(w, arg(args, 2))
}

// setFQDN is `set server <b>/<s> fqdn <name>`.
func setFQDN(srv RuntimeServer, name string, w *cli.Writer) error {
	if name == "" {
		return errors.New("set server <b>/<s> fqdn requires a FQDN.")
	}
	fs, ok := srv.(FQDNServer)
	if !ok {
		return proxy.ErrFQDNNoResolvers
	}
	msg, err := fs.SetFQDN(name)
	if err != nil {
		return err
	}
	w.Printf("%s\n", msg)
	return nil
}

// WriteResolvers implements ResolversData.
func (d *rtData) WriteResolvers(w io.Writer, name string) error { return d.rt.WriteResolvers(w, name) }

// SetFQDN implements FQDNServer.
func (r *rtServer) SetFQDN(name string) (string, error) {
	return r.rt.SetServerFQDN(r.s, name, "stats socket command")
}

// restoreResolved applies the DNS part of a server-state line
// (proxy.Runtime.RestoreResolved); it reports whether s follows a name,
// in which case its address and resolution maintenance are handled.
func restoreResolved(rt *proxy.Runtime, s *proxy.Server, st stats.ServerState) (bool, error) {
	if !rt.FollowsDNS(s) {
		return false, nil
	}
	return true, rt.RestoreResolved(s, st)
}
