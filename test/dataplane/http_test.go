package dataplane

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func oneBackendCfg(fe, srv, extraFE, extraBE string) string {
	return defaults + fmt.Sprintf("frontend fe\n    bind %s\n%s    default_backend be\nbackend be\n%s    server s1 %s\n", fe, extraFE, extraBE, srv)
}

// TestKeepAliveReuse: many requests on one client connection make one
// client connection and reuse one server connection.
func TestKeepAliveReuse(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", nil)
	fe := harness.FreeAddr(t)
	startGoha(t, oneBackendCfg(fe, s1.Addr, "", ""), fe)
	c := harness.Dial(t, fe)
	br := bufio.NewReader(c)
	for i := 0; i < 10; i++ {
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
		resp, body, err := readResp(br)
		if err != nil || resp.StatusCode != 200 || body != "s1\n" {
			t.Fatalf("request %d: %v %v %q", i, resp, err, body)
		}
		if resp.Header.Get("Connection") != "" {
			t.Errorf("request %d: Connection %q toward a keep-alive client", i, resp.Header.Get("Connection"))
		}
	}
	if n := s1.Accepts.Load(); n != 1 {
		t.Errorf("server accepted %d connections for 10 keep-alive requests; want 1", n)
	}
	// A second client reuses the idle server connection.
	c2 := harness.Dial(t, fe)
	br2 := bufio.NewReader(c2)
	for i := 0; i < 3; i++ {
		fmt.Fprintf(c2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		if _, _, err := readResp(br2); err != nil {
			t.Fatal(err)
		}
	}
	if n := s1.Accepts.Load(); n != 1 {
		t.Errorf("server accepted %d connections for two keep-alive clients; want 1", n)
	}
}

// TestCurlKeepAlive: two URLs on one curl command line use one connect.
func TestCurlKeepAlive(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	s1 := harness.NewBackend(t, "s1", nil)
	fe := harness.FreeAddr(t)
	startGoha(t, oneBackendCfg(fe, s1.Addr, "", ""), fe)
	out, err := exec.Command("curl", "-s", "-m", "5", "http://"+fe+"/", "http://"+fe+"/", "-w", "%{num_connects}", "-o", "/dev/null", "-o", "/dev/null").Output()
	if err != nil || string(out) != "10" {
		t.Errorf("curl num_connects = %q (%v); want \"10\"", out, err)
	}
}

// TestLargeBodies streams 10 MB up and down; the server checks the
// upload's digest and sends its own download.
func TestLargeBodies(t *testing.T) {
	const size = 10 << 20
	payload := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	sum := sha256.Sum256(payload)
	s1 := harness.NewBackend(t, "s1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			h := sha256.New()
			n, _ := io.Copy(h, r.Body)
			if n != size || !bytes.Equal(h.Sum(nil), sum[:]) {
				w.WriteHeader(500)
				fmt.Fprintf(w, "upload: %d bytes, digest mismatch", n)
				return
			}
			io.WriteString(w, "ok")
			return
		}
		if r.URL.Path == "/chunked" {
			// No Content-Length: net/http sends it chunked.
			for i := 0; i < size; i += 1 << 20 {
				w.Write(payload[i : i+1<<20])
				w.(http.Flusher).Flush()
			}
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.Write(payload)
	}))
	fe := harness.FreeAddr(t)
	startGoha(t, oneBackendCfg(fe, s1.Addr, "", ""), fe)
	client := &http.Client{Timeout: 30 * time.Second}
	uploads := []struct {
		name string
		body func() io.Reader
	}{
		{"upload content-length", func() io.Reader { return bytes.NewReader(payload) }},
		// An io.Reader of unknown length makes net/http send chunked.
		{"upload chunked", func() io.Reader { return io.MultiReader(bytes.NewReader(payload)) }},
	}
	for _, u := range uploads {
		t.Run(u.name, func(t *testing.T) {
			resp, err := client.Post("http://"+fe+"/up", "application/octet-stream", u.body())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(b) != "ok" {
				t.Errorf("got %d %q", resp.StatusCode, b)
			}
		})
	}
	for _, p := range []string{"/down", "/chunked"} {
		t.Run("download "+p, func(t *testing.T) {
			resp, err := client.Get("http://" + fe + p)
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			n, err := io.Copy(h, resp.Body)
			resp.Body.Close()
			if err != nil || n != size || !bytes.Equal(h.Sum(nil), sum[:]) {
				t.Errorf("download: %d bytes, err %v, digest ok %v", n, err, bytes.Equal(h.Sum(nil), sum[:]))
			}
			if p == "/chunked" && len(resp.TransferEncoding) == 0 {
				t.Errorf("Transfer-Encoding %v; want chunked kept", resp.TransferEncoding)
			}
		})
	}
}

