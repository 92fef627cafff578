package acl

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/goha/goha/config"
)

// fake is a test Sample. Headers are raw lines; Header splits values on
// commas as the HTTP engine does.
type fake struct {
	method, path, url, version, sni []byte
	headers                         [][2][]byte // lowercase name, raw value
	src                             netip.Addr
	srcPort, dstPort                int
	ssl, notHTTP                    bool
}

func (f *fake) Method() []byte  { return f.method }
func (f *fake) Path() []byte    { return f.path }
func (f *fake) URL() []byte     { return f.url }
func (f *fake) Src() netip.Addr { return f.src }
func (f *fake) DstPort() int    { return f.dstPort }
func (f *fake) SrcPort() int    { return f.srcPort }
func (f *fake) SSL() bool       { return f.ssl }
func (f *fake) SNI() []byte     { return f.sni }
func (f *fake) HTTP() bool      { return !f.notHTTP }
func (f *fake) Version() []byte { return f.version }
func (f *fake) Dst() netip.Addr { return netip.MustParseAddr("10.1.1.1") }
func (f *fake) Nbsrv(b string) int {
	if b == "app" {
		return 2
	}
	return 0
}
func (f *fake) HTTPAuth(ul string) ([]byte, bool) {
	for _, h := range f.headers {
		if string(h[0]) == "authorization" && ul == "users" {
			return h[1], true // the fake takes the header as the user
		}
	}
	return nil, false
}
func (f *fake) InGroup(ul string, user []byte, g string) bool {
	return string(user) == "alice" && g == "admins"
}
func (f *fake) Header(name string, fn func([]byte) bool) {
	for _, h := range f.headers {
		if string(h[0]) != name {
			continue
		}
		v := h[1]
		for {
			i := bytes.IndexByte(v, ',')
			part := v
			if i >= 0 {
				part = v[:i]
			}
			if !fn(bytes.TrimSpace(part)) {
				return
			}
			if i < 0 {
				break
			}
			v = v[i+1:]
		}
	}
}

// req builds a fake HTTP request "METHOD target" with headers "name: value".
func req(method, target string, hdrs ...string) *fake {
	f := &fake{method: []byte(method), url: []byte(target), version: []byte("1.1"),
		src: netip.MustParseAddr("192.0.2.10"), srcPort: 40000, dstPort: 80}
	p := target
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if i := strings.Index(p, "://"); i >= 0 {
		// absolute form: the path starts after the authority
		p = p[i+3:]
		if j := strings.IndexByte(p, '/'); j >= 0 {
			p = p[j:]
		} else {
			p = ""
		}
	}
	f.path = []byte(p)
	for _, h := range hdrs {
		n, v, _ := strings.Cut(h, ":")
		f.headers = append(f.headers, [2][]byte{[]byte(strings.ToLower(n)), []byte(strings.TrimSpace(v))})
	}
	return f
}

// parseACL turns "fetch(arg) [-i] [-m m] patterns..." into a config.ACL.
func parseACL(t testing.TB, line string) *config.ACL {
	t.Helper()
	w := strings.Fields(line)
	a := &config.ACL{Fetch: w[0]}
	if i := strings.IndexByte(a.Fetch, '('); i >= 0 {
		a.Fetch, a.Arg = a.Fetch[:i], strings.TrimSuffix(a.Fetch[i+1:], ")")
	}
	w = w[1:]
	for len(w) > 0 {
		switch w[0] {
		case "-i":
			a.IgnoreCase = true
			w = w[1:]
			continue
		case "-m":
			a.Match = w[1]
			w = w[2:]
			continue
		case "--":
			w = w[1:]
		}
		break
	}
	a.Patterns = w
	return a
}

