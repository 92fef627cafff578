// Package rules compiles a proxy's rules once per runtime, from the
// config model into plain values the sessions (package stream) execute:
// http-request, http-response and http-after-response rules through an
// action table (one row per action keyword, httpActions), tcp-request
// connection and content rules, use_backend switching rules, and the
// errorfile/errorloc pages deny, return and error answers send. It
// knows nothing of sessions: evaluating a rule's condition or value on
// a live request is the stream's job.
package rules

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/sample"
)

// Kind is what an HTTP rule does when its condition matches.
type Kind uint8

// HTTP rule kinds, one per action keyword (more in track.go).
const (
	Allow Kind = iota
	Deny
	Reject
	Return
	Redirect
	Auth
	SetHeader
	AddHeader
	DelHeader
	SetPath
)

// HTTPRule is a compiled http-request, http-response or
// http-after-response rule.
type HTTPRule struct {
	Kind  Kind
	Cond  *acl.Cond
	Name  []byte         // lowercased header name
	Value *sample.Format // header value, path or redirect target
	// Page is the full response for deny/return/auth (built at New);
	// with a log-format body, dyn builds it per request instead (see
	// AppendDynPage).
	Page   []byte
	dyn    *dynPage
	Status int
	// redirect
	redirKind   string // location, prefix, scheme
	dropQuery   bool
	appendSlash bool
	// IgnoreEmpty is redirect's ignore-empty: an empty target skips
	// the rule.
	IgnoreEmpty bool
	cookie      string // Set-Cookie value of set-cookie/clear-cookie
	src         string
	// Track is a stick counter action's detail (TrackSC, IncGPC, SetGPT).
	Track *Track
	// RW is a rewrite or variable action's detail (rewrite.go).
	RW *Rewrite
}

// dynPage is a deny/return answer whose body or headers are log-format
// strings, built per request.
type dynPage struct {
	ctype string
	hdrs  []dynHdr
	body  *sample.Format
}

type dynHdr struct {
	name  string
	value *sample.Format
}

// ruleCompiler compiles what one http-request/http-response action
// needs into hr.
type ruleCompiler struct {
	r       *config.Rule
	hr      *HTTPRule
	request bool
	where   string
	errs    map[int][]byte
	o       *sample.Options
}

// httpActions is the table of HTTP rule actions: one row per keyword,
// whether it is valid in responses, and its compiler.
var httpActions = map[string]struct {
	responses bool
	compile   func(c *ruleCompiler) error
}{
	"allow":      {true, func(c *ruleCompiler) error { c.hr.Kind = Allow; return nil }},
	"reject":     {true, func(c *ruleCompiler) error { c.hr.Kind = Reject; return nil }},
	"deny":       {true, (*ruleCompiler).deny},
	"tarpit":     {true, (*ruleCompiler).deny},
	"return":     {false, (*ruleCompiler).ret},
	"redirect":   {false, (*ruleCompiler).redirect},
	"auth":       {false, (*ruleCompiler).auth},
	"set-header": {true, headerAction(SetHeader)},
	"add-header": {true, headerAction(AddHeader)},
	"set-path":   {false, (*ruleCompiler).setPath},
}

// compileHTTP builds a rule; errs are the proxy's error pages and o
// what log-format values need.
func compileHTTP(r *config.Rule, dir string, errs map[int][]byte, o *sample.Options) (*HTTPRule, error) {
	request := dir == "http-request"
	where := fmt.Sprintf("%s %s [%s:%d]", dir, r.Action, r.File, r.Line)
	cond, err := acl.CompileWith(r.Cond, o.ACLRefs())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	act, ok := httpActions[r.Action]
	switch {
	case !ok:
		return nil, fmt.Errorf("%s: action %q is not supported", where, r.Action)
	case !request && !act.responses:
		return nil, fmt.Errorf("%s: not supported in responses", where)
	}
	c := &ruleCompiler{r: r, hr: &HTTPRule{Cond: cond, Status: r.Status, src: where}, request: request, where: where, errs: errs, o: o}
	if err := act.compile(c); err != nil {
		return nil, err
	}
	return c.hr, nil
}

// lf compiles a log-format value of the rule.
func (c *ruleCompiler) lf(v string) (*sample.Format, error) {
	e, err := sample.CompileFormat(v, c.o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.where, err)
	}
	return e, nil
}

