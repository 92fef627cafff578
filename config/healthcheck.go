package config

import (
	"fmt"
	"strings"
)

// parseCheckOption handles the `option` names that choose a
// health-check protocol other than httpchk (the last one given wins, as
// in HAProxy). It returns whether the option's status (ignored) remains
// to be reported.
func (p *parser) parseCheckOption(px *Proxy, args []string, kwm int) bool {
	name := arg(args, 1)
	if !p.plainOption(name, kwm) {
		return false
	}
	if !p.capOK(px, CapBackend, name) {
		return false
	}
	var extra []string
	for _, a := range args[2:] {
		if a != "" {
			extra = append(extra, a)
		}
	}
	switch name {
	case "mysql-check":
		if len(extra) > 0 {
			if extra[0] != "user" {
				p.alertf("'%s %s' only supports optional values: 'user' (got '%s').", args[0], name, extra[0])
				return false
			}
			if len(extra) < 2 {
				p.alertf("'%s %s' expects %s as argument.", args[0], name, "<username>")
				return false
			}
			if len(extra) > 2 && extra[2] != "post-41" && extra[2] != "pre-41" {
				p.alertf("'%s %s' only supports optional values: 'post-41' and 'pre-41' (got '%s').", args[0], name, extra[2])
				return false
			}
		}
	case "pgsql-check":
		if len(extra) < 2 || extra[0] != "user" {
			p.alertf("'%s %s' expects 'user <username>' as argument.", args[0], name)
			return false
		}
	case "smtpchk":
		// [HELO|EHLO <domain>]: HAProxy falls back to HELO localhost.
	default:
		if p.tooManyArgs(0, 1, args) {
			return false
		}
	}
	h := &px.HealthChk
	h.Type, h.TypeArgs = name, extra
	px.Options.HTTPChk = false
	if name == "tcp-check" {
		p.unsupported(Decision{NoEffect, "custom check sequences: goha checks these servers with a TCP connect instead"},
			fmt.Sprintf("option '%s' is a known HAProxy option", name))
		return false
	}
	return true
}

// tcpCheckActions are the words `tcp-check` accepts first.
var tcpCheckActions = map[string]bool{"comment": true, "connect": true, "send": true, "send-binary": true,
	"send-lf": true, "send-binary-lf": true, "expect": true}

// parseTCPCheck handles a `tcp-check` rule line: it is kept in the model
// (goha's checker does a TCP connect).
func (p *parser) parseTCPCheck(px *Proxy, args []string) {
	a1 := arg(args, 1)
	if !tcpCheckActions[a1] && !isVarAction(a1) {
		p.alertf("'%s' only supports 'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got '%s'", args[0], a1)
		return
	}
	if a1 == "expect" {
		if msg := checkExpect(args[0], args[2:], false); msg != "" {
			p.alertf("%s", msg)
			return
		}
	}
	px.HealthChk.TCPRules = append(px.HealthChk.TCPRules, trimArgs(args[1:]))
}

// isVarAction reports whether w is set-var(...), set-var-fmt(...) or
// unset-var(...).
func isVarAction(w string) bool {
	return strings.HasPrefix(w, "set-var(") || strings.HasPrefix(w, "set-var-fmt(") || strings.HasPrefix(w, "unset-var(")
}

// checkExpect validates the pattern kind of a tcp-check/http-check
// expect rule; msg is HAProxy's error text.
func checkExpect(kw string, words []string, http bool) string {
	words = trimArgs(words)
	i := 0
	for i < len(words) {
		switch words[i] {
		case "min-recv", "comment", "ok-status", "error-status", "tout-status", "on-success", "on-error", "status-code":
			i += 2
			continue
		case "!":
			i++
			continue
		}
		break
	}
	if i >= len(words) {
		return fmt.Sprintf("'%s expect' : expects a pattern type as first argument.", kw)
	}
	kind := words[i]
	ok := map[string]bool{"binary": true, "string": true, "rstring": true, "string-lf": true, "rbinary": true, "binary-lf": true}
	if http {
		ok = map[string]bool{"status": true, "rstatus": true, "hdr": true, "fhdr": true, "string": true, "rstring": true, "string-lf": true}
	}
	if !ok[kind] {
		if http {
			return fmt.Sprintf("'%s expect' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '%s' as argument..", kw, kind)
		}
		return fmt.Sprintf("'%s expect' : 'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got '%s' as argument..", kw, kind)
	}
	if i+1 >= len(words) {
		return fmt.Sprintf("'%s expect' : '%s' expects a <pattern> as argument.", kw, kind)
	}
	return ""
}

// trimArgs drops the empty words the tokenizer pads lines with.
func trimArgs(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
