package cache

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/proxy/http1"
)

func parseReq(t *testing.T, head string) *http1.Request {
	t.Helper()
	var r http1.Request
	b := []byte(strings.ReplaceAll(head, "\n", "\r\n") + "\r\n")
	if err := http1.ParseRequest(b, len(b), &r); err != nil {
		t.Fatalf("request %q: %v", head, err)
	}
	return &r
}

func parseResp(t *testing.T, head string) *http1.Response {
	t.Helper()
	var r http1.Response
	b := []byte(strings.ReplaceAll(head, "\n", "\r\n") + "\r\n")
	if err := http1.ParseResponse(b, len(b), &r); err != nil {
		t.Fatalf("response %q: %v", head, err)
	}
	return &r
}

var testSet = Settings{Name: "c", TotalMaxSize: 1 << 20, MaxObjectSize: 4096, MaxAge: 60, MaxSecondaryEntries: 10}

// TestStorable: each HTTP caching rule decides whether a response is
// stored, and for how long.
func TestStorable(t *testing.T) {
	const get = "GET /a HTTP/1.1\nHost: h\n"
	now := time.Unix(1_700_000_000, 0)
	future := now.Add(30 * time.Second).UTC().Format(http_TimeFormat)
	cases := []struct {
		name, req, resp string
		vary            bool
		store           bool
		maxAge          int
	}{
		{"200 with ETag", get, "HTTP/1.1 200 OK\nETag: \"x\"\nContent-Length: 1\n", false, true, 60},
		{"200 with Last-Modified", get, "HTTP/1.1 200 OK\nLast-Modified: Tue, 14 Nov 2023 22:13:20 GMT\n", false, true, 60},
		{"200 without validator nor lifetime", get, "HTTP/1.1 200 OK\nContent-Length: 1\n", false, false, 0},
		{"404", get, "HTTP/1.1 404 Not Found\nETag: \"x\"\n", false, false, 0},
		{"POST", "POST /a HTTP/1.1\nHost: h\nContent-Length: 0\n", "HTTP/1.1 200 OK\nETag: \"x\"\n", false, false, 0},
		{"HEAD", "HEAD /a HTTP/1.1\nHost: h\n", "HTTP/1.1 200 OK\nETag: \"x\"\n", false, false, 0},
		{"HTTP/1.0 request", "GET /a HTTP/1.0\nHost: h\n", "HTTP/1.1 200 OK\nETag: \"x\"\n", false, false, 0},
		{"no-store", get, "HTTP/1.1 200 OK\nCache-Control: no-store\nETag: \"x\"\n", false, false, 0},
		{"private", get, "HTTP/1.1 200 OK\nCache-Control: private\nETag: \"x\"\n", false, false, 0},
		{"no-cache", get, "HTTP/1.1 200 OK\nCache-Control: no-cache\nETag: \"x\"\n", false, false, 0},
		{"max-age=0", get, "HTTP/1.1 200 OK\nCache-Control: max-age=0\n", false, false, 0},
		{"Pragma no-cache", get, "HTTP/1.1 200 OK\nPragma: no-cache\nETag: \"x\"\n", false, false, 0},
		{"Set-Cookie", get, "HTTP/1.1 200 OK\nSet-Cookie: a=b\nETag: \"x\"\n", false, false, 0},
		{"max-age below the cache's", get, "HTTP/1.1 200 OK\nCache-Control: public, max-age=10\n", false, true, 10},
		{"max-age above the cache's", get, "HTTP/1.1 200 OK\nCache-Control: max-age=600\n", false, true, 60},
		{"s-maxage wins over max-age", get, "HTTP/1.1 200 OK\nCache-Control: max-age=5, s-maxage=20\n", false, true, 20},
		{"Expires", get, "HTTP/1.1 200 OK\nExpires: " + future + "\n", false, true, 30},
		{"Expires in the past", get, "HTTP/1.1 200 OK\nExpires: Thu, 01 Jan 1970 00:00:00 GMT\n", false, false, 0},
		{"Age within max-age", get, "HTTP/1.1 200 OK\nCache-Control: max-age=30\nAge: 10\n", false, true, 30},
		{"Age beyond max-age", get, "HTTP/1.1 200 OK\nCache-Control: max-age=30\nAge: 40\n", false, false, 0},
		{"too big", get, "HTTP/1.1 200 OK\nETag: \"x\"\nContent-Length: 5000\n", false, false, 0},
		{"Vary without process-vary", get, "HTTP/1.1 200 OK\nETag: \"x\"\nVary: Accept-Encoding\n", false, false, 0},
		{"Vary with process-vary", get, "HTTP/1.1 200 OK\nETag: \"x\"\nVary: Accept-Encoding\n", true, true, 60},
		{"Vary on another header", get, "HTTP/1.1 200 OK\nETag: \"x\"\nVary: User-Agent\n", true, false, 0},
		{"request Cache-Control no-store", get + "Cache-Control: no-store\n", "HTTP/1.1 200 OK\nETag: \"x\"\n", false, false, 0},
		{"request with Authorization", get + "Authorization: Basic x\n", "HTTP/1.1 200 OK\nETag: \"x\"\n", false, false, 0},
		{"request Cache-Control no-cache", get + "Cache-Control: no-cache\n", "HTTP/1.1 200 OK\nETag: \"x\"\n", false, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := testSet
			set.ProcessVary = c.vary
			ca := New(set)
			req := parseReq(t, c.req)
			r := AnalyzeRequest(req)
			m, _, ok := ca.AnalyzeResponse(&r, req, parseResp(t, c.resp), now)
			if ok != c.store || (ok && m.MaxAge != c.maxAge) {
				t.Fatalf("stored %v max-age %d, want %v %d", ok, m.MaxAge, c.store, c.maxAge)
			}
		})
	}
}

