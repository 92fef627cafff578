package config

import (
	"fmt"
	"strings"
)

// The action tables of http-request, http-response, http-after-response
// and tcp-request rules: the actions goha implements with their
// parsers, and the known HAProxy actions it refuses or ignores. A
// set-var(NAME) action is found as "set-var", use-service NAME as
// "use-service NAME". (Which actions HAProxy knows at all is the list
// it prints when one is unknown: httpReqActionList and friends.)

// Why goha refuses or ignores rule actions.
const (
	whyVariables      = "tcp-request connection and session rules do not set variables yet (content rules and http-request rules do)"
	whyRuleDetail     = "logging and scheduling detail"
	whyRuntimeMaps    = "changes runtime ACL/map contents"
	whyRewrites       = "rewrites the request or answer in ways goha does not implement yet"
	whyRequestTiming  = "timing and retry tuning"
	whyResponseTiming = "timing tuning"
)

// actionRows returns rows made of the given groups.
func actionRows(groups ...[]keyword[actionFunc]) []keyword[actionFunc] {
	var rows []keyword[actionFunc]
	for _, g := range groups {
		rows = append(rows, g...)
	}
	return rows
}

// actionStatuses returns status-only rows for names.
func actionStatuses(s Support, why string, names ...string) []keyword[actionFunc] {
	rows := make([]keyword[actionFunc], len(names))
	for i, n := range names {
		rows[i] = akw(n, nil)
		rows[i].status, rows[i].why = s, why
	}
	return rows
}

// commonActionStatuses are the statuses of the actions every kind of
// rule has.
func commonActionStatuses() []keyword[actionFunc] {
	return actionRows(
		actionStatuses(NoEffect, whyRuleDetail, "set-nice", "strict-mode", "ot-group"),
		actionStatuses(Unsupported, whyRuntimeMaps, "add-acl", "del-acl", "set-map", "del-map"),
		actionStatuses(Unsupported, whyRewrites, "do-resolve",
			"send-spoe-group", "switch-mode", "expect-proxy", "expect-netscaler-cip"),
	)
}

// responseActions are the actions http-response and http-after-response
// rules implement.
func responseActions() []keyword[actionFunc] {
	return []keyword[actionFunc]{
		akw("allow", (*parser).actionNoArg),
		akw("deny", (*parser).actionDeny),
		akw("return", (*parser).actionReturn),
		akw("redirect", (*parser).actionRedirect),
		akw("set-header", (*parser).actionSetHeader),
		akw("add-header", (*parser).actionSetHeader),
		akw("del-header", (*parser).actionDelHeader),
	}
}

var (
	httpRequestActions = newTable("http-request", actionRows(
		rewriteActions("req"),
		responseActions(),
		[]keyword[actionFunc]{
			akw("reject", (*parser).actionNoArg),
			akw("tarpit", (*parser).actionDeny),
			akw("auth", (*parser).actionAuth),
			akw("set-path", (*parser).actionSetPath),
			akw("silent-drop", (*parser).actionNoArg),
		},
		commonActionStatuses(),
		[]keyword[actionFunc]{akw("cache-use", (*parser).actionCache)},
		serviceActions(),
		actionStatuses(NoEffect, whyRequestTiming, "wait-for-handshake", "wait-for-body", "disable-l7-retry",
			"early-hint", "set-timeout"),
	)...)
	httpResponseActions = newTable("http-response", actionRows(
		rewriteActions("res"),
		responseActions(),
		commonActionStatuses(),
		[]keyword[actionFunc]{akw("cache-store", (*parser).actionCache), akw("silent-drop", (*parser).actionNoArg)},
		actionStatuses(NoEffect, whyResponseTiming, "wait-for-body"),
	)...)
	httpAfterResponseActions = newTable("http-after-response", actionRows(rewriteActions("after"), responseActions(), commonActionStatuses())...)
	// tcp-request rules implement accept and reject (parseTCPRequest).
	tcpRequestActions = newTable("tcp-request", actionRows(commonActionStatuses(),
		actionStatuses(NoEffect, whyRuleDetail, "set-log-level", "capture"),
		actionStatuses(NoEffect, whyVariables, "set-var", "set-var-fmt", "unset-var"),
		actionStatuses(Unsupported, whyRewrites, "set-src", "set-src-port", "set-dst", "set-dst-port"))...)
)

// actionBase is the name an action's status is found under: set-var(x)
// as set-var, use-service NAME as "use-service NAME".
func actionBase(action string, body []string) string {
	base := action
	if i := strings.IndexByte(base, '('); i >= 0 {
		base = base[:i]
	}
	if base == "use-service" && len(body) > 0 {
		base += " " + body[0]
	}
	return base
}

// ignoredAction accepts an action goha ignores, after checking the
// expression or format of a variable action; it returns "" or what is
// wrong.
func (p *parser) ignoredAction(ctx, action string, body []string, why string) string {
	if isVarAction(action) && len(body) > 0 {
		check := p.checkSampleExpr
		if strings.HasPrefix(action, "set-var-fmt(") {
			check = p.checkLogFormat
		}
		if msg := check(body[0]); msg != "" {
			return msg + "."
		}
	}
	p.warnf("'%s %s' is a known HAProxy action that goha accepts but ignores (%s).", ctx, action, why)
	return ""
}

// ruleActionError is the start of an error about a rule's action.
func ruleActionError(px *Proxy, ctx, action string) string {
	return fmt.Sprintf("error detected in %s '%s' while parsing '%s %s' rule : ", capString(px.Cap), px.Name, ctx, action)
}
