package config

import (
	"fmt"
	"strings"
	"time"
)

// The lists HAProxy 2.6 (Debian build) prints when an action is unknown.
const (
	httpReqActionList = "'wait-for-handshake', 'ot-group', 'set-log-level', 'set-nice', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'cache-use', 'add-acl(*)', 'add-header', 'allow', 'auth', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'disable-l7-retry', 'early-hint', 'normalize-uri', 'redirect', 'reject', 'replace-header', 'replace-path', 'replace-pathq', 'replace-uri', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'strict-mode', 'tarpit', 'track-sc(*)', 'set-timeout', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset'"
	httpResActionList = "'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'cache-store', 'add-acl(*)', 'add-header', 'allow', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'redirect', 'replace-header', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-status', 'strict-mode', 'track-sc(*)', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop'"
	tcpConnActionList = "'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop'"
	tcpContActionList = "'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', 'ot-group', 'set-log-level', 'set-nice', 'switch-mode', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-src', 'set-src-port', 'set-dst', 'set-dst-port', 'set-mark', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset'"
	tcpSessActionList = "'accept', 'reject', 'track-sc0' ... 'track-sc2', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop'"
)

// knownActions reports whether HAProxy knows an action word, given its
// printed list ("set-var(*)" entries match any "set-var(...)").
func knownAction(list, word string) bool {
	for _, item := range strings.Split(list, ", ") {
		item = strings.Trim(item, "'")
		if item == word {
			return true
		}
		if strings.HasSuffix(item, "(*)") && strings.HasPrefix(word, strings.TrimSuffix(item, "*)")) {
			return true
		}
	}
	if strings.HasPrefix(word, "track-sc") || strings.HasPrefix(word, "lua.") {
		return true
	}
	return false
}

// parseRuleLine handles http-request, http-response and tcp-request.
func (p *parser) parseRuleLine(px *Proxy, args []string) {
	kw := args[0]
	if px.Cap&CapDefaults != 0 && px.Name == "" {
		p.alertf("'%s' not allowed in anonymous 'defaults' section.", kw)
		return
	}
	if kw == "tcp-request" {
		p.parseTCPRequest(px, args)
		return
	}
	action := arg(args, 1)
	list, isReq := httpReqActionList, true
	if kw == "http-response" {
		list, isReq = httpResActionList, false
	}
	r, msg, known := p.parseHTTPAction(px, args[1:], isReq)
	if !known {
		p.abortRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects %s, but got '%s'.", p.file, p.line, kw, list, action))
		return
	}
	if msg != "" {
		e := p.alertRaw(fmt.Sprintf("parsing [%s:%d] : %s", p.file, p.line, msg))
		e.Abort = true
		p.rec.aborted = true
		return
	}
	if r == nil {
		return // accepted without effect (warned)
	}
	if px.Cap&CapDefaults != 0 {
		p.state(px).hasRules = true
	}
	r.File, r.Line = p.file, p.line
	if isReq {
		if p.state(px).finalRule {
			p.warnf("previous '%s' action is final and has no condition attached, further entries are NOOP.", kw)
		}
		switch r.Action {
		case "allow", "deny", "reject", "redirect", "return", "auth", "tarpit":
			if r.Cond == nil {
				p.state(px).finalRule = true
			}
		}
		px.HTTPRequest = append(px.HTTPRequest, r)
	} else {
		px.HTTPResponse = append(px.HTTPResponse, r)
	}
}