// TestChunkedRaw checks a chunked request with trailers followed by a
// pipelined request on the same connection.
func TestChunkedRaw(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s:%s", r.URL.Path, b)
	}))
	fe := harness.FreeAddr(t)
	startGoha(t, oneBackendCfg(fe, s1.Addr, "", ""), fe)
	req := "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n" +
		"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	c := harness.Dial(t, fe)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, req)
	br := bufio.NewReader(c)
	for _, want := range []string{"/a:hello world", "/b:"} {
		resp, body, err := readResp(br)
		if err != nil || resp.StatusCode != 200 || body != want {
			t.Fatalf("got %v %q %v; want %q", resp, body, err, want)
		}
	}
}

// TestWebSocketUpgrade: a 101 switches the connection to a tunnel.
func TestWebSocketUpgrade(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			w.WriteHeader(400)
			return
		}
		c, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		// Echo lines upper-cased until EOF.
		for {
			line, err := brw.ReadString('\n')
			if err != nil {
				return
			}
			io.WriteString(c, strings.ToUpper(line))
		}
	}))
	fe := harness.FreeAddr(t)
	startGoha(t, oneBackendCfg(fe, s1.Addr, "", ""), fe)
	c := harness.Dial(t, fe)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	for _, msg := range []string{"ping\n", "hello tunnel\n"} {
		io.WriteString(c, msg)
		got, err := br.ReadString('\n')
		if err != nil || got != strings.ToUpper(msg) {
			t.Fatalf("echo %q = %q, %v", msg, got, err)
		}
	}
}

// TestExpectContinue: curl-like 100-continue handshake.
func TestExpectContinue(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "got %d", len(b))
	}))
	fe := harness.FreeAddr(t)
	startGoha(t, oneBackendCfg(fe, s1.Addr, "", ""), fe)
	c := harness.Dial(t, fe)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("first line %q, %v; want a 100 Continue", line, err)
	}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l == "\r\n" {
			break
		}
	}
	io.WriteString(c, "abcde")
	resp, body, err := readResp(br)
	if err != nil || resp.StatusCode != 200 || body != "got 5" {
		t.Fatalf("got %v %q %v", resp, body, err)
	}
}

// TestRejectedRequests: malformed and smuggling requests get 400 (or 408)
// and never reach a server.
func TestRejectedRequests(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", nil)
	fe2 := harness.FreeAddr(t)
	startGoha(t, defaults+fmt.Sprintf("    timeout http-request 500ms\nfrontend fe\n    bind %s\n    default_backend be\nbackend be\n    server s1 %s\n", fe2, s1.Addr), fe2)
	big := "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 17000) + "\r\n\r\n"
	tests := []struct {
		name, req, status string
	}{
		{"CL and TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", " 400 "},
		{"two Content-Length", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", " 400 "},
		{"space in header name", "GET / HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", " 400 "},
		{"garbage request line", "GARBAGE\r\n\r\n", " 400 "},
		{"header over tune.bufsize", big, " 400 "},
		{"slow headers", "GET / HTTP/1.1\r\nHost: x\r\n", " 408 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s1.Requests.Load()
			got := raw(t, fe2, tt.req, 5*time.Second)
			first, _, _ := strings.Cut(got, "\r\n")
			if !strings.Contains(first+" ", tt.status) {
				t.Errorf("status line %q; want%s", first, tt.status)
			}
			if s1.Requests.Load() != before {
				t.Errorf("the request reached the server")
			}
		})
	}
}