// deny: 403 by default in requests, 502 in responses (HAProxy's
// http-response deny default).
func (c *ruleCompiler) deny() error {
	c.hr.Kind = Deny
	if c.hr.Status == 0 {
		c.hr.Status = 403
		if !c.request {
			c.hr.Status = 502
		}
	}
	return c.answer()
}

func (c *ruleCompiler) ret() error {
	c.hr.Kind = Return
	if c.hr.Status == 0 {
		c.hr.Status = 200
	}
	return c.answer()
}

// answer builds the page a deny or return sends: fixed bytes, or a
// dynamic page when its body or a header holds a log-format value.
func (c *ruleCompiler) answer() error {
	r, hr := c.r, c.hr
	dynamic := r.BodyLF && bytes.Contains(r.Body, []byte("%"))
	for _, h := range r.Headers {
		if strings.Contains(h[1], "%") {
			dynamic = true
		}
	}
	if !dynamic {
		if r.Action != "return" && r.Body == nil && r.ContentType == "" && len(r.Headers) == 0 {
			hr.Page = PageFor(hr.Status, c.errs)
		} else {
			hr.Page = buildReturn(hr.Status, r.ContentType, r.Headers, r.Body, c.errs)
		}
		if hr.Page == nil {
			return fmt.Errorf("%s: no error page for status %d", c.where, hr.Status)
		}
		return nil
	}
	d := &dynPage{ctype: r.ContentType}
	var err error
	if d.body, err = c.lf(string(r.Body)); err != nil {
		return err
	}
	if !r.BodyLF {
		d.body = sample.LiteralFormat(r.Body)
	}
	for _, h := range r.Headers {
		v, err := c.lf(h[1])
		if err != nil {
			return err
		}
		d.hdrs = append(d.hdrs, dynHdr{name: strings.ToLower(h[0]), value: v})
	}
	hr.dyn = d
	return nil
}

func (c *ruleCompiler) redirect() error {
	r, hr := c.r, c.hr
	hr.Kind = Redirect
	if hr.Status == 0 {
		hr.Status = 302
	}
	hr.redirKind = r.RedirectKind
	if hr.redirKind == "" {
		hr.redirKind = "location"
	}
	var err error
	if hr.Value, err = c.lf(r.Value); err != nil {
		return err
	}
	for i := 0; i < len(r.Flags); i++ {
		switch fl := r.Flags[i]; fl {
		case "drop-query":
			hr.dropQuery = true
		case "append-slash":
			hr.appendSlash = true
		case "ignore-empty":
			hr.IgnoreEmpty = true
		case "set-cookie", "clear-cookie":
			if i+1 < len(r.Flags) {
				i++
				if fl == "set-cookie" {
					hr.cookie = r.Flags[i] + "; path=/;"
				} else {
					hr.cookie = r.Flags[i] + "; path=/; Max-Age=0;"
				}
			}
		}
	}
	return nil
}

func (c *ruleCompiler) auth() error {
	hr := c.hr
	hr.Kind = Auth
	realm := c.r.Realm
	if realm == "" {
		realm = "HAProxy"
	}
	hr.Status = 401
	body := http1.ErrorPageBody(401)
	hr.Page = []byte("HTTP/1.1 401 Unauthorized\r\ncontent-length: " + strconv.Itoa(len(body)) +
		"\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"" + realm + "\"\r\n\r\n" + body)
	return nil
}

// headerAction returns the compiler of set-header, add-header or del-header.
func headerAction(kind Kind) func(c *ruleCompiler) error {
	return func(c *ruleCompiler) error {
		r, hr := c.r, c.hr
		hr.Kind = kind
		hr.Name = []byte(strings.ToLower(r.Name))
		if kind == DelHeader {
			if len(r.Flags) == 2 && r.Flags[0] == "-m" && r.Flags[1] != "str" {
				return fmt.Errorf("%s: del-header -m %s is not supported", c.where, r.Flags[1])
			}
			return nil
		}
		var err error
		hr.Value, err = c.lf(r.Value)
		return err
	}
}

func (c *ruleCompiler) setPath() error {
	c.hr.Kind = SetPath
	var err error
	c.hr.Value, err = c.lf(c.r.Value)
	return err
}