// parseHTTPAction parses ACTION ARGS... [if|unless COND]. known is false
// when HAProxy does not know the action; msg is a complete error text
// (after "parsing [f:l] : ").
func (p *parser) parseHTTPAction(px *Proxy, words []string, isReq bool) (*Rule, string, bool) {
	for len(words) > 0 && words[len(words)-1] == "" {
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return nil, "", false
	}
	action := words[0]
	list := httpReqActionList
	ctx := "http-request"
	if !isReq {
		list, ctx = httpResActionList, "http-response"
	}
	if !knownAction(list, action) {
		return nil, "", false
	}
	r := &Rule{Action: action}
	// split off the condition
	body := words[1:]
	for i, w := range body {
		if w == "if" || w == "unless" {
			cond, msg := p.parseCond(px, body[i:])
			if msg != "" {
				return nil, fmt.Sprintf("error detected while parsing an '%s %s' condition : %s.", ctx, action, msg), true
			}
			r.Cond = cond
			body = body[:i]
			break
		}
	}
	if trackActionName(action) != "" {
		if msg := p.parseTrackAction(r, action, body); msg != "" {
			return nil, ruleActionError(px, ctx, action) + msg, true
		}
		return r, "", true
	}
	if action == "silent-drop" && p.afterResponse {
		return nil, ruleActionError(px, "http-after-response", action) + "action 'silent-drop' is a known HAProxy action that goha does not support yet.", true
	}
	table, ctx2 := httpResponseActions, ctx
	if isReq {
		table = httpRequestActions
	} else if p.afterResponse {
		table, ctx2 = httpAfterResponseActions, "http-after-response"
	}
	k, ok := table.get(actionBase(action, body))
	if !ok {
		k, ok = table.get(action) // use-service NAME: goha does not know NAME
	}
	if ok && k.parse != nil {
		if msg := k.parse(p, r, body); msg != "" {
			return nil, ruleActionError(px, ctx, action) + msg, true
		}
		return r, "", true
	}
	d, ok := table.status(actionBase(action, body))
	if !ok || d.Support != NoEffect {
		return nil, ruleActionError(px, ctx, action) + fmt.Sprintf("action '%s' is a known HAProxy action that goha does not support yet.", action), true
	}
	if msg := p.ignoredAction(ctx2, action, body, d.Why); msg != "" {
		return nil, ruleActionError(px, ctx, action) + msg, true
	}
	return nil, "", true
}

// parseRedirect parses `location|prefix|scheme TARGET [code N] [option]...`.
func parseRedirect(r *Rule, body []string) string {
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case "location", "prefix", "scheme":
			if i+1 >= len(body) {
				return fmt.Sprintf("'%s': missing argument", body[i])
			}
			r.RedirectKind, r.Value = body[i], body[i+1]
			i++
		case "code":
			if i+1 >= len(body) {
				return "'code': missing argument"
			}
			c := atoiC(body[i+1])
			switch c {
			case 301, 302, 303, 307, 308:
			default:
				return fmt.Sprintf("'code': unsupported HTTP code '%s' (must be one of 301, 302, 303, 307 or 308)", body[i+1])
			}
			r.Status = c
			i++
		case "drop-query", "append-slash", "ignore-empty":
			r.Flags = append(r.Flags, body[i])
		case "set-cookie", "clear-cookie":
			if i+1 >= len(body) {
				return fmt.Sprintf("'%s': missing argument", body[i])
			}
			r.Flags = append(r.Flags, body[i], body[i+1])
			i++
		default:
			return fmt.Sprintf("expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '%s')", body[i])
		}
	}
	if r.RedirectKind == "" {
		return "redirect: missing 'location', 'prefix' or 'scheme'"
	}
	if r.Status == 0 {
		r.Status = 302
	}
	return ""
}

// parseRedirectKeyword handles the legacy `redirect` proxy keyword.
func (p *parser) parseRedirectKeyword(px *Proxy, args []string) {
	r := &Rule{Action: "redirect", File: p.file, Line: p.line}
	body := args[1:]
	for len(body) > 0 && body[len(body)-1] == "" {
		body = body[:len(body)-1]
	}
	for i, w := range body {
		if w == "if" || w == "unless" {
			cond, msg := p.parseCond(px, body[i:])
			if msg != "" {
				p.alertf("error detected while parsing redirect condition : %s.", msg)
				return
			}
			r.Cond = cond
			body = body[:i]
			break
		}
	}
	if msg := parseRedirect(r, body); msg != "" {
		p.alertf("error detected in %s '%s' while parsing redirect rule : %s.", capString(px.Cap), px.Name, msg)
		return
	}
	px.Redirects = append(px.Redirects, r)
}

