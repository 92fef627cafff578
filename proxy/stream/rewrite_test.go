package stream

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

// rawEcho answers with the request line and headers it received
// (names lowercased, sorted) and counts the requests reaching it.
func rawEcho(t *testing.T, name string, n *atomic.Int64) *backend {
	return startBackend(t, name, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		fmt.Fprintf(w, "%s %s %s\n", name, r.Method, r.RequestURI)
		var lines []string
		for k, vs := range r.Header {
			lines = append(lines, strings.ToLower(k)+": "+strings.Join(vs, "|"))
		}
		sort.Strings(lines)
		fmt.Fprintln(w, strings.Join(lines, "\n"))
	})
}

// TestRewriteActions checks each rewrite action on HAProxy's documented
// examples as the server receives the request, variables routing to a
// backend, and the invalid results refused with 500 before any server
// is contacted.
func TestRewriteActions(t *testing.T) {
	var nEcho, nOne atomic.Int64
	echo, one := rawEcho(t, "echo", &nEcho), rawEcho(t, "one", &nOne)
	_, fe := startProxy(t, testDefaults+sprintf(`
frontend fe
    bind {{fe:fe}}
    http-request replace-header Cookie foo=([^;]*);(.*) foo=\1;ip=%%[src];\2 if { path_beg /rh }
    http-request replace-value X-Forwarded-For ^192\.168\.(.*)$ 172.16.\1 if { path_beg /rv }
    http-request set-path /%%[hdr(host)]%%[path] if { path_beg /setp }
    http-request set-pathq /new?x=1 if { path_beg /pq }
    http-request set-query %%[query,regsub(%%3D,=,g)] if { path_beg /sq }
    http-request replace-path (.*) /foo\1 if { path_beg /rp }
    http-request replace-pathq /rq/([^?]*)\?(.*) /\2/\1 if { path_beg /rq }
    http-request replace-uri ^http://(.*) https://\1 if { path_beg /ru }
    http-request replace-uri ^/ru/(.*) /uri/\1 if { path_beg /ru }
    http-request set-uri /su?from=%%[path] if { path_beg /su }
    http-request set-method POST if { path_beg /sm }
    http-request del-header x-drop -m beg if { path_beg /dh }
    http-request del-header -END -m end if { path_beg /dh }
    http-request normalize-uri path-merge-slashes if { path_beg /nm }
    http-request normalize-uri path-strip-dotdot if { path_beg /nm }
    http-request set-var(txn.tier) req.hdr(X-Tier),lower
    http-request set-var-fmt(txn.both) %%[var(txn.tier)]-%%[method]
    http-request set-header X-Both %%[var(txn.both)] if { var(txn.tier) -m found }
    http-request unset-var(txn.tier) if { path_beg /unset }
    http-request set-header X-After-Unset [%%[var(txn.tier)]] if { path_beg /unset }
    http-request set-var(txn.bad) req.hdr(X-B64),b64dec if { path_beg /crlf }
    http-request set-header X-Inj %%[var(txn.bad)] if { path_beg /crlf }
    http-request set-path "/a b" if { path_beg /space }
    http-request set-header X-Dup %%[req.hdr(X-Big)]%%[req.hdr(X-Big)] if { path_beg /toobig }
    http-response set-status 299 reason "Fine" if { var(txn.tier) -m str gold }
    http-response set-header X-Status %%[status] if { status 200 }
    use_backend be_%%[var(txn.tier)] if { var(txn.tier) -m str one }
    default_backend be_echo
backend be_echo
    server e %s
backend be_one
    server o %s
`, echo.addr(), one.addr()))
	cases := []struct {
		name, path string
		hdrs       []string
		want       []string // lines the server's echo must hold
	}{
		{"replace-header", "/rh", []string{"Cookie: foo=bar; baz=1"}, []string{"cookie: foo=bar;ip=127.0.0.1; baz=1"}},
		{"replace-value", "/rv", []string{"X-Forwarded-For: 192.168.10.1, 192.168.13.24, 10.0.0.37"}, []string{"x-forwarded-for: 172.16.10.1,172.16.13.24,10.0.0.37"}},
		{"set-path", "/setp/x?k=v", nil, []string{"echo GET /www.example.com/setp/x?k=v"}},
		{"set-pathq", "/pq/x?k=v", nil, []string{"echo GET /new?x=1"}},
		{"set-query", "/sq?a%3D1", nil, []string{"echo GET /sq?a=1"}},
		{"replace-path", "/rp/a?b=c", nil, []string{"echo GET /foo/rp/a?b=c"}},
		{"replace-pathq", "/rq/a/b?c=d", nil, []string{"echo GET /c=d/a/b"}},
		{"replace-uri", "/ru/x?y", nil, []string{"echo GET /uri/x?y"}},
		{"set-uri", "/su/abc?z=1", nil, []string{"echo GET /su?from=/su/abc"}},
		{"set-method", "/sm", nil, []string{"echo POST /sm"}},
		{"del-header -m beg/end", "/dh", []string{"X-Drop-A: 1", "X-Dropb: 2", "X-Keep: 3", "Y-End: 4"}, []string{"x-keep: 3"}},
		{"normalize-uri", "/nm//a/../b", nil, []string{"echo GET /nm/b"}},
		{"set-var + set-var-fmt", "/v", []string{"X-Tier: SILVER"}, []string{"x-both: silver-GET"}},
		{"unset-var", "/unset", []string{"X-Tier: SILVER"}, []string{"x-after-unset: []"}},
		{"use_backend by variable", "/v", []string{"X-Tier: One"}, []string{"one GET /v"}},
		{"CR LF from a variable percent-encoded", "/crlf", []string{"X-B64: YQ0KWC1FdmlsOiAx"}, []string{"x-inj: a%0D%0AX-Evil: 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(t, fe["fe"], c.path, c.hdrs...)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d, want 200:\n%s", resp.StatusCode, body)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("the server did not get %q:\n%s", w, body)
				}
			}
			if c.name == "del-header -m beg/end" && (strings.Contains(body, "x-drop") || strings.Contains(body, "y-end")) {
				t.Errorf("del-header left a header:\n%s", body)
			}
		})
	}
	t.Run("set-status with reason, status ACL", func(t *testing.T) {
		resp, _ := get(t, fe["fe"], "/", "X-Tier: gold")
		if resp.StatusCode != 299 || resp.Status != "299 Fine" {
			t.Errorf("status %q, want 299 Fine", resp.Status)
		}
		resp, _ = get(t, fe["fe"], "/")
		if resp.Header.Get("X-Status") != "200" {
			t.Errorf("X-Status %q, want 200 (http-response ... if { status 200 })", resp.Header.Get("X-Status"))
		}
	})
	for _, c := range []struct{ name, path, hdr string }{
		{"a space in the path", "/space", ""},
		{"a head past the buffer", "/toobig", "X-Big: " + strings.Repeat("y", 7000)},
	} {
		t.Run("refused: "+c.name, func(t *testing.T) {
			before := nEcho.Load() + nOne.Load()
			var hdrs []string
			if c.hdr != "" {
				hdrs = append(hdrs, c.hdr)
			}
			resp, _ := get(t, fe["fe"], c.path, hdrs...)
			if resp.StatusCode != 500 {
				t.Errorf("status %d, want 500", resp.StatusCode)
			}
			if n := nEcho.Load() + nOne.Load() - before; n != 0 {
				t.Errorf("%d requests reached a server, want none", n)
			}
		})
	}
}