const http_TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// store puts a response for req into c, its body given in one piece.
func store(t *testing.T, c *Cache, req, resp, body string) bool {
	t.Helper()
	rq := parseReq(t, req)
	r := AnalyzeRequest(rq)
	rs := parseResp(t, resp)
	m, sec, ok := c.AnalyzeResponse(&r, rq, rs, c.now())
	if !ok {
		return false
	}
	w := c.Start(r.Key, sec, m, []byte(resp))
	if w == nil || !w.Write([]byte(body)) {
		return false
	}
	w.Commit()
	return true
}

// lookup finds the entry answering req.
func lookup(t *testing.T, c *Cache, req string) *Entry {
	t.Helper()
	r := AnalyzeRequest(parseReq(t, req))
	if !r.Lookup {
		return nil
	}
	e := c.Lookup(r.Key, func(sig uint32) (SecKey, bool) { return SecFor(r.Sec, sig), r.SecOK })
	if e != nil {
		e.Release()
	}
	return e
}

// TestHitAgeExpiry: a stored response is found by the same URL on the
// same host, its Age grows, it expires with its max-age.
func TestHitAgeExpiry(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := New(testSet)
	c.now = func() time.Time { return now }
	if !store(t, c, "GET /a?x=1 HTTP/1.1\nHost: h\n", "HTTP/1.1 200 OK\nCache-Control: max-age=10\nAge: 3\n", "body") {
		t.Fatal("not stored")
	}
	e := lookup(t, c, "GET /a?x=1 HTTP/1.1\nHost: h\n")
	if e == nil || string(e.Body) != "body" {
		t.Fatalf("no hit: %v", e)
	}
	if a := e.Age(now.Add(2 * time.Second)); a != 5 {
		t.Fatalf("Age %d, want 5 (3 from the server + 2 stored)", a)
	}
	for _, other := range []string{"GET /a?x=2 HTTP/1.1\nHost: h\n", "GET /a?x=1 HTTP/1.1\nHost: g\n"} {
		if lookup(t, c, other) != nil {
			t.Fatalf("%q hit another URL's entry", other)
		}
	}
	if lookup(t, c, "HEAD /a?x=1 HTTP/1.1\nHost: h\n") == nil {
		t.Fatal("HEAD does not use the GET's entry")
	}
	now = now.Add(10 * time.Second)
	if lookup(t, c, "GET /a?x=1 HTTP/1.1\nHost: h\n") != nil || c.Len() != 0 {
		t.Fatal("an expired entry is still served")
	}
}