// Dynamic reports whether the rule's answer has log-format parts: it is
// then built per request by AppendDynPage instead of being Page.
func (r *HTTPRule) Dynamic() bool { return r.dyn != nil }

// AppendDynPage builds a deny/return answer with log-format parts.
func (r *HTTPRule) AppendDynPage(dst []byte, x *sample.Ctx) []byte {
	d := r.dyn
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(r.Status), 10)
	dst = append(dst, ' ')
	dst = append(dst, http1.Reason(r.Status)...)
	dst = append(dst, "\r\ncontent-length: "...)
	// the body goes at the end; its length is patched in afterwards
	lenAt := len(dst)
	dst = append(dst, "          \r\n"...)
	if d.ctype != "" {
		dst = append(dst, "content-type: "...)
		dst = append(dst, d.ctype...)
		dst = append(dst, "\r\n"...)
	}
	for _, h := range d.hdrs {
		dst = append(dst, h.name...)
		dst = append(dst, ": "...)
		dst = h.value.AppendTo(dst, x, 0)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "\r\n"...)
	bodyAt := len(dst)
	dst = d.body.AppendTo(dst, x, 0)
	n := strconv.AppendInt(make([]byte, 0, 20)[:0], int64(len(dst)-bodyAt), 10)
	// shift the head left over the unused padding
	pad := 10 - len(n)
	copy(dst[lenAt:], n)
	copy(dst[lenAt+len(n):], dst[lenAt+10:])
	return dst[:len(dst)-pad]
}

// PageFor returns the errorfile for status or the built-in page.
func PageFor(status int, errs map[int][]byte) []byte {
	if p, ok := errs[status]; ok {
		return p
	}
	return http1.ErrorPage(status)
}

// buildReturn builds the response of `http-request return`, the way
// HAProxy 2.6 sends it: content-length, content-type, the hdr lines.
// Without a body, the errorfile (or built-in page) for the status is
// used when there is one.
func buildReturn(status int, ctype string, hdrs [][2]string, body []byte, errs map[int][]byte) []byte {
	if body == nil && ctype == "" && len(hdrs) == 0 {
		if p := PageFor(status, errs); p != nil {
			return p
		}
	}
	var b []byte
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http1.Reason(status)...)
	b = append(b, "\r\ncontent-length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n"...)
	if ctype != "" {
		b = append(b, "content-type: "...)
		b = append(b, ctype...)
		b = append(b, "\r\n"...)
	}
	for _, h := range hdrs {
		if h[0] == "drop-query" || h[0] == "append-slash" {
			continue
		}
		b = append(b, strings.ToLower(h[0])...)
		b = append(b, ": "...)
		b = append(b, h[1]...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, body...)
}

// AppendRedirect builds a redirect response into dst; target is the
// evaluated location, prefix or scheme.
func (r *HTTPRule) AppendRedirect(dst []byte, req *http1.Request, host, target []byte) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(r.Status), 10)
	dst = append(dst, ' ')
	dst = append(dst, http1.Reason(r.Status)...)
	dst = append(dst, "\r\ncontent-length: 0\r\nlocation: "...)
	uri := req.URI
	if r.dropQuery {
		if i := bytes.IndexByte(uri, '?'); i >= 0 {
			uri = uri[:i]
		}
	}
	switch r.redirKind {
	case "prefix":
		if !(len(target) == 1 && target[0] == '/') {
			dst = append(dst, target...)
		}
		dst = append(dst, uri...)
	case "scheme":
		dst = append(dst, target...)
		dst = append(dst, "://"...)
		dst = append(dst, host...)
		dst = append(dst, uri...)
	default:
		dst = append(dst, target...)
	}
	if r.appendSlash && dst[len(dst)-1] != '/' {
		dst = append(dst, '/')
	}
	dst = append(dst, "\r\n"...)
	if r.cookie != "" {
		dst = append(dst, "set-cookie: "...)
		dst = append(dst, r.cookie...)
		dst = append(dst, "\r\n"...)
	}
	if r.Status == 302 || r.Status == 303 {
		// HAProxy 2.6 adds cache-control to its 302 redirects.
		dst = append(dst, "cache-control: no-cache\r\n"...)
	}
	return append(dst, "\r\n"...)
}
