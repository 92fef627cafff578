// Package http2 tests HTTP/2 end to end with the real binary: Go's own
// HTTP/2 client and server (golang.org/x/net/http2, h2c with prior
// knowledge) on both sides of goha, version translation both ways,
// bodies and trailers, GOAWAY on a master-worker reload, h2spec when it
// is installed, and the known attacks played with raw frames.
package http2

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// h2cClient is an HTTP/2 client speaking h2c with prior knowledge.
func h2cClient() *http.Client {
	return &http.Client{Timeout: 20 * time.Second, Transport: &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// echoHandler answers with the request's version, the body's length and
// sha256, and, for /big, 4 MiB of a known pattern.
func echoHandler(big []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		if r.URL.Path == "/big" {
			w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			w.Write(big)
			return
		}
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		fmt.Fprintf(w, "proto=%s len=%d sha=%s", r.Proto, n, hex.EncodeToString(h.Sum(nil)))
	}
}

// trailerServer is an h2c server (Go's http2.Server on raw
// connections) that echoes the body's sha256 and sends trailers, like a
// gRPC service; conns counts its connections.
type trailerServer struct {
	addr  string
	conns atomic.Int64
}

func startTrailerServer(t *testing.T) *trailerServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &trailerServer{addr: ln.Addr().String()}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "Grpc-Status")
		sum := sha256.New()
		n, _ := io.Copy(sum, r.Body)
		fmt.Fprintf(w, "proto=%s len=%d sha=%s in-trailer=%s", r.Proto, n, hex.EncodeToString(sum.Sum(nil)), r.Trailer.Get("X-Client-Trailer"))
		w.Header().Set("Grpc-Status", "0")
	})
	srv := &http2.Server{}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			ts.conns.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.ServeConn(c, &http2.ServeConnOpts{Handler: h})
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ts
}

// goha starts goha -db with cfg (a format taking the h2c port, the
// HTTP/1 port and the servers' addresses) and returns both ports.
type setup struct {
	dir        string
	h2c, h1    string // listening addresses
	proc       *harness.Proc
	backend    *harness.Backend
	h2srv      *trailerServer
	big        []byte
	cfg        string
	masterSock string
}

const cfgText = `global
    tune.h2.max-concurrent-streams 50
    tune.h2.initial-window-size 131072
    hard-stop-after 10s
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind %[1]s proto h2
    bind %[2]s
    http-response set-header X-HV %%HV
    use_backend h2srv if { path_beg /h2/ }
    default_backend be
backend be
    server s1 %[3]s
backend h2srv
    http-request set-path %%[path,regsub(^/h2/,/)]
    server n1 %[4]s proto h2
`

func newSetup(t *testing.T, args ...string) *setup {
	s := &setup{dir: t.TempDir(), h2c: harness.FreeAddr(t), h1: harness.FreeAddr(t)}
	s.big = bytes.Repeat([]byte("0123456789abcdef"), 4<<20/16)
	s.backend = harness.NewBackend(t, "s1", echoHandler(s.big))
	s.h2srv = startTrailerServer(t)
	s.cfg = harness.WriteFile(t, s.dir, "goha.cfg", fmt.Sprintf(cfgText, s.h2c, s.h1, s.backend.Addr, s.h2srv.addr))
	s.proc = harness.Start(t, s.dir, nil, append(args, "-f", s.cfg)...)
	s.proc.WaitListening(t, 10*time.Second, s.h2c, s.h1)
	return s
}

// TestH2cMultiplexed: 5000 requests multiplexed over HTTP/2 connections
// to a proto h2 bind all succeed, and the response says %HV HTTP/2.0.
func TestH2cMultiplexed(t *testing.T) {
	s := newSetup(t, "-db")
	cl := h2cClient()
	var fails atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				resp, err := cl.Get("http://" + s.h2c + "/")
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || resp.ProtoMajor != 2 || resp.Header.Get("X-HV") != "HTTP/2.0" {
						err = fmt.Errorf("status %d proto %s X-HV %q", resp.StatusCode, resp.Proto, resp.Header.Get("X-HV"))
					}
				}
				if err != nil {
					fails.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	if n := fails.Load(); n != 0 {
		t.Fatalf("%d of 5000 requests failed; first: %v", n, firstErr.Load())
	}
}

