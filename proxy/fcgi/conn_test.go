package fcgi

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"net/netip"
	"strings"
	"testing"
)

// goServer serves h with Go's net/http/fcgi on a loopback listener.
func goServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { fcgi.Serve(ln, h); close(done) }()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

// dialGateway returns a gateway over a new connection to addr.
func dialGateway(t *testing.T, addr string, app *App) *Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := NewConn(nc, app, nil)
	c.Prepare(Meta{Src: netip.MustParseAddrPort("127.0.0.1:5555"), Dst: netip.MustParseAddrPort("127.0.0.1:80"), Hide: DefaultHidden})
	return c
}

// roundTrip writes a raw request and reads the response with net/http.
func roundTrip(t *testing.T, c *Conn, br *bufio.Reader, raw string) (*http.Response, []byte) {
	t.Helper()
	if _, err := c.Write([]byte(raw)); err != nil {
		t.Fatalf("write: %v", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response of %q: %v (gateway state %v)", raw, err, c.failed())
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, body
}

func TestGatewayGoServerKeepAlive(t *testing.T) {
	addr := goServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/small" {
			w.Header().Set("X-Q", r.URL.RawQuery)
			fmt.Fprint(w, "small")
			return
		}
		w.WriteHeader(201)
		w.Write(bytes.Repeat([]byte("x"), 100000))
	}))
	app := &App{DocRoot: "/srv", KeepConn: true}
	c := dialGateway(t, addr, app)
	br := bufio.NewReader(c)
	for i := 0; i < 3; i++ {
		resp, body := roundTrip(t, c, br, "GET /small?a=1 HTTP/1.1\r\nHost: h\r\n\r\n")
		if resp.StatusCode != 200 || string(body) != "small" || resp.Header.Get("X-Q") != "a=1" || resp.ContentLength != 5 {
			t.Fatalf("request %d: %d %q %v len %d", i, resp.StatusCode, body, resp.Header, resp.ContentLength)
		}
		resp, body = roundTrip(t, c, br, "GET /big HTTP/1.1\r\nHost: h\r\n\r\n")
		if resp.StatusCode != 201 || len(body) != 100000 || resp.TransferEncoding == nil {
			t.Fatalf("request %d: %d, %d bytes, %v", i, resp.StatusCode, len(body), resp.TransferEncoding)
		}
	}
}

func TestGatewayUploadStreams(t *testing.T) {
	addr := goServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := md5.New()
		n, _ := io.Copy(h, r.Body)
		fmt.Fprintf(w, "%d %x %s", n, h.Sum(nil), r.Header.Get("Content-Type"))
	}))
	c := dialGateway(t, addr, &App{DocRoot: "/srv", KeepConn: true})
	br := bufio.NewReader(c)
	body := bytes.Repeat([]byte("0123456789abcdef"), 300000) // 4.8 MB
	want := fmt.Sprintf("%d %x text/x", len(body), md5.Sum(body))
	head := fmt.Sprintf("POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: text/x\r\nContent-Length: %d\r\n\r\n", len(body))
	if _, err := c.Write(append([]byte(head), body[:1000]...)); err != nil {
		t.Fatal(err)
	}
	for rest := body[1000:]; len(rest) > 0; {
		n := min(len(rest), 70000)
		if _, err := c.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	// chunked upload
	chunked := "POST /u HTTP/1.1\r\nHost: h\r\nContent-Type: text/x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
	_, b := roundTrip(t, c, br, chunked)
	if want := fmt.Sprintf("11 %x text/x", md5.Sum([]byte("hello world"))); string(b) != want {
		t.Fatalf("chunked: got %q, want %q", b, want)
	}
}

func TestGatewayExpectContinue(t *testing.T) {
	addr := goServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s expect=%q", b, r.Header.Get("Expect"))
	}))
	c := dialGateway(t, addr, &App{DocRoot: "/srv", KeepConn: true})
	br := bufio.NewReader(c)
	c.Write([]byte("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"))
	line, _ := br.ReadString('\n')
	if !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("first line %q, want a 100 Continue", line)
	}
	br.ReadString('\n')
	c.Write([]byte("ok"))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != `ok expect=""` {
		t.Fatalf("got %q", b)
	}
}
