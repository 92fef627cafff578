package statspage

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/goha/goha/proxy/stats"
)

// DefaultURI and DefaultRealm are HAProxy's defaults.
const (
	DefaultURI   = "/haproxy?stats"
	DefaultRealm = "HAProxy Statistics"
)

// Config is a proxy's `stats` settings.
type Config struct {
	// ProxyName is the proxy serving the page (its name in the title).
	ProxyName string
	URI       string // "" = DefaultURI
	Realm     string // "" = DefaultRealm
	// Auth lists `stats auth user:password` accounts (none: no auth).
	Auth        [][2]string
	Refresh     time.Duration
	HideVersion bool
	ShowNode    bool
	NodeName    string // `stats show-node NAME` ("" = the process node)
	ShowLegends bool
	ShowDesc    string
	// Scope limits the proxies shown (`stats scope`); empty: all.
	Scope []string
	// Product, Version and ReleaseDate are shown in the title unless
	// HideVersion.
	Product, Version, ReleaseDate string
}

// Info is the process summary at the top of the page.
type Info struct {
	Pid, ProcessNum, Nbthread int
	Uptime                    time.Duration
	Ulimit, Maxsock, Maxconn  int
	CurConns, ConnRate        int64
	Tasks                     int
	Node, Description         string
}

// Source is what the page shows and acts on: the data plane's side.
type Source interface {
	// StatRows returns the `show stat` rows.
	StatRows() []stats.Row
	// PageInfo returns the process summary.
	PageInfo() Info
	// ServerAction applies a form action ("ready", "drain", "maint",
	// "dhlth", "ehlth", "hrunn", "hnolb", "hdown", "shutdown") to a
	// server of a backend given by name or "#<iid>".
	ServerAction(backend, server, action string) error
}

// ErrUnknownAction is returned by a Source for actions it does not know;
// the page then answers st=ERRP.
var ErrUnknownAction = errors.New("unknown action")

// Request is what the engine passes from an HTTP request.
type Request struct {
	Method string
	// URI is the request target (path and query) as received.
	URI string
	// Authorization is the Authorization header's value ("" if none).
	Authorization string
	// Body is the request body (the admin form's POST).
	Body []byte
	// Admin says `stats admin` allows this request to change servers.
	Admin bool
}

// Response is what the engine sends back.
type Response struct {
	Status int
	// Header lists extra header fields (lower-case names) besides
	// content-length, which the engine adds.
	Header [][2]string
	Body   []byte
}

// Page is one proxy's stats page. It is immutable and safe for
// concurrent use.
type Page struct {
	cfg   Config
	scope map[string]bool
}

// New returns the page for cfg, with HAProxy's defaults applied.
func New(cfg Config) *Page {
	if cfg.URI == "" {
		cfg.URI = DefaultURI
	}
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	if cfg.Product == "" {
		cfg.Product = "goha"
	}
	p := &Page{cfg: cfg}
	if len(cfg.Scope) > 0 {
		p.scope = map[string]bool{}
		for _, s := range cfg.Scope {
			p.scope[s] = true
		}
	}
	return p
}

// URI returns the page's URI prefix.
func (p *Page) URI() string { return p.cfg.URI }

// Match reports whether a request target belongs to the page: it starts
// with the stats URI prefix.
func (p *Page) Match(target []byte) bool {
	return bytes.HasPrefix(target, []byte(p.cfg.URI))
}

// Authorized checks an Authorization header against `stats auth`.
func (p *Page) Authorized(authorization string) bool {
	if len(p.cfg.Auth) == 0 {
		return true
	}
	scheme, cred, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return false
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return false
	}
	for _, a := range p.cfg.Auth {
		if a[0] == user && a[1] == pass {
			return true
		}
	}
	return false
}

// options are the `;word` suffixes of the URI.
type options struct {
	csv, json, typed, up, norefresh bool
	schema                          bool // ;json-schema
	status                          string
	scope                           string
}

func (p *Page) parseOptions(target string) options {
	var o options
	rest := strings.TrimPrefix(target, p.cfg.URI)
	for _, part := range strings.Split(rest, ";") {
		switch {
		case part == "csv":
			o.csv = true
		case part == "json":
			o.json = true
		case part == "json-schema":
			o.schema = true
		case part == "typed":
			o.typed = true
		case part == "up":
			o.up = true
		case part == "norefresh":
			o.norefresh = true
		case strings.HasPrefix(part, "st="):
			o.status = part[3:]
		case strings.HasPrefix(part, "scope="):
			o.scope = part[6:]
		}
	}
	if i := strings.Index(rest, "scope="); i >= 0 && o.scope == "" {
		v := rest[i+6:]
		if j := strings.IndexAny(v, ";&"); j >= 0 {
			v = v[:j]
		}
		o.scope, _ = url.QueryUnescape(v)
	}
	return o
}