// TestVary: with process-vary, variants by content-encoding are served
// to the clients accepting them, normalised.
func TestVary(t *testing.T) {
	set := testSet
	set.ProcessVary = true
	c := New(set)
	const gz = "GET /v HTTP/1.1\nHost: h\nAccept-Encoding: gzip, deflate\n"
	if !store(t, c, gz, "HTTP/1.1 200 OK\nETag: \"x\"\nVary: Accept-Encoding\nContent-Encoding: gzip\n", "GZ") {
		t.Fatal("gzip variant not stored")
	}
	if !store(t, c, "GET /v HTTP/1.1\nHost: h\n", "HTTP/1.1 200 OK\nETag: \"x\"\nVary: Accept-Encoding\n", "PLAIN") {
		t.Fatal("identity variant not stored")
	}
	cases := map[string]string{
		"Accept-Encoding: gzip":                   "GZ",
		"Accept-Encoding: DEFLATE ,  GZIP":        "GZ",
		"Accept-Encoding: br":                     "PLAIN",
		"Accept-Encoding: gzip;q=0, identity":     "PLAIN",
		"Accept-Encoding: identity":               "PLAIN",
		"Accept-Encoding: gzip;q=0, identity;q=0": "",
	}
	for h, want := range cases {
		e := lookup(t, c, "GET /v HTTP/1.1\nHost: h\n"+h+"\n")
		got := ""
		if e != nil {
			got = string(e.Body)
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", h, got, want)
		}
	}
}

// TestConditional: If-None-Match (weak comparison, lists, *) and
// If-Modified-Since against the stored validators.
func TestConditional(t *testing.T) {
	c := New(testSet)
	if !store(t, c, "GET /c HTTP/1.1\nHost: h\n", "HTTP/1.1 200 OK\nETag: \"v1\"\nLast-Modified: Tue, 14 Nov 2023 22:13:20 GMT\n", "x") {
		t.Fatal("not stored")
	}
	e := lookup(t, c, "GET /c HTTP/1.1\nHost: h\n")
	cases := map[string]bool{
		"If-None-Match: \"v1\"":         true,
		"If-None-Match: W/\"v1\"":       true,
		"If-None-Match: \"v0\", \"v1\"": true,
		"If-None-Match: *":              true,
		"If-None-Match: \"v2\"":         false,
		"If-None-Match: \"v2\"\nIf-Modified-Since: Wed, 15 Nov 2023 00:00:00 GMT": false,
		"If-Modified-Since: Wed, 15 Nov 2023 00:00:00 GMT":                        true,
		"If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT":                        true,
		"If-Modified-Since: Mon, 13 Nov 2023 00:00:00 GMT":                        false,
		"If-Modified-Since: garbage":                                              false,
	}
	for h, want := range cases {
		if got := e.NotModified(parseReq(t, "GET /c HTTP/1.1\nHost: h\n"+h+"\n")); got != want {
			t.Errorf("%q: 304 %v, want %v", h, got, want)
		}
	}
}

// TestInvalidate: a successful unsafe request removes the URL's entry.
func TestInvalidate(t *testing.T) {
	c := New(testSet)
	store(t, c, "GET /i HTTP/1.1\nHost: h\n", "HTTP/1.1 200 OK\nETag: \"x\"\n", "x")
	r := AnalyzeRequest(parseReq(t, "POST /i HTTP/1.1\nHost: h\nContent-Length: 0\n"))
	if !r.Unsafe || !r.HasKey {
		t.Fatalf("POST: %+v", r)
	}
	c.Invalidate(r.Key)
	if lookup(t, c, "GET /i HTTP/1.1\nHost: h\n") != nil {
		t.Fatal("entry survived a POST")
	}
}

