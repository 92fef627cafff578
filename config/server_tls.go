package config

// The TLS options of a server line, typed into Server.TLS (and the
// older Server.SSL, Verify, CAFile, SNI fields). TLS to servers is
// refused unless ParseOptions.AllowTLS; values are checked either way.

// serverTLSFlag returns the parser of an option without value setting a
// ServerTLS field to on.
func serverTLSFlag(field func(*ServerTLS) *bool, on bool) serverFunc {
	return func(_ *parser, l *serverLine, _ string) bool {
		*field(&l.s.TLS) = on
		return true
	}
}

// serverTLSString returns the parser of a string option; missing is
// HAProxy's complaint when the value is empty.
func serverTLSString(field func(*ServerTLS) *string, missing string) serverFunc {
	return func(p *parser, l *serverLine, v string) bool {
		if v == "" {
			return l.fail(p, "'%s' : %s.", l.opt, missing)
		}
		*field(&l.s.TLS) = v
		return true
	}
}

// serverProtoList returns the parser of `alpn`, `check-alpn` (what
// "ALPN") or `npn` (what "NPN").
func serverProtoList(field func(*ServerTLS) *[]string, what string) serverFunc {
	return func(p *parser, l *serverLine, v string) bool {
		if v == "" {
			return l.fail(p, "'%s' : missing the comma-delimited %s protocol suite.", l.opt, what)
		}
		if msg := protoList(field(&l.s.TLS), v, what); msg != "" {
			return l.fail(p, "'%s' : %s.", l.opt, msg)
		}
		return true
	}
}

// serverSNI handles `sni EXPR`: the sample expression is kept as
// written; the stream evaluates it per connection.
func (p *parser) serverSNI(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' : missing sni expression.", l.opt)
	}
	l.s.SNI = v
	return true
}

// serverCrt handles `crt FILE`, the client certificate shown to the
// server.
func (p *parser) serverCrt(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' : missing certificate file path.", l.opt)
	}
	if msg := p.checkCertFile(v); msg != "" {
		return l.fail(p, "%s", msg)
	}
	l.s.TLS.Crt = p.tlsPath(p.cfg.Global.TLS.CrtBase, v)
	return true
}

// serverCRLFile handles `crl-file FILE`.
func (p *parser) serverCRLFile(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' : missing CRLfile path.", l.opt)
	}
	path := p.tlsPath(p.cfg.Global.TLS.CABase, v)
	if _, err := p.opts.ReadFile(path); err != nil {
		return l.fail(p, "Couldn't open the ca-file '%s' (%s).", path, errnoText(err))
	}
	l.s.TLS.CRLFile = path
	return true
}

// serverMinMax handles `ssl-min-ver` and `ssl-max-ver`.
func (p *parser) serverMinMax(l *serverLine, v string) bool {
	if msg := l.s.TLS.Methods.minMax(l.opt, v); msg != "" {
		return l.fail(p, "%s.", msg)
	}
	return true
}

// serverMethod handles no-sslv3..no-tlsv13 and force-sslv3..force-tlsv13.
func (p *parser) serverMethod(l *serverLine, _ string) bool {
	if !l.s.TLS.Methods.methodOption(l.opt) {
		return l.fail(p, "'%s' : option not implemented.", l.opt)
	}
	return true
}

// applyServerDefaults applies ssl-default-server-* to a server line
// with `ssl` or `check-ssl`, where the line set nothing of its own.
func (g *GlobalTLS) applyServerDefaults(t *ServerTLS) {
	if t.Ciphers == "" {
		t.Ciphers = g.ServerCiphers
	}
	if t.Ciphersuites == "" {
		t.Ciphersuites = g.ServerCiphersuites
	}
	t.NoTLSTickets = t.NoTLSTickets || g.ServerNoTickets
	t.Methods.merge(g.ServerMethods)
}
