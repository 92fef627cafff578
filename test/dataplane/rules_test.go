package dataplane

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goha/goha/test/harness"
)

func TestContentSwitchingAndRules(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", nil)
	s2 := harness.NewBackend(t, "s2", nil)
	s3 := harness.NewBackend(t, "s3", nil)
	fe := harness.FreeAddr(t)
	cfg := defaults + fmt.Sprintf(`
frontend fe
    bind %s
    acl is_two path_beg /two
    acl host_three hdr(host) -i three.example
    acl local src 127.0.0.0/8
    http-request deny if { path_beg /forbidden }
    http-request deny deny_status 429 if { path /slow-down }
    http-request return status 200 content-type text/plain string "hello" if { path /hello }
    http-request redirect location /new if { path /old }
    http-request redirect prefix /p code 301 if { path_beg /pre }
    http-request set-header X-Test yes
    http-request del-header X-Secret
    http-request add-header X-Added one
    use_backend be3 if host_three
    use_backend be2 if is_two
    use_backend be3 if { path_beg /src } local
    default_backend be1
backend be1
    option forwardfor
    server s1 %s
backend be2
    server s2 %s
backend be3
    server s3 %s
`, fe, s1.Addr, s2.Addr, s3.Addr)
	startGoha(t, cfg, fe)
	base := "http://" + fe
	t.Run("use_backend path", func(t *testing.T) {
		if _, b, _ := get(t, base+"/two/x"); b != "s2\n" {
			t.Errorf("body %q; want s2", b)
		}
	})
	t.Run("use_backend host", func(t *testing.T) {
		if _, b, _ := get(t, base+"/", "Host", "THREE.example"); b != "s3\n" {
			t.Errorf("body %q; want s3", b)
		}
	})
	t.Run("use_backend src", func(t *testing.T) {
		if _, b, _ := get(t, base+"/src"); b != "s3\n" {
			t.Errorf("body %q; want s3", b)
		}
	})
	t.Run("default_backend", func(t *testing.T) {
		if _, b, _ := get(t, base+"/"); b != "s1\n" {
			t.Errorf("body %q; want s1", b)
		}
	})
	t.Run("deny", func(t *testing.T) {
		before := s1.Requests.Load()
		st, b, _ := get(t, base+"/forbidden")
		if st != 403 || !strings.Contains(b, "Request forbidden by administrative rules.") {
			t.Errorf("got %d %q; want HAProxy's 403 page", st, b)
		}
		if s1.Requests.Load() != before {
			t.Error("denied request reached the server")
		}
	})
	t.Run("deny_status", func(t *testing.T) {
		if st, _, _ := get(t, base+"/slow-down"); st != 429 {
			t.Errorf("status %d; want 429", st)
		}
	})
	t.Run("return", func(t *testing.T) {
		st, b, h := get(t, base+"/hello")
		if st != 200 || b != "hello" || h.Get("Content-Type") != "text/plain" {
			t.Errorf("got %d %q %q; want 200 hello text/plain", st, b, h.Get("Content-Type"))
		}
	})
	t.Run("redirect", func(t *testing.T) {
		r := raw(t, fe, "GET /old HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3e9)
		if !strings.HasPrefix(r, "HTTP/1.1 302 Found\r\n") || !strings.Contains(r, "\r\nlocation: /new\r\n") {
			t.Errorf("got %q; want a 302 to /new", r)
		}
		r = raw(t, fe, "GET /pre/a?b=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3e9)
		if !strings.HasPrefix(r, "HTTP/1.1 301 Moved Permanently\r\n") || !strings.Contains(r, "\r\nlocation: /p/pre/a?b=1\r\n") {
			t.Errorf("got %q; want a 301 to /p/pre/a?b=1", r)
		}
	})
	t.Run("headers and forwardfor", func(t *testing.T) {
		get(t, base+"/h", "X-Secret", "s3cr3t", "X-Test", "no", "X-Forwarded-For", "10.0.0.1")
		r := s1.LastRequest()
		if r == nil {
			t.Fatal("no request reached s1")
		}
		if v := r.Header.Values("X-Test"); len(v) != 1 || v[0] != "yes" {
			t.Errorf("X-Test = %q; want [yes] (set-header replaces)", v)
		}
		if v := r.Header.Get("X-Secret"); v != "" {
			t.Errorf("X-Secret = %q; want it deleted", v)
		}
		if v := r.Header.Get("X-Added"); v != "one" {
			t.Errorf("X-Added = %q; want one", v)
		}
		if v := r.Header.Values("X-Forwarded-For"); len(v) != 2 || v[1] != "127.0.0.1" {
			t.Errorf("X-Forwarded-For = %q; want the client's value then 127.0.0.1", v)
		}
	})
}
