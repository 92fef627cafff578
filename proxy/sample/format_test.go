package sample

import (
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/http1"
)

// testCtx builds an evaluation context over a raw request head.
func testCtx(t testing.TB, raw string) *Ctx {
	t.Helper()
	var req http1.Request
	buf := []byte(raw)
	if err := http1.ParseRequest(buf, len(buf), &req); err != nil {
		t.Fatalf("ParseRequest: %v", err)
	}
	c := &Conn{Client: netip.MustParseAddrPort("192.0.2.10:40000")}
	c.SetLocal(netip.MustParseAddrPort("10.0.0.1:8080"))
	f := &testProxy{name: "fe", caps: []config.Capture{{Name: "User-Agent", Len: 5}}}
	return &Ctx{Conn: c, Req: &req, Frontend: f, Backend: &testProxy{name: "app"}}
}

// testProxy stands for the proxy's Frontend and Backend.
type testProxy struct {
	name string
	caps []config.Capture
}

func (p *testProxy) ProxyName() string                  { return p.name }
func (p *testProxy) CurConns() int64                    { return 0 }
func (p *testProxy) ActiveConns() int64                 { return 0 }
func (p *testProxy) UsableServers() int                 { return 0 }
func (p *testProxy) UsableServersOf(string) (int, bool) { return 0, false }
func (p *testProxy) RequestCapture(n int) (config.Capture, bool) {
	if n >= len(p.caps) {
		return config.Capture{}, false
	}
	return p.caps[n], true
}

const testReq = "GET /a/b.html?x=1&name=J%20D&y HTTP/1.1\r\n" +
	"Host: Example.COM:8080\r\n" +
	"User-Agent: curl/8.0\r\n" +
	"X-Forwarded-For: 1.1.1.1, 2.2.2.2\r\n" +
	"X-Forwarded-For: 3.3.3.3\r\n" +
	"Cookie: a=1; SESSION=abc ; b=2\r\n" +
	"\r\n"

