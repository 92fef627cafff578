package config

import (
	"fmt"
	"strings"
	"time"
)

// The `stats` options of proxy sections (the stats page).

// statsFunc parses a `stats OPTION ...` line into the proxy's stats
// page settings.
type statsFunc func(p *parser, px *Proxy, args []string)

// stkw returns a row of the stats option table.
func stkw(name string, parse statsFunc) keyword[statsFunc] { return kw(name, parse) }

// statsTable is the options `stats` takes in proxy sections; the ones
// without a parser goha refuses or ignores.
var statsTable = newTable("stats",
	stkw("enable", func(_ *parser, px *Proxy, _ []string) { px.Stats.Enabled = true }),
	stkw("uri", statsWord(func(s *Stats) *string { return &s.URI }, "'uri' needs an URI prefix.")),
	stkw("realm", statsWord(func(s *Stats) *string { return &s.Realm }, "'realm' needs an realm name.")),
	stkw("refresh", (*parser).statsRefresh),
	stkw("auth", (*parser).statsAuth),
	stkw("scope", (*parser).statsScope),
	stkw("admin", (*parser).statsAdmin),
	stkw("hide-version", statsFlag(func(s *Stats) *bool { return &s.HideVersion })),
	stkw("show-legends", statsFlag(func(s *Stats) *bool { return &s.ShowLegends })),
	stkw("show-node", (*parser).statsShowNode),
	stkw("show-desc", func(_ *parser, px *Proxy, args []string) {
		px.Stats.Enabled = true
		px.Stats.ShowDesc = strings.Join(args[2:], " ")
	}),
	stkw("show-modules", nil).ignored("stats page display options"),
	stkw("http-request", (*parser).statsHTTPRequest),
)

// parseStats handles `stats OPTION ...` in a proxy through statsTable.
func (p *parser) parseStats(px *Proxy, args []string) {
	a1 := arg(args, 1)
	k, ok := statsTable.get(a1)
	switch {
	case !ok:
		p.alertf("'%s' only supports 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends' (got '%s').", args[0], a1)
	case k.parse == nil:
		p.unsupported(k.decision(), fmt.Sprintf("'stats %s' is a known HAProxy keyword", a1))
	default:
		k.parse(p, px, args)
	}
}

// statsWord returns the parser of an option setting a word (and
// enabling the page); missing is the error without one.
func statsWord(field func(*Stats) *string, missing string) statsFunc {
	return func(p *parser, px *Proxy, args []string) {
		if arg(args, 2) == "" {
			p.alertf("%s", missing)
			return
		}
		px.Stats.Enabled, *field(&px.Stats) = true, args[2]
	}
}

// statsFlag returns the parser of an option turning a display flag on
// (and enabling the page).
func statsFlag(field func(*Stats) *bool) statsFunc {
	return func(_ *parser, px *Proxy, _ []string) {
		px.Stats.Enabled, *field(&px.Stats) = true, true
	}
}

func (p *parser) statsRefresh(px *Proxy, args []string) {
	if arg(args, 2) == "" {
		p.alertf("'refresh' needs a positive interval in seconds.")
		return
	}
	d, res, bad, _ := parseTime(args[2], time.Second)
	switch res {
	case timeOver:
		p.alertf("timer overflow in argument '%s' to 'stats refresh' (maximum value is 2147483647 s or ~68 years).", args[2])
		return
	case timeUnder:
		p.alertf("timer underflow in argument '%s' to 'stats refresh' (minimum non-null value is 1 s).", args[2])
		return
	case timeBadChar:
		p.alertf("unexpected character '%c' in argument to 'stats refresh'.", bad)
		return
	}
	px.Stats.Enabled, px.Stats.Refresh = true, d
}

// statsAuth handles `stats auth USER:PASSWORD`.
func (p *parser) statsAuth(px *Proxy, args []string) {
	if arg(args, 2) == "" {
		p.alertf("'auth' needs a user:password account.")
		return
	}
	i := strings.IndexByte(args[2], ':')
	if i < 0 {
		i = len(args[2]) // HAProxy takes "user" alone as an empty password
		args[2] += ":"
	}
	px.Stats.Enabled = true
	px.Stats.Auth = append(px.Stats.Auth, UserPass{User: args[2][:i], Password: args[2][i+1:], Insecure: true})
}

func (p *parser) statsScope(px *Proxy, args []string) {
	if arg(args, 2) == "" {
		p.alertf("'scope' needs a proxy name.")
		return
	}
	px.Stats.Enabled = true
	px.Stats.Scope = append(px.Stats.Scope, args[2])
}

// statsAdmin handles `stats admin if|unless COND`.
func (p *parser) statsAdmin(px *Proxy, args []string) {
	if px.Cap&CapDefaults != 0 {
		p.alertf("'stats admin' not supported in 'defaults' section.")
		return
	}
	if w := arg(args, 2); w != "if" && w != "unless" {
		p.alertf("'stats admin' requires either 'if' or 'unless' followed by a condition.")
		return
	}
	cond, msg := p.parseCond(px, args[2:])
	if msg != "" {
		p.alertf("error detected while parsing a 'stats admin' rule : %s.", msg)
		return
	}
	px.Stats.Enabled, px.Stats.Admin = true, cond
}

// statsShowNode handles `stats show-node [NAME]`.
func (p *parser) statsShowNode(px *Proxy, args []string) {
	s := &px.Stats
	s.Enabled, s.ShowNode = true, true
	if n := arg(args, 2); n != "" {
		if c, bad := invalidChar(n); bad {
			p.alertf("'%s' invalid character '%c' in node name '%s'.", "stats show-node", c, n)
			return
		}
		s.NodeName = n
	}
}

// statsHTTPRequest handles `stats http-request ACTION [if|unless COND]`:
// an http-request rule run on the stats page's requests only.
func (p *parser) statsHTTPRequest(px *Proxy, args []string) {
	if px.Cap&CapDefaults != 0 {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' not allowed in 'defaults' section.", p.file, p.line, args[0]))
		return
	}
	r, msg, known := p.parseHTTPAction(px, args[2:], true)
	if !known {
		got := "'" + arg(args, 2) + "'"
		if got == "''" {
			got += " (missing argument)"
		}
		p.abortRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects %s, but got %s.", p.file, p.line, args[1], httpReqActionList, got))
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
	r.File, r.Line = p.file, p.line
	px.Stats.Enabled = true
	px.Stats.HTTPRequest = append(px.Stats.HTTPRequest, r)
}

// checkStatsRules refuses `stats http-request` next to `stats auth` or
// `stats realm`, as HAProxy does once the sections are read.
func (p *parser) checkStatsRules(px *Proxy) {
	st := &px.Stats
	if len(st.HTTPRequest) > 0 && (len(st.Auth) > 0 || st.Realm != "") {
		p.checkAlert(px.File, px.Line, fmt.Sprintf("proxy '%s': stats 'auth'/'realm' and 'http-request' can't be used at the same time.", px.Name))
	}
}
