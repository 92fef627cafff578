package config

import (
	"fmt"
	"regexp"
	"strings"
)

// The rewrite and variable actions of http-request, http-response and
// http-after-response (and the variable actions of tcp-request): one
// parser per action keyword, the detail kept in Rule.Rewrite.

// RewriteAction is what a rewrite or variable action needs besides
// Rule.Name (a header name) and Rule.Value (a log-format string or, for
// set-var, a sample expression).
type RewriteAction struct {
	// Var is the variable of set-var, set-var-fmt and unset-var
	// ("txn.name"); Fmt says Value is a log-format string (set-var-fmt).
	Var string
	Fmt bool
	// VarConds are set-var's conditions (ifexists, ifnotexists, ifempty,
	// ifnotempty, ifset, ifnotset, ifgt, iflt): set-var(txn.x,ifexists).
	VarConds []string
	// Regex is the pattern of replace-header, replace-value,
	// replace-path, replace-pathq and replace-uri.
	Regex string
	// Reason is set-status's reason phrase ("" = the standard one).
	Reason string
	// CaptureLen is `capture EXPR len N`; CaptureID `capture EXPR id N`
	// (-1 when not given).
	CaptureLen, CaptureID int
	// Level is set-log-level's level.
	Level string
	// Normalizer is normalize-uri's normalizer and Options its words.
	Normalizer string
	Options    []string
}

// rewriteActions are the rows of the rewrite actions for a rule kind:
// "req", "res" (http-response) or "after" (http-after-response).
func rewriteActions(kind string) []keyword[actionFunc] {
	rows := []keyword[actionFunc]{
		akw("set-var", (*parser).actionSetVar),
		akw("set-var-fmt", (*parser).actionSetVar),
		akw("unset-var", (*parser).actionSetVar),
		akw("replace-header", (*parser).actionReplaceHeader),
		akw("replace-value", (*parser).actionReplaceHeader),
		akw("set-log-level", (*parser).actionSetLogLevel),
		akw("capture", (*parser).actionCapture),
	}
	if kind != "req" {
		rows = append(rows, akw("set-status", (*parser).actionSetStatus))
	}
	if kind == "req" {
		rows = append(rows,
			akw("replace-path", (*parser).actionReplaceURI),
			akw("replace-pathq", (*parser).actionReplaceURI),
			akw("replace-uri", (*parser).actionReplaceURI),
			akw("set-pathq", (*parser).actionSetPath),
			akw("set-query", (*parser).actionSetPath),
			akw("set-uri", (*parser).actionSetPath),
			akw("set-method", (*parser).actionSetPath),
			akw("normalize-uri", (*parser).actionNormalizeURI),
			akw("set-src", (*parser).actionSetAddr),
			akw("set-dst", (*parser).actionSetAddr),
			akw("set-src-port", (*parser).actionSetAddr),
			akw("set-dst-port", (*parser).actionSetAddr),
		)
	}
	return rows
}

// rewrite returns r.Rewrite, created on first use.
func rewriteOf(r *Rule) *RewriteAction {
	if r.Rewrite == nil {
		r.Rewrite = &RewriteAction{CaptureID: -1}
	}
	return r.Rewrite
}

// VarConditions are the conditions set-var(NAME,COND...) takes in
// HAProxy 2.6.
var VarConditions = set("ifexists", "ifnotexists", "ifempty", "ifnotempty", "ifset", "ifnotset", "ifgt", "iflt")

// varName returns the NAME of ACTION(NAME[,COND...]) and checks it.
func varName(action string) (string, string) {
	name, _, msg := varNameConds(action)
	return name, msg
}

// varNameConds returns the NAME and the conditions of
// ACTION(NAME[,COND...]) and checks them.
func varNameConds(action string) (string, []string, string) {
	i := strings.IndexByte(action, '(')
	if i < 0 || !strings.HasSuffix(action, ")") {
		return "", nil, fmt.Sprintf("expects a variable name between parentheses ('%s(<var-name>)')", action)
	}
	name := action[i+1 : len(action)-1]
	var conds []string
	if j := strings.IndexByte(name, ','); j >= 0 {
		name, conds = name[:j], strings.Split(name[j+1:], ",")
		for _, c := range conds {
			if !VarConditions[c] {
				return "", nil, fmt.Sprintf("unknown condition \"%s\"", c)
			}
		}
	}
	msg := checkVarName(name)
	return name, conds, msg
}

// checkVarName checks a variable name SCOPE.NAME.
func checkVarName(name string) string {
	scope, rest, ok := strings.Cut(name, ".")
	switch {
	case !ok || rest == "":
		return fmt.Sprintf("invalid variable name '%s'. Expects a scope and a name separated by a dot", name)
	case scope != "proc" && scope != "sess" && scope != "txn" && scope != "req" && scope != "res":
		return fmt.Sprintf("invalid variable name '%s'. Unknown scope '%s' (expects 'proc', 'sess', 'txn', 'req' or 'res')", name, scope)
	}
	return ""
}

// actionSetVar handles set-var(NAME) EXPR, set-var-fmt(NAME) FMT and
// unset-var(NAME).
func (p *parser) actionSetVar(r *Rule, body []string) string {
	name, conds, msg := varNameConds(r.Action)
	if msg != "" {
		return msg + "."
	}
	rw := rewriteOf(r)
	rw.Var, rw.VarConds = name, conds
	base := actionBase(r.Action, nil)
	r.Action = base
	if base == "unset-var" {
		if len(body) != 0 {
			return "expects no argument."
		}
		return ""
	}
	if len(body) != 1 {
		return "expects exactly 1 argument."
	}
	r.Value = body[0]
	if base == "set-var-fmt" {
		rw.Fmt = true
		if msg := p.checkRuleFormat(body[0]); msg != "" {
			return msg + "."
		}
		return ""
	}
	if msg := p.checkGohaSample(body[0]); msg != "" {
		return msg + "."
	}
	return ""
}

