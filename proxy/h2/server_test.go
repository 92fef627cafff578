package h2

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

func TestServerGet(t *testing.T) {
	ts := startServer(t, Options{}, echoH1)
	cl, tr := h2cClient()
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "http://"+ts.addr+"/a?b=c", nil)
	req.Header.Add("Cookie", "a=1")
	req.Header.Add("Cookie", "b=2")
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := mustBody(t, resp)
	want := `GET /a?b=c host=` + ts.addr + ` cookie="a=1; b=2" len=0`
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 || !strings.HasPrefix(body, want) {
		t.Fatalf("got %d %s %q, want 200 HTTP/2 %q", resp.StatusCode, resp.Proto, body, want)
	}
	if resp.Header.Get("Connection") != "" || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("response headers %v", resp.Header)
	}
}

// rawH1 answers every request with the fixed HTTP/1.1 bytes resp after
// reading the request head and body.
func rawH1(resp string) func(net.Conn) {
	return func(vc net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(vc))
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		io.WriteString(vc, resp)
	}
}

func TestServerBodies(t *testing.T) {
	ts := startServer(t, Options{}, echoH1)
	cl, tr := h2cClient()
	defer tr.CloseIdleConnections()
	big := strings.Repeat("x", 1<<20)
	cases := []struct {
		name string
		body io.Reader
		len  int64
		want string
	}{
		{"content-length", strings.NewReader(big), int64(len(big)), `POST / host=` + ts.addr + ` cookie="" len=1048576 te=[]`},
		{"unknown length is chunked", io.MultiReader(strings.NewReader(big)), -1, `len=1048576 te=["chunked"]`},
		{"empty POST", http.NoBody, 0, `len=0 te=[]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", "http://"+ts.addr+"/", tc.body)
			req.ContentLength = tc.len
			resp, err := cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if body := mustBody(t, resp); !strings.Contains(body, tc.want) {
				t.Fatalf("got %q, want it to contain %q", body, tc.want)
			}
		})
	}
}

func TestServerRequestTrailers(t *testing.T) {
	ts := startServer(t, Options{}, echoH1)
	cl, tr := h2cClient()
	defer tr.CloseIdleConnections()
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+ts.addr+"/t", pr)
	req.Trailer = http.Header{"X-T": nil}
	go func() {
		io.WriteString(pw, "abc")
		req.Trailer.Set("X-T", "end")
		pw.Close()
	}()
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := mustBody(t, resp); !strings.Contains(body, `len=3 te=["chunked"] trailer="end"`) {
		t.Fatalf("got %q", body)
	}
}

func TestServerResponseConversion(t *testing.T) {
	cases := []struct {
		name, resp string
		head       bool
		status     int
		body       string
		hdr, trl   map[string]string
	}{
		{name: "chunked with trailers (gRPC)", status: 200, body: "hello world",
			resp: "HTTP/1.1 200 OK\r\nContent-Type: application/grpc\r\nTransfer-Encoding: chunked\r\nTrailer: grpc-status\r\n\r\n" +
				"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nGrpc-Status: 0\r\nGrpc-Message: ok\r\n\r\n",
			hdr: map[string]string{"Content-Type": "application/grpc", "Transfer-Encoding": ""},
			trl: map[string]string{"Grpc-Status": "0", "Grpc-Message": "ok"}},
		{name: "chunked without trailers", status: 200, body: "abc",
			resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
		{name: "interim 103 then 404", status: 404, body: "no",
			resp: "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive\r\n\r\nno",
			hdr:  map[string]string{"Keep-Alive": "", "Connection": ""}},
		{name: "HEAD keeps content-length, sends no body", head: true, status: 200,
			resp: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
			hdr:  map[string]string{"Content-Length": "1234"}},
		{name: "204", status: 204, resp: "HTTP/1.1 204 No Content\r\n\r\n"},
		{name: "until close", status: 200, body: "all of it",
			resp: "HTTP/1.0 200 OK\r\n\r\nall of it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, Options{}, func(vc net.Conn) {
				rawH1(tc.resp)(vc)
				vc.Close()
			})
			cl, tr := h2cClient()
			defer tr.CloseIdleConnections()
			method := "GET"
			if tc.head {
				method = "HEAD"
			}
			req, _ := http.NewRequest(method, "http://"+ts.addr+"/", nil)
			resp, err := cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := mustBody(t, resp)
			if resp.StatusCode != tc.status || body != tc.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.body)
			}
			for k, v := range tc.hdr {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s: %q, want %q", k, got, v)
				}
			}
			for k, v := range tc.trl {
				if got := resp.Trailer.Get(k); got != v {
					t.Errorf("trailer %s: %q, want %q (trailers %v)", k, got, v, resp.Trailer)
				}
			}
		})
	}
}

// TestServerConnectTunnel: an h2 CONNECT becomes an HTTP/1.1 CONNECT;
// after the 200 the stream carries raw bytes both ways, END_STREAM from
// the client reads as EOF, and CloseWrite ends the server's half.
func TestServerConnectTunnel(t *testing.T) {
	ts := startServer(t, Options{}, func(vc net.Conn) {
		br := bufio.NewReader(vc)
		line, _ := br.ReadString('\n')
		for l := line; l != "\r\n" && l != ""; l, _ = br.ReadString('\n') {
		}
		if line != "CONNECT backend:443 HTTP/1.1\r\n" {
			io.WriteString(vc, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
			return
		}
		io.WriteString(vc, "HTTP/1.1 200 Connection established\r\n\r\n")
		io.Copy(vc, br) // echo until the client's END_STREAM
		vc.(interface{ CloseWrite() error }).CloseWrite()
	})
	rc := dialRaw(t, ts.addr)
	rc.headers(1, false, ":method", "CONNECT", ":authority", "backend:443")
	rc.fr.WriteData(1, false, []byte("ping"))
	rc.fr.WriteData(1, true, []byte("!"))
	rc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []byte
	for {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		if r, ok := f.(*http2.RSTStreamFrame); ok {
			t.Fatalf("RST_STREAM %v after %q", r.ErrCode, got)
		}
		if d, ok := f.(*http2.DataFrame); ok {
			got = append(got, d.Data()...)
			if d.StreamEnded() {
				break
			}
		}
	}
	if string(got) != "ping!" {
		t.Fatalf("tunnel echoed %q, want %q", got, "ping!")
	}
}

// TestServerDownloadAndConcurrency: a 4 MiB response read slowly by the
// client goes out as the client's window opens, while 200 other requests
// (twice MAX_CONCURRENT_STREAMS) are answered on the same connection.
func TestServerDownloadAndConcurrency(t *testing.T) {
	const size = 4 << 20
	ts := startServer(t, Options{}, func(vc net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(vc))
		if err != nil {
			return
		}
		if req.URL.Path != "/big" {
			echoH1(&replayConn{Conn: vc, head: req})
			return
		}
		fmt.Fprintf(vc, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", size)
		chunk := []byte(strings.Repeat("d", 32<<10))
		for i := 0; i < size/len(chunk); i++ {
			if _, err := vc.Write(chunk); err != nil {
				return
			}
		}
	})
	cl, tr := h2cClient()
	defer tr.CloseIdleConnections()
	resp, err := cl.Get("http://" + ts.addr + "/big")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := cl.Get(fmt.Sprintf("http://%s/n/%d", ts.addr, i))
			if err != nil || !strings.HasPrefix(mustBody(t, r), fmt.Sprintf("GET /n/%d ", i)) {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f != 0 {
		t.Fatalf("%d of 200 concurrent requests failed", f)
	}
	n, err := io.Copy(io.Discard, &slowReader{r: resp.Body})
	resp.Body.Close()
	if err != nil || n != size {
		t.Fatalf("download: %d bytes, %v", n, err)
	}
}

// replayConn lets echoH1 answer a request whose head was already read.
type replayConn struct {
	net.Conn
	head *http.Request
}

func (r *replayConn) Read(p []byte) (int, error) {
	if r.head != nil {
		var b strings.Builder
		r.head.Write(&b)
		r.head = nil
		r.Conn = &prefixConn{Conn: r.Conn, rest: []byte(b.String())}
	}
	return r.Conn.Read(p)
}

type prefixConn struct {
	net.Conn
	rest []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.rest) > 0 {
		n := copy(b, p.rest)
		p.rest = p.rest[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// TestResponseHeadsNotIndexed: the server keeps no HPACK dynamic table
// for what it sends (each indexed field would stay in memory for the
// connection's life): a second identical response head is encoded as
// long as the first, bar the first one's table size update.
func TestResponseHeadsNotIndexed(t *testing.T) {
	ts := startServer(t, Options{}, okH1)
	rc := dialRaw(t, ts.addr)
	var sizes []int
	for id := uint32(1); id <= 3; id += 2 {
		rc.headers(id, true, get()...)
		rc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		for len(sizes) < int(id+1)/2 {
			f, err := rc.fr.ReadFrame()
			if err != nil {
				t.Fatalf("stream %d: %v", id, err)
			}
			if h, ok := f.(*http2.HeadersFrame); ok && h.StreamID == id {
				sizes = append(sizes, len(h.HeaderBlockFragment()))
			}
		}
	}
	if sizes[1] < sizes[0]-1 {
		t.Fatalf("response head blocks of %v bytes: the second refers to fields indexed by the first", sizes)
	}
}

// TestAppendFieldDecodes: what appendField encodes decodes to the same
// fields with hpack's decoder, and leaves its dynamic table empty.
func TestAppendFieldDecodes(t *testing.T) {
	fields := []headerField{{Name: ":status", Value: "200"}, {Name: ":status", Value: "503"},
		{Name: "content-type", Value: "text/plain"}, {Name: "x-long", Value: strings.Repeat("v", 300)},
		{Name: strings.Repeat("n", 20), Value: ""}, {Name: "set-cookie", Value: "a=b", Sensitive: true},
		{Name: "www-authenticate", Value: "Basic"}}
	var b []byte
	for _, f := range fields {
		b = appendField(b, f)
	}
	dec := hpack.NewDecoder(4096, nil)
	got, err := dec.DecodeFull(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(fields) {
		t.Fatalf("decoded %d fields, want %d", len(got), len(fields))
	}
	for i, f := range got {
		if f != fields[i] {
			t.Errorf("field %d: got %+v, want %+v", i, f, fields[i])
		}
	}
	// Decoding the block again gives the same fields only if nothing was indexed.
	if again, err := dec.DecodeFull(b); err != nil || len(again) != len(fields) {
		t.Fatalf("second decode: %d fields, %v", len(again), err)
	}
}
