package stream

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// errorPathConfig has a deny, a return, a backend without a usable
// server, and a recording server that crashes or stays silent on demand.
const errorPathConfig = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind {{fe:fe}}
    http-request deny if { path_beg /deny }
    http-request return status 200 content-type text/plain string "hello" if { path_beg /ret }
    use_backend nosrv if { path_beg /nosrv }
    use_backend silent if { path_beg /silent }
    default_backend be
frontend fe_hsc
    bind {{fe:hsc}}
    option http-server-close
    default_backend be
frontend fe_close
    bind {{fe:close}}
    option httpclose
    default_backend be
backend be
    server s1 %[1]s
backend nosrv
    server s1 %[1]s disabled
backend silent
    timeout server 300ms
    server s1 %[1]s
`

func startErrorPaths(t *testing.T) (*recordingServer, map[string]string) {
	t.Helper()
	srv := startRecordingServer(t)
	_, ports := startProxy(t, fmt.Sprintf(errorPathConfig, srv.ln.Addr()))
	return srv, ports
}

// exchange sends one request on br/c and returns the status line, the
// Connection header and the body, read by the head's Content-Length
// (none for HEAD).
func exchange(t *testing.T, c net.Conn, br *bufio.Reader, method, path string) (status, conn, body string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: a\r\n\r\n", method, path)
	line, err := br.ReadString('\n')
	if err != nil {
		return "closed", "", ""
	}
	status = strings.TrimSpace(line)
	n := 0
	for {
		h, err := br.ReadString('\n')
		if err != nil {
			return status, conn, ""
		}
		h = strings.TrimSpace(h)
		if h == "" {
			break
		}
		k, v, _ := strings.Cut(h, ":")
		switch strings.ToLower(k) {
		case "content-length":
			fmt.Sscan(strings.TrimSpace(v), &n)
		case "connection":
			conn = strings.TrimSpace(v)
		}
	}
	if method == "HEAD" {
		return status, conn, ""
	}
	b := make([]byte, n)
	io.ReadFull(br, b)
	return status, conn, string(b)
}

// TestServerConnectionClosedAfter504 is issue 22 case 4: a server that
// never answers gets 504 and its connection closed, not left
// ESTABLISHED for ever.
func TestServerConnectionClosedAfter504(t *testing.T) {
	srv, ports := startErrorPaths(t)
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", ports["fe"])
		if err != nil {
			t.Fatal(err)
		}
		st, _, _ := exchange(t, c, bufio.NewReader(c), "GET", fmt.Sprintf("/silent/%d", i))
		c.Close()
		if !strings.Contains(st, " 504 ") {
			t.Fatalf("request %d: %q, want 504", i, st)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for srv.closed.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.closed.Load(); n != 3 {
		t.Fatalf("%d of 3 server connections closed after their 504", n)
	}
}

// TestHeadLocalAnswersCarryNoBody is issue 22 case 13: a HEAD request
// answered by goha itself (deny, return, no server, a server closing
// without an answer) gets a head only, so the next response on the
// connection is read right after it.
func TestHeadLocalAnswersCarryNoBody(t *testing.T) {
	_, ports := startErrorPaths(t)
	for _, tc := range []struct{ path, status string }{
		{"/deny", "403"}, {"/ret", "200"}, {"/nosrv", "503"}, {"/crash", "502"},
	} {
		c, err := net.Dial("tcp", ports["fe"])
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		st, _, _ := exchange(t, c, br, "HEAD", tc.path)
		if !strings.Contains(st, " "+tc.status+" ") {
			t.Errorf("HEAD %s: %q, want %s", tc.path, st, tc.status)
		}
		next, _, body := exchange(t, c, br, "GET", "/ok")
		if next != "HTTP/1.1 200 OK" || body != "GET /ok" {
			t.Errorf("HEAD %s then GET /ok: got %q %q, want the next answer right after the head", tc.path, next, body)
		}
		c.Close()
	}
}

// TestClientKeptAfterServerErrors is issue 22 case 17: after a 503, a
// 502 or a 504 the client connection stays open for the next request, as
// HAProxy keeps it.
func TestClientKeptAfterServerErrors(t *testing.T) {
	_, ports := startErrorPaths(t)
	for _, tc := range []struct{ path, status string }{
		{"/nosrv", "503"}, {"/crash", "502"}, {"/silent", "504"},
	} {
		c, err := net.Dial("tcp", ports["fe"])
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		st, conn, _ := exchange(t, c, br, "GET", tc.path)
		next, _, body := exchange(t, c, br, "GET", "/ok")
		c.Close()
		if !strings.Contains(st, " "+tc.status+" ") || conn != "" {
			t.Errorf("GET %s: %q connection %q, want %s without Connection: close", tc.path, st, conn, tc.status)
		}
		if body != "GET /ok" {
			t.Errorf("GET %s then GET /ok on the same connection: %q %q", tc.path, next, body)
		}
	}
}

// TestFrontendCloseModesReachServerSide is issue 22 case 16: a
// frontend's option http-server-close or httpclose closes the server
// connection after each response.
func TestFrontendCloseModesReachServerSide(t *testing.T) {
	srv, ports := startErrorPaths(t)
	for _, fe := range []string{"hsc", "close"} {
		srv.mu.Lock()
		before := len(srv.conns)
		srv.mu.Unlock()
		for i := 0; i < 2; i++ {
			c, err := net.Dial("tcp", ports[fe])
			if err != nil {
				t.Fatal(err)
			}
			exchange(t, c, bufio.NewReader(c), "GET", "/x")
			c.Close()
		}
		srv.mu.Lock()
		n := len(srv.conns) - before
		srv.mu.Unlock()
		if n != 2 {
			t.Errorf("frontend %s: 2 requests used %d server connections, want 2", fe, n)
		}
	}
}

// TestPooledConnectionClosedWhileIdle is issue 22 case 5: a server that
// closes idle connections (as Apache, Node and gunicorn do) must not
// cost a POST whose body cannot be replayed a 502: the pooled
// connection is found closed before it is used.
func TestPooledConnectionClosedWhileIdle(t *testing.T) {
	srv := startIdleClosingServer(t, 100*time.Millisecond)
	_, ports := startProxy(t, fmt.Sprintf(errorPathConfig, srv.ln.Addr()))
	body := strings.Repeat("b", 200000)
	for round := 0; round < 3; round++ {
		c, err := net.Dial("tcp", ports["fe"])
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		if st, _, _ := exchange(t, c, br, "GET", "/warm"); st != "HTTP/1.1 200 OK" {
			t.Fatalf("round %d: GET /warm: %q", round, st)
		}
		select {
		case <-srv.idleClosed:
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: the server did not close its idle connection", round)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n", len(body))
		go io.WriteString(c, body)
		line, _ := br.ReadString('\n')
		c.Close()
		if strings.TrimSpace(line) != "HTTP/1.1 200 OK" {
			t.Fatalf("round %d: a 200 KB POST after the server closed the pooled connection: %q, want 200", round, line)
		}
	}
}

// TestPostNotReplayed is issue 22 case 6: a POST sent on a reused
// connection that the server closes without answering is not sent
// again (the server may have run it): 502, run once.
func TestPostNotReplayed(t *testing.T) {
	srv, ports := startErrorPaths(t)
	for _, req := range []string{"GET /warm", "POST /crash"} {
		c, err := net.Dial("tcp", ports["fe"])
		if err != nil {
			t.Fatal(err)
		}
		method, path, _ := strings.Cut(req, " ")
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", method, path)
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if method == "POST" && !strings.Contains(line, " 502 ") {
			t.Errorf("POST /crash: %q, want 502", line)
		}
	}
	_, seen := srv.received()
	n := 0
	for _, l := range seen {
		if l == "POST /crash" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the server ran POST /crash %d times, want once (%v)", n, seen)
	}
}

// TestEconOncePerFailedRequest is issue 22 case 15: with retries 3, one
// request to a server that refuses connections counts one connection
// error on the server and the backend, not one per attempt.
func TestEconOncePerFailedRequest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()
	rt, ports := startProxy(t, fmt.Sprintf(`
