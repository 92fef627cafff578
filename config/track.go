package config

import (
	"fmt"
	"strconv"
	"strings"
)

// The stick counter actions of http-request, http-response and
// tcp-request rules (track-sc0/1/2, sc-inc-gpc0/1, sc-inc-gpc,
// sc-set-gpt0, sc-set-gpt), `stick on|match|store-request|store-response`
// and `rate-limit sessions`, with HAProxy 2.6's errors, and the checks
// of the tables they name once every section is read.

// MaxStickCounters is HAProxy's MAX_SESS_STKCTR: sc0, sc1 and sc2.
const MaxStickCounters = 3

// TrackAction is what a stick counter action of a rule names. Rule.Action
// is then "track-sc", "sc-inc-gpc", "sc-set-gpt" or "silent-drop".
type TrackAction struct {
	// SC is the stick counter (0..2).
	SC int
	// Key is track-sc's key, a sample expression as written; Table the
	// table it names with `table` ("" = the rule's proxy's own).
	Key   string
	Table string
	// Array is set for sc-inc-gpc(IDX,SC) and sc-set-gpt(IDX,SC), which
	// address element Idx of the gpc/gpt arrays; otherwise Idx is 0 or 1
	// for gpc0/gpc1 (gpt0: 0).
	Array bool
	Idx   int
	// Value is sc-set-gpt's value: an integer or a sample expression.
	Value string
}

// StickRule is a backend's `stick on|match|store-request|store-response
// EXPR [table T] [if|unless COND]`.
type StickRule struct {
	// Kind is "on", "match", "store-request" or "store-response".
	Kind  string
	Expr  string
	Table string // "" = the backend's own table
	Cond  *Cond
	File  string
	Line  int
}

// stickRef is a table named by an ACL fetch (src_conn_cur(T),
// sc0_get_gpc0(T)...), checked once every section is read.
type stickRef struct {
	px          *Proxy
	file        string
	line        int
	table, kw   string
	defaultName bool
}

// trackActionName tells the stick counter actions apart: it returns the
// normalised action ("track-sc", "sc-inc-gpc", "sc-set-gpt") or "".
func trackActionName(action string) string {
	switch {
	case strings.HasPrefix(action, "track-sc"):
		return "track-sc"
	case strings.HasPrefix(action, "sc-inc-gpc"):
		return "sc-inc-gpc"
	case strings.HasPrefix(action, "sc-set-gpt"):
		return "sc-set-gpt"
	}
	return ""
}

// parseTrackAction fills r from a stick counter action and its words
// (before any condition); it returns "" or the end of HAProxy's error.
func (p *parser) parseTrackAction(r *Rule, action string, body []string) string {
	t := &TrackAction{}
	norm := trackActionName(action)
	var msg string
	switch norm {
	case "track-sc":
		msg = p.parseTrackSC(t, action, body)
	case "sc-inc-gpc":
		msg = parseGPCAction(t, action, "sc-inc-gpc")
		if msg == "" && len(body) > 0 {
			msg = fmt.Sprintf("unexpected argument '%s'.", body[0])
		}
	case "sc-set-gpt":
		msg = parseGPCAction(t, action, "sc-set-gpt")
		if msg == "" {
			msg = p.parseGPTValue(t, body)
		}
	}
	if msg != "" {
		return msg
	}
	r.Action, r.Track = norm, t
	return ""
}

// parseTrackSC reads `track-scN KEY [table T]`.
func (p *parser) parseTrackSC(t *TrackAction, action string, body []string) string {
	n, err := strconv.Atoi(strings.TrimPrefix(action, "track-sc"))
	if err != nil || n < 0 {
		return fmt.Sprintf("unknown action '%s'.", action)
	}
	if n >= MaxStickCounters {
		return fmt.Sprintf("%d track-sc number exceeding %d (MAX_SESS_STKCTR-1) value.", n, MaxStickCounters-1)
	}
	t.SC = n
	if len(body) == 0 {
		return "missing fetch method."
	}
	fetch, _, _, smsg := splitSample(body[0])
	if smsg != "" {
		return smsg + "."
	}
	if !haproxyFetches[fetch] {
		return fmt.Sprintf("unknown fetch method '%s'.", fetch)
	}
	if !SupportedSampleFetches[fetch] {
		return fmt.Sprintf("sample fetch '%s' is known to HAProxy but goha does not support it yet as a track-sc key.", fetch)
	}
	if msg := p.checkSampleExpr(body[0]); msg != "" {
		return msg + "."
	}
	t.Key = body[0]
	rest := body[1:]
	if len(rest) > 0 && rest[0] == "table" {
		t.Table = arg(rest, 1)
		if t.Table == "" {
			t.Table = "\x00" // HAProxy then looks up '' and fails
		}
		rest = rest[min(2, len(rest)):]
	}
	if len(rest) > 0 {
		return fmt.Sprintf("unexpected argument '%s'.", rest[0])
	}
	return ""
}