func TestACLMatch(t *testing.T) {
	get := req("GET", "/static/img/logo.png?user=bob&lang=fr;x=1", "Host: www.Example.com:8080", "X-Fwd: 10.0.0.1, 10.0.0.2", "Accept: text/html", "Content-Length: 12", "X-Empty:")
	post := req("POST", "http://example.org/api/v1", "Host: example.org")
	purge := req("PURGE", "/cache")
	star := req("OPTIONS", "*")
	tcp := &fake{notHTTP: true, src: netip.MustParseAddr("127.0.0.1"), dstPort: 443, ssl: true, sni: []byte("api.example.com")}
	v6 := &fake{notHTTP: true, src: netip.MustParseAddr("2001:db8::5"), dstPort: 8443}
	alice := req("GET", "/admin", "Authorization: alice")
	mapped := &fake{notHTTP: true, src: netip.MustParseAddr("::ffff:192.168.1.20")}

	for _, tc := range []struct {
		acl  string
		s    *fake
		want bool
	}{
		// path family
		{"path /static/img/logo.png", get, true},
		{"path /static", get, false},
		{"path -i /STATIC/IMG/LOGO.PNG", get, true},
		{"path_beg /static/ /api/", get, true},
		{"path_beg /api/", get, false},
		{"path_beg -i /STATIC", get, true},
		{"path_end .png .jpg", get, true},
		{"path_end -i .PNG", get, true},
		{"path_sub img", get, true},
		{"path_sub -i IMG/", get, true},
		{"path_sub zz", get, false},
		{"path_reg ^/static/.*\\.png$", get, true},
		{"path_reg -i ^/STATIC", get, true},
		{"path_reg ^/api", get, false},
		{"path_dir img", get, true},
		{"path_dir /img/", get, true},
		{"path_dir im", get, false},
		{"path_dir logo.png", get, true},
		{"path_dom static", get, true},
		{"path_dom png", get, true},
		{"path_len 20", get, true},
		{"path_len 21:", get, false},
		{"path_len gt 5", get, true},
		{"path -m beg /sta", get, true},
		{"path -m found", get, true},
		{"path -m found", tcp, false},
		{"path_beg /", tcp, false},
		// url family
		{"url_beg http://", post, true},
		{"url /static/img/logo.png?user=bob&lang=fr;x=1", get, true},
		{"url_sub lang=fr", get, true},
		{"url_reg ^[^/:]*://", post, true},
		{"url_dom example", post, true},
		{"url_end /v1", post, true},
		{"url_len 1", star, true},
		{"query -m found", get, true},
		{"query -m found", post, false},
		{"query -m sub lang", get, true},
		// base
		{"base www.Example.com:8080/static/img/logo.png", get, true},
		{"base_beg -i www.example.com:8080/static/", get, true},
		{"base_end .png", get, true},
		{"base_beg example.org/api", post, true},
		{"base -m found", tcp, false},
		// url parameters
		{"urlp(user) bob", get, true},
		{"urlp(user) alice", get, false},
		{"url_param(lang) fr", get, true},
		{"urlp(x) 1", get, true},
		{"urlp -m found", get, true},
		{"urlp(missing) -m found", get, false},
		{"urlp_beg(user) b", get, true},
		{"urlp_val(x) 1", get, true},
		{"urlp_val(x) gt 1", get, false},
		// headers
		{"hdr(host) -i www.example.com:8080", get, true},
		{"hdr(host) www.example.com:8080", get, false},
		{"hdr(Host) -i www.example.com:8080", get, true},
		{"hdr_beg(host) -i www.", get, true},
		{"hdr_end(host) :8080", get, true},
		{"hdr_dom(host) -i example", get, true},
		{"hdr_dom(host) -i example.com", get, true},
		{"hdr_dom(host) -i ample.com", get, false},
		{"hdr_sub(accept) html", get, true},
		{"hdr_reg(accept) ^text/", get, true},
		{"hdr_len(accept) 9", get, true},
		{"hdr(x-fwd) 10.0.0.2", get, true},
		{"hdr(x-fwd,1) 10.0.0.2", get, false},
		{"hdr(x-fwd,2) 10.0.0.2", get, true},
		{"hdr(x-fwd,-1) 10.0.0.2", get, true},
		{"hdr(x-fwd,-2) 10.0.0.1", get, true},
		{"hdr(x-fwd,-3) 10.0.0.1", get, false},
		{"hdr_cnt(x-fwd) 2", get, true},
		{"hdr_cnt(x-fwd) gt 2", get, false},
		{"hdr_cnt(nope) 0", get, true},
		{"hdr_cnt(host) eq 1", get, true},
		{"req.hdr_cnt(host) 1", get, true},
		{"hdr_val(content-length) gt 10", get, true},
		{"req.hdr_val(content-length) lt 10", get, false},
		{"req.hdr(host) -m found", get, true},
		{"req.hdr(x-empty) -m found", get, true},
		{"req.hdr(x-none) -m found", get, false},
		{"req.hdr(host) -m dom -i example", get, true},
		{"req.hdr(accept) -m len 9", get, true},
		{"req.hdr(host) -m bin 6578616d706c652e6f7267", post, true},
		// methods
		{"method GET HEAD", get, true},
		{"method GET", post, false},
		{"method get", get, false},
		{"method -i get", get, false},
		{"method PURGE", purge, true},
		{"method -i purge", purge, true},
		{"method purge", purge, false},
		{"method -m found", purge, true},
		{"method GET", tcp, false},
		// versions, protocol
		{"req.ver 1.1", get, true},
		{"req.ver 1.0", get, false},
		{"req.proto_http", get, true},
		{"req.proto_http", tcp, false},
		// addresses and ports
		{"src 192.0.2.0/24", get, true},
		{"src 192.0.2.11", get, false},
		{"src 192.0.2.10", get, true},
		{"src 192.0.2.0/255.255.255.0", get, true},
		{"src 10.0.0.0/8 192.0.2.8/29", get, true},
		{"src 127.1", tcp, true},
		{"src 127.0.0.1/8 ::1", tcp, true},
		{"src 2001:db8::/32", v6, true},
		{"src 2001:db9::/32", v6, false},
		{"src 192.168.1.0/24", mapped, true},
		{"src ::ffff:127.0.0.1", tcp, true},
		{"src ::ffff:127.0.0.0/104", tcp, true},
		{"src -m found", v6, true},
		{"src_port 1024:65535", get, true},
		{"src_port :1023", get, false},
		{"dst_port 443", tcp, true},
		{"dst_port 1024:65535", tcp, false},
		{"dst_port 8000:", v6, true},
		{"dst_port 80 443", get, true},
		{"dst_port lt 100", get, true},
		{"dst_port le 79", get, false},
		{"dst_port ge 80", get, true},
		{"dst_port -m bool", get, true},
		// TLS
		{"ssl_fc", tcp, true},
		{"ssl_fc", get, false},
		{"ssl_fc_sni api.example.com", tcp, true},
		{"ssl_fc_sni_end .example.com", tcp, true},
		{"ssl_fc_sni_reg ^api\\.", tcp, true},
		{"req.ssl_sni -i API.EXAMPLE.COM", tcp, false}, // the payload's, not ssl_fc_sni (payload_test.go)
		{"req.ssl_sni -m found", get, false},
		// dst, nbsrv, auth (optional abilities)
		{"dst 10.0.0.0/8", tcp, true},
		{"dst 192.168.0.0/16", tcp, false},
		{"nbsrv(app) ge 1", get, true},
		{"nbsrv(other) ge 1", get, false},
		{"nbsrv(other) 0", get, true},
		{"http_auth(users)", alice, true},
		{"http_auth(users)", get, false},
		{"http_auth(others)", alice, false},
		{"http_auth_group(users) ops admins", alice, true},
		{"http_auth_group(users) ops", alice, false},
		{"http_auth_group(users) admins", get, false},
		// booleans
		{"always_true", get, true},
		{"always_false", get, false},
		{"always_true -m int 1", get, true},
		{"always_false -m int 0", get, true},
		{"wait_end", tcp, true},
	} {
		t.Run(tc.acl, func(t *testing.T) {
			a, err := CompileACL(parseACL(t, tc.acl))
			if err != nil {
				t.Fatalf("CompileACL(%q) = %v", tc.acl, err)
			}
			if got := a.Match(tc.s); got != tc.want {
				t.Errorf("acl %q on %s %s = %v; want %v", tc.acl, tc.s.method, tc.s.url, got, tc.want)
			}
		})
	}
}

