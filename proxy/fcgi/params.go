package fcgi

import (
	"encoding/base64"
	"net/netip"
	"regexp"
	"strconv"

	"github.com/goha/goha/proxy/http1"
)

// App is an `fcgi-app` section as the gateway needs it.
type App struct {
	// Name is the section's name (the tag of STDERR log lines).
	Name string
	// DocRoot, Index and PathInfo are `docroot`, `index` and
	// `path-info` (nil when absent).
	DocRoot  string
	Index    string
	PathInfo *regexp.Regexp
	// KeepConn is `option keep-conn` (HAProxy's default): the
	// application keeps the connection for the next request.
	KeepConn bool
	// GetValues, MpxsConns and MaxReqs are `option get-values`,
	// `option mpxs-conns` and `option max-reqs N`.
	GetValues bool
	MpxsConns bool
	MaxReqs   int
	// Software is SERVER_SOFTWARE.
	Software string
	// MaxHead bounds the application's response head (HAProxy:
	// tune.bufsize - tune.maxrewrite); 0 means 15360.
	MaxHead int
}

func (a *App) maxHead() int {
	if a.MaxHead > 0 {
		return a.MaxHead
	}
	return 15360
}

// Meta is what the stream knows about a request beyond its bytes: the
// client's and the listener's addresses, TLS, and the outcome of the
// fcgi-app's rules, evaluated on the request.
type Meta struct {
	Src, Dst netip.AddrPort
	TLS      bool
	// Params are the set-param results in the order HAProxy adds them
	// (by name; a later rule of the same name replaces an earlier one).
	// Names are as configured; empty values are not sent.
	Params []Pair
	// Hide are the lowercased names of the request headers not passed
	// to the application (hop-by-hop and credentials unless a
	// pass-header rule applied).
	Hide []string
}

// DefaultHidden are the headers HAProxy hides from FastCGI applications
// unless `pass-header` names them.
var DefaultHidden = []string{"connection", "keep-alive", "authorization", "proxy", "proxy-authorization",
	"proxy-authenticate", "te", "trailers", "transfer-encoding", "upgrade"}

// Default parameter flags (HAProxy's FCGI_SP_*), in the order they are
// encoded after the request's headers.
const (
	spGateway = 1 << iota
	spDocRoot
	spScriptName
	spPathInfo
	spReqURI
	spReqMeth
	spQS
	spSrvName
	spSrvPort
	spSrvProto
	spRemAddr
	spRemPort
	spScriptFile
	spPathTrans
	spContLen
	spSrvSoft
	spHTTPS
)

// overrides maps a set-param name to the default parameter it replaces.
var overrides = map[string]int{
	"GATEWAY_INTERFACE": spGateway, "DOCUMENT_ROOT": spDocRoot, "SCRIPT_NAME": spScriptName,
	"PATH_INFO": spPathInfo, "REQUEST_URI": spReqURI, "REQUEST_METHOD": spReqMeth,
	"QUERY_STRING": spQS, "SERVER_NAME": spSrvName, "SERVER_PORT": spSrvPort,
	"SERVER_PROTOCOL": spSrvProto, "REMOTE_ADDR": spRemAddr, "REMOTE_PORT": spRemPort,
	"SCRIPT_FILENAME": spScriptFile, "PATH_TRANSLATED": spPathTrans, "CONTENT_LENGTH": spContLen,
	"HTTPS": spHTTPS, "SERVER_SOFTWARE": spSrvSoft,
}

// params is the state of one request's parameter build.
type params struct {
	mask                               int
	docroot, script, pathInfo, uri, qs string
	srvName                            string
	contLen                            string
}

// paramName is HAProxy's encoding of a parameter name: upper case, any
// character other than a letter or digit as '_'.
func paramName(dst []byte, prefix string, n []byte) []byte {
	dst = append(dst, prefix...)
	for _, c := range n {
		switch {
		case c >= 'a' && c <= 'z':
			dst = append(dst, c-'a'+'A')
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			dst = append(dst, c)
		default:
			dst = append(dst, '_')
		}
	}
	return dst
}

