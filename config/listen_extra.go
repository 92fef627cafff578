package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// errorCodes are the status codes HAProxy lets errorfile/errorloc/
// http-errors replace.
var errorCodes = map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 405: true, 407: true,
	408: true, 410: true, 413: true, 425: true, 429: true, 500: true, 501: true, 502: true, 503: true, 504: true}

// parseCookie handles `cookie NAME [rewrite|insert|prefix] [options]`.
func (p *parser) parseCookie(px *Proxy, args []string) {
	name := arg(args, 1)
	if name == "" {
		p.alertf("'%s' expects <cookie_name> as argument.", args[0])
		return
	}
	c := &CookiePersist{Name: name}
	for i := 2; i < len(args) && args[i] != ""; i++ {
		switch w := args[i]; w {
		case "rewrite", "insert", "prefix":
			if c.Mode != "" && c.Mode != w {
				p.alertf("'%s' : '%s' and '%s' options are incompatible.", args[0], c.Mode, w)
				return
			}
			c.Mode = w
		case "indirect":
			c.Indirect = true
		case "nocache":
			c.NoCache = true
		case "postonly":
			c.PostOnly = true
		case "preserve":
			c.Preserve = true
		case "httponly":
			c.HTTPOnly = true
		case "secure":
			c.Secure = true
		case "dynamic":
			c.Dynamic = true
		case "domain", "attr":
			if arg(args, i+1) == "" {
				p.alertf("'%s' : '%s' expects a value.", args[0], w)
				return
			}
			if w == "domain" {
				c.Domains = append(c.Domains, args[i+1])
			} else {
				c.Attrs = append(c.Attrs, args[i+1])
			}
			i++
		case "maxidle", "maxlife":
			v := arg(args, i+1)
			if v == "" {
				p.alertf("'%s' : '%s' expects <idletime> in seconds as argument.", args[0], w)
				return
			}
			d, res, bad, _ := parseTime(v, time.Second)
			if res == timeBadChar {
				p.alertf("'%s' : invalid character '%c' in argument to '%s'.", args[0], bad, w)
				return
			}
			if w == "maxidle" {
				c.MaxIdle = d
			} else {
				c.MaxLife = d
			}
			i++
		default:
			p.alertf("'%s' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options.", args[0])
			return
		}
	}
	if (c.PostOnly || c.NoCache) && c.Mode != "insert" && c.Mode != "" {
		// HAProxy only warns about useless options.
	}
	px.Cookie = c
}

// parseMonitorURI handles `monitor-uri URI`.
func (p *parser) parseMonitorURI(px *Proxy, args []string) {
	if !p.capOK(px, CapFrontend, args[0]) {
		return
	}
	if arg(args, 1) == "" {
		p.alertf("'%s' expects an URI.", args[0])
		return
	}
	if p.tooManyArgs(1, 0, args) {
		return
	}
	px.MonitorURI = args[1]
}

// parseErrorloc handles `errorloc|errorloc302|errorloc303 CODE URL`.
func (p *parser) parseErrorloc(px *Proxy, args []string) {
	if arg(args, 2) == "" {
		p.alertf("%s : expects <status_code> and <url> as arguments.", args[0])
		return
	}
	if p.tooManyArgs(2, 0, args) {
		return
	}
	code := atoiC(args[1])
	if !errorCodes[code] {
		p.alertf("%s : status code '%s' not handled.", args[0], args[1])
		return
	}
	st := 302
	if args[0] == "errorloc303" {
		st = 303
	}
	if px.ErrorLocs == nil {
		px.ErrorLocs = map[int]ErrorLoc{}
	}
	px.ErrorLocs[code] = ErrorLoc{Code: st, URL: args[2]}
}

// parseErrorfiles handles `errorfiles NAME [CODE...]`; the section is
// looked up once everything is read.
func (p *parser) parseErrorfiles(px *Proxy, args []string) {
	if arg(args, 1) == "" {
		p.alertf("%s : expects <name> as argument.", args[0])
		return
	}
	ref := ErrorFilesRef{Name: args[1], File: p.file, Line: p.line}
	for _, w := range args[2:] {
		if w == "" {
			continue
		}
		code := atoiC(w)
		if !errorCodes[code] {
			p.alertf("%s : status code '%s' not handled.", args[0], w)
			continue
		}
		ref.Codes = append(ref.Codes, code)
	}
	px.ErrorFilesRefs = append(px.ErrorFilesRefs, ref)
}

// parseFilter handles `filter NAME [args]`.
func (p *parser) parseFilter(px *Proxy, args []string) {
	name := arg(args, 1)
	if name == "" {
		p.alertf("'%s' expects a filter name.", args[0])
		return
	}
	if _, known := filterTable.get(name); known {
		if d, limited := filterTable.status(name); limited {
			p.unsupported(d, fmt.Sprintf("filter '%s' is a known HAProxy filter", name))
		}
		return // compression: the `compression` keywords configure it
	}
	p.alertf("'%s' : unknown keyword '%s'. Registered keywords :\n    [CACHE] cache\n    [COMP] compression\n    [FCGI] fcgi-app\n    [SPOE] spoe\n    [TRACE] trace\n    [BWLIM] bwlim-in\n    [BWLIM] bwlim-out", args[0], name)
}

