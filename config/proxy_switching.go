package config

import "fmt"

// The keywords choosing a frontend's backend.

func (p *parser) proxyDefaultBackend(px *Proxy, args []string, _ int) bool {
	if p.tooManyArgs(1, 0, args) {
		return false
	}
	if arg(args, 1) == "" {
		p.alertf("'%s' expects a backend name.", args[0])
		return false
	}
	px.DefaultBackend = args[1]
	return true
}

// proxyUseBackend handles `use_backend NAME [if|unless COND]`.
func (p *parser) proxyUseBackend(px *Proxy, args []string, _ int) bool {
	kw, a1 := args[0], arg(args, 1)
	if a1 == "" {
		p.alertf("'%s' expects a backend name.", kw)
		return false
	}
	if msg := p.checkRuleFormat(a1); msg != "" {
		p.alertRaw(fmt.Sprintf("Parsing [%s:%d]: failed to parse use_backend rule '%s' : %s.", p.file, p.line, a1, msg))
		return false
	}
	ub := UseBackend{Backend: a1, Line: p.line}
	if arg(args, 2) != "" {
		if args[2] != "if" && args[2] != "unless" {
			p.alertf("error detected while parsing switching rule : '%s' expects 'if' or 'unless' followed by a condition but found '%s'.", kw, args[2])
			return false
		}
		cond, msg := p.parseCond(px, args[2:])
		if msg != "" {
			p.alertf("error detected while parsing switching rule : %s.", msg)
			return false
		}
		ub.Cond = cond
	}
	px.UseBackends = append(px.UseBackends, ub)
	return true
}
