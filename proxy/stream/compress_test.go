package stream

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const compConfig = `
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind {{fe:fe}}
    %s
    default_backend be
backend be
    %s
    server s1 %s
listen li
    bind {{fe:li}}
    compression algo gzip
    server s1 %s
`

// compGet sends a GET with the given Accept-Encoding (none when empty)
// on its own connection and returns the response and its raw body.
func compGet(t *testing.T, addr, path, ae string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	if ae != "" {
		req.Header.Set("Accept-Encoding", ae)
	}
	tr := &http.Transport{DisableCompression: true, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// decode undoes a Content-Encoding.
func decode(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	var err error
	switch enc {
	case "gzip":
		r, err = gzip.NewReader(bytes.NewReader(b))
	case "deflate":
		if r, err = zlib.NewReader(bytes.NewReader(b)); err != nil {
			r, err = flate.NewReader(bytes.NewReader(b)), nil
		}
	default:
		return b
	}
	if err != nil {
		t.Fatalf("%s: %v", enc, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s: %v", enc, err)
	}
	return out
}

// wordText is n bytes of pseudo-random words: text that compresses
// about 3:1, as a real page does.
func wordText(n int) []byte {
	words := strings.Fields("the proxy server backend frontend request response header body compression " +
		"stream filter chunk window level deflate gzip client socket buffer memory timeout connection keep alive")
	r := rand.New(rand.NewSource(1))
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.Intn(len(words))])
		b.WriteByte(" \n"[r.Intn(12)/11])
	}
	return b.Bytes()[:n]
}

// TestCompressEndToEnd: gzip, deflate (zlib) and raw-deflate responses
// decompress to the server's exact body with Vary and a weakened ETag;
// offload hides Accept-Encoding from the server; a listen section
// (frontend and backend in one) compresses once.
func TestCompressEndToEnd(t *testing.T) {
	body := wordText(200000)
	var sawAE atomic.Value
	be := startBackend(t, "s1", func(w http.ResponseWriter, r *http.Request) {
		sawAE.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("ETag", `"v1"`)
		w.Write(body)
	})
	cases := []struct {
		fe, be, ae string
		enc        string // expected Content-Encoding
		serverAE   string // Accept-Encoding the server sees
	}{
		{"compression algo gzip", "", "gzip", "gzip", "gzip"},
		{"compression algo deflate", "", "deflate", "deflate", "deflate"},
		{"compression algo raw-deflate", "", "deflate", "deflate", "deflate"},
		{"compression algo gzip\n    compression offload", "", "br, gzip", "gzip", ""},
		{"", "compression algo gzip deflate", "gzip;q=0.5, deflate", "deflate", "gzip;q=0.5, deflate"},
		// both declare it: the backend's algorithms first, once
		{"compression algo gzip", "compression algo deflate", "gzip, deflate", "deflate", "gzip, deflate"},
		{"compression algo gzip", "compression type text/html", "gzip", "", "gzip"},
	}
	for _, c := range cases {
		_, fe := startProxy(t, fmt.Sprintf(compConfig, c.fe, c.be, be.addr(), be.addr()))
		resp, raw := compGet(t, fe["fe"], "/", c.ae)
		if got := resp.Header.Get("Content-Encoding"); got != c.enc {
			t.Errorf("%q / %q, Accept-Encoding %q: Content-Encoding %q, want %q", c.fe, c.be, c.ae, got, c.enc)
			continue
		}
		if got := decode(t, c.enc, raw); !bytes.Equal(got, body) {
			t.Errorf("%q / %q: %d bytes decoded, want the server's %d", c.fe, c.be, len(got), len(body))
		}
		if c.enc != "" {
			if v, e := resp.Header.Get("Vary"), resp.Header.Get("ETag"); v != "Accept-Encoding" || e != `W/"v1"` {
				t.Errorf("%q: Vary %q ETag %q, want Accept-Encoding and W/\"v1\"", c.fe, v, e)
			}
			if resp.ContentLength != -1 || len(raw) >= len(body)/2 {
				t.Errorf("%q: Content-Length %d, %d bytes for %d: want chunked and compressed", c.fe, resp.ContentLength, len(raw), len(body))
			}
		}
		if got, _ := sawAE.Load().(string); got != c.serverAE {
			t.Errorf("%q: the server saw Accept-Encoding %q, want %q", c.fe, got, c.serverAE)
		}
	}
	_, fe := startProxy(t, fmt.Sprintf(compConfig, "", "", be.addr(), be.addr()))
	resp, raw := compGet(t, fe["li"], "/", "gzip")
	if got := decode(t, resp.Header.Get("Content-Encoding"), raw); !bytes.Equal(got, body) || len(resp.Header.Values("Vary")) != 1 {
		t.Errorf("listen: %d bytes decoded once (Vary %v), want the body compressed once", len(got), resp.Header.Values("Vary"))
	}
}

