package config

import (
	"fmt"
	"strings"
)

func capString(c Cap) string {
	switch {
	case c&CapDefaults != 0:
		return "defaults"
	case c == CapListen:
		return "listen"
	case c == CapFrontend:
		return "frontend"
	}
	return "backend"
}

// invalidChar is HAProxy's invalid_char(): the first character of name
// that is not alphanumeric, '.', ':', '_' or '-' (or 0 when name is
// empty), and whether one was found.
func invalidChar(name string) (byte, bool) {
	if name == "" {
		return 0, true
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnum(c) && c != '.' && c != ':' && c != '_' && c != '-' {
			return c, true
		}
	}
	return 0, false
}

// newProxy starts a proxy or defaults section.
func (p *parser) newSection(args []string) {
	kw := args[0]
	var c Cap
	switch kw {
	case "listen":
		c = CapListen
	case "frontend":
		c = CapFrontend
	case "backend":
		c = CapBackend
	default:
		c = CapDefaults | CapListen
	}
	isDef := c&CapDefaults != 0
	name := arg(args, 1)
	if !isDef {
		if name == "" {
			p.abortf("'%s' expects an <id> argument", kw)
			return
		}
		if ch, bad := invalidChar(name); bad {
			p.alertf("character '%c' is not permitted in '%s' name '%s'.", ch, kw, name)
		}
		for _, o := range p.cfg.Proxies {
			if o.Name == name && o.Cap&c != 0 {
				p.alertRaw(fmt.Sprintf("Parsing [%s:%d]: %s '%s' has the same name as %s '%s' declared at %s:%d.",
					p.file, p.line, capString(c), name, capString(o.Cap), o.Name, o.File, o.Line))
				break
			}
		}
		if a2 := arg(args, 2); a2 != "" && (arg(args, 3) == "" || a2 != "from") || p.tooManyArgs(3, 0, args) {
			if a2 != "" && (arg(args, 3) == "" || a2 != "from") {
				p.alertf("'%s' cannot handle unexpected argument '%s'.", kw, a2)
			}
			if c&CapFrontend != 0 {
				p.alertf("please use the 'bind' keyword for listening addresses.")
			}
			p.cur = nil
			p.skipping = true
			return
		}
	}
	ai := 2
	if isDef && name == "from" && arg(args, 2) != "" && arg(args, 3) == "" {
		ai, name = 1, ""
	}
	var parent *Proxy
	if !isDef {
		parent = p.lastDef
	}
	if arg(args, ai) == "from" {
		ref := arg(args, ai+1)
		var found []*Proxy
		for _, d := range p.cfg.Defaults {
			if d.Name == ref {
				found = append(found, d)
			}
		}
		if len(found) == 0 {
			p.abortf("defaults section '%s' not found for %s '%s'.", ref, capString(c), name)
			return
		}
		parent = found[0]
		if len(found) > 1 {
			p.alertf("ambiguous defaults section name '%s' referenced by %s '%s' exists at least at %s:%d and %s:%d.",
				ref, capString(c), name, found[0].File, found[0].Line, found[1].File, found[1].Line)
		}
		if ch, bad := invalidChar(ref); bad {
			p.alertf("character '%c' is not permitted in defaults section name '%s' when designated by its name (section found at %s:%d).", ch, ref, parent.File, parent.Line)
		}
		p.state(parent).explicitRef = true
	} else if parent != nil {
		p.state(parent).implicitRef = true
	}
	if parent != nil {
		st := p.state(parent)
		if st.explicitRef && st.implicitRef {
			p.warnf("defaults section '%s' (declared at %s:%d) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.", parent.Name, parent.File, parent.Line)
		}
		if isDef && p.state(parent).hasRules {
			p.abortRaw(fmt.Sprintf("parsing [%s:%d]: a defaults section cannot inherit from a defaults section defining TCP/HTTP rules (defaults section at %s:%d).", p.file, p.line, parent.File, parent.Line))
			return
		}
		if c&CapBackend != 0 && !isDef && p.state(parent).hasCaptures {
			p.abortRaw(fmt.Sprintf("parsing [%s:%d]: backend or defaults sections cannot inherit from a defaults section defining capptures (defaults section at %s:%d).", p.file, p.line, parent.File, parent.Line))
			return
		}
	}
	px := inherit(parent)
	px.Name, px.Cap, px.File, px.Line = name, c, p.file, p.line
	if parent != nil {
		px.From = parent.Name
	}
	p.pxs[px] = &pxState{acls: map[string][]*ACL{}}
	if parent != nil {
		p.state(px).hasCaptures = p.state(parent).hasCaptures && isDef
	}
	p.skipping = false
	p.cur = px
	if isDef {
		p.cfg.Defaults = append(p.cfg.Defaults, px)
		p.lastDef = px
		return
	}
	if px.Maxconn == 0 && p.opts.DefaultMaxconn > 0 && c&CapFrontend != 0 {
		px.Maxconn = p.opts.DefaultMaxconn
	}
	p.cfg.Proxies = append(p.cfg.Proxies, px)
}