// parseGPCAction reads the counter and array index of sc-inc-gpc0(SC),
// sc-inc-gpc1(SC), sc-inc-gpc(IDX,SC), sc-set-gpt0(SC) and
// sc-set-gpt(IDX,SC).
func parseGPCAction(t *TrackAction, action, base string) string {
	rest := strings.TrimPrefix(action, base)
	args := ""
	if i := strings.IndexByte(rest, '('); i >= 0 {
		args = strings.TrimSuffix(rest[i+1:], ")")
		rest = rest[:i]
	}
	switch rest {
	case "0", "1":
		t.Idx = int(rest[0] - '0')
		if args == "" {
			return ""
		}
		return setSC(t, args)
	case "":
		idx, sc, ok := strings.Cut(args, ",")
		kind := map[string]string{"sc-inc-gpc": "gpc", "sc-set-gpt": "gpt"}[base]
		if !ok {
			return fmt.Sprintf("Missing %s ID '%s'. Expects %s(<%s ID>,<Track ID>).", kind, action, base, strings.ToUpper(kind))
		}
		n, err := strconv.Atoi(idx)
		if err != nil || n < 0 || n > 99 {
			return fmt.Sprintf("invalid %s ID '%s'. The max allowed ID is 99.", kind, idx)
		}
		t.Array, t.Idx = true, n
		return setSC(t, sc)
	}
	return fmt.Sprintf("unknown action '%s'.", action)
}

// setSC reads the stick counter number of a gpc/gpt action.
func setSC(t *TrackAction, s string) string {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n >= MaxStickCounters {
		return fmt.Sprintf("invalid stick table track ID. The max allowed ID is %d.", MaxStickCounters-1)
	}
	t.SC = n
	return ""
}

// parseGPTValue reads sc-set-gpt's value: an integer or an expression.
func (p *parser) parseGPTValue(t *TrackAction, body []string) string {
	if len(body) == 0 {
		return "" // HAProxy 2.6 accepts it and sets 0
	}
	if len(body) > 1 {
		return fmt.Sprintf("unexpected argument '%s'.", body[1])
	}
	if _, err := strconv.ParseInt(body[0], 10, 64); err != nil {
		if msg := p.checkSampleExpr(body[0]); msg != "" {
			return msg + "."
		}
		fetch, _, _, _ := splitSample(body[0])
		if !SupportedSampleFetches[fetch] {
			return fmt.Sprintf("sample fetch '%s' is known to HAProxy but goha does not support it yet as a sc-set-gpt value.", fetch)
		}
	}
	t.Value = body[0]
	return ""
}

// parseStick handles `stick on|match|store-request|store-response EXPR
// [table T] [if|unless COND]` in a backend.
func (p *parser) parseStick(px *Proxy, args []string) {
	if px.Cap&CapBackend == 0 {
		p.warnf("'%s' ignored because %s '%s' has no backend capability.", args[0], capString(px.Cap), px.Name)
		return
	}
	kind := arg(args, 1)
	switch kind {
	case "on", "match", "store-request", "store-response":
	default:
		p.alertf("'%s' expects 'on', 'match', or 'store'.", args[0])
		return
	}
	expr := arg(args, 2)
	if expr == "" || expr == "if" || expr == "unless" || expr == "table" {
		p.alertf("'%s' expects a fetch method.", args[0])
		return
	}
	fetch, _, _, smsg := splitSample(expr)
	if smsg != "" || !haproxyFetches[fetch] {
		p.alertf("'%s': unknown fetch method '%s'", args[0], fetch)
		return
	}
	if !SupportedSampleFetches[fetch] {
		p.alertf("'%s': fetch method '%s' is known to HAProxy but goha does not support it yet as a stick key.", args[0], fetch)
		return
	}
	sr := &StickRule{Kind: kind, Expr: expr, File: p.file, Line: p.line}
	rest := trimEmpty(args[3:])
	if len(rest) > 0 && rest[0] == "table" {
		sr.Table = arg(rest, 1)
		rest = rest[min(2, len(rest)):]
	}
	if len(rest) > 0 {
		if rest[0] != "if" && rest[0] != "unless" {
			p.alertf("'%s': unexpected argument '%s'.", args[0], rest[0])
			return
		}
		cond, msg := p.parseCond(px, rest)
		if msg != "" {
			p.alertf("'%s': error detected while parsing sticking condition : %s.", args[0], msg)
			return
		}
		sr.Cond = cond
	}
	px.Sticks = append(px.Sticks, sr)
}

// trimEmpty drops the empty words the tokenizer leaves at the end.
func trimEmpty(w []string) []string {
	for len(w) > 0 && w[len(w)-1] == "" {
		w = w[:len(w)-1]
	}
	return w
}

// parseRateLimit handles `rate-limit sessions N`.
func (p *parser) parseRateLimit(px *Proxy, args []string) {
	if arg(args, 1) != "sessions" {
		p.alertf("'%s' only supports 'sessions' (got '%s')", args[0], arg(args, 1))
		return
	}
	v := arg(args, 2)
	if v == "" {
		p.alertf("'%s %s' expects expects an integer value (in sessions/second)", args[0], args[1])
		return
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			p.alertf("'%s %s' : unexpected character '%c' in integer value '%s'", args[0], args[1], v[i], v)
			return
		}
	}
	n, _ := strconv.Atoi(v)
	px.RateLimitSessions = n
}

