package rules

import (
	"strings"
	"testing"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/sample"
)

// frontend parses one frontend section with the given rule lines.
func frontend(t *testing.T, lines string) *config.Proxy {
	t.Helper()
	src := "defaults\n    mode http\nfrontend fe\n    bind 127.0.0.1:1\n" + lines + "\n    default_backend be\nbackend be\n    server s 127.0.0.1:2\n"
	cfg, err := config.Parse([]config.Source{{Name: "r.cfg", Data: []byte(src)}}, config.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cfg.Proxies {
		if p.Name == "fe" {
			return p
		}
	}
	t.Fatal("no frontend fe")
	return nil
}

// TestCompileSetKinds compiles one rule per action row of httpActions
// and checks each lands in its list with its kind and its answer.
func TestCompileSetKinds(t *testing.T) {
	p := frontend(t, `    http-request allow if { path /a }
    http-request deny if { path /d }
    http-request return status 204 if { path /r }
    http-request redirect location /x if { path /l }
    http-request auth realm R if { path /u }
    http-request set-header X-A %[path]
    http-request add-header X-B b
    http-request del-header X-C
    http-request set-path /p
    http-request reject
    http-response deny
    http-after-response set-header X-D d`)
	rs, err := CompileSet(p, nil, &sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Kind{Allow, Deny, Return, Redirect, Auth, SetHeader, AddHeader, DelHeader, SetPath, Reject}
	if len(rs.Req) != len(want) {
		t.Fatalf("%d request rules, want %d", len(rs.Req), len(want))
	}
	for i, k := range want {
		if rs.Req[i].Kind != k {
			t.Errorf("request rule %d: kind %d, want %d", i, rs.Req[i].Kind, k)
		}
	}
	if got := string(rs.Req[1].Page); !strings.HasPrefix(got, "HTTP/1.1 403 ") {
		t.Errorf("deny page %.30q, want a 403", got)
	}
	if got := string(rs.Req[4].Page); !strings.Contains(got, `www-authenticate: Basic realm="R"`) {
		t.Errorf("auth page %q lacks the realm", got)
	}
	if string(rs.Req[5].Name) != "x-a" || rs.Req[5].Value.Static() {
		t.Errorf("set-header: name %q, static %v; want x-a with a log-format value", rs.Req[5].Name, rs.Req[5].Value.Static())
	}
	if len(rs.Rsp) != 1 || rs.Rsp[0].Status != 502 {
		t.Errorf("http-response deny: %d rules, want one answering 502", len(rs.Rsp))
	}
	if len(rs.After) != 1 || rs.After[0].Kind != SetHeader {
		t.Errorf("http-after-response: %d rules, want one set-header", len(rs.After))
	}
}

// TestCompileSetRefuses: actions not valid where they are written are
// errors naming the rule, not rules that silently do nothing.
func TestCompileSetRefuses(t *testing.T) {
	p := frontend(t, "    http-response redirect location /x")
	if _, err := CompileSet(p, nil, &sample.Options{}); err == nil || !strings.Contains(err.Error(), "not supported in responses") {
		t.Errorf("http-response redirect: error %v, want \"not supported in responses\"", err)
	}
	// The parser already refuses deny in http-after-response; a model
	// built another way is refused here too.
	p = &config.Proxy{Name: "fe", HTTPAfterResponse: []*config.Rule{{Action: "deny", File: "x.cfg", Line: 3}}}
	_, err := CompileSet(p, nil, &sample.Options{})
	if err == nil || !strings.Contains(err.Error(), "not supported in http-after-response") || !strings.Contains(err.Error(), "x.cfg:3") {
		t.Errorf("http-after-response deny: error %v, want it refused with its file:line", err)
	}
}

// TestSwitchingAndErrorPages: static use_backend names are kept for the
// caller to resolve, dynamic ones compiled; errorloc302 becomes a
// redirect page.
func TestSwitchingAndErrorPages(t *testing.T) {
	p := frontend(t, `    use_backend be if { path /s }
    use_backend %[req.hdr(host)]
    errorloc302 503 http://example.com/down`)
	sw, err := CompileSwitching(p, &sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sw) != 2 || sw[0].Backend != "be" || sw[0].Dyn != nil || sw[1].Dyn == nil {
		t.Fatalf("switching rules %+v: want a static be, then a dynamic name", sw)
	}
	pages, err := ErrorPages(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(pages[503]); !strings.HasPrefix(got, "HTTP/1.1 302 Found\r\n") || !strings.Contains(got, "location: http://example.com/down\r\n") {
		t.Errorf("errorloc302 page %q", got)
	}
}
