package config

import "fmt"

// Global set-var and set-var-fmt: process-wide variables set once, when
// the configuration is loaded, from expressions that need no stream.

// GlobalSetVar is one global `set-var proc.NAME EXPR` or `set-var-fmt
// proc.NAME FMT`.
type GlobalSetVar struct {
	// Name is the variable ("proc.name"); Value the sample expression,
	// or with Fmt a log-format string.
	Name, Value string
	Fmt         bool
	File        string
	Line        int
}

// globalVarFetches are the fetches a global set-var may read: those
// that need no connection, request or proxy.
var globalVarFetches = set("str", "int", "bool", "env", "date", "always_true", "always_false", "var", "bin", "ipv4", "ipv6", "meth", "uuid", "rand", "nbproc", "nbthread", "thread", "pid", "hostname", "stopping", "uptime", "proc")

// globalSetVar parses `set-var` and `set-var-fmt` in the global section.
func (p *parser) globalSetVar(args []string, _ int) bool {
	kw, name, value := args[0], arg(args, 1), arg(args, 2)
	if name == "" || value == "" {
		p.alertf("'%s' requires a process-wide variable name ('proc.<name>') and a %s.", kw, map[string]string{"set-var": "sample expression", "set-var-fmt": "log-format string"}[kw])
		return false
	}
	if msg := checkVarName(name); msg != "" {
		p.alertf("'%s': %s.", kw, msg)
		return false
	}
	if name[:5] != "proc." {
		p.alertf("'%s': cannot set variable '%s', only scope 'proc' is permitted in the global section.", kw, name)
		return false
	}
	sv := GlobalSetVar{Name: name, Value: value, Fmt: kw == "set-var-fmt", File: p.file, Line: p.line}
	check := func(expr string) string {
		if msg := p.checkSampleExpr(expr); msg != "" {
			return fmt.Sprintf("failed to parse sample expression <%s> : %s", expr, msg)
		}
		fetch, _, _, _ := splitSample(expr)
		if !globalVarFetches[fetch] {
			return fmt.Sprintf("fetch method '%s(%s)' extracts information from a stream, none of which is available here", kw, name)
		}
		return gohaExprSupport(expr, "in a global set-var")
	}
	msg := ""
	if sv.Fmt {
		msg, _ = scanLogFormat(value, func(v string) string {
			return fmt.Sprintf("log-format variable '%%%s' needs a stream, none of which is available here", v)
		}, check)
	} else {
		msg = check(value)
	}
	if msg != "" {
		p.alertf("%s", msg)
		return false
	}
	p.cfg.Global.SetVars = append(p.cfg.Global.SetVars, sv)
	return true
}