// TestH2Bodies: a 4 MiB POST from an h2 client reaches the HTTP/1.1
// server intact, a 4 MiB download read slowly arrives intact, and the
// same POST over HTTP/1.1 and over h2 is echoed by a proto h2 server.
func TestH2Bodies(t *testing.T) {
	s := newSetup(t, "-db")
	sum := sha256.Sum256(s.big)
	want := fmt.Sprintf("len=%d sha=%s", len(s.big), hex.EncodeToString(sum[:]))
	post := func(cl *http.Client, url, proto string) {
		resp, err := cl.Post(url, "application/octet-stream", bytes.NewReader(s.big))
		if err != nil {
			t.Fatalf("POST %s: %v", url, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), want) || !strings.Contains(string(b), "proto="+proto) {
			t.Errorf("POST %s answered %q; want %s and proto=%s", url, b, want, proto)
		}
	}
	post(h2cClient(), "http://"+s.h2c+"/up", "HTTP/1.1")
	post(h2cClient(), "http://"+s.h2c+"/h2/up", "HTTP/2.0")
	post(&http.Client{Timeout: 20 * time.Second}, "http://"+s.h1+"/h2/up", "HTTP/2.0")

	// The slow reader: 4 MiB read 64 KiB at a time with pauses, so flow
	// control holds the server back instead of goha buffering it all.
	resp, err := h2cClient().Get("http://" + s.h2c + "/big")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	buf := make([]byte, 64<<10)
	var n int
	for i := 0; ; i++ {
		k, err := io.ReadFull(resp.Body, buf)
		h.Write(buf[:k])
		n += k
		if err != nil {
			break
		}
		if i%8 == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != len(s.big) || got != hex.EncodeToString(sum[:]) {
		t.Errorf("slow download: %d bytes, sha %s; want %d bytes, sha %x", n, got, len(s.big), sum)
	}
}

// TestH2ServerTrailers: a proto h2 server's trailers reach an h2 client
// and an HTTP/1.1 client (chunked), a client's request trailers reach
// the server, and 1000 concurrent-ish requests share few server
// connections.
func TestH2ServerTrailers(t *testing.T) {
	s := newSetup(t, "-db")
	for _, c := range []struct {
		name string
		cl   *http.Client
		addr string
	}{{"h2", h2cClient(), s.h2c}, {"http/1.1", &http.Client{Timeout: 10 * time.Second}, s.h1}} {
		req, _ := http.NewRequest("POST", "http://"+c.addr+"/h2/rpc", io.MultiReader(strings.NewReader("hello"), strings.NewReader("")))
		req.ContentLength = -1
		req.Trailer = http.Header{"X-Client-Trailer": {"sent"}}
		resp, err := c.cl.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := resp.Trailer.Get("Grpc-Status"); got != "0" {
			t.Errorf("%s client: trailer Grpc-Status = %q (trailers %v); want 0", c.name, got, resp.Trailer)
		}
		if !strings.Contains(string(b), "len=5 ") || !strings.Contains(string(b), "in-trailer=sent") {
			t.Errorf("%s client: server saw %q; want the 5-byte body and the client's trailer", c.name, b)
		}
	}
	cl := h2cClient()
	var wg sync.WaitGroup
	var fails atomic.Int64
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 32; i++ {
				resp, err := cl.Get("http://" + s.h2c + "/h2/x")
				if err != nil || resp.StatusCode != 200 {
					fails.Add(1)
				}
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	if fails.Load() != 0 || s.h2srv.conns.Load() > 4 {
		t.Errorf("1024 requests to the proto h2 server: %d failed over %d server connections; want 0 over at most 4", fails.Load(), s.h2srv.conns.Load())
	}
}
