package config

import "fmt"

// Keyword tables: every section kind has one (global, proxy sections,
// `option` names, server options, bind options, rule actions...), in
// the shape of HAProxy's cfg_kw_list: one row per keyword saying where
// it is valid, which function parses it and how goha supports it.
// Adding a keyword is adding a row.

// keyword is one row of a keyword table.
type keyword[F any] struct {
	// name is the keyword as written in the configuration.
	name string
	// caps says in which proxy sections the keyword is valid
	// (CapFrontend, CapBackend, CapDefaults bits; 0 = everywhere).
	caps Cap
	// parse reads one line (nil: nothing to read, only the status to
	// report). What it returns, where a table uses it, is whether the
	// line was accepted and the row's status remains to be reported.
	parse F
	// status is goha's support of the keyword: 0 (implemented),
	// Unsupported (an error) or NoEffect (a warning), and why.
	status Support
	why    string
	// values is how many words follow the keyword (server and bind
	// options).
	values int
	// tls marks TLS options, let in by ParseOptions.AllowTLS.
	tls bool
	// unlisted rows are known but never offered as a suggestion: HAProxy
	// parses them inline, outside the lists its suggestions come from.
	// (In the server table: a word that only follows another option,
	// unknown on its own.)
	unlisted bool
}

// implemented is the status of a keyword goha implements.
const implemented Support = 0

// kw returns an implemented row.
func kw[F any](name string, parse F) keyword[F] { return keyword[F]{name: name, parse: parse} }

// in returns the row valid only in proxies with one of the capabilities
// of c (CapDefaults: allowed in defaults sections).
func (k keyword[F]) in(c Cap) keyword[F] { k.caps = c; return k }

// refused returns the row as a known keyword goha refuses (Unsupported).
func (k keyword[F]) refused(why string) keyword[F] { k.status, k.why = Unsupported, why; return k }

// ignored returns the row as a known keyword goha accepts with a warning
// and ignores (NoEffect).
func (k keyword[F]) ignored(why string) keyword[F] { k.status, k.why = NoEffect, why; return k }

// takes returns the row followed by n values.
func (k keyword[F]) takes(n int) keyword[F] { k.values = n; return k }

// forTLS returns the row marked as a TLS option.
func (k keyword[F]) forTLS() keyword[F] { k.tls = true; return k }

// hidden returns the row as one never suggested.
func (k keyword[F]) hidden() keyword[F] { k.unlisted = true; return k }

// decision is the row's status as the support table lists it.
func (k *keyword[F]) decision() Decision { return Decision{k.status, k.why} }

// kwTable is one section kind's keyword table. Rows are in the order
// HAProxy scans its own lists, which decides ties between suggestions.
type kwTable[F any] struct {
	// ctx names the table in the support table ("global", "proxy"...).
	ctx    string
	rows   []keyword[F]
	byName map[string]int
	// suggest are the names "did you mean" chooses from, in order.
	suggest []string
}

// newTable indexes rows (a later row of the same name is ignored, as
// HAProxy finds the first).
func newTable[F any](ctx string, rows ...keyword[F]) *kwTable[F] {
	t := &kwTable[F]{ctx: ctx, rows: rows, byName: make(map[string]int, len(rows))}
	for i, r := range rows {
		if _, dup := t.byName[r.name]; !dup {
			t.byName[r.name] = i
		}
		if !r.unlisted {
			t.suggest = append(t.suggest, r.name)
		}
	}
	return t
}

// get returns the row of name.
func (t *kwTable[F]) get(name string) (*keyword[F], bool) {
	i, ok := t.byName[name]
	if !ok {
		return nil, false
	}
	return &t.rows[i], true
}

// status returns the decision about a known keyword goha does not fully
// implement (false for unknown and implemented keywords).
func (t *kwTable[F]) status(name string) (Decision, bool) {
	k, ok := t.get(name)
	if !ok || k.status == implemented {
		return Decision{}, false
	}
	return k.decision(), true
}

// decisions adds the table's status column to a support table keyed by
// "CONTEXT KEYWORD".
func (t *kwTable[F]) decisions(into map[string]Decision) {
	for i := range t.rows {
		if r := &t.rows[i]; r.status != implemented {
			into[t.ctx+" "+r.name] = r.decision()
		}
	}
}

// knownKeyword reports a section keyword goha refuses or ignores (status
// Unsupported or NoEffect); implemented ones need nothing more.
func (p *parser) knownKeyword(status Support, why, kw string) {
	if status == implemented {
		return
	}
	p.unsupported(Decision{status, why}, fmt.Sprintf("'%s' is a known HAProxy keyword in '%s' section", kw, p.section))
}

// unknownKeyword reports a keyword no table row has, with HAProxy's
// "did you mean" suggestion taken from known.
func (p *parser) unknownKeyword(kw string, known []string) {
	if best := bestMatch(kw, known); best != "" {
		p.alertf("unknown keyword '%s' in '%s' section; did you mean '%s' maybe ?", kw, p.section, best)
	} else {
		p.alertf("unknown keyword '%s' in '%s' section", kw, p.section)
	}
}