func (p *parser) state(px *Proxy) *pxState {
	st := p.pxs[px]
	if st == nil {
		st = &pxState{acls: map[string][]*ACL{}}
		p.pxs[px] = st
	}
	return st
}

// inherit returns a new proxy carrying the settings a proxy copies from
// its defaults section (nil: HAProxy's built-in defaults).
func inherit(d *Proxy) *Proxy {
	px := &Proxy{Retries: -1, DefaultServer: Server{Weight: -1}}
	if d == nil {
		return px
	}
	px.Mode = d.Mode
	px.Maxconn = d.Maxconn
	px.Fullconn = d.Fullconn
	px.Timeouts = d.Timeouts
	px.Retries = d.Retries
	px.Options = d.Options
	px.DefaultBackend = d.DefaultBackend
	px.Balance = d.Balance
	px.Balance.Args = append([]string(nil), d.Balance.Args...)
	px.DefaultServer = d.DefaultServer
	px.DefaultServer.Set = copySet(d.DefaultServer.Set)
	px.HTTPReuse = d.HTTPReuse
	px.LogGlobal = d.LogGlobal
	px.Logs = append([]LogTarget(nil), d.Logs...)
	px.LogFormat = d.LogFormat
	px.Rewrite = d.Rewrite
	px.TCPRequestInspectDelay = d.TCPRequestInspectDelay
	px.CaptureRequestHeaders = append([]Capture(nil), d.CaptureRequestHeaders...)
	px.CaptureResponseHeaders = append([]Capture(nil), d.CaptureResponseHeaders...)
	if d.ErrorFiles != nil {
		px.ErrorFiles = map[int][]byte{}
		for k, v := range d.ErrorFiles {
			px.ErrorFiles[k] = v
		}
	}
	px.Stats = d.Stats
	px.Stats.Auth = append([]UserPass(nil), d.Stats.Auth...)
	px.Stats.Scope = append([]string(nil), d.Stats.Scope...)
	px.MonitorURI = d.MonitorURI
	if d.ErrorLocs != nil {
		px.ErrorLocs = map[int]ErrorLoc{}
		for k, v := range d.ErrorLocs {
			px.ErrorLocs[k] = v
		}
	}
	px.ErrorFilesRefs = append([]ErrorFilesRef(nil), d.ErrorFilesRefs...)
	px.Cookie = d.Cookie
	px.Traffic = d.Traffic
	px.Compression = d.Compression
	px.HTTPAfterResponse = append([]*Rule(nil), d.HTTPAfterResponse...)
	px.HealthChk = d.HealthChk
	px.HealthChk.Headers = append([][2]string(nil), d.HealthChk.Headers...)
	// Rules of a (named) defaults section run before the proxy's own.
	px.HTTPRequest = append([]*Rule(nil), d.HTTPRequest...)
	px.HTTPResponse = append([]*Rule(nil), d.HTTPResponse...)
	px.TCPRequestConnection = append([]*Rule(nil), d.TCPRequestConnection...)
	px.TCPRequestContent = append([]*Rule(nil), d.TCPRequestContent...)
	return px
}

func copySet(m map[string]bool) map[string]bool {
	if m == nil {
		return nil
	}
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (p *parser) parseErrorfile(px *Proxy, args []string) {
	if arg(args, 2) == "" {
		p.alertf("%s : <%s> expects <status_code> and <file> as arguments.", px.Name, args[0])
		return
	}
	code := atoiC(args[1])
	valid := map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 405: true, 407: true, 408: true, 410: true, 413: true, 425: true, 429: true, 500: true, 501: true, 502: true, 503: true, 504: true}
	if !valid[code] {
		p.alertf("%s : status code '%s' not handled.", args[0], args[1])
		return
	}
	data, err := p.opts.ReadFile(p.filePath(args[2]))
	if err != nil {
		p.alertf("error opening file '%s'.", args[2])
		return
	}
	if len(data) == 0 {
		p.warnf("ignored empty errorfile '%s'.", args[2])
		return
	}
	if px.ErrorFiles == nil {
		px.ErrorFiles = map[int][]byte{}
	}
	px.ErrorFiles[code] = data
}

