package config

// The global ssl-default-* keywords, typed into Global.TLS. They only
// matter to `ssl` bind and server lines, which goha refuses unless
// ParseOptions.AllowTLS: without it they are parsed and then reported
// as ignored.

// globalDefaultOptions returns the parser of `ssl-default-bind-options`
// (bind true) or `ssl-default-server-options`.
func globalDefaultOptions(bind bool) globalFunc {
	return func(p *parser, args []string, _ int) bool {
		g := &p.cfg.Global.TLS
		if arg(args, 1) == "" {
			p.alertf("global statement '%s' expects an option as an argument.", args[0])
			return false
		}
		m, tickets, prefer := &g.ServerMethods, &g.ServerNoTickets, (*bool)(nil)
		if bind {
			m, tickets, prefer = &g.BindMethods, &g.BindNoTickets, &g.BindPreferClient
		}
		for i := 1; i < len(args) && args[i] != ""; i++ {
			switch o := args[i]; {
			case o == "no-tls-tickets":
				*tickets = true
			case o == "prefer-client-ciphers" && prefer != nil:
				*prefer = true
			case o == "ssl-min-ver" || o == "ssl-max-ver":
				if msg := m.minMax(o, arg(args, i+1)); msg != "" {
					p.alertf("%s on global statement '%s'.", msg, args[0])
					return false
				}
				i++
			case !m.methodOption(o):
				p.alertf("unknown option '%s' on global statement '%s'.", o, args[0])
				return false
			}
		}
		return true
	}
}

// globalTLSString returns the parser of a global keyword taking one
// string (a cipher or curve list); expects ends HAProxy's error when it
// is missing ("a cipher suite as an argument").
func globalTLSString(field func(*GlobalTLS) *string, expects string) globalFunc {
	return func(p *parser, args []string, _ int) bool {
		if arg(args, 1) == "" {
			p.alertf("global statement '%s' expects %s.", args[0], expects)
			return false
		}
		*field(&p.cfg.Global.TLS) = args[1]
		return true
	}
}

// globalSSLServerVerify handles `ssl-server-verify none|required`.
func (p *parser) globalSSLServerVerify(args []string, _ int) bool {
	a1 := arg(args, 1)
	if a1 != "none" && a1 != "required" {
		p.alertf("'%s' expects 'none' or 'required' as argument.", args[0])
		return false
	}
	p.cfg.Global.TLS.ServerVerify = a1
	return true
}