defaults
    mode http
    retries 3
    timeout connect 50ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind {{fe:fe}}
    default_backend be
backend be
    server s1 %s
`, refused))
	c, err := net.Dial("tcp", ports["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, _, _ := exchange(t, c, bufio.NewReader(c), "GET", "/")
	if !strings.Contains(st, " 503 ") {
		t.Fatalf("got %q, want 503", st)
	}
	be := rt.FindBackend("be")
	if e, es := be.Econ.Load(), be.Servers[0].Econ.Load(); e != 1 || es != 1 {
		t.Fatalf("econ backend %d, server %d; want 1 and 1", e, es)
	}
}

// TestMaxHdr: tune.http.maxhdr N refuses a request with N header fields
// or more with 400 and serves one with N-1, as HAProxy 2.6 does
// (measured: maxhdr 10 takes 9 fields, refuses 10).
func TestMaxHdr(t *testing.T) {
	srv := startRecordingServer(t)
	_, ports := startProxy(t, fmt.Sprintf(`
global
    tune.http.maxhdr 10
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind {{fe:fe}}
    default_backend be
backend be
    server s1 %s
`, srv.ln.Addr()))
	for _, tc := range []struct {
		fields int
		status string
	}{{9, "200"}, {10, "400"}, {50, "400"}} {
		var b strings.Builder
		b.WriteString("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n")
		for i := 3; i <= tc.fields; i++ {
			fmt.Fprintf(&b, "X-%d: v\r\n", i)
		}
		b.WriteString("\r\n")
		got := rawRequest(t, ports["fe"], b.String(), 2*time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 "+tc.status) {
			t.Errorf("%d header fields: %.40q, want %s", tc.fields, got, tc.status)
		}
	}
}