// TestCompressSkipped: responses sent as they are, end to end, while
// the same server's ordinary answer is compressed.
func TestCompressSkipped(t *testing.T) {
	be := startBackend(t, "s1", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/encoded":
			w.Header().Set("Content-Encoding", "br")
		case "/notransform":
			w.Header().Set("Cache-Control", "no-transform")
		case "/304":
			w.WriteHeader(304)
			return
		case "/404":
			w.WriteHeader(404)
		case "/small":
			io.WriteString(w, "abc")
			return
		}
		io.WriteString(w, strings.Repeat("plain body ", 30))
	})
	_, fe := startProxy(t, fmt.Sprintf(compConfig, "compression algo gzip", "", be.addr(), be.addr()))
	if resp, _ := compGet(t, fe["fe"], "/", "gzip"); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("the control is not compressed: %v", resp.Header)
	}
	for _, p := range []string{"/encoded", "/notransform", "/304", "/404", "/small"} {
		resp, raw := compGet(t, fe["fe"], p, "gzip")
		if resp.Header.Get("Content-Encoding") == "gzip" || resp.Header.Get("Vary") != "" {
			t.Errorf("%s: compressed (%q), want it as is", p, raw)
		}
	}
	for _, req := range []string{"GET / HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n", "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept-Encoding: gzip\r\n\r\n"} {
		got := rawRequest(t, fe["fe"], req, 5*time.Second)
		if strings.Contains(strings.ToLower(got), "content-encoding") {
			t.Errorf("%q: got %q, want no compression", req, got)
		}
	}
}

// TestCompressSlowServer: each piece the server sends reaches the
// client, decodable, before the server sends the next.
func TestCompressSlowServer(t *testing.T) {
	release := make(chan struct{})
	be := startBackend(t, "s1", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first piece;")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "second piece")
	})
	_, fe := startProxy(t, fmt.Sprintf(compConfig, "compression algo gzip", "", be.addr(), be.addr()))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len("first piece;"))
	if _, err := io.ReadFull(zr, first); err != nil || string(first) != "first piece;" {
		t.Fatalf("first piece %q (%v): want it before the server sends more", first, err)
	}
	close(release)
	rest, err := io.ReadAll(zr)
	if err != nil || string(rest) != "second piece" {
		t.Fatalf("rest %q (%v)", rest, err)
	}
}

// TestCompress100MB: a 100 MB response (40 MB under the race detector)
// is compressed as it streams: the process's heap stays small while a client that first stops reading
// holds the server back, then reads it all; the decoded body is the
// server's.
func TestCompress100MB(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB")
	}
	size := 100 << 20
	if raceEnabled {
		size = 40 << 20
	}
	block := wordText(1 << 20)
	var written atomic.Int64
	be := startBackend(t, "s1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(size))
		for i := 0; i < size/len(block); i++ {
			n, err := w.Write(block)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	_, fe := startProxy(t, fmt.Sprintf(compConfig, "compression algo gzip", "", be.addr(), be.addr()))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
	// The client reads nothing: the server is held back once the
	// sockets' buffers are full (its count stops moving).
	deadline := time.Now().Add(10 * time.Second)
	last, still := int64(-1), 0
	for still < 5 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if n := written.Load(); n == last {
			still++
		} else {
			last, still = n, 0
		}
	}
	t.Logf("the server wrote %d KB to a client reading nothing", written.Load()>>10)
	if n := written.Load(); n >= int64(size)*3/4 {
		t.Fatalf("the server wrote %d bytes to a client reading nothing: the proxy does not hold it back", n)
	}
	// A stall fails the test, not a slow machine: every read may wait
	// 20 s, however long the whole body takes under load.
	resp, err := http.ReadResponse(bufio.NewReader(stallReader{c, 20 * time.Second}), nil)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, zr)
	close(stop)
	<-sampled
	if err != nil || n != int64(size) {
		t.Fatalf("decoded %d bytes (%v), want %d", n, err, size)
	}
	want := sha256.New()
	for i := 0; i < size/len(block); i++ {
		want.Write(block)
	}
	if !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
		t.Fatal("the decoded body differs from the server's")
	}
	growth := int64(peak.Load()) - int64(base)
	t.Logf("heap in use grew by %d KB at most for a %d MB response", growth>>10, size>>20)
	if growth > 16<<20 {
		t.Fatalf("heap in use grew by %d MB while streaming: the body is buffered", growth>>20)
	}
}

// stallReader reads from c with a fresh deadline before each read: it
// fails when nothing arrives for d, never because a transfer is long.
type stallReader struct {
	c net.Conn
	d time.Duration
}

func (r stallReader) Read(b []byte) (int, error) {
	r.c.SetReadDeadline(time.Now().Add(r.d))
	return r.c.Read(b)
}
