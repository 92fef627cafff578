package dataplane

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestTCPModeHalfClose: roundrobin in mode tcp, and a client that shuts
// down its write side still gets the server's full answer.
func TestTCPModeHalfClose(t *testing.T) {
	// An echo server that answers after the client's EOF.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				b, _ := io.ReadAll(c)
				fmt.Fprintf(c, "got %d bytes: %s", len(b), b)
			}(c)
		}
	}()
	s1 := harness.NewBackend(t, "s1", nil)
	s2 := harness.NewBackend(t, "s2", nil)
	fe, fe2 := harness.FreeAddr(t), harness.FreeAddr(t)
	cfg := fmt.Sprintf(`
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend rr
    bind %s
    default_backend be
backend be
    server s1 %s
    server s2 %s
frontend echo
    bind %s
    default_backend echo
backend echo
    server e1 %s
`, fe, s1.Addr, s2.Addr, fe2, ln.Addr())
	startGoha(t, cfg, fe, fe2)
	// startGoha's readiness probe on fe took a roundrobin turn, in its
	// own time: let it reach its server before counting the order.
	harness.WaitFor(t, 5*time.Second, "the readiness probe's connection to reach a server", func() bool {
		return s1.Accepts.Load()+s2.Accepts.Load() == 1
	})
	if seq := sequence(t, "http://"+fe+"/", 4); seq != "s1,s2,s1,s2" && seq != "s2,s1,s2,s1" {
		t.Errorf("tcp roundrobin order %s; want alternating", seq)
	}
	c := harness.Dial(t, fe2)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "hello")
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "got 5 bytes: hello" {
		t.Errorf("after half-close got %q, %v", b, err)
	}
}

// TestMaxconnQueue: server maxconn 1 queues the second request until the
// first ends; timeout queue gives 503 when the wait is too long.
func TestMaxconnQueue(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	inFlight := make(chan struct{}, 10)
	s1 := harness.NewBackend(t, "s1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight <- struct{}{}
		if r.URL.Path == "/block" {
			<-release
		}
		io.WriteString(w, "done "+r.URL.Path)
	}))
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	fe := harness.FreeAddr(t)
	startGoha(t, defaults+fmt.Sprintf("frontend fe\n    bind %s\n    default_backend be\nbackend be\n    timeout queue 500ms\n    server s1 %s maxconn 1\n", fe, s1.Addr), fe)
	first := make(chan string, 1)
	go func() {
		_, b, _ := get(t, "http://"+fe+"/block")
		first <- b
	}()
	<-inFlight
	// Queued past timeout queue: 503.
	start := time.Now()
	st, _, _ := get(t, "http://"+fe+"/late")
	if st != 503 {
		t.Errorf("queued request status %d; want 503 after timeout queue", st)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("503 after %v; want it after ~500ms in the queue", d)
	}
	// Queued, then served once the slot frees.
	second := make(chan string, 1)
	go func() {
		_, b, _ := get(t, "http://"+fe+"/second")
		second <- b
	}()
	// For a bounded while, the second request must not reach the server.
	select {
	case <-inFlight:
		t.Fatal("second request reached the server while the first held its only slot")
	case <-time.After(200 * time.Millisecond):
	}
	once.Do(func() { close(release) })
	if b := <-first; b != "done /block" {
		t.Errorf("first = %q", b)
	}
	select {
	case b := <-second:
		if b != "done /second" {
			t.Errorf("second = %q", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("queued request never served")
	}
}

// TestRetriesAndRedispatch: a dead server is retried, then the request
// is redispatched to a live one; without redispatch it ends in 503.
func TestRetriesAndRedispatch(t *testing.T) {
	live := harness.NewBackend(t, "live", nil)
	dead := harness.FreeAddr(t)
	fe, fe2 := harness.FreeAddr(t), harness.FreeAddr(t)
	cfg := fmt.Sprintf(`
defaults
    mode http
    timeout connect 200ms
    timeout client 10s
    timeout server 10s
    retries 2
frontend fe
    bind %s
    default_backend be
frontend fe2
    bind %s
    default_backend dead
backend be
    balance first
    option redispatch
    server dead %s
    server live %s
backend dead
    server dead %s
`, fe, fe2, dead, live.Addr, dead)
	startGoha(t, cfg, fe, fe2)
	start := time.Now()
	st, body, _ := get(t, "http://"+fe+"/")
	if st != 200 || body != "live\n" {
		t.Errorf("redispatch: got %d %q; want 200 from live", st, body)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("answered in %v; want the retries' turn-around pauses first", d)
	}
	st, body, _ = get(t, "http://"+fe2+"/")
	if st != 503 || !strings.Contains(body, "No server is available") {
		t.Errorf("dead backend: got %d %q; want HAProxy's 503", st, body)
	}
}
