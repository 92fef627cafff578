package config

// The basic keywords of proxy sections: mode, identity, state and
// connection limits, and the keywords HAProxy 2.x removed.

func (p *parser) proxyMode(px *Proxy, args []string, _ int) bool {
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	switch a1 := arg(args, 1); a1 {
	case "http":
		px.Mode = ModeHTTP
	case "tcp":
		px.Mode = ModeTCP
	case "health":
		p.alertf("'mode health' doesn't exist anymore. Please use 'http-request return' or 'tcp-request content accept' instead.")
		return false
	default:
		p.alertf("unknown proxy mode '%s'.", a1)
		return false
	}
	return true
}

// proxyID handles `id N`: a custom proxy id, unique.
func (p *parser) proxyID(px *Proxy, args []string, _ int) bool {
	_, a1, ok := p.intArgument(args)
	if !ok {
		return false
	}
	n := atoiC(a1)
	if n <= 0 {
		p.alertf("custom id has to be > 0.")
		return false
	}
	for _, o := range p.cfg.Proxies {
		if o != px && o.ID == n {
			p.alertf("%s %s reuses same custom id as %s %s (declared at %s:%d).", capString(px.Cap), px.Name, capString(o.Cap), o.Name, o.File, o.Line)
			return false
		}
	}
	px.ID = n
	p.state(px).idSet = true
	return true
}

func (p *parser) proxyDescription(_ *Proxy, args []string, _ int) bool {
	if arg(args, 1) == "" {
		p.alertf("'%s' expects a string argument.", args[0])
		return false
	}
	return true
}

// proxyDisabled handles `disabled` and `enabled`.
func (p *parser) proxyDisabled(px *Proxy, args []string, _ int) bool {
	if p.tooManyArgs(0, 0, args) {
		return false
	}
	px.Disabled = args[0] == "disabled"
	return true
}

// proxyInt returns the parser of a keyword setting an integer of the
// proxy; want is the error when the value is missing.
func proxyInt(field func(*Proxy) *int, want string) proxyFunc {
	return func(p *parser, px *Proxy, args []string, _ int) bool {
		if p.tooManyArgs(1, 0, args) {
			return false
		}
		if arg(args, 1) == "" {
			p.alertf(want, args[0])
			return false
		}
		*field(px) = atoiC(args[1])
		return true
	}
}

func (p *parser) proxyHTTPReuse(px *Proxy, args []string, _ int) bool {
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	switch a1 := arg(args, 1); a1 {
	case "never", "safe", "aggressive", "always":
		px.HTTPReuse = a1
		return true
	}
	p.alertf("'%s' only supports 'never', 'safe', 'aggressive', 'always'", args[0])
	return false
}

func (p *parser) proxyBindProcess(_ *Proxy, args []string, _ int) bool {
	p.alertf("'%s' is not supported anymore.", args[0])
	return false
}

// proxyRemoved reports keywords HAProxy 2.x removed.
func (p *parser) proxyRemoved(_ *Proxy, args []string, _ int) bool {
	kw := args[0]
	switch kw {
	case "block":
		p.alertf("The '%s' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.", kw)
	case "redisp", "redispatch":
		p.alertf("keyword '%s' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.", kw)
	case "monitor-net":
		p.alertf("The '%s' directive is not supported anymore since HAProxy 2.2. Use 'http-request return status 200 if { src %s }'", kw, "<net>")
	case "appsession":
		p.alertf("'appsession' is not supported anymore since HAProxy 1.6.")
	case "cliexp", "srvexp":
		p.alertf("'%s' is not supported anymore since HAProxy 2.1. Use 'http-request set-var'.", kw)
	default:
		p.alertf("The '%s' directive is not supported anymore since HAProxy 2.1. Use 'http-request/http-response' rules instead.", kw)
	}
	return false
}

// capOK is HAProxy's warnifnotcap(): a keyword meant for another kind of
// proxy is ignored with a warning. Defaults sections have every
// capability.
func (p *parser) capOK(px *Proxy, c Cap, kw string) bool {
	if px.Cap&CapDefaults != 0 || px.Cap&c != 0 {
		return true
	}
	msg := "no backend"
	if c == CapFrontend {
		msg = "no frontend"
	}
	p.warnf("'%s' ignored because %s '%s' has %s capability.", kw, capString(px.Cap), px.Name, msg)
	return false
}