// parseTCPRequest handles `tcp-request connection|session|content|inspect-delay`.
func (p *parser) parseTCPRequest(px *Proxy, args []string) {
	where := arg(args, 1)
	switch where {
	case "inspect-delay":
		if px.Cap&CapDefaults == 0 && px.Cap&CapListen == 0 {
			return
		}
		v := arg(args, 2)
		if v == "" {
			p.alertf("'%s %s' expects a positive delay in milliseconds, in %s '%s'", args[0], where, capString(px.Cap), px.Name)
			return
		}
		d, res, _, _ := parseTime(v, time.Millisecond)
		if res != timeOK {
			p.alertf("'%s %s' expects a positive delay in milliseconds, in %s '%s'", args[0], where, capString(px.Cap), px.Name)
			return
		}
		px.TCPRequestInspectDelay = d
		return
	case "connection", "content", "session":
	default:
		p.alertf("'%s' expects 'inspect-delay', 'connection', or 'content' in %s '%s' (got '%s')", args[0], capString(px.Cap), px.Name, where)
		return
	}
	list := map[string]string{"connection": tcpConnActionList, "content": tcpContActionList, "session": tcpSessActionList}[where]
	action := arg(args, 2)
	if !knownAction(list, action) {
		p.alertf("'%s %s' expects %s in %s '%s' (got '%s').\n", args[0], where, list, capString(px.Cap), px.Name, action)
		return
	}
	if where == "connection" && px.Cap&CapDefaults == 0 && px.Cap&CapFrontend == 0 {
		p.warnf("'%s %s' ignored because %s '%s' has no frontend capability.", args[0], where, capString(px.Cap), px.Name)
		return
	}
	if !tcpActionParsed(action) && !(where == "content" && isVarAction(action)) {
		if d, ok := tcpRequestActions.status(actionBase(action, nil)); ok && d.Support == NoEffect {
			p.warnf("'%s %s %s' is a known HAProxy rule that goha accepts but ignores (%s).", args[0], where, action, d.Why)
			return
		}
		p.alertf("'%s %s %s' is a known HAProxy rule that goha does not support yet.", args[0], where, action)
		return
	}
	r := &Rule{Action: action, File: p.file, Line: p.line}
	body := args[3:]
	for len(body) > 0 && body[len(body)-1] == "" {
		body = body[:len(body)-1]
	}
	if trackActionName(action) != "" || isVarAction(action) {
		words := body
		for i, w := range body {
			if w == "if" || w == "unless" {
				words, body = body[:i], body[i:]
				break
			}
		}
		if len(words) == len(body) {
			body = nil
		}
		parse := p.parseTrackAction
		if isVarAction(action) {
			parse = func(r *Rule, _ string, words []string) string { return p.actionSetVar(r, words) }
		}
		if msg := parse(r, action, words); msg != "" {
			p.alertf("error detected in %s '%s' while parsing '%s %s %s' rule : %s", capString(px.Cap), px.Name, args[0], where, action, msg)
			return
		}
	}
	if len(body) > 0 {
		if body[0] != "if" && body[0] != "unless" {
			p.alertf("'%s %s %s' : expects 'if' or 'unless' followed by a condition but found '%s'.", args[0], where, action, body[0])
			return
		}
		cond, msg := p.parseCond(px, body)
		if msg != "" {
			p.alertf("error detected in %s '%s' while parsing '%s %s' rule : %s.", capString(px.Cap), px.Name, args[0], where, msg)
			return
		}
		r.Cond = cond
	}
	if px.Cap&CapDefaults != 0 {
		p.state(px).hasRules = true
	}
	switch where {
	case "connection":
		px.TCPRequestConnection = append(px.TCPRequestConnection, r)
	case "session":
		px.TCPRequestSession = append(px.TCPRequestSession, r)
	default:
		px.TCPRequestContent = append(px.TCPRequestContent, r)
	}
}