// Serve answers one request for the page.
func (p *Page) Serve(req Request, src Source) Response {
	if !p.Authorized(req.Authorization) {
		return Response{Status: 401, Header: [][2]string{
			{"cache-control", "no-cache"},
			{"content-type", "text/html"},
			{"www-authenticate", `Basic realm="` + p.cfg.Realm + `"`},
		}, Body: []byte("<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n")}
	}
	if req.Method == "POST" {
		return p.post(req, src)
	}
	o := p.parseOptions(req.URI)
	hdr := [][2]string{{"cache-control", "no-cache"}}
	if o.schema {
		hdr = append(hdr, [2]string{"content-type", "application/json"})
		return Response{Status: 200, Header: hdr, Body: []byte(stats.JSONSchema)}
	}
	if p.cfg.Refresh > 0 && !o.norefresh && !o.csv && !o.json && !o.typed {
		hdr = append(hdr, [2]string{"refresh", strconv.FormatInt(int64(p.cfg.Refresh/time.Second), 10)})
	}
	rows := p.filter(src.StatRows(), o.scope)
	so := stats.StatOptions{IID: -1, Types: -1, SID: -1, Legends: p.cfg.ShowLegends, Up: o.up}
	var b bytes.Buffer
	switch {
	case o.csv:
		stats.WriteStat(&b, rows, so)
		hdr = append(hdr, [2]string{"content-type", "text/plain"})
	case o.json:
		so.Format = stats.FormatJSON
		stats.WriteStat(&b, rows, so)
		hdr = append(hdr, [2]string{"content-type", "application/json"})
	case o.typed:
		so.Format = stats.FormatTyped
		stats.WriteStat(&b, rows, so)
		hdr = append(hdr, [2]string{"content-type", "text/plain"})
	default:
		hdr = append(hdr, [2]string{"content-type", "text/html"})
		b.Write(p.render(rows, src.PageInfo(), o, req.Admin))
	}
	return Response{Status: 200, Header: hdr, Body: b.Bytes()}
}

// filter keeps the rows of the proxies in `stats scope` and the ;scope=
// option.
func (p *Page) filter(rows []stats.Row, scope string) []stats.Row {
	if p.scope == nil && scope == "" {
		return rows
	}
	out := rows[:0]
	for _, r := range rows {
		name := r.Get(stats.ColPxname).Str()
		if p.scope != nil && !p.scope[name] {
			continue
		}
		if scope != "" && !strings.Contains(name, scope) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// post applies the admin form: b (proxy), s (servers), action.
func (p *Page) post(req Request, src Source) Response {
	st := "DENY"
	if req.Admin {
		st = p.apply(req.Body, src)
	}
	return Response{Status: 303, Header: [][2]string{
		{"cache-control", "no-cache"},
		{"content-type", "text/plain"},
		{"location", p.cfg.URI + ";st=" + st},
	}}
}

func (p *Page) apply(body []byte, src Source) string {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "ERRP"
	}
	be, action, servers := form.Get("b"), form.Get("action"), form["s"]
	if be == "" || action == "" {
		return "ERRP"
	}
	if len(servers) == 0 {
		return "NONE"
	}
	done := 0
	for _, s := range servers {
		err := src.ServerAction(be, s, action)
		if errors.Is(err, ErrUnknownAction) {
			return "ERRP"
		}
		if err == nil {
			done++
		}
	}
	switch {
	case done == len(servers):
		return "DONE"
	case done == 0:
		return "NONE"
	}
	return "PART"
}

// statusMessages are the result banners of the admin form.
var statusMessages = map[string]struct{ class, text string }{
	"DONE": {"active_up", "Action processed successfully."},
	"NONE": {"active_going_down", "Nothing has changed."},
	"PART": {"active_going_down", "Action not processed for some servers."},
	"ERRP": {"active_down", "Action not processed because of invalid parameters."},
	"EXCD": {"active_down", "Action not processed : the buffer couldn't store all the data.  You should retry with less servers at a time."},
	"DENY": {"active_down", "Action denied."},
	"IVAL": {"active_down", "Invalid requests (unsupported method or chunked encoded request)."},
}
