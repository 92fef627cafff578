package config

// parseMonitor handles `monitor fail if|unless COND` (frontends): when
// one of a frontend's conditions holds, its monitor-uri answers 503.
func (p *parser) parseMonitor(px *Proxy, args []string) {
	if px.Cap&CapDefaults != 0 {
		p.alertf("'%s' not allowed in 'defaults' section.", args[0])
		return
	}
	if !p.capOK(px, CapFrontend, args[0]) {
		return
	}
	if arg(args, 1) != "fail" {
		p.alertf("'%s' only supports 'fail'.", args[0])
		return
	}
	if w := arg(args, 2); w != "if" && w != "unless" {
		p.alertf("'%s %s' requires either 'if' or 'unless' followed by a condition.", args[0], args[1])
		return
	}
	cond, msg := p.parseCond(px, args[2:])
	if msg != "" {
		p.alertf("error detected while parsing a '%s %s' condition : %s.", args[0], args[1], msg)
		return
	}
	px.MonitorFail = append(px.MonitorFail, cond)
}