// checkGohaSample checks a sample expression: HAProxy's syntax, then
// goha's support.
func (p *parser) checkGohaSample(expr string) string {
	if msg := p.checkSampleExpr(expr); msg != "" {
		return fmt.Sprintf("failed to parse sample expression <%s> : %s", expr, msg)
	}
	return checkGohaFormat("%[" + expr + "]")
}

// checkRegex checks a rewrite's regex with goha's engine (RE2: no
// back-references or look-around).
func checkRegex(re string) string {
	if _, err := regexp.Compile(re); err != nil {
		return fmt.Sprintf("regex '%s' is not supported by goha's regex engine (%v)", re, err)
	}
	return ""
}

// actionReplaceHeader handles replace-header and replace-value NAME
// REGEX FMT.
func (p *parser) actionReplaceHeader(r *Rule, body []string) string {
	if len(body) != 3 {
		return "expects exactly 3 arguments."
	}
	if msg := checkRegex(body[1]); msg != "" {
		return msg + "."
	}
	if msg := p.checkRuleFormat(body[2]); msg != "" {
		return msg + "."
	}
	r.Name, r.Value = body[0], body[2]
	rewriteOf(r).Regex = body[1]
	return ""
}

// actionReplaceURI handles replace-path, replace-pathq and replace-uri
// REGEX FMT.
func (p *parser) actionReplaceURI(r *Rule, body []string) string {
	if len(body) != 2 {
		return "expects exactly 2 arguments."
	}
	if msg := checkRegex(body[0]); msg != "" {
		return msg + "."
	}
	if msg := p.checkRuleFormat(body[1]); msg != "" {
		return msg + "."
	}
	r.Value = body[1]
	rewriteOf(r).Regex = body[0]
	return ""
}

// actionSetStatus handles set-status CODE [reason STR].
func (p *parser) actionSetStatus(r *Rule, body []string) string {
	if len(body) != 1 && !(len(body) == 3 && body[1] == "reason") {
		return "expects 1 argument and optionally 'reason <str>'."
	}
	code := atoiC(body[0])
	if code < 100 || code > 999 {
		return fmt.Sprintf("expects an HTTP status code between 100 and 999 (got '%s').", body[0])
	}
	r.Status = code
	if len(body) == 3 {
		rewriteOf(r).Reason = body[2]
	}
	return ""
}

// logLevels are syslog's levels and "silent".
var ruleLogLevels = set("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", "silent")

// actionSetLogLevel handles set-log-level LEVEL.
func (p *parser) actionSetLogLevel(r *Rule, body []string) string {
	if len(body) != 1 || !ruleLogLevels[body[0]] {
		return fmt.Sprintf("usage: set-log-level <level> (level is one of emerg, alert, crit, err, warning, notice, info, debug, silent; got '%s').", strings.Join(body, " "))
	}
	rewriteOf(r).Level = body[0]
	return ""
}

// actionCapture handles capture EXPR len N and capture EXPR id N.
func (p *parser) actionCapture(r *Rule, body []string) string {
	if len(body) != 3 || (body[1] != "len" && body[1] != "id") {
		return "expects <expression> [ 'len' <length> | 'id' <idx> ]."
	}
	if msg := p.checkGohaSample(body[0]); msg != "" {
		return msg + "."
	}
	n := atoiC(body[2])
	if n < 0 || (body[1] == "len" && n == 0) {
		return fmt.Sprintf("invalid %s '%s'.", body[1], body[2])
	}
	rw := rewriteOf(r)
	if body[1] == "id" {
		rw.CaptureID = n
	} else if px := p.cur; px != nil {
		// capture ... len N declares a new request slot after the
		// existing ones, as HAProxy does.
		rw.CaptureLen, rw.CaptureID = n, len(px.CaptureRequestHeaders)
		px.CaptureRequestHeaders = append(px.CaptureRequestHeaders, Capture{Len: n})
	}
	r.Value = body[0]
	return ""
}

// normalizers are normalize-uri's normalizers (HAProxy 2.6) and the
// options each takes.
var normalizers = map[string][]string{
	"fragment-encode": nil, "fragment-strip": nil, "path-merge-slashes": nil,
	"path-strip-dot": nil, "path-strip-dotdot": {"full"}, "percent-decode-unreserved": {"strict"},
	"percent-to-uppercase": {"strict"}, "query-sort-by-name": nil,
}

// actionNormalizeURI handles normalize-uri NORMALIZER [OPTION].
func (p *parser) actionNormalizeURI(r *Rule, body []string) string {
	if len(body) == 0 {
		return "expects a normalizer name."
	}
	opts, ok := normalizers[body[0]]
	if !ok {
		return fmt.Sprintf("unknown normalizer '%s'.", body[0])
	}
	for _, o := range body[1:] {
		found := false
		for _, k := range opts {
			found = found || k == o
		}
		if !found {
			return fmt.Sprintf("unexpected argument '%s' for normalizer '%s'.", o, body[0])
		}
	}
	rw := rewriteOf(r)
	rw.Normalizer, rw.Options = body[0], body[1:]
	return ""
}

// actionSetAddr handles set-src, set-dst, set-src-port and set-dst-port
// EXPR.
func (p *parser) actionSetAddr(r *Rule, body []string) string {
	if len(body) != 1 {
		return "expects exactly 1 argument."
	}
	if msg := p.checkGohaSample(body[0]); msg != "" {
		return msg + "."
	}
	r.Value = body[0]
	return ""
}
