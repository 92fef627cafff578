package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// FCGIApp is an `fcgi-app NAME` section: a FastCGI application the
// backends naming it with `use-fcgi-app` reach on their `proto fcgi`
// servers.
type FCGIApp struct {
	Name string
	// DocRoot, Index and PathInfo are `docroot`, `index` and
	// `path-info` (a regular expression; "" when absent).
	DocRoot  string
	Index    string
	PathInfo string
	// KeepConn is `option keep-conn` (on by default), GetValues,
	// MpxsConns and MaxReqs `option get-values`, `option mpxs-conns`
	// and `option max-reqs N` (1 unless multiplexing is on).
	KeepConn  bool
	GetValues bool `json:",omitzero"`
	MpxsConns bool `json:",omitzero"`
	MaxReqs   int
	// Rules are the set-param and pass-header lines in order, after
	// HAProxy's implicit ones (REMOTE_USER, AUTH_TYPE).
	Rules []FCGIRule
	// ACLs are the section's own acl lines.
	ACLs []*ACL `json:",omitempty"`
	// LogStderr are the `log-stderr` targets; LogStderrGlobal is
	// `log-stderr global`.
	LogStderr       []LogTarget `json:",omitempty"`
	LogStderrGlobal bool        `json:",omitzero"`
	File            string
	Line            int

	px *Proxy // holds the section's ACLs for parseCond
}

// FCGIRule is a `set-param NAME FMT [cond]` (Pass false) or a
// `pass-header NAME [cond]` line.
type FCGIRule struct {
	Pass  bool   `json:",omitzero"`
	Name  string // as written
	Value string `json:",omitempty"` // a log-format string
	Cond  *Cond  `json:",omitempty"`
	File  string
	Line  int
}