func TestLogFormatValues(t *testing.T) {
	dir := t.TempDir()
	hosts := "# comment\nexample.com:8080 be_example\nexample.com be_plain\n\nother.org   be_other with spaces  \n"
	prefixes := "/api/v1 v1\n/api v0\n/ root\n"
	nets := "10.0.0.0/8 private\n192.0.2.0/24 testnet\n192.0.2.10 me\n"
	maps := map[string][]byte{
		filepath.Join(dir, "hosts.map"): []byte(hosts),
		"prefix.map":                    []byte(prefixes),
		"nets.map":                      []byte(nets),
	}
	hostsMap := filepath.Join(dir, "hosts.map")
	tests := []struct {
		in, want string
	}{
		{"literal", "literal"},
		{"100%% sure", "100% sure"},
		{"%[src]", "192.0.2.10"},
		{"%[src_port]/%[dst]:%[dst_port]", "40000/10.0.0.1:8080"},
		{"%ci:%cp %fi:%fp %f %b", "192.0.2.10:40000 10.0.0.1:8080 fe app"},
		{"%HM %HU %HP %HQ %HV", "GET /a/b.html?x=1&name=J%20D&y /a/b.html ?x=1&name=J%20D&y HTTP/1.1"},
		{"%[path] %[query] %[method] %[req.ver] %[url]", "/a/b.html x=1&name=J%20D&y GET 1.1 /a/b.html?x=1&name=J%20D&y"},
		{"%[pathq]", "/a/b.html?x=1&name=J%20D&y"},
		{"%[base]", "Example.COM:8080/a/b.html"},
		{"%[req.hdr(host)]", "Example.COM:8080"},
		{"%[hdr(x-forwarded-for)]", "3.3.3.3"},
		{"%[req.hdr(x-forwarded-for,1)]", "1.1.1.1"},
		{"%[req.hdr(x-forwarded-for,-2)]", "2.2.2.2"},
		{"%[req.fhdr(x-forwarded-for)]", "3.3.3.3"},
		{"%[req.fhdr(x-forwarded-for,1)]", "1.1.1.1, 2.2.2.2"},
		{"%[hdr_cnt(x-forwarded-for)]", "3"},
		{"[%[req.hdr(missing)]]", "[]"},
		{"%[url_param(name)] %[urlp(x)] [%[urlp(y)]]", "J%20D 1 []"},
		{"%[url_param(name),url_dec]", "J D"},
		{"%[cookie(SESSION)] %[req.cook(b)]", "abc 2"},
		{"%[capture.req.hdr(0)]", "curl/"},
		{"%[req.hdr(host),lower]", "example.com:8080"},
		{"%[req.hdr(host),upper]", "EXAMPLE.COM:8080"},
		{"%[req.hdr(host),host_only,lower]", "example.com"},
		{"%[req.hdr(host),port_only,add(1)]", "8081"},
		{"%[req.hdr(host),lower,map(" + hostsMap + ",be_default)]", "be_example"},
		{"%[req.hdr(host),lower,host_only,map(" + hostsMap + ")]", "be_plain"},
		{"%[str(other.org),map_str(" + hostsMap + ")]", "be_other with spaces"},
		{"%[str(nowhere),map(" + hostsMap + ",none)]", "none"},
		{"[%[str(nowhere),map(" + hostsMap + ")]]", "[]"},
		{"%[path,map_beg(prefix.map)]", "root"},
		{"%[str(/api/v1/x),map_beg(prefix.map)]", "v1"},
		{"%[src,map_ip(nets.map)]", "me"},
		{"%[str(10.1.2.3),map_ip(nets.map,x)]", "private"},
		{"%[path,regsub(^/a/,/z/)]", "/z/b.html"},
		{"%[path,regsub(/,_,g)]", "_a_b.html"},
		{"%[path,regsub(\"([a-z])\\.html\",\\1.htm)]", "/a/b.htm"},
		{"%[path,field(2,/)]", "a"},
		{"%[path,field(-1,/)]", "b.html"},
		{"%[path,field(2,/,0)]", "a/b.html"},
		{"%[path,word(1,/)]", "a"},
		{"%[path,word(2,/.)]", "b"},
		{"%[path,bytes(1,3)]", "a/b"},
		{"%[path,length]", "9"},
		{"%[str(hello),base64]", "aGVsbG8="},
		{"%[str(aGVsbG8=),b64dec]", "hello"},
		{"%[str(hi),hex]", "6869"},
		{"%[src,ipmask(24)]", "192.0.2.0"},
		{"%[src,ipmask(255.255.0.0)]", "192.0.0.0"},
		{"%[str(a/b),json]", `a\/b`},
		{"%[int(7),mul(6),sub(2),div(5)]", "8"},
		{"%[int(7),mod(0)]", ""},
		{"%[str(abc),crc32]", "891568578"},
		{"%[str(xxabcxx),ltrim(x),rtrim(x)]", "abc"},
		{"%[ssl_fc] [%[ssl_fc_sni]]", "0 []"},
		{"%[http_first_req]", "1"},
		{"%[fe_name]/%[be_name]", "fe/app"},
		{"%{+Q}[src]", `"192.0.2.10"`},
		{"%[str(a),concat]", "a"},
		{"%[var(txn.x)]", ""},
		{"%[var(txn.x,dflt)]", "dflt"},
		{"%[str(a),nosuch]", "<compile error>"},
		{"%[var(nosuch.x)]", "<compile error>"},
		{"%ID", ""},
	}
	o := &Options{Maps: maps}
	// relative map names are looked up as written
	o.Maps["prefix.map"] = maps["prefix.map"]
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := CompileFormat(tt.in, o)
			if tt.want == "<compile error>" {
				if err == nil {
					t.Fatalf("CompileFormat(%q) succeeded; want an error", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("CompileFormat(%q): %v", tt.in, err)
			}
			x := testCtx(t, testReq)
			if got := string(e.AppendTo(nil, x, 0)); got != tt.want {
				t.Errorf("%q = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestSampleTables: the config parser accepts exactly the fetches,
// converters and variables the evaluator implements, so that `goha -c`
// and a start agree.
func TestSampleTables(t *testing.T) {
	cmp := func(what string, cfg map[string]bool, impl []string) {
		sort.Strings(impl)
		var missing, extra []string
		for _, n := range impl {
			if !cfg[n] {
				extra = append(extra, n)
			}
		}
		for n := range cfg {
			if i := sort.SearchStrings(impl, n); i >= len(impl) || impl[i] != n {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 || len(extra) > 0 {
			t.Errorf("%s: config accepts but proxy lacks %v; proxy has but config refuses %v", what, missing, extra)
		}
	}
	var fetches, convs, vars []string
	for n := range fetchTable {
		fetches = append(fetches, n)
	}
	for n := range convTable {
		convs = append(convs, n)
	}
	for n := range logVars {
		vars = append(vars, n)
	}
	cmp("fetches", config.SupportedSampleFetches, fetches)
	cmp("converters", config.SupportedConverters, convs)
	cmp("log variables", config.SupportedLogVars, vars)
}

// TestLogFormatNoAlloc: evaluating a typical header value does not
// allocate once the scratch buffers have grown (regsub does: Go's regexp
// returns fresh match indexes).
func TestLogFormatNoAlloc(t *testing.T) {
	o := &Options{Maps: map[string][]byte{"h.map": []byte("example.com:8080 be1\n")}}
	for _, f := range []string{"%[src]", "%ci:%cp", "%[req.hdr(host),lower,map(h.map,def)]", "%[path,field(2,/),upper,base64]", "id-%[src,ipmask(24)]-%[hdr_cnt(x-forwarded-for)]"} {
		e, err := CompileFormat(f, o)
		if err != nil {
			t.Fatal(err)
		}
		x := testCtx(t, testReq)
		dst := make([]byte, 0, 256)
		e.AppendTo(dst, x, 0)
		if n := testing.AllocsPerRun(100, func() { dst = e.AppendTo(dst[:0], x, 0) }); n != 0 {
			t.Errorf("%q: %v allocations per evaluation", f, n)
		}
	}
}

func FuzzCompileLF(f *testing.F) {
	for _, s := range []string{"%[src]", "%[req.hdr(host),lower,map(m,d)]", "%{+Q}ci", "%%", "%[", "%[path,regsub(\"a\\\"\",b,g)]", "%[field(1", "x%"} {
		f.Add(s)
	}
	o := &Options{Maps: map[string][]byte{"m": []byte("a b\n")}}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := CompileFormat(s, o)
		if err != nil {
			return
		}
		x := testCtx(t, testReq)
		e.AppendTo(nil, x, 64)
	})
}

var _ = os.Getenv
var _ = strings.Contains

// TestProxyNamesNoAlloc: fe_name and be_name are copied into scratch
// space, not into a new slice per evaluation.
func TestProxyNamesNoAlloc(t *testing.T) {
	e, err := CompileFormat("%[fe_name]/%[be_name,upper]", &Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := testCtx(t, testReq)
	dst := e.AppendTo(make([]byte, 0, 64), x, 0)
	if string(dst) != "fe/APP" {
		t.Fatalf("got %q, want %q", dst, "fe/APP")
	}
	if n := testing.AllocsPerRun(100, func() { dst = e.AppendTo(dst[:0], x, 0) }); n != 0 {
		t.Errorf("%v allocations per evaluation", n)
	}
}

// TestAppendNameLiteralPrefix: a dynamic use_backend name with literal
// text before a converted sample (be_%[req.hdr(host),lower]) evaluates
// the same every time; the converters' scratch space must not be where
// the name is being built.
func TestAppendNameLiteralPrefix(t *testing.T) {
	e, err := CompileFormat("be_%[req.hdr(host),lower]", &Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := testCtx(t, testReq)
	for i := 0; i < 3; i++ {
		if got := string(x.AppendName(e, 256)); got != "be_example.com:8080" {
			t.Fatalf("evaluation %d: %q, want %q", i+1, got, "be_example.com:8080")
		}
	}
	if n := testing.AllocsPerRun(100, func() { x.AppendName(e, 256) }); n != 0 {
		t.Errorf("%v allocations per evaluation", n)
	}
}
