package dataplane

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/goha/goha/test/harness"
)

// TestCacheEndToEnd runs the binary with a cache section: a second GET
// is answered from the cache (the server sees one request, the client
// an Age and res.cache_hit 1), no-store, Set-Cookie, POST and oversized
// answers are never stored, a chunked answer is, a matching
// If-None-Match gets a 304 from the cache, and show cache lists what is
// stored.
func TestCacheEndToEnd(t *testing.T) {
	var hits atomic.Int64
	big := strings.Repeat("b", 3000)
	srv := harness.NewBackend(t, "s", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		w.Header().Set("ETag", `"e`+r.URL.Path+`"`)
		switch r.URL.Path {
		case "/nostore":
			w.Header().Set("Cache-Control", "no-store")
		case "/cookie":
			w.Header().Set("Set-Cookie", fmt.Sprintf("sid=%d", n))
		case "/big":
			fmt.Fprint(w, big)
			return
		case "/chunked":
			fmt.Fprint(w, "part1 ")
			w.(http.Flusher).Flush()
			fmt.Fprintf(w, "part2 %d", n)
			return
		}
		fmt.Fprintf(w, "count=%d", n)
	}))
	fe := harness.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "admin.sock")
	startGoha(t, fmt.Sprintf(`
global
    stats socket %s level admin
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind %s
    http-request cache-use c1
    http-response cache-store c1
    http-response set-header X-Cache-Hit %%[res.cache_hit]
    default_backend be
backend be
    server s %s
cache c1
    total-max-size 1
    max-object-size 2000
    max-age 60
`, sock, fe, srv.Addr), fe)
	u := "http://" + fe
	twice := func(path string, hdr ...string) (string, string, http.Header, int64) {
		h0 := hits.Load()
		_, b1, _ := get(t, u+path, hdr...)
		_, b2, h2 := get(t, u+path, hdr...)
		return b1, b2, h2, hits.Load() - h0
	}
	b1, b2, h, n := twice("/a")
	if n != 1 || b1 != b2 || h.Get("Age") == "" || h.Get("X-Cache-Hit") != "1" {
		t.Errorf("/a: %d server requests, bodies %q %q, Age %q, X-Cache-Hit %q; want 1, the same, an Age, 1", n, b1, b2, h.Get("Age"), h.Get("X-Cache-Hit"))
	}
	for _, p := range []string{"/nostore", "/cookie", "/big"} {
		if b1, b2, _, n := twice(p); n != 2 || b1 == b2 && p != "/big" || p == "/big" && b2 != big {
			t.Errorf("%s: %d server requests (bodies %.20q %.20q), want 2: never stored", p, n, b1, b2)
		}
	}
	if b1, b2, h, n := twice("/chunked"); n != 1 || b1 != b2 || h.Get("Content-Length") != fmt.Sprint(len(b1)) {
		t.Errorf("/chunked: %d server requests, bodies %q %q, Content-Length %q; want it stored", n, b1, b2, h.Get("Content-Length"))
	}
	h0 := hits.Load()
	for i := 0; i < 2; i++ {
		resp, err := http.Post(u+"/a", "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := hits.Load() - h0; n != 2 {
		t.Errorf("POST: %d server requests, want 2", n)
	}
	// The successful POST invalidated /a: the next GET reaches the server.
	h0 = hits.Load()
	get(t, u+"/a")
	st, _, _ := get(t, u+"/a", "If-None-Match", `"e/a"`)
	if n := hits.Load() - h0; st != 304 || n != 1 {
		t.Errorf("If-None-Match after a POST: status %d, %d server requests; want 304 and 1 (the GET that stored again)", st, n)
	}
	out := harness.Socat(t, sock, "show cache\n")
	if !strings.Contains(out, ": c1 (shctx:0x") || strings.Count(out, " hash:") != 2 {
		t.Errorf("show cache lists /a and /chunked only:\n%s", out)
	}
}