// restrictedName reports whether a header name has a character other
// than a letter, a digit or '-' (HAProxy deletes those headers for
// FastCGI backends: option http-restrict-req-hdr-names delete).
func restrictedName(n []byte) bool {
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return true
		}
	}
	return false
}

func hidden(m *Meta, n []byte) bool {
	for _, h := range m.Hide {
		if string(n) == h {
			return true
		}
	}
	return false
}

// AppendParams appends the CGI parameters of req as a name-value pair
// stream, as HAProxy 2.6 builds them: the request's headers (CONTENT_TYPE,
// CONTENT_LENGTH, HTTP_*) in order, then the set-param values, then the
// default parameters not set by one. bodyAtHand is the body length to
// send as CONTENT_LENGTH when the request has no Content-Length.
func AppendParams(dst []byte, req *http1.Request, app *App, m *Meta, bodyAtHand int64) ([]byte, error) {
	var p params
	var name []byte
	for i := range req.Headers {
		h := &req.Headers[i]
		if restrictedName(h.Name) || hidden(m, h.Name) {
			continue
		}
		v := h.Value
		switch string(h.Name) {
		case "content-length":
			p.mask |= spContLen
			dst = appendPairBytes(dst, []byte("CONTENT_LENGTH"), v)
			continue
		case "content-type":
			dst = appendPairBytes(dst, []byte("CONTENT_TYPE"), v)
			continue
		case "host":
			p.srvName = string(v)
		case "expect":
			if http1.EqualFold(v, "100-continue") {
				continue // answered by the gateway (interim 100)
			}
		}
		name = paramName(name[:0], "HTTP_", h.Name)
		dst = appendPairBytes(dst, name, v)
	}
	for _, sp := range m.Params {
		name = paramName(name[:0], "", []byte(sp.Name))
		if sp.Value == "" {
			continue
		}
		p.set(string(name), sp.Value)
		dst = AppendPair(dst, string(name), sp.Value)
	}
	if err := p.defaults(req, app, m, bodyAtHand); err != nil {
		return dst, err
	}
	return p.appendDefaults(dst, req, app, m), nil
}

// set records a set-param that replaces a default parameter.
func (p *params) set(name, v string) {
	f, ok := overrides[name]
	if !ok {
		return
	}
	p.mask |= f
	switch f {
	case spDocRoot:
		p.docroot = v
	case spScriptName:
		p.script = v
	case spPathInfo:
		p.pathInfo = v
	case spReqURI:
		p.uri = v
	}
}

// defaults computes the default parameters' values (HAProxy's
// fcgi_set_default_param).
func (p *params) defaults(req *http1.Request, app *App, m *Meta, bodyAtHand int64) error {
	if p.mask&spDocRoot == 0 {
		p.docroot = app.DocRoot
	}
	if p.mask&spReqURI == 0 {
		p.uri = string(req.URI)
	}
	if p.mask&spContLen == 0 {
		p.contLen = strconv.FormatInt(bodyAtHand, 10)
	}
	if p.srvName == "" && m.Dst.IsValid() {
		p.srvName = m.Dst.Addr().String()
	}
	const uriMask = spScriptName | spPathInfo | spQS
	if p.mask&uriMask == uriMask {
		return nil
	}
	path := uriPath(p.uri)
	if p.mask&spScriptName == 0 && path == "" {
		return protoErr("request URI %q has no path", p.uri)
	}
	if i := indexByte(path, '?'); i >= 0 {
		if p.mask&spQS == 0 {
			p.qs = path[i+1:]
		}
		path = path[:i]
	}
	if p.mask&spScriptName != 0 {
		p.mask |= spPathInfo
		return nil
	}
	dec, ok := urlDecode(path)
	if !ok {
		return protoErr("request path %q does not decode", path)
	}
	p.script = dec
	if re := app.PathInfo; re != nil {
		if indexByte(dec, '\n') >= 0 || indexByte(dec, 0) >= 0 {
			return protoErr("decoded path %q has a line feed or a NUL", dec)
		}
		if sm := re.FindStringSubmatchIndex(dec); len(sm) >= 4 && sm[2] >= 0 {
			p.script = dec[sm[2]:sm[3]]
			if p.mask&spPathInfo == 0 && len(sm) >= 6 && sm[4] >= 0 {
				p.pathInfo = dec[sm[4]:sm[5]]
			}
		}
	}
	if app.Index != "" && len(p.script) > 0 && p.script[len(p.script)-1] == '/' {
		p.script += app.Index
	}
	return nil
}