// stickTableNamed returns the table a rule names ("" = px's own).
func (p *parser) stickTableNamed(px *Proxy, name string) *StickTable {
	if name == "" {
		return px.StickTable
	}
	for _, o := range p.cfg.Proxies {
		if o.StickTable != nil && o.StickTable.Name == name {
			return o.StickTable
		}
	}
	return nil
}

// checkStickRefs reports the tables that track-sc rules, stick rules
// and ACL fetches name but nobody declares, in HAProxy's words.
func (p *parser) checkStickRefs(px *Proxy) {
	rules := [][]*Rule{px.TCPRequestConnection, px.TCPRequestSession, px.TCPRequestContent, px.HTTPRequest, px.HTTPResponse}
	for _, set := range rules {
		for _, r := range set {
			if r.Action != "track-sc" || r.Track == nil {
				continue
			}
			name := r.Track.Table
			if name == "\x00" {
				name = ""
			} else if name == "" {
				name = px.Name
			}
			if p.stickTableNamed(px, r.Track.Table) == nil || r.Track.Table == "\x00" {
				p.checkAlert(px.File, px.Line, fmt.Sprintf("Proxy '%s': unable to find table '%s' referenced by track-sc%d.", px.Name, name, r.Track.SC))
			}
		}
	}
	p.checkStickACLRefs(px)
	for _, sr := range px.Sticks {
		if p.stickTableNamed(px, sr.Table) != nil {
			continue
		}
		name, what := sr.Table, "stick-table"
		if name == "" {
			name = px.Name
		}
		if sr.Kind == "store-response" {
			what = "store table"
		}
		p.checkAlert(px.File, px.Line, fmt.Sprintf("Proxy '%s': unable to find %s '%s'.", px.Name, what, name))
	}
}

// checkStickACLRefs reports px's ACL fetches naming a missing table.
func (p *parser) checkStickACLRefs(px *Proxy) {
	for _, r := range p.stickRefs {
		if r.px != px || p.stickTableNamed(r.px, r.table) != nil {
			continue
		}
		name := r.table
		if name == "" {
			name = r.px.Name
		}
		p.checkAlert(r.file, r.line, fmt.Sprintf("parsing [%s:%d]: unable to find table '%s' referenced in arg 1 of ACL keyword '%s' in proxy '%s'.", r.file, r.line, name, r.kw, r.px.Name))
	}
}

// stickFetchSuffixes are the data a stick counter fetch reads, after its
// sc_, sc0_..sc2_ or src_ prefix: the ones goha evaluates.
var stickFetchSuffixes = set(
	"bytes_in_rate", "bytes_out_rate", "clr_gpc", "clr_gpc0", "clr_gpc1", "conn_cnt", "conn_cur",
	"conn_rate", "get_gpc", "get_gpc0", "get_gpc1", "get_gpt", "get_gpt0", "gpc0_rate", "gpc1_rate",
	"gpc_rate", "http_err_cnt", "http_err_rate", "http_fail_cnt", "http_fail_rate", "http_req_cnt",
	"http_req_rate", "inc_gpc", "inc_gpc0", "inc_gpc1", "kbytes_in", "kbytes_out", "sess_cnt",
	"sess_rate", "tracked", "trackers", "updt_conn_cnt",
)

// StickFetch splits a stick counter fetch name: its prefix ("sc", "sc0",
// "sc1", "sc2" or "src") and what it reads ("http_req_rate"); ok is
// false for other fetches.
func StickFetch(name string) (prefix, data string, ok bool) {
	prefix, data, ok = strings.Cut(name, "_")
	if !ok {
		return "", "", false
	}
	switch prefix {
	case "sc", "sc0", "sc1", "sc2", "src":
	default:
		return "", "", false
	}
	if !stickFetchSuffixes[data] || !haproxyFetches[name] {
		return "", "", false
	}
	if prefix == "src" && (data == "tracked" || data == "trackers") {
		return "", "", false
	}
	return prefix, data, true
}

// noteStickACL records the table an ACL's stick fetch names (arg is
// what is between its parentheses) for checkStickACLRefs.
func (p *parser) noteStickACL(fetch, arg string) {
	prefix, data, ok := StickFetch(fetch)
	if !ok || p.cur == nil || p.cur.Cap&CapDefaults != 0 {
		return
	}
	args := strings.Split(arg, ",")
	n := 0
	if prefix == "sc" {
		n++
	}
	switch data {
	case "get_gpc", "get_gpt", "inc_gpc", "clr_gpc", "gpc_rate":
		n++
	}
	table := ""
	if n < len(args) {
		table = args[n]
	}
	if prefix != "src" && table == "" {
		return // the tracked entry's own table
	}
	p.stickRefs = append(p.stickRefs, stickRef{px: p.cur, file: p.file, line: p.line, table: table, kw: fetch})
}

// tcpActionParsed reports whether goha runs a tcp-request action (the
// others are refused or ignored by their status).
func tcpActionParsed(action string) bool {
	switch action {
	case "accept", "reject", "silent-drop":
		return true
	}
	return trackActionName(action) != ""
}