func (p *parser) parseCapture(px *Proxy, args []string) {
	ignored := px.Cap&CapDefaults == 0 && px.Cap&CapFrontend == 0
	if ignored {
		// HAProxy warns, then still checks the syntax.
		p.warnf("'%s' ignored because %s '%s' has no frontend capability.", "capture", capString(px.Cap), px.Name)
	}
	what := arg(args, 1)
	if what == "cookie" {
		if arg(args, 2) == "" || arg(args, 3) != "len" || arg(args, 4) == "" {
			p.alertf("'%s' expects 'cookie' <cookie_name> 'len' <len>.", args[0])
			return
		}
		p.warnf("'capture cookie' is a known HAProxy keyword that goha accepts but ignores (logging detail: the %%CC/%%CS log fields stay empty).")
		return
	}
	if what != "request" && what != "response" {
		p.alertf("'%s' expects 'cookie' or 'request' or 'response'.", args[0])
		return
	}
	if arg(args, 2) != "header" {
		p.alertf("'%s %s' expects 'header' or 'cookie'.", args[0], what)
		return
	}
	if arg(args, 3) == "" || arg(args, 4) != "len" || arg(args, 5) == "" {
		p.alertf("'capture %s header' expects <header name> 'len' <len>.", what)
		return
	}
	if p.tooManyArgs(4, 1, args) {
		return
	}
	if ignored {
		return
	}
	if px.Cap&CapDefaults != 0 {
		p.state(px).hasCaptures = true
	}
	c := Capture{Name: args[3], Len: atoiC(args[5])}
	if what == "request" {
		px.CaptureRequestHeaders = append(px.CaptureRequestHeaders, c)
	} else {
		px.CaptureResponseHeaders = append(px.CaptureResponseHeaders, c)
	}
}

func (p *parser) parseHTTPCheck(px *Proxy, args []string) {
	h := &px.HealthChk
	a1 := arg(args, 1)
	switch {
	case a1 == "send":
		for i := 2; i < len(args) && args[i] != ""; i++ {
			v := arg(args, i+1)
			switch args[i] {
			case "meth":
				h.Method = v
			case "uri", "uri-lf":
				h.URI = v
			case "ver":
				h.Version = v
			case "hdr":
				h.Headers = append(h.Headers, [2]string{v, arg(args, i+2)})
				i++
			case "body", "body-lf":
				h.Body = v
			case "comment":
			default:
				p.alertf("'%s send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '%s' as argument..", args[0], args[i])
				return
			}
			i++
		}
	case a1 == "expect":
		if msg := checkExpect(args[0], args[2:], true); msg != "" {
			p.alertf("%s", msg)
			return
		}
		w := trimArgs(args[2:])
		i := 0
		for i < len(w) && w[i] != "!" && w[i] != "status" && w[i] != "rstatus" && w[i] != "string" &&
			w[i] != "rstring" && w[i] != "hdr" && w[i] != "fhdr" && w[i] != "string-lf" {
			i += 2
		}
		neg := false
		if i < len(w) && w[i] == "!" {
			neg = true
			i++
		}
		if i+1 < len(w) && w[i] == "status" {
			for _, r := range strings.Split(w[i+1], ",") {
				lo, hi, ok := strings.Cut(r, "-")
				if !isInteger(lo) || ok && !isInteger(hi) {
					p.alertf("'%s expect' : invalid range of status codes '%s'.", args[0], w[i+1])
					return
				}
			}
		}
		if i+1 < len(w) {
			switch w[i] {
			case "status", "rstatus", "string", "rstring":
				h.ExpectKind, h.ExpectValue, h.ExpectNeg = w[i], w[i+1], neg
			default:
				p.warnf("'%s expect %s' is a known HAProxy check that goha accepts but ignores (the response status decides).", args[0], w[i])
			}
		}
	case a1 == "disable-on-404":
		h.DisableOn404 = true
	case a1 == "send-state":
		h.SendState = true
	case a1 == "connect", a1 == "comment", isVarAction(a1):
	default:
		p.alertf("'%s' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got '%s'", args[0], a1)
		return
	}
	h.HTTPRules = append(h.HTTPRules, trimArgs(args[1:]))
}

// validNet reports whether s is an IPv4/IPv6 address with optional mask.
func validNet(s string) bool {
	_, ok := parseCIDR(s)
	return ok
}
