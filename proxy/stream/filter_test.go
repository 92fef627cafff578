package stream

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/proxy/http1"
)

// tagFilter adds "x-order: NAME" to the request and the response, drops
// the response's x-secret, and (body) wraps each piece of the body in
// its marks, so the order of filters shows in what comes out.
type tagFilter struct {
	name        string
	open, close string // body marks; empty: the body is left alone
	pieces      chan int
}

func (f *tagFilter) Start(*http1.Request) FilterStream { return f }

func (f *tagFilter) RequestHeaders(h HeaderEdit) { h.Add("x-order", f.name) }

func (f *tagFilter) ResponseHeaders(status int, h HeaderEdit) bool {
	h.Add("x-order", f.name)
	h.Del("x-secret")
	return f.open != ""
}

func (f *tagFilter) ResponseBody(dst, in []byte, end bool) []byte {
	if f.pieces != nil && len(in) > 0 {
		f.pieces <- len(in)
	}
	if len(in) == 0 {
		return dst
	}
	dst = append(dst, f.open...)
	dst = append(dst, bytes.ToUpper(in)...)
	return append(dst, f.close...)
}

func (f *tagFilter) End() {}

// oneBackendConfig is an HTTP frontend in front of one server (its
// address is the %s).
const oneBackendConfig = `
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind {{fe:fe}}
    default_backend be
backend be
    server s1 %s
`

// TestFilterHeaders: a filter changes both heads; the order of the
// frontend's and the backend's filters is kept on each side.
func TestFilterHeaders(t *testing.T) {
	var got http.Header
	be := startBackend(t, "s1", func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("X-Secret", "s")
		io.WriteString(w, "body")
	})
	rt, fe := startProxy(t, fmt.Sprintf(oneBackendConfig, be.addr()))
	rt.FindFrontend("fe").filters = []Filter{&tagFilter{name: "fe1"}, &tagFilter{name: "fe2"}}
	rt.FindBackend("be").filters = []Filter{&tagFilter{name: "be1"}}
	resp, err := http.Get("http://" + fe["fe"] + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if o := got.Values("X-Order"); strings.Join(o, ",") != "fe1,fe2,be1" {
		t.Errorf("the server got x-order %v, want fe1,fe2,be1", o)
	}
	if o := resp.Header.Values("X-Order"); strings.Join(o, ",") != "fe1,fe2,be1" {
		t.Errorf("the client got x-order %v, want fe1,fe2,be1", o)
	}
	if resp.Header.Get("X-Secret") != "" || string(body) != "body" {
		t.Errorf("x-secret %q, body %q: want the header dropped and the body untouched", resp.Header.Get("X-Secret"), body)
	}
}

// TestFilterBodyStreamed: filters that change the body see it piece by
// piece as the server sends it (the first piece reaches the client
// before the server sends the second), in order, and the client gets it
// chunked, whatever the server's framing.
func TestFilterBodyStreamed(t *testing.T) {
	release := make(chan struct{})
	be := startBackend(t, "s1", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/length" {
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "abcdefghij")
			return
		}
		io.WriteString(w, "first ")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "second")
	})
	rt, fe := startProxy(t, fmt.Sprintf(oneBackendConfig, be.addr()))
	pieces := make(chan int, 16)
	rt.FindFrontend("fe").filters = []Filter{&tagFilter{name: "a", open: "[", close: "]", pieces: pieces}}
	rt.FindBackend("be").filters = []Filter{&tagFilter{name: "b", open: "(", close: ")"}}
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	fmt.Fprintf(c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if te := resp.TransferEncoding; len(te) != 1 || te[0] != "chunked" || resp.ContentLength != -1 {
		t.Fatalf("transfer-encoding %v, content-length %d: want chunked", te, resp.ContentLength)
	}
	first := make([]byte, len("([FIRST ])"))
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "([FIRST ])" {
		t.Fatalf("first piece %q %v: want it through both filters, a then b, before the server sends more", first, err)
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != "([SECOND])" {
		t.Fatalf("second piece %q", rest)
	}
	if n := len(pieces); n != 2 {
		t.Fatalf("the filter saw the body in %d pieces, want 2", n)
	}
	// A Content-Length body goes out chunked too, on the same
	// connection.
	fmt.Fprintf(c, "GET /length HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "([ABCDEFGHIJ])" || resp.ContentLength != -1 {
		t.Fatalf("length body %q (content-length %d): want it filtered and chunked", b, resp.ContentLength)
	}
}