func TestSupported(t *testing.T) {
	for _, f := range []string{"path_beg", "hdr", "src", "dst", "nbsrv", "http_auth", "base_dir", "req.hdr_cnt"} {
		if !Supported(f) {
			t.Errorf("Supported(%q) = false", f)
		}
	}
	if Supported("req.rdp_cookie_cnt") || len(SupportedFetches()) != len(fetches) {
		t.Error("Supported/SupportedFetches disagree")
	}
}

func TestManyStrings(t *testing.T) {
	var pats []string
	for _, c := range "abcdefghijklmnopqrstuvwxyz" {
		pats = append(pats, "/"+string(c))
	}
	for _, tc := range []struct {
		icase bool
		path  string
		want  bool
	}{{false, "/q", true}, {false, "/Q", false}, {true, "/Q", true}, {false, "/qq", false}} {
		a, err := CompileACL(&config.ACL{Fetch: "path", Patterns: pats, IgnoreCase: tc.icase})
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Match(req("GET", tc.path)); got != tc.want {
			t.Errorf("path (26 patterns, -i=%v) on %q = %v; want %v", tc.icase, tc.path, got, tc.want)
		}
	}
}

func TestPredefined(t *testing.T) {
	get := req("GET", "/x", "Content-Length: 3")
	head := req("HEAD", "*")
	abs := req("POST", "https://h/x")
	old := req("GET", "/")
	old.version = []byte("1.0")
	local := req("DELETE", "/")
	local.src = netip.MustParseAddr("::1")
	tcp := &fake{notHTTP: true}
	for _, tc := range []struct {
		name string
		s    *fake
		want bool
	}{
		{"TRUE", tcp, true}, {"FALSE", get, false},
		{"HTTP", get, true}, {"HTTP", tcp, false},
		{"HTTP_1.1", get, true}, {"HTTP_1.1", old, false}, {"HTTP_1.0", old, true},
		{"HTTP_CONTENT", get, true}, {"HTTP_CONTENT", head, false},
		{"HTTP_URL_ABS", abs, true}, {"HTTP_URL_ABS", get, false},
		{"HTTP_URL_SLASH", get, true}, {"HTTP_URL_STAR", head, true},
		{"LOCALHOST", local, true}, {"LOCALHOST", get, false},
		{"METH_GET", get, true}, {"METH_GET", head, true}, {"METH_GET", abs, false},
		{"METH_HEAD", head, true}, {"METH_POST", abs, true}, {"METH_DELETE", local, true},
		{"METH_CONNECT", get, false}, {"METH_OPTIONS", get, false}, {"METH_PUT", get, false}, {"METH_TRACE", get, false},
		{"RDP_COOKIE", get, false}, {"REQ_CONTENT", get, false}, {"WAIT_END", tcp, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Both ways a parser may hand it over.
			for _, a := range []*config.ACL{{Name: tc.name}, {Fetch: tc.name}} {
				m, err := CompileACL(a)
				if err != nil {
					t.Fatalf("CompileACL(%+v) = %v", a, err)
				}
				if got := m.Match(tc.s); got != tc.want {
					t.Errorf("%s on %s %s = %v; want %v", tc.name, tc.s.method, tc.s.url, got, tc.want)
				}
			}
			if d, ok := Predefined(tc.name); !ok || d.Name != tc.name {
				t.Errorf("Predefined(%q) = %v, %v", tc.name, d, ok)
			}
		})
	}
	if len(PredefinedNames()) != len(predefined) {
		t.Error("PredefinedNames incomplete")
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		a    config.ACL
		want string
	}{
		{config.ACL{Name: "x", Fetch: "nope"}, `acl "x": unknown fetch method "nope"`},
		{config.ACL{Name: "x", Fetch: "hdr"}, "needs an argument"},
		{config.ACL{Name: "x", Fetch: "path", Arg: "a"}, "takes no argument"},
		{config.ACL{Name: "x", Fetch: "path", Match: "zz"}, `unknown matching method "zz"`},
		{config.ACL{Name: "x", Fetch: "src", Match: "beg"}, `matching method "beg" is not supported`},
		{config.ACL{Name: "x", Fetch: "path_reg", Patterns: []string{"("}}, `invalid regex "("`},
		{config.ACL{Name: "x", Fetch: "dst_port", Patterns: []string{"http"}}, `invalid integer pattern "http"`},
		{config.ACL{Name: "x", Fetch: "dst_port", Patterns: []string{":"}}, `invalid integer range ":"`},
		{config.ACL{Name: "x", Fetch: "src", Patterns: []string{"example.com"}, File: "h.cfg", Line: 7}, `acl "x" at [h.cfg:7]: "example.com" is not a valid IPv4`},
		{config.ACL{Name: "x", Fetch: "src", Patterns: []string{"10.0.0.0/33"}}, "invalid IPv4 mask"},
		{config.ACL{Name: "x", Fetch: "src", Patterns: []string{"10.0.0.0/255.0.255.0"}}, "non-contiguous"},
		{config.ACL{Name: "x", Fetch: "src", Patterns: []string{"::1/200"}}, "invalid IPv6 mask"},
		{config.ACL{Name: "x", Fetch: "hdr", Arg: "a,b"}, `invalid occurrence "b"`},
		{config.ACL{Name: "x", Fetch: "urlp", Arg: "a,bc"}, `invalid delimiter "bc"`},
		{config.ACL{Name: "x", Fetch: "path", Match: "bin", Patterns: []string{"zz"}}, "invalid hexadecimal"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := CompileACL(&tc.a)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CompileACL(%+v) = %v; want error containing %q", tc.a, err, tc.want)
			}
		})
	}
}