// appendDefaults encodes the default parameters not set otherwise, in
// HAProxy's order, skipping empty values.
func (p *params) appendDefaults(dst []byte, req *http1.Request, app *App, m *Meta) []byte {
	add := func(f int, name, v string) {
		if p.mask&f == 0 && v != "" {
			dst = AppendPair(dst, name, v)
		}
	}
	add(spGateway, "GATEWAY_INTERFACE", "CGI/1.1")
	add(spDocRoot, "DOCUMENT_ROOT", p.docroot)
	add(spScriptName, "SCRIPT_NAME", p.script)
	add(spPathInfo, "PATH_INFO", p.pathInfo)
	add(spReqURI, "REQUEST_URI", p.uri)
	add(spReqMeth, "REQUEST_METHOD", string(req.Method))
	add(spQS, "QUERY_STRING", p.qs)
	add(spSrvName, "SERVER_NAME", p.srvName)
	add(spSrvPort, "SERVER_PORT", strconv.Itoa(int(m.Dst.Port())))
	add(spSrvProto, "SERVER_PROTOCOL", string(req.Proto))
	if m.Src.IsValid() {
		add(spRemAddr, "REMOTE_ADDR", m.Src.Addr().Unmap().String())
	}
	add(spRemPort, "REMOTE_PORT", strconv.Itoa(int(m.Src.Port())))
	add(spScriptFile, "SCRIPT_FILENAME", p.docroot+p.script)
	if p.pathInfo != "" {
		add(spPathTrans, "PATH_TRANSLATED", p.docroot+p.pathInfo)
	}
	add(spContLen, "CONTENT_LENGTH", p.contLen)
	add(spSrvSoft, "SERVER_SOFTWARE", app.Software)
	if m.TLS {
		add(spHTTPS, "HTTPS", "on")
	}
	return dst
}

// uriPath returns the path and query of a request target (the part
// from the first '/' of an absolute-form target).
func uriPath(uri string) string {
	if len(uri) > 0 && uri[0] == '/' || uri == "*" {
		return uri
	}
	if i := indexString(uri, "://"); i >= 0 {
		rest := uri[i+3:]
		if j := indexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return ""
	}
	return uri
}

// urlDecode decodes %XX escapes (HAProxy's url_decode without the
// query-string '+' rule).
func urlDecode(s string) (string, bool) {
	if indexByte(s, '%') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		h, l := unhex(s[i+1]), unhex(s[i+2])
		if h < 0 || l < 0 {
			return "", false
		}
		b = append(b, byte(h<<4|l))
		i += 2
	}
	return string(b), true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func indexString(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// AuthParams returns HAProxy's default set-params REMOTE_USER and
// AUTH_TYPE (%[http_auth_user], %[http_auth_type]) for an Authorization
// header value: the scheme, and the user of Basic credentials.
func AuthParams(auth []byte) (user, typ string) {
	s := string(auth)
	i := indexByte(s, ' ')
	if i <= 0 {
		return "", ""
	}
	typ = s[:i]
	if !http1.EqualFold([]byte(typ), "basic") {
		return "", typ
	}
	dec, err := base64.StdEncoding.DecodeString(trimSpace(s[i+1:]))
	if err != nil {
		return "", typ
	}
	d := string(dec)
	if j := indexByte(d, ':'); j >= 0 {
		d = d[:j]
	}
	return d, typ
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
