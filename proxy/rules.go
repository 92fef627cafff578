package proxy

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/http1"
)

type ruleKind uint8

const (
	ruleAllow ruleKind = iota
	ruleDeny
	ruleReject
	ruleReturn
	ruleRedirect
	ruleAuth
	ruleSetHeader
	ruleAddHeader
	ruleDelHeader
	ruleSetPath
)

// httpRule is a compiled http-request or http-response rule.
type httpRule struct {
	kind  ruleKind
	cond  *acl.Cond
	name  []byte // lowercased header name
	value []byte // header value or path
	// page is the full response for deny/return/auth (built at New).
	page   []byte
	status int
	// redirect
	redirKind string // location, prefix, scheme
	dropQuery bool
	src       string
}

// compileHTTPRule builds a rule; errs are the proxy's errorfiles.
func compileHTTPRule(r *config.Rule, request bool, errs map[int][]byte) (*httpRule, error) {
	dir := "http-response"
	if request {
		dir = "http-request"
	}
	where := fmt.Sprintf("%s %s [%s:%d]", dir, r.Action, r.File, r.Line)
	c, err := acl.Compile(r.Cond)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	hr := &httpRule{cond: c, status: r.Status, src: where}
	literal := func(v string) ([]byte, error) {
		if strings.Contains(v, "%[") || strings.Contains(v, "%{") || (strings.Contains(v, "%") && !strings.Contains(v, "%%")) {
			return nil, fmt.Errorf("%s: log-format value %q is not supported (only literal values)", where, v)
		}
		return []byte(strings.ReplaceAll(v, "%%", "%")), nil
	}
	switch r.Action {
	case "allow":
		hr.kind = ruleAllow
	case "deny", "tarpit":
		hr.kind = ruleDeny
		if hr.status == 0 {
			hr.status = 403
		}
		hr.page = pageFor(hr.status, errs)
		if hr.page == nil {
			return nil, fmt.Errorf("%s: no error page for status %d", where, hr.status)
		}
	case "reject":
		hr.kind = ruleReject
	case "return":
		if !request {
			return nil, fmt.Errorf("%s: not supported in responses", where)
		}
		hr.kind = ruleReturn
		if hr.status == 0 {
			hr.status = 200
		}
		if r.BodyLF && bytes.Contains(r.Body, []byte("%")) {
			return nil, fmt.Errorf("%s: lf-string bodies with log-format variables are not supported", where)
		}
		hr.page = buildReturn(hr.status, r.ContentType, r.Headers, r.Body, errs)
	case "redirect":
		if !request {
			return nil, fmt.Errorf("%s: not supported in responses", where)
		}
		hr.kind = ruleRedirect
		if hr.status == 0 {
			hr.status = 302
		}
		hr.redirKind = r.RedirectKind
		if hr.redirKind == "" {
			hr.redirKind = "location"
		}
		if hr.value, err = literal(r.Value); err != nil {
			return nil, err
		}
		for _, h := range r.Headers {
			if h[0] == "drop-query" {
				hr.dropQuery = true
			}
		}
	case "auth":
		hr.kind = ruleAuth
		realm := r.Realm
		if realm == "" {
			realm = "HAProxy"
		}
		hr.status = 401
		body := http1.ErrorPageBody(401)
		hr.page = []byte("HTTP/1.1 401 Unauthorized\r\ncontent-length: " + strconv.Itoa(len(body)) +
			"\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"" + realm + "\"\r\n\r\n" + body)
	case "set-header", "add-header", "del-header":
		hr.kind = map[string]ruleKind{"set-header": ruleSetHeader, "add-header": ruleAddHeader, "del-header": ruleDelHeader}[r.Action]
		hr.name = []byte(strings.ToLower(r.Name))
		if hr.kind != ruleDelHeader {
			if hr.value, err = literal(r.Value); err != nil {
				return nil, err
			}
		}
	case "set-path":
		if !request {
			return nil, fmt.Errorf("%s: not supported in responses", where)
		}
		hr.kind = ruleSetPath
		if hr.value, err = literal(r.Value); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s: action %q is not supported", where, r.Action)
	}
	return hr, nil
}

// pageFor returns the errorfile for status or the built-in page.
func pageFor(status int, errs map[int][]byte) []byte {
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
		if p := pageFor(status, errs); p != nil {
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

// appendRedirect builds a redirect response into dst.
func (r *httpRule) appendRedirect(dst []byte, req *http1.Request, host []byte) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(r.status), 10)
	dst = append(dst, ' ')
	dst = append(dst, http1.Reason(r.status)...)
	dst = append(dst, "\r\ncontent-length: 0\r\nlocation: "...)
	uri := req.URI
	if r.dropQuery {
		if i := bytes.IndexByte(uri, '?'); i >= 0 {
			uri = uri[:i]
		}
	}
	switch r.redirKind {
	case "prefix":
		if !(len(r.value) == 1 && r.value[0] == '/') {
			dst = append(dst, r.value...)
		}
		dst = append(dst, uri...)
	case "scheme":
		dst = append(dst, r.value...)
		dst = append(dst, "://"...)
		dst = append(dst, host...)
		dst = append(dst, uri...)
	default:
		dst = append(dst, r.value...)
	}
	dst = append(dst, "\r\n"...)
	if r.status == 302 || r.status == 303 {
		// HAProxy 2.6 adds cache-control to its 302 redirects.
		dst = append(dst, "cache-control: no-cache\r\n"...)
	}
	return append(dst, "\r\n"...)
}
