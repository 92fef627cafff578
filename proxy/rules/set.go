package rules

import (
	"fmt"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/sample"
)

// Set is a proxy's HTTP rules, compiled once per runtime: a backend's
// are applied after use_backend picked it.
type Set struct {
	Req, Rsp, After []*HTTPRule
}

// TCPRule is a compiled tcp-request connection, session or content
// rule: the first accept or reject whose condition matches ends the
// rules; a stick counter action (Track) or silent-drop acts and, but for
// silent-drop, goes on.
type TCPRule struct {
	Accept bool
	Cond   *acl.Cond
	// Track is a stick counter action (TrackKind: TrackSC, IncGPC or
	// SetGPT); SilentDrop closes the connection without a word.
	Track      *Track
	TrackKind  Kind
	SilentDrop bool
	// Var is a set-var, set-var-fmt or unset-var action (tcp-request
	// content rules).
	Var *VarAction
}

// Switch is a compiled use_backend rule: Backend names a backend, or
// Dyn, when not nil, is a log-format name (`use_backend %[...]`)
// evaluated per request.
type Switch struct {
	Cond    *acl.Cond
	Backend string
	Dyn     *sample.Format
}

// CompileSet compiles a proxy's http-request, http-response and
// http-after-response rules; errs are its error pages (ErrorPages) and
// o what log-format values need.
func CompileSet(p *config.Proxy, errs map[int][]byte, o *sample.Options) (*Set, error) {
	rs := &Set{}
	for _, r := range p.HTTPRequest {
		hr, err := compileHTTP(r, "http-request", errs, o)
		if err != nil {
			return nil, err
		}
		rs.Req = append(rs.Req, hr)
	}
	// The legacy `redirect` rules run after the http-request rules, as
	// in HAProxy (an `http-request allow` that ends those skips them
	// here too, which HAProxy does not).
	for _, r := range p.Redirects {
		hr, err := compileHTTP(r, "http-request", errs, o)
		if err != nil {
			return nil, err
		}
		rs.Req = append(rs.Req, hr)
	}
	for _, r := range p.HTTPResponse {
		hr, err := compileHTTP(r, "http-response", errs, o)
		if err != nil {
			return nil, err
		}
		rs.Rsp = append(rs.Rsp, hr)
	}
	for _, r := range p.HTTPAfterResponse {
		hr, err := compileHTTP(r, "http-after-response", errs, o)
		if err != nil {
			return nil, err
		}
		switch hr.Kind {
		case Allow, SetHeader, AddHeader, DelHeader:
		default:
			return nil, fmt.Errorf("%s: not supported in http-after-response", hr.src)
		}
		rs.After = append(rs.After, hr)
	}
	return rs, nil
}

// CompileSwitching compiles a frontend's use_backend rules. Backend
// names are not resolved here: the caller knows the backends.
func CompileSwitching(p *config.Proxy, o *sample.Options) ([]Switch, error) {
	var out []Switch
	for _, u := range p.UseBackends {
		c, err := acl.CompileWith(u.Cond, o.ACLRefs())
		if err != nil {
			return nil, fmt.Errorf("frontend %q: use_backend %q: %w", p.Name, u.Backend, err)
		}
		name, err := sample.CompileFormat(u.Backend, o)
		if err != nil {
			return nil, fmt.Errorf("frontend %q: use_backend: %w", p.Name, err)
		}
		if !name.Static() {
			out = append(out, Switch{Cond: c, Dyn: name})
			continue
		}
		out = append(out, Switch{Cond: c, Backend: string(name.Literal())})
	}
	return out, nil
}

// CompileConnRules compiles a frontend's tcp-request connection rules.
func CompileConnRules(p *config.Proxy) ([]*TCPRule, error) {
	return compileTCPRules(p, p.TCPRequestConnection, "connection", nil)
}

// CompileContentRules compiles a frontend's tcp-request content rules.
// In mode http the content rules run before the HTTP request is parsed;
// goha evaluates them on the parsed request instead, which only works
// for rules that do not read the raw payload: others are refused there.
func CompileContentRules(p *config.Proxy) ([]*TCPRule, error) {
	return compileTCPRules(p, p.TCPRequestContent, "content", nil)
}

// compileTCPRules compiles one kind of tcp-request rules.
func compileTCPRules(p *config.Proxy, set []*config.Rule, where string, o *sample.Options) ([]*TCPRule, error) {
	var out []*TCPRule
	for _, r := range set {
		c, err := acl.CompileWith(r.Cond, o.ACLRefs())
		if err != nil {
			return nil, fmt.Errorf("frontend %q: tcp-request %s %s: %w", p.Name, where, r.Action, err)
		}
		if where == "content" && p.Mode != config.ModeTCP && c.NeedsPayload() {
			return nil, fmt.Errorf("frontend %q [%s:%d]: tcp-request content rules reading the raw payload are not supported in mode http", p.Name, r.File, r.Line)
		}
		tr := &TCPRule{Accept: r.Action == "accept", Cond: c}
		other, err := compileTCPAction(tr, r, o)
		if err != nil {
			return nil, fmt.Errorf("frontend %q [%s:%d]: tcp-request %s %s: %w", p.Name, r.File, r.Line, where, r.Action, err)
		}
		if !other && r.Action != "accept" && r.Action != "reject" {
			return nil, fmt.Errorf("frontend %q [%s:%d]: tcp-request %s %q is not supported", p.Name, r.File, r.Line, where, r.Action)
		}
		out = append(out, tr)
	}
	return out, nil
}

// ErrorPages normalises a proxy's errorfiles and adds its errorloc
// redirects (which replace the page of their status); nil when it has
// none.
func ErrorPages(p *config.Proxy) (map[int][]byte, error) {
	if len(p.ErrorFiles) == 0 && len(p.ErrorLocs) == 0 {
		return nil, nil
	}
	m := make(map[int][]byte, len(p.ErrorFiles)+len(p.ErrorLocs))
	for code, raw := range p.ErrorFiles {
		b, err := http1.NormalizeErrorFile(raw)
		if err != nil {
			return nil, fmt.Errorf("proxy %q: errorfile for status %d: %w", p.Name, code, err)
		}
		m[code] = b
	}
	for code, loc := range p.ErrorLocs {
		m[code] = errorLocPage(loc)
	}
	return m, nil
}

// errorLocPage is the redirect HAProxy sends instead of an error page
// for `errorloc302`/`errorloc303 CODE URL`.
func errorLocPage(loc config.ErrorLoc) []byte {
	line := "HTTP/1.1 302 Found"
	if loc.Code == 303 {
		line = "HTTP/1.1 303 See Other"
	}
	return []byte(line + "\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: " + loc.URL + "\r\n\r\n")
}
