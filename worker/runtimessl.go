package worker

import (
	"errors"
	"strings"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy/ssl"
)

// The certificate commands of HAProxy 2.6's runtime API, acting on the
// live certificate store of the worker (proxy/ssl's Store: a committed
// certificate is served by the next handshakes, without a reload; it is
// not written to disk, so a reload loads the files again).

// TLSData is the optional ability of a RuntimeData that serves TLS: its
// certificate store (nil when the configuration has no `ssl` line).
type TLSData interface {
	TLSStore() *ssl.Store
}

// errNoTLS answers the certificate commands of a process without TLS.
var errNoTLS = errors.New("No SSL certificate is loaded in this process.\n")

func (a *runtimeAPI) sslCommands() []cli.Command {
	const (
		oper  = cli.LevelOperator
		admin = cli.LevelAdmin
	)
	return []cli.Command{
		{Words: []string{"show", "ssl", "cert"}, Usage: "show ssl cert [<certfile>]", Help: "display the SSL certificates used in memory, or the details of a file", Level: oper, Handler: a.sslHandler(func(st *ssl.Store, args []string, _ string) (string, error) { return st.ShowCert(arg(args, 3)) })},
		{Words: []string{"set", "ssl", "cert"}, Usage: "set ssl cert <certfile> <payload>", Help: "replace a certificate file", Level: admin, Handler: a.sslHandler(func(st *ssl.Store, args []string, payload string) (string, error) {
			return st.SetCert(arg(args, 3), []byte(payload))
		})},
		{Words: []string{"commit", "ssl", "cert"}, Usage: "commit ssl cert <certfile>", Help: "commit a certificate file", Level: admin, Handler: a.sslHandler(func(st *ssl.Store, args []string, _ string) (string, error) { return st.CommitCert(arg(args, 3)) })},
		{Words: []string{"abort", "ssl", "cert"}, Usage: "abort ssl cert <certfile>", Help: "abort a transaction for a certificate file", Level: admin, Handler: a.sslHandler(func(st *ssl.Store, args []string, _ string) (string, error) { return st.AbortCert(arg(args, 3)) })},
		{Words: []string{"new", "ssl", "cert"}, Usage: "new ssl cert <certfile>", Help: "create a new certificate file to be used in a crt-list or a directory", Level: admin, Handler: a.sslHandler(func(st *ssl.Store, args []string, _ string) (string, error) { return st.NewCert(arg(args, 3)) })},
		{Words: []string{"del", "ssl", "cert"}, Usage: "del ssl cert <certfile>", Help: "delete an unused certificate file", Level: admin, Handler: a.sslHandler(func(st *ssl.Store, args []string, _ string) (string, error) { return st.DelCert(arg(args, 3)) })},
		{Words: []string{"show", "ssl", "crt-list"}, Usage: "show ssl crt-list [-n] [<list>]", Help: "show the list of crt-lists or the content of a crt-list file <list>", Level: oper, Handler: a.sslHandler(showCrtList)},
		{Words: []string{"add", "ssl", "crt-list"}, Usage: "add ssl crt-list <list> <cert> [opts]*", Help: "add to crt-list file <list> a line <cert> or a payload", Level: admin, Handler: a.sslHandler(addCrtList)},
		{Words: []string{"del", "ssl", "crt-list"}, Usage: "del ssl crt-list <list> <cert[:line]>", Help: "delete a line <cert> from crt-list file <list>", Level: admin, Handler: a.sslHandler(func(st *ssl.Store, args []string, _ string) (string, error) {
			return st.DelCrtList(arg(args, 3), arg(args, 4))
		})},
		{Words: []string{"set", "ssl", "ocsp-response"}, Usage: "set ssl ocsp-response <resp|payload>", Help: "update a certificate's OCSP Response from a base64-encode DER", Level: admin, Handler: a.sslHandler(func(st *ssl.Store, args []string, payload string) (string, error) {
			b64 := arg(args, 3)
			if payload != "" {
				b64 = strings.Join(strings.Fields(payload), "")
			}
			return st.SetOCSPResponse(b64)
		})},
	}
}

// sslHandler runs fn on the process' certificate store and writes its
// answer.
func (a *runtimeAPI) sslHandler(fn func(st *ssl.Store, args []string, payload string) (string, error)) cli.Handler {
	return func(s *cli.Session, args []string, payload string, w *cli.Writer) error {
		d, ok := a.d.(TLSData)
		if !ok || d.TLSStore() == nil {
			return errNoTLS
		}
		out, err := fn(d.TLSStore(), args, payload)
		if err != nil {
			return err
		}
		w.WriteString(out)
		return nil
	}
}

func showCrtList(st *ssl.Store, args []string, _ string) (string, error) {
	rest := args[3:]
	withLines := len(rest) > 0 && rest[0] == "-n"
	if withLines {
		rest = rest[1:]
	}
	return st.ShowCrtList(arg(rest, 0), withLines)
}

// addCrtList takes `add ssl crt-list LIST CERT [opts] [filters]` or the
// line as a payload.
func addCrtList(st *ssl.Store, args []string, payload string) (string, error) {
	line := strings.Join(args[min(4, len(args)):], " ")
	if payload != "" {
		line = strings.TrimSpace(payload)
	}
	return st.AddCrtList(arg(args, 3), line)
}

// TLSStore makes rtData a TLSData.
func (d *rtData) TLSStore() *ssl.Store { return d.rt.TLSStore() }
