package config

import "sort"

// What goha does with each keyword HAProxy 2.6 knows is the status
// column of the keyword tables (keywords.go: global_table.go,
// proxy_table.go, proxy_options.go, server_table.go,
// http_action_table.go, sections_table.go), with the reason for each
// decision. Every keyword falls in one of three groups:
//
//   - implemented: the row's parser reads it into the model;
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
// computed over the table's keywords in HAProxy's order. This file
// gathers the status columns into SupportTable (written out as
// testdata/support.txt).

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
// It is made of the status column of the keyword tables.
var SupportTable = buildSupportTable()

func buildSupportTable() map[string]Decision {
	t := map[string]Decision{}
	globalTable.decisions(t)
	proxyTable.decisions(t)
	optionTable.decisions(t)
	sectionTable.decisions(t)
	serverTable.decisions(t)
	bindTable.decisions(t)
	filterTable.decisions(t)
	for _, actions := range []*kwTable[actionFunc]{httpRequestActions, httpResponseActions, httpAfterResponseActions, tcpRequestActions} {
		actions.decisions(t)
	}
	statsTable.decisions(t)
	return t
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