// TestObjectTooBig: a chunked response that outgrows max-object-size
// stops being stored and gives its reservation back.
func TestObjectTooBig(t *testing.T) {
	c := New(testSet)
	rq := parseReq(t, "GET /big HTTP/1.1\nHost: h\n")
	r := AnalyzeRequest(rq)
	m, sec, ok := c.AnalyzeResponse(&r, rq, parseResp(t, "HTTP/1.1 200 OK\nETag: \"x\"\nTransfer-Encoding: chunked\n"), time.Now())
	if !ok {
		t.Fatal("chunked response refused")
	}
	w := c.Start(r.Key, sec, m, []byte("HTTP/1.1 200 OK\r\n"))
	piece := make([]byte, 1000)
	n := 0
	for w.Write(piece) {
		n++
	}
	if n != 4 || c.Used() != 0 || c.Len() != 0 {
		t.Fatalf("%d pieces stored, %d bytes used, %d entries", n, c.Used(), c.Len())
	}
}

// TestEvictionConcurrent: goroutines storing and reading at once never
// push the cache past total-max-size, and the least recently used
// entries go first.
func TestEvictionConcurrent(t *testing.T) {
	set := Settings{Name: "c", TotalMaxSize: 64 << 10, MaxObjectSize: 4096, MaxAge: 60}
	c := New(set)
	body := strings.Repeat("x", 3000)
	var wg sync.WaitGroup
	var over sync.Once
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				req := fmt.Sprintf("GET /%d/%d HTTP/1.1\nHost: h\n", g, i)
				store(t, c, req, "HTTP/1.1 200 OK\nETag: \"x\"\n", body)
				lookup(t, c, fmt.Sprintf("GET /%d/%d HTTP/1.1\nHost: h\n", g, i/2))
				if u := c.Used(); u > set.TotalMaxSize {
					over.Do(func() { t.Errorf("used %d > %d", u, set.TotalMaxSize) })
				}
			}
		}(g)
	}
	wg.Wait()
	if n := c.Len(); n == 0 || int64(n)*3000 > set.TotalMaxSize {
		t.Fatalf("%d entries left", n)
	}
	// LRU: touch /hot, then store enough to evict everything else.
	store(t, c, "GET /hot HTTP/1.1\nHost: h\n", "HTTP/1.1 200 OK\nETag: \"x\"\n", body)
	for i := 0; i < 40; i++ {
		lookup(t, c, "GET /hot HTTP/1.1\nHost: h\n")
		store(t, c, fmt.Sprintf("GET /new/%d HTTP/1.1\nHost: h\n", i), "HTTP/1.1 200 OK\nETag: \"x\"\n", body)
	}
	if lookup(t, c, "GET /hot HTTP/1.1\nHost: h\n") == nil {
		t.Fatal("the most recently used entry was evicted")
	}
	if lookup(t, c, "GET /new/0 HTTP/1.1\nHost: h\n") != nil {
		t.Fatal("the least recently used entry survived")
	}
}

// TestShowCache: HAProxy 2.6's `show cache` lines, the hash being the
// first four bytes of the SHA-1 of https://HOST/URI.
func TestShowCache(t *testing.T) {
	c := New(Settings{Name: "c1", TotalMaxSize: 4 << 20, MaxObjectSize: 16384, MaxAge: 60})
	store(t, c, "GET /c/a HTTP/1.1\nHost: 127.0.0.1:8080\n", "HTTP/1.1 200 OK\nETag: \"x\"\n", "abc")
	out := string(c.AppendShow(nil))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], ": c1 (shctx:0x") || !strings.HasSuffix(lines[0], ", available blocks:4096)") {
		t.Fatalf("show cache:\n%s", out)
	}
	// python3: struct.unpack("<I", hashlib.sha1(b"https://127.0.0.1:8080/c/a").digest()[:4])
	if !strings.Contains(lines[1], " hash:889337977 ") || !strings.Contains(lines[1], " vary:0x0000000000000000 size:") ||
		!strings.HasSuffix(lines[1], "refcount:0, expire:60") {
		t.Fatalf("entry line: %q", lines[1])
	}
}
