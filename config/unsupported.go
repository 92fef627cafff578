package config

import "sort"

// This file is the one place that lists what HAProxy 2.6 knows and goha
// does not implement, with the reason for each decision. Every keyword
// HAProxy accepts falls in one of three groups:
//
//   - implemented: handled by the section parsers into the model
//     (global.go, listen.go, sections.go...);
//   - Unsupported: a known HAProxy keyword goha cannot honour yet and
//     whose absence would change behaviour that matters (security rules,
//     TLS, rate limiting, traffic sent elsewhere): using it is an error
//     that says so;
//   - NoEffect: accepted with a warning because ignoring it changes
//     nothing that matters for security or correctness (tuning,
//     notifications, caching hints, health-check protocols degraded to a
//     TCP connect...).
//
// An unknown word is an error with HAProxy's "did you mean" suggestion,
// computed over HAProxy's own keyword lists below.

// Support says how goha treats a known HAProxy keyword it does not
// implement.
type Support int

// Support levels.
const (
	// Unsupported keywords are errors.
	Unsupported Support = iota + 1
	// NoEffect keywords are accepted with a warning and ignored.
	NoEffect
)

// Decision is goha's treatment of one HAProxy keyword and why.
type Decision struct {
	Support Support
	Why     string
}

// SupportTable is the single table of HAProxy 2.6 keywords goha knows
// but does not implement, keyed by "CONTEXT KEYWORD" where CONTEXT is
// one of: global, proxy (defaults/frontend/backend/listen), option,
// section, server, bind, filter, http-request, http-response,
// http-after-response, tcp-request, tcp-response, stats.
// It is derived from the status column of the keyword tables, once they
// exist (their parsers consult it, hence init).
var SupportTable map[string]Decision

func init() { SupportTable = buildSupportTable() }

func buildSupportTable() map[string]Decision {
	t := map[string]Decision{}
	add := func(ctx string, s Support, why string, kws ...string) {
		for _, k := range kws {
			t[ctx+" "+k] = Decision{s, why}
		}
	}
	U, N := Unsupported, NoEffect

	globalTable.decisions(t)

	proxyTable.decisions(t)

	optionTable.decisions(t)

	// sections
	add("section", N, "DNS resolvers: goha resolves server names once at start-up (init-addr)", "resolvers")
	add("section", N, "peers only synchronise stick tables, which are refused where used", "peers")
	add("section", N, "cache storage: responses are simply not cached", "cache")
	add("section", N, "mail notifications", "mailers")
	add("section", N, "log rings and log forwarding", "ring", "log-forward")
	add("section", U, "runs external programs", "program")
	add("section", U, "FastCGI applications are not implemented", "fcgi-app")

	serverTable.decisions(t)

	// filters
	add("filter", N, "compression, tracing, caching and bandwidth shaping do not change what is served",
		"compression", "trace", "cache", "bwlim-in", "bwlim-out")
	add("filter", U, "SPOE agents (WAF, auth...) decide about requests", "spoe")
	add("filter", U, "FastCGI applications are not implemented", "fcgi-app")

	for _, actions := range []*kwTable[actionFunc]{httpRequestActions, httpResponseActions, httpAfterResponseActions, tcpRequestActions} {
		actions.decisions(t)
	}
	add("stats", N, "stats page display options", "show-modules")
	add("stats", U, "access rules of the stats page", "http-request")
	return t
}

// supportOf returns goha's decision for KEYWORD in CONTEXT, if any.
func supportOf(ctx, kw string) (Decision, bool) {
	d, ok := SupportTable[ctx+" "+kw]
	return d, ok
}

// SupportReport lists the table as "CONTEXT KEYWORD: error|warning: why"
// lines, sorted, for documentation.
func SupportReport() []string {
	out := make([]string, 0, len(SupportTable))
	for k, d := range SupportTable {
		lvl := "error"
		if d.Support == NoEffect {
			lvl = "warning"
		}
		out = append(out, k+": "+lvl+": "+d.Why)
	}
	sort.Strings(out)
	return out
}

// unsupported reports a keyword of the support table: an error for an
// Unsupported one, a warning for a NoEffect one. what names it, e.g.
// "'stick-table' is a known HAProxy keyword in 'backend' section".
func (p *parser) unsupported(d Decision, what string) {
	if d.Support == Unsupported {
		p.alertf("%s that goha does not support yet (%s).", what, d.Why)
		return
	}
	p.warnf("%s that goha accepts but ignores (%s).", what, d.Why)
}
