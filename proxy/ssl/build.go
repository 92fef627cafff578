package ssl

import (
	"fmt"

	"github.com/goha/goha/config"
)

// Built is the TLS of a whole configuration: the store, and the TLS
// side of each `ssl` bind and server, keyed by their address in the
// configuration model (the model must not be copied after Build).
type Built struct {
	Store   *Store
	Binds   map[*config.Bind]*Bind
	Clients map[*config.Server]*Client
}

// Build loads every certificate, crt-list, CA, CRL and ticket-key file
// the configuration names and builds the TLS settings of its ssl binds
// and servers. Errors say which file and which configuration line, in
// HAProxy's words, for `goha -c`; files is nil for the real file system.
// It must run before the worker drops privileges or chroots.
func Build(cfg *config.Config, files Files) (*Built, []*config.Error) {
	b := &Built{Store: NewStore(files, cfg.Global.TLS), Binds: map[*config.Bind]*Bind{}, Clients: map[*config.Server]*Client{}}
	var errs []*config.Error
	fail := func(file string, line int, msg string) {
		errs = append(errs, &config.Error{File: file, Line: line, Msg: msg, Phase: config.PhaseCheck})
	}
	for _, px := range cfg.Proxies {
		for i := range px.Binds {
			bd := &px.Binds[i]
			if !bd.SSL {
				continue
			}
			where := fmt.Sprintf("bind '%s' at [%s:%d]", bd.Addr, bd.File, bd.Line)
			tb, err := b.Store.AddBind(bd.TLS, where)
			if err != nil {
				fail(bd.File, bd.Line, fmt.Sprintf("Proxy '%s': %v.", px.Name, err))
				continue
			}
			b.Binds[bd] = tb
		}
		for _, srv := range px.Servers {
			if !srv.SSL && !srv.CheckSSL {
				continue
			}
			where := fmt.Sprintf("[%s:%d] : 'server %s/%s'", srv.File, srv.Line, px.Name, srv.Name)
			c, err := b.Store.NewClient(srv, where)
			if err != nil {
				fail(srv.File, srv.Line, err.Error()+".")
				continue
			}
			b.Clients[srv] = c
		}
	}
	return b, errs
}