// compressionAlgos are the algorithms HAProxy 2.6 (Debian, zlib) knows.
var compressionAlgos = map[string]bool{"identity": true, "gzip": true, "deflate": true, "raw-deflate": true}

// parseCompression handles `compression algo|type|offload ...`.
func (p *parser) parseCompression(px *Proxy, args []string) {
	c := &Compression{}
	if px.Compression != nil {
		cp := *px.Compression
		cp.Algos = append([]string(nil), cp.Algos...)
		cp.Types = append([]string(nil), cp.Types...)
		c = &cp
	}
	switch arg(args, 1) {
	case "algo":
		if arg(args, 2) == "" {
			p.alertf("'%s' expects <algorithm>", args[0])
			return
		}
		for _, a := range args[2:] {
			if a == "" {
				continue
			}
			if !compressionAlgos[a] {
				p.alertf("'%s' : '%s' is not a supported algorithm.", args[0], a)
				return
			}
			c.Algos = append(c.Algos, a)
		}
	case "type":
		if arg(args, 2) == "" {
			p.alertf("'%s' expects <type>", args[0])
			return
		}
		c.Types = append(c.Types, trimArgs(args[2:])...)
	case "offload":
		c.Offload = true
	default:
		p.alertf("'%s' expects 'algo', 'type' or 'offload'", args[0])
		return
	}
	px.Compression = c
}

// httpAfterResActionList is what HAProxy 2.6 prints for an unknown
// http-after-response action.
const httpAfterResActionList = "'ot-group', 'add-header', 'allow', 'capture', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status', 'strict-mode', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'"

// parseAfterResponse handles `http-after-response ACTION ...`.
func (p *parser) parseAfterResponse(px *Proxy, args []string) {
	if px.Cap&CapDefaults != 0 && px.Name == "" {
		p.alertf("'%s' not allowed in anonymous 'defaults' section.", args[0])
		return
	}
	action := arg(args, 1)
	if !knownAction(httpAfterResActionList, action) {
		p.abortRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects %s, but got '%s'.", p.file, p.line, args[0], httpAfterResActionList, action))
		return
	}
	p.afterResponse = true
	r, msg, _ := p.parseHTTPAction(px, args[1:], false)
	p.afterResponse = false
	if msg != "" {
		msg = strings.Replace(msg, "'http-response ", "'http-after-response ", 1)
		e := p.alertRaw(fmt.Sprintf("parsing [%s:%d] : %s", p.file, p.line, msg))
		e.Abort = true
		p.rec.aborted = true
		return
	}
	if r == nil {
		return
	}
	if px.Cap&CapDefaults != 0 {
		p.state(px).hasRules = true
	}
	r.File, r.Line = p.file, p.line
	px.HTTPAfterResponse = append(px.HTTPAfterResponse, r)
}

// parseServerTemplate handles `server-template PREFIX NUM|LOW-HIGH
// FQDN[:PORT] [options]`: one server per number, named PREFIX<n>.
func (p *parser) parseServerTemplate(px *Proxy, args []string) {
	where := fmt.Sprintf("[%s:%d] : ", p.file, p.line)
	if px.Cap&CapDefaults != 0 {
		p.alertf("'%s' not allowed in 'defaults' section.", args[0])
		return
	}
	if arg(args, 1) == "" || arg(args, 2) == "" || arg(args, 3) == "" {
		p.alertRaw(where + fmt.Sprintf("'%s' expects <prefix> <nb | range> <addr>[:<port>] as arguments.", args[0]))
		return
	}
	lo, hi := 1, 0
	rng := args[2]
	if i := strings.IndexByte(rng, '-'); i >= 0 {
		lo, _ = strconv.Atoi(rng[:i])
		hi, _ = strconv.Atoi(rng[i+1:])
	} else {
		hi, _ = strconv.Atoi(rng)
	}
	if lo < 1 || hi < lo {
		p.alertRaw(where + fmt.Sprintf("'%s' : wrong range '%s' for server template.", args[0], rng))
		return
	}
	if hi-lo > 4096 {
		hi = lo + 4096
	}
	// The line is parsed once, as HAProxy does (one set of messages,
	// which name the server "(null)" as HAProxy's do), and the server
	// copied for each number.
	base := len(px.Servers)
	p.parseServer(px, append([]string{"server", "(null)"}, args[3:]...))
	if len(px.Servers) == base {
		return
	}
	first := px.Servers[base]
	first.Name = args[1] + strconv.Itoa(lo)
	first.Template, first.TemplatePrefix, first.TemplateIndex = true, args[1], lo
	for n := lo + 1; n <= hi; n++ {
		s := *first
		s.Name, s.TemplateIndex, s.ID = args[1]+strconv.Itoa(n), n, 0
		s.Set = copySet(first.Set)
		s.ResolveOpts = append([]string(nil), first.ResolveOpts...)
		s.ResolveNets = append([]netip.Prefix(nil), first.ResolveNets...)
		px.Servers = append(px.Servers, &s)
	}
}
