package dataplane

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestLogFormatRulesAndAnswers runs the real binary with the rule values
// and answers real configurations use: %[src] in X-Real-IP, a backend
// chosen through a map file, http-response deny, monitor-uri and
// errorloc302.
func TestLogFormatRulesAndAnswers(t *testing.T) {
	a := harness.NewBackend(t, "a", nil)
	b := harness.NewBackend(t, "b", nil)
	d := harness.NewBackend(t, "d", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/leak" {
			w.Header().Set("X-Internal", "1")
		}
		io.WriteString(w, "d\n")
	}))
	dir := t.TempDir()
	hosts := filepath.Join(dir, "hosts.map")
	if err := os.WriteFile(hosts, []byte("# host backend\na.example.com be_a\nb.example.com be_b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	down := harness.FreeAddr(t)
	fe := harness.FreeAddr(t)
	startGoha(t, defaults+fmt.Sprintf(`
frontend fe
    bind %s
    monitor-uri /health
    http-request set-header X-Real-IP %%[src]
    http-request set-header X-Seen %%[req.hdr(host),lower,host_only]
    http-response deny if { path /leak }
    use_backend be_down if { path_beg /down }
    use_backend %%[req.hdr(host),lower,host_only,map(%s,be_d)]
backend be_a
    server s %s
backend be_b
    server s %s
backend be_d
    server s %s
backend be_down
    retries 0
    errorloc302 503 https://status.example.com/
    server s %s
`, fe, hosts, a.Addr, b.Addr, d.Addr, down), fe)
	base := "http://" + fe

	t.Run("X-Real-IP from src", func(t *testing.T) {
		if _, body, _ := get(t, base+"/x", "Host", "A.example.com"); body != "a\n" {
			t.Fatalf("body %q; want a", body)
		}
		r := a.LastRequest()
		if got := r.Header.Get("X-Real-Ip"); got != "127.0.0.1" {
			t.Errorf("X-Real-IP = %q; want 127.0.0.1", got)
		}
		if got := r.Header.Get("X-Seen"); got != "a.example.com" {
			t.Errorf("X-Seen = %q; want a.example.com", got)
		}
	})
	t.Run("use_backend through a map", func(t *testing.T) {
		for host, want := range map[string]string{"b.example.com:80": "b\n", "a.example.com": "a\n", "other.example.com": "d\n"} {
			if _, body, _ := get(t, base+"/", "Host", host); body != want {
				t.Errorf("Host %s: body %q; want %q", host, body, want)
			}
		}
	})
	t.Run("http-response deny", func(t *testing.T) {
		st, body, h := get(t, base+"/leak", "Host", "x")
		if st != 502 || !strings.Contains(body, "502 Bad Gateway") || h.Get("X-Internal") != "" {
			t.Errorf("got %d %q %v; want HAProxy's 502 page without the server's headers", st, body, h)
		}
	})
	t.Run("monitor-uri", func(t *testing.T) {
		st, body, _ := get(t, base+"/health")
		if st != 200 || !strings.Contains(body, "Service ready.") {
			t.Errorf("got %d %q; want 200 Service ready", st, body)
		}
		if d.Requests.Load() != 0 && strings.Contains(fmt.Sprint(d.LastRequest().URL), "health") {
			t.Error("monitor request reached a server")
		}
	})
	t.Run("errorloc302", func(t *testing.T) {
		resp := raw(t, fe, "GET /down HTTP/1.1\r\nHost: x\r\n\r\n", 5*time.Second)
		if !strings.HasPrefix(resp, "HTTP/1.1 302 Found\r\n") || !strings.Contains(resp, "\r\nlocation: https://status.example.com/\r\n") {
			t.Errorf("got %q; want a 302 to the errorloc URL", resp)
		}
	})
}

// TestSNIRouting sends TLS connections with different server names
// through a mode tcp frontend that routes on req_ssl_sni to two Go TLS
// servers: the ClientHello is inspected and still reaches the server.
func TestSNIRouting(t *testing.T) {
	mk := func(name string) *httptest.Server {
		s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s:%s", name, r.TLS.ServerName)
		}))
		s.StartTLS()
		t.Cleanup(s.Close)
		return s
	}
	one, two := mk("one"), mk("two")
	fe := harness.FreeAddr(t)
	startGoha(t, fmt.Sprintf(`
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend tls_in
    bind %s
    tcp-request inspect-delay 5s
    tcp-request content accept if { req_ssl_hello_type 1 }
    use_backend be_one if { req_ssl_sni -i one.example.com }
    use_backend be_two if { req.ssl_sni -i two.example.com }
    default_backend be_one
backend be_one
    server s %s
backend be_two
    server s %s
`, fe, strings.TrimPrefix(one.URL, "https://"), strings.TrimPrefix(two.URL, "https://")), fe)
	for _, tc := range []struct{ sni, want string }{
		{"one.example.com", "one:one.example.com"},
		{"two.example.com", "two:two.example.com"},
		{"TWO.example.com", "two:TWO.example.com"},
		{"three.example.com", "one:three.example.com"},
	} {
		t.Run(tc.sni, func(t *testing.T) {
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", fe,
				&tls.Config{ServerName: tc.sni, InsecureSkipVerify: true})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(c, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", tc.sni)
			b, _ := io.ReadAll(c)
			if !strings.HasSuffix(string(b), "\r\n\r\n"+tc.want) {
				t.Errorf("answer %q; want body %q", b, tc.want)
			}
		})
	}
}