// fcgiApps are the sections read so far, by the parser.
func (p *parser) fcgiApp(name string) *FCGIApp {
	for _, a := range p.cfg.FCGIApps {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// parseFCGISection handles one line of an fcgi-app section, its header
// included.
func (p *parser) parseFCGISection(args []string, kwm int) {
	if args[0] == "fcgi-app" {
		p.endOtherSection()
		p.other = &otherSection{kind: "fcgi-app", name: arg(args, 1), file: p.file, line: p.line}
		p.newFCGIApp(args)
		return
	}
	st := p.other
	if st == nil || st.fcgi == nil {
		return
	}
	f, ok := fcgiKeywords[args[0]]
	if !ok {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: unknown keyword '%s' in '%s' section", p.file, p.line, args[0], "fcgi-app"))
		return
	}
	f(p, st.fcgi, args, kwm)
}

// newFCGIApp starts an fcgi-app section.
func (p *parser) newFCGIApp(args []string) {
	name := arg(args, 1)
	if name == "" {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects <name> as argument.", p.file, p.line, args[0]))
		return
	}
	if p.tooManyArgs(1, 0, args) {
		return
	}
	if ch, bad := invalidChar(name); bad {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: character '%c' is not permitted in '%s' name '%s'.", p.file, p.line, ch, args[0], name))
		return
	}
	if old := p.fcgiApp(name); old != nil {
		p.alertRaw(fmt.Sprintf("Parsing [%s:%d]: fcgi-app section '%s' has the same name as another one declared at %s:%d.", p.file, p.line, name, old.File, old.Line))
	}
	a := &FCGIApp{Name: name, KeepConn: true, MaxReqs: 1, File: p.file, Line: p.line,
		px: &Proxy{Name: name, Mode: ModeHTTP, Cap: CapBackend}}
	a.Rules = []FCGIRule{{Name: "REMOTE_USER", Value: "%[http_auth_user]", File: p.file, Line: p.line},
		{Name: "AUTH_TYPE", Value: "%[http_auth_type]", File: p.file, Line: p.line}}
	p.cfg.FCGIApps = append(p.cfg.FCGIApps, a)
	p.other.fcgi = a
}

// fcgiKeywords are the parsers of an fcgi-app section's lines.
var fcgiKeywords = map[string]func(p *parser, a *FCGIApp, args []string, kwm int){
	"docroot":     fcgiString(func(a *FCGIApp) *string { return &a.DocRoot }, "<path>"),
	"index":       fcgiString(func(a *FCGIApp) *string { return &a.Index }, "<filename>"),
	"path-info":   (*parser).fcgiPathInfo,
	"acl":         (*parser).fcgiACL,
	"set-param":   (*parser).fcgiRule,
	"pass-header": (*parser).fcgiRule,
	"option":      (*parser).fcgiOption,
	"log-stderr":  (*parser).fcgiLogStderr,
}

// fcgiString returns the parser of a one-word setting.
func fcgiString(field func(*FCGIApp) *string, what string) func(*parser, *FCGIApp, []string, int) {
	return func(p *parser, a *FCGIApp, args []string, _ int) {
		if arg(args, 1) == "" {
			p.alertf("'%s' expects %s as argument.", args[0], what)
			return
		}
		if p.tooManyArgs(1, 0, args) {
			return
		}
		*field(a) = args[1]
	}
}

func (p *parser) fcgiPathInfo(a *FCGIApp, args []string, kwm int) {
	if arg(args, 1) == "" {
		p.alertf("'%s' expects <regex> as argument.", args[0])
		return
	}
	if p.tooManyArgs(1, 0, args) {
		return
	}
	if _, err := regexp.Compile(args[1]); err != nil {
		p.alertf("'%s' : regex '%s' is invalid (%v).", args[1], args[1], err)
		return
	}
	a.PathInfo = args[1]
}

func (p *parser) fcgiACL(a *FCGIApp, args []string, _ int) {
	if ch, bad := invalidChar(arg(args, 1)); bad {
		p.alertf("character '%c' is not permitted in acl name '%s'.", ch, args[1])
		return
	}
	if strings.EqualFold(arg(args, 1), "or") {
		p.alertf("acl name '%s' will never match. 'or' is used to express a logical disjunction within a condition.", args[1])
		return
	}
	n := len(a.px.ACLs)
	p.parseACLLine(a.px, args)
	a.ACLs = append(a.ACLs, a.px.ACLs[n:]...)
}

// fcgiRule parses set-param and pass-header lines.
func (p *parser) fcgiRule(a *FCGIApp, args []string, _ int) {
	r := FCGIRule{Pass: args[0] == "pass-header", Name: arg(args, 1), File: p.file, Line: p.line}
	var rest []string
	if !r.Pass {
		if arg(args, 1) == "" || arg(args, 2) == "" {
			p.alertf("'%s' expects <name> and <value> as arguments.", args[0])
			return
		}
		r.Value, rest = args[2], args[3:]
	} else if r.Name == "" {
		p.alertf("'%s' expects <name> as arguments.", args[0])
		return
	} else {
		rest = args[2:]
	}
	for len(rest) > 0 && rest[len(rest)-1] == "" {
		rest = rest[:len(rest)-1]
	}
	if len(rest) > 0 {
		if rest[0] != "if" && rest[0] != "unless" {
			p.alertf("'%s' : (null).", r.Name) // HAProxy 2.6 prints no reason
			return
		}
		c, msg := p.parseCond(a.px, rest)
		if msg != "" {
			p.alertf("'%s' : %s.", r.Name, msg)
			return
		}
		r.Cond = c
	}
	a.Rules = append(a.Rules, r)
}

func (p *parser) fcgiOption(a *FCGIApp, args []string, kwm int) {
	flags := map[string]*bool{"keep-conn": &a.KeepConn, "get-values": &a.GetValues, "mpxs-conns": &a.MpxsConns}
	name := arg(args, 1)
	switch {
	case name == "":
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects an option name.", p.file, p.line, args[0]))
	case flags[name] != nil:
		if p.tooManyArgs(1, 1, args) {
			return
		}
		*flags[name] = kwm != kwmNo
	case name == "max-reqs":
		if kwm != kwmStd {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: negation/default is not supported for option '%s'.", p.file, p.line, name))
			return
		}
		if arg(args, 2) == "" {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: option '%s' expects an integer argument.", p.file, p.line, name))
			return
		}
		if p.tooManyArgs(2, 1, args) {
			return
		}
		n, _ := strconv.Atoi(args[2])
		if n <= 0 {
			p.alertRaw(fmt.Sprintf("parsing [%s:%d]: option '%s' expects a strictly positive integer argument.", p.file, p.line, name))
			return
		}
		a.MaxReqs = n
	default:
		p.alertf("unknown option '%s'.", name)
	}
}

func (p *parser) fcgiLogStderr(a *FCGIApp, args []string, kwm int) {
	if kwm == kwmNo {
		a.LogStderr, a.LogStderrGlobal = nil, false
		return
	}
	if arg(args, 1) == "global" {
		a.LogStderrGlobal = true
		return
	}
	lt, msg := p.parseLog(args, false)
	if msg != "" {
		p.alertf("%s : %s", args[0], msg)
		return
	}
	a.LogStderr = append(a.LogStderr, *lt)
}

// useFCGIApp parses a backend's `use-fcgi-app NAME`.
func (p *parser) useFCGIApp(px *Proxy, args []string, _ int) bool {
	switch {
	case px.Cap&CapDefaults != 0 || px.Cap&CapBackend == 0:
		p.alertf("'%s' only available in backend or listen section", args[0])
	case arg(args, 1) == "":
		p.alertf("'%s' expects <name> as argument", args[0])
	case px.FCGIApp != "" && px.FCGIApp != args[1]:
		p.alertf("'%s' : only one fcgi-app supported per backend", args[0])
	default:
		px.FCGIApp = args[1]
	}
	return true
}

// checkFCGI runs HAProxy's checks of FastCGI applications once every
// section is read: the references and the servers' protocol first, then
// the application checks, which stop at the first failure as HAProxy's
// do (visiting the proxies in order, the fcgi-apps last declared first).
func (p *parser) checkFCGI() {
	for _, px := range p.cfg.Proxies {
		if px.FCGIApp != "" && p.fcgiApp(px.FCGIApp) == nil {
			p.checkAlert(px.File, px.Line, fmt.Sprintf("proxy '%s' : fcgi-app '%s' not found.", px.Name, px.FCGIApp))
		}
		for _, s := range px.Servers {
			if s.Proto == ProtoFCGI && px.Mode != ModeHTTP {
				p.checkAlert(s.File, s.Line, fmt.Sprintf("%s '%s' : MUX protocol 'fcgi' is not usable for server '%s' at [%s:%d].",
					proxyTypeStr(px), px.Name, s.Name, s.File, s.Line))
			}
		}
	}
	if msg := p.fcgiAppChecks(); msg != "" {
		p.checkAlert("", 0, msg)
	}
}

// fcgiAppChecks is HAProxy's cfg_fcgi_apps_postparser(): the first
// failure, or "".
func (p *parser) fcgiAppChecks() string {
	for _, px := range p.cfg.Proxies {
		app := px.FCGIApp != "" && p.fcgiApp(px.FCGIApp) != nil
		if app && px.Mode != ModeHTTP {
			return fmt.Sprintf("proxy '%s': FCGI application cannot be used in non-HTTP mode.", px.Name)
		}
		n := 0
		for _, s := range px.Servers {
			if s.Proto != ProtoFCGI {
				continue
			}
			n++
			if !app && px.Mode == ModeHTTP {
				return fmt.Sprintf("proxy '%s': FCGI server '%s' has no FCGI app configured.", px.Name, s.Name)
			}
		}
		if app && n == 0 {
			return fmt.Sprintf("proxy '%s': FCGI app configured but no FCGI server found.", px.Name)
		}
	}
	for i := len(p.cfg.FCGIApps) - 1; i >= 0; i-- {
		a := p.cfg.FCGIApps[i]
		if a.DocRoot == "" {
			return fmt.Sprintf("fcgi-app '%s': no docroot configured.", a.Name)
		}
		if !a.MpxsConns && !a.GetValues {
			if a.MaxReqs > 1 {
				p.rec.warn(a.File, a.Line, fmt.Sprintf("fcgi-app '%s': multiplexing not supported, ignore the option 'max-reqs'.", a.Name))
			}
			a.MaxReqs = 1
		}
	}
	return ""
}
