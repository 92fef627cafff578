package stream

import (
	"bufio"
	"bytes"
	"context"
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
)

// echoBackend answers with its name and the request headers it got as
// "Name: value" lines.
func echoBackend(t *testing.T, name string) *backend {
	return startBackend(t, name, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Server", name)
		w.Header().Set("X-Secret", "s3cr3t")
		if r.URL.Path == "/bad" {
			w.Header().Set("X-Bad", "1")
		}
		fmt.Fprintf(w, "%s %s\n", name, r.URL.RequestURI())
		for _, k := range []string{"X-Real-Ip", "X-Host", "X-Path", "X-Backend", "X-Both"} {
			if v, ok := r.Header[k]; ok {
				fmt.Fprintf(w, "%s: %s\n", k, strings.Join(v, "|"))
			}
		}
	})
}

// get sends one request on a fresh connection and returns the raw
// response.
func get(t *testing.T, addr, path string, hdrs ...string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	req := "GET " + path + " HTTP/1.1\r\nHost: www.example.com\r\n"
	for _, h := range hdrs {
		req += h + "\r\n"
	}
	io.WriteString(c, req+"\r\n")
	resp, body, err := readResponse(bufio.NewReader(c))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

func TestHTTPRuleFeatures(t *testing.T) {
	dir := t.TempDir()
	hostsMap := filepath.Join(dir, "hosts.map")
	if err := os.WriteFile(hostsMap, []byte("a.example.com be_a\nb.example.com be_b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b, d := echoBackend(t, "a"), echoBackend(t, "b"), echoBackend(t, "d")
	dead := freeAddr(t)
	_, fe := startProxy(t, testDefaults+sprintf(`
frontend fe
    bind {{fe:fe}}
    monitor-uri /healthz
    http-request set-header X-Real-IP %%[src]
    http-request set-header X-Host %%[req.hdr(host),lower]
    http-request add-header X-Both one
    http-request add-header X-Both two%%[str(!)]
    http-request set-header X-Path %%[path,regsub(^/,,)] if { path_beg /echo }
    http-request redirect location /new/%%[path,field(4,/)] code 301 if { path_beg /old/ }
    http-request return status 200 content-type text/plain lf-string "hello %%[src]" if { path /hello }
    http-response deny if { path /bad }
    http-response del-header X-Secret
    http-after-response set-header X-After yes
    use_backend %%[req.hdr(host),lower,map(%s,be_d)] if { path_beg /map }
    use_backend be_dead if { path /dead }
    default_backend be_d
backend be_a
    server s %s
backend be_b
    server s %s
backend be_d
    http-request set-header X-Backend d
    http-request deny deny_status 403 if { path /denied-by-backend }
    server s %s
backend be_dead
    retries 0
    errorloc302 503 http://errors.example.com/down
    server s %s
`, hostsMap, a.addr(), b.addr(), d.addr(), dead))
	addr := fe["fe"]

	tests := []struct {
		name       string
		path       string
		hdrs       []string
		wantStatus int
		wantBody   []string // substrings
		wantHdr    map[string]string
	}{
		{"src in X-Real-IP", "/echo/x", nil, 200, []string{"d /echo/x", "X-Real-Ip: 127.0.0.1", "X-Host: www.example.com", "X-Path: echo/x", "X-Backend: d", "X-Both: one|two!"}, map[string]string{"X-After": "yes", "X-Secret": ""}},
		{"dynamic backend a", "/map", []string{"X-Ignored: 1"}, 200, []string{"d /map"}, nil}, // Host www.example.com: default
		{"redirect with expression", "/old/x/page", nil, 301, nil, map[string]string{"Location": "/new/page", "X-After": "yes"}},
		{"return lf-string", "/hello", nil, 200, []string{"hello 127.0.0.1"}, map[string]string{"Content-Type": "text/plain", "X-After": "yes"}},
		{"http-response deny", "/bad", nil, 502, []string{"502 Bad Gateway"}, map[string]string{"X-After": "yes", "X-Server": ""}},
		{"backend deny", "/denied-by-backend", nil, 403, []string{"403 Forbidden"}, nil},
		{"monitor-uri", "/healthz", nil, 200, []string{"Service ready."}, map[string]string{"X-After": "yes"}},
		{"errorloc302", "/dead", nil, 302, nil, map[string]string{"Location": "http://errors.example.com/down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, addr, tt.path, tt.hdrs...)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d; want %d\n%s", resp.StatusCode, tt.wantStatus, body)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("body %q lacks %q", body, w)
				}
			}
			for k, v := range tt.wantHdr {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q; want %q", k, got, v)
				}
			}
		})
	}
	// dynamic use_backend by Host through the map
	for host, want := range map[string]string{"A.example.com": "a /map", "b.example.com": "b /map", "c.example.com": "d /map"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "GET /map HTTP/1.1\r\nHost: %s\r\n\r\n", host)
		_, body, err := readResponse(bufio.NewReader(c))
		c.Close()
		if err != nil || !strings.HasPrefix(body, want) {
			t.Errorf("Host %s: %q %v; want %q", host, body, err, want)
		}
	}
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().String()
	ln.Close()
	return a
}