func TestCond(t *testing.T) {
	isAPI := &config.ACL{Name: "is_api", Fetch: "path_beg", Patterns: []string{"/api"}}
	isPost := &config.ACL{Name: "METH_POST"}
	local := &config.ACL{Name: "LOCALHOST"}
	cond := func(unless bool, or ...[]config.CondTerm) *config.Cond {
		return &config.Cond{Unless: unless, Or: or, Source: "test"}
	}
	term := func(neg bool, a *config.ACL) config.CondTerm { return config.CondTerm{Neg: neg, ACL: a} }
	apiPost := req("POST", "/api/x")
	apiGet := req("GET", "/api/x")
	other := req("GET", "/")
	for _, tc := range []struct {
		name string
		c    *config.Cond
		s    *fake
		want bool
	}{
		{"nil", nil, other, true},
		{"and true", cond(false, []config.CondTerm{term(false, isAPI), term(false, isPost)}), apiPost, true},
		{"and false", cond(false, []config.CondTerm{term(false, isAPI), term(false, isPost)}), apiGet, false},
		{"neg", cond(false, []config.CondTerm{term(false, isAPI), term(true, isPost)}), apiGet, true},
		{"or", cond(false, []config.CondTerm{term(false, isPost)}, []config.CondTerm{term(false, isAPI)}), apiGet, true},
		{"or none", cond(false, []config.CondTerm{term(false, isPost)}, []config.CondTerm{term(false, local)}), other, false},
		{"unless", cond(true, []config.CondTerm{term(false, isAPI)}), other, true},
		{"unless match", cond(true, []config.CondTerm{term(false, isAPI)}), apiGet, false},
		{"empty or", cond(false), other, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compile(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Eval(tc.s); got != tc.want {
				t.Errorf("Eval = %v; want %v", got, tc.want)
			}
		})
	}
	c, _ := Compile(cond(false, []config.CondTerm{term(false, isAPI)}))
	if !c.NeedsHTTP() || c.String() != "test" {
		t.Errorf("NeedsHTTP/String = %v/%q", c.NeedsHTTP(), c.String())
	}
	c, _ = Compile(cond(false, []config.CondTerm{term(false, local)}))
	if c.NeedsHTTP() {
		t.Error("LOCALHOST needs HTTP")
	}
	// Several definitions under one name are ORed.
	isImg := &config.ACL{Name: "static", Fetch: "path_end", Patterns: []string{".png"}}
	isCSS := &config.ACL{Name: "static", Fetch: "path_beg", Patterns: []string{"/css/"}}
	c, err := Compile(cond(false, []config.CondTerm{{ACL: isImg, ACLs: []*config.ACL{isImg, isCSS}}}))
	if err != nil || !c.Eval(req("GET", "/css/a")) || !c.Eval(req("GET", "/a.png")) || c.Eval(req("GET", "/a.js")) {
		t.Errorf("ORed definitions: %v", err)
	}
	// Predefined wins over whatever ACL the parser resolved it to.
	half := &config.ACL{Name: "METH_GET", Fetch: "method", Patterns: []string{"GET"}}
	c, err = Compile(cond(false, []config.CondTerm{{ACL: half, ACLs: []*config.ACL{half}, Predefined: "METH_GET"}}))
	if err != nil || !c.Eval(req("HEAD", "/")) {
		t.Errorf("Predefined METH_GET on HEAD: %v", err)
	}
	for _, name := range PredefinedNames() {
		odd := &config.ACL{Name: name, Fetch: "req.rdp_cookie_cnt"}
		if _, err := Compile(cond(false, []config.CondTerm{{ACL: odd, Predefined: name}})); err != nil {
			t.Errorf("Compile(predefined %s) = %v", name, err)
		}
	}
	if _, err := Compile(cond(false, []config.CondTerm{{}})); err == nil {
		t.Error("Compile with an empty term: no error")
	}
	bad := &config.ACL{Name: "bad", Fetch: "nope"}
	if _, err := Compile(cond(false, []config.CondTerm{term(false, bad)})); err == nil {
		t.Error("Compile with a bad ACL: no error")
	}
}

