package h2

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// startH2Server serves h2c with x/net/http2's server and handler h.
func startH2Server(t testing.TB, h http.HandlerFunc) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http2.Server{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.ServeConn(c, &http2.ServeConnOpts{Handler: h})
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// echoH2 answers with the request line, Host, body length and sha256,
// and a trailer when asked for one.
func echoH2(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	n, _ := io.Copy(h, r.Body)
	if r.URL.Path == "/trailer" {
		w.Header().Set("Trailer", "Grpc-Status")
	}
	fmt.Fprintf(w, "%s %s host=%s proto=%s len=%d sha=%x cookie=%q reqtrailer=%q\n", r.Method, r.URL.RequestURI(), r.Host,
		r.Proto, n, h.Sum(nil)[:4], r.Header.Get("Cookie"), r.Trailer.Get("X-T"))
	if r.URL.Path == "/trailer" {
		w.Header().Set("Grpc-Status", "0")
	}
}

func dialClient(t testing.TB, addr string) *ClientConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := NewClientConn(nc, Options{}, "http")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

// roundTrip writes the HTTP/1.1 request raw into a new stream and reads
// the HTTP/1.1 response from it.
func roundTrip(t testing.TB, cc *ClientConn, raw string) (*http.Response, string) {
	t.Helper()
	vc, err := cc.RoundTripConn()
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	vc.SetDeadline(time.Now().Add(10 * time.Second))
	errc := make(chan error, 1)
	go func() {
		_, err := io.WriteString(vc, raw)
		errc <- err
	}()
	resp, err := http.ReadResponse(bufio.NewReader(vc), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("writing the request: %v", err)
	}
	return resp, string(body)
}

func TestClientExchanges(t *testing.T) {
	addr := startH2Server(t, echoH2)
	cc := dialClient(t, addr)
	big := strings.Repeat("y", 300000)
	cases := []struct {
		name, raw, want string
		trailer         string
	}{
		{name: "GET", raw: "GET /a?b HTTP/1.1\r\nHost: example.com\r\nCookie: a=1; b=2\r\nConnection: keep-alive\r\n\r\n",
			want: `GET /a?b host=example.com proto=HTTP/2.0 len=0 sha=e3b0c442 cookie="a=1; b=2"`},
		{name: "absolute-form", raw: "GET http://example.org:8080/p HTTP/1.1\r\nHost: example.org:8080\r\n\r\n",
			want: `GET /p host=example.org:8080`},
		{name: "POST content-length", raw: "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 300000\r\n\r\n" + big,
			want: "POST /up host=h proto=HTTP/2.0 len=300000"},
		{name: "POST chunked with a trailer", raw: "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n" +
			"3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: fin\r\n\r\n", want: `len=5 sha=36bbe50e cookie="" reqtrailer="fin"`},
		{name: "response trailer", raw: "GET /trailer HTTP/1.1\r\nHost: h\r\n\r\n", want: "GET /trailer", trailer: "0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := roundTrip(t, cc, tc.raw)
			if resp.StatusCode != 200 || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d %q, want 200 with %q", resp.StatusCode, body, tc.want)
			}
			if got := resp.Trailer.Get("Grpc-Status"); got != tc.trailer {
				t.Fatalf("trailer Grpc-Status %q, want %q", got, tc.trailer)
			}
		})
	}
}

func TestClientHeadAndInterim(t *testing.T) {
	addr := startH2Server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/early" {
			w.Header().Set("Link", "</s.css>")
			w.WriteHeader(103)
		}
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hello")
	})
	cc := dialClient(t, addr)
	vc, err := cc.RoundTripConn()
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	io.WriteString(vc, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n")
	req, _ := http.NewRequest("HEAD", "/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(vc), req)
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != 5 {
		t.Fatalf("HEAD: %v %+v", err, resp)
	}
	raw, err := io.ReadAll(mustStream(t, cc, "GET /early HTTP/1.1\r\nHost: h\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), "HTTP/1.1 103 Other\r\nlink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\n") ||
		!strings.HasSuffix(string(raw), "\r\n\r\nhello") {
		t.Fatalf("got %q", raw)
	}
}

// mustStream writes raw into a new stream and returns the stream to read.
func mustStream(t testing.TB, cc *ClientConn, raw string) net.Conn {
	vc, err := cc.RoundTripConn()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vc.Close() })
	vc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(vc, raw); err != nil {
		t.Fatal(err)
	}
	return vc
}

// TestClientConcurrentAndSlowReader runs streams in parallel on one
// connection, one of them downloading 4 MiB read slowly: flow control
// holds the server back without stalling the others.
func TestClientConcurrentAndSlowReader(t *testing.T) {
	addr := startH2Server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			chunk := []byte(strings.Repeat("z", 64<<10))
			for i := 0; i < 64; i++ {
				w.Write(chunk)
			}
			return
		}
		echoH2(w, r)
	})
	cc := dialClient(t, addr)
	big := mustStream(t, cc, "GET /big HTTP/1.1\r\nHost: h\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(big), nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, body := roundTrip(t, cc, fmt.Sprintf("GET /n/%d HTTP/1.1\r\nHost: h\r\n\r\n", i))
			if !strings.Contains(body, fmt.Sprintf("GET /n/%d ", i)) {
				errs <- body
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("wrong body %q", e)
	}
	n, err := io.Copy(io.Discard, &slowReader{r: resp.Body})
	if err != nil || n != 4<<20 {
		t.Fatalf("slow download: %d bytes, %v", n, err)
	}
}

// slowReader reads in small pieces with pauses.
type slowReader struct {
	r io.Reader
	n int
}

func (s *slowReader) Read(p []byte) (int, error) {
	s.n++
	if s.n%64 == 0 {
		time.Sleep(time.Millisecond)
	}
	return s.r.Read(p[:min(len(p), 8192)])
}