// TestEmptyCondition: a condition without any term never holds with
// `if` and always holds with `unless`.
func TestEmptyCondition(t *testing.T) {
	be := echoBackend(t, "s")
	_, fe := startProxy(t, testDefaults+sprintf(`
frontend fe
    bind {{fe:fe}}
    http-request deny if
    http-request set-header X-Host unless-empty unless
    default_backend be
backend be
    server s %s
`, be.addr()))
	resp, body := get(t, fe["fe"], "/")
	if resp.StatusCode != 200 || !strings.Contains(body, "X-Host: unless-empty") {
		t.Errorf("got %d %q; want 200 with X-Host set", resp.StatusCode, body)
	}
}

// TestSNIRouting: a mode tcp frontend routes TLS connections by the SNI
// of their ClientHello (peeked, then forwarded intact) to two TLS
// backends.
func TestSNIRouting(t *testing.T) {
	mk := func(name string) *httptest.Server {
		s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s", name, r.TLS.ServerName)
		}))
		s.StartTLS()
		t.Cleanup(s.Close)
		return s
	}
	one, two := mk("one"), mk("two")
	_, fe := startProxy(t, sprintf(`
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind {{fe:fe}}
    tcp-request inspect-delay 5s
    tcp-request content accept if { req_ssl_hello_type 1 }
    tcp-request content reject if { req.len gt 0 } !{ req.ssl_hello_type 1 }
    use_backend be_one if { req_ssl_sni -i one.example.com }
    use_backend be_two if { req.ssl_sni -m end .two.example.com }
    default_backend be_one
backend be_one
    server s %s
backend be_two
    server s %s
`, strings.TrimPrefix(one.URL, "https://"), strings.TrimPrefix(two.URL, "https://")))
	for _, tc := range []struct{ sni, want string }{
		{"one.example.com", "one one.example.com"},
		{"ONE.example.com", "one ONE.example.com"},
		{"x.two.example.com", "two x.two.example.com"},
		{"", "one "},
	} {
		t.Run(tc.sni, func(t *testing.T) {
			tr := &http.Transport{
				TLSClientConfig: &tls.Config{ServerName: tc.sni, InsecureSkipVerify: true},
				DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
					var d net.Dialer
					return d.DialContext(ctx, network, fe["fe"])
				},
			}
			defer tr.CloseIdleConnections()
			host := tc.sni
			if host == "" {
				host = "127.0.0.1"
			}
			resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get("https://" + host + "/")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != tc.want {
				t.Errorf("got %q; want %q", b, tc.want)
			}
		})
	}
	// Plain text is not a TLS hello: rejected once data arrives.
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("plain text not rejected: %d %v", n, err)
	}
}

// BenchmarkHTTPLogFormatRule is BenchmarkHTTPKeepAlive with log-format
// header rules: evaluating them allocates nothing per request.
func BenchmarkHTTPLogFormatRule(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				buf := make([]byte, 4096)
				answer := []byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
				n := 0
				for {
					k, err := c.Read(buf[n:])
					if err != nil {
						return
					}
					n += k
					for {
						i := bytes.Index(buf[:n], []byte("\r\n\r\n"))
						if i < 0 {
							break
						}
						if !bytes.Contains(buf[:i], []byte("x-real-ip: 127.0.0.1\r\nx-host: x")) {
							return
						}
						c.Write(answer)
						n = copy(buf, buf[i+4:n])
					}
				}
			}(c)
		}
	}()
	_, fe := startProxy(b, testDefaults+sprintf(`
frontend fe
    bind {{fe:fe}}
    http-request set-header X-Real-IP %%[src]
    http-request set-header X-Host %%[req.hdr(host),lower]
    default_backend be
backend be
    server s1 %s
`, ln.Addr()))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET / HTTP/1.1\r\nHost: X\r\n\r\n")
	resp := make([]byte, 4096)
	want := len("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Write(req)
		got := 0
		for got < want {
			k, err := c.Read(resp[got:])
			if err != nil {
				b.Fatal(err)
			}
			got += k
		}
	}
}