// TestEvalNoAlloc checks that evaluation does not allocate.
func TestEvalNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	s := req("GET", "/static/img/logo.png?user=bob", "Host: www.example.com", "X-Fwd: 1.1.1.1, 2.2.2.2")
	for _, line := range []string{
		"path_beg /static", "path_reg -i \\.png$", "hdr_dom(host) -i example", "hdr(x-fwd,-1) 2.2.2.2",
		"hdr_cnt(x-fwd) 2", "urlp(user) bob", "method GET", "src 192.0.2.0/24", "path_sub -i IMG",
		"hdr(host) -i a b c d e f g h i j www.example.com", "base_beg www.example.com/static",
	} {
		a, err := CompileACL(parseACL(t, line))
		if err != nil {
			t.Fatal(err)
		}
		a.Match(s)
		if n := testing.AllocsPerRun(100, func() { a.Match(s) }); n != 0 {
			t.Errorf("%q: %v allocs per Match", line, n)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	s := req("GET", "/static/img/logo.png?user=bob", "Host: www.example.com", "Accept: */*", "X-Fwd: 1.1.1.1, 2.2.2.2")
	for _, line := range []string{"path_beg /static /img", "path_reg \\.png$", "hdr(host) -i www.example.com", "src 10.0.0.0/8 192.0.2.0/24", "method GET HEAD", "urlp(user) bob"} {
		b.Run(line, func(b *testing.B) {
			a, err := CompileACL(parseACL(b, line))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				a.Match(s)
			}
		})
	}
}

// TestEveryFetchHasEvaluator guards the evaluators table: a fetch
// registered without an evaluator would silently never match.
func TestEveryFetchHasEvaluator(t *testing.T) {
	for name, d := range fetches {
		if d.kind < 0 || int(d.kind) >= len(evaluators) || evaluators[d.kind] == nil {
			t.Errorf("fetch %q (kind %d) has no evaluator", name, d.kind)
		}
	}
}
