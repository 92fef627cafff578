package stream

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestIdleKeepAliveParked holds 5000 idle keep-alive connections and
// checks through the runtime's own accounting that none of them holds a
// goroutine or a buffer (each is parked in the lot), then that each is
// served again when it sends its next request.
func TestIdleKeepAliveParked(t *testing.T) {
	if testing.Short() {
		t.Skip("5000 connections")
	}
	const n = 5000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < 3*n {
		lim.Cur = min(lim.Max, 3*n)
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		if lim.Cur < 3*n {
			t.Skipf("RLIMIT_NOFILE %d is too low for %d connections", lim.Cur, n)
		}
	}
	srv := startRecordingServer(t)
	rt, fe := startProxy(t, fmt.Sprintf(`
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend fe
    bind {{fe:fe}}
    default_backend be
backend be
    http-reuse always
    server s1 %s
`, srv.ln.Addr()))
	if rt.lot == nil {
		t.Skip("no parking lot on this platform")
	}
	base := runtime.NumGoroutine()
	type client struct {
		c  net.Conn
		br *bufio.Reader
	}
	conns := make([]client, 0, n)
	defer func() {
		for _, c := range conns {
			c.c.Close()
		}
	}()
	get := func(c client, path string) {
		t.Helper()
		c.c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c.c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		resp, body, err := readResponse(c.br)
		if err != nil || resp.StatusCode != 200 || body != "GET "+path {
			t.Fatalf("GET %s: %v %v %q", path, resp, err, body)
		}
	}
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", fe["fe"])
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		cl := client{c, bufio.NewReader(c)}
		conns = append(conns, cl)
		get(cl, "/first")
	}
	deadline := time.Now().Add(10 * time.Second)
	for rt.lot.Parked() < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if p := rt.lot.Parked(); p != n {
		t.Fatalf("%d of %d idle connections parked", p, n)
	}
	if g := runtime.NumGoroutine(); g > base+50 {
		t.Errorf("%d goroutines for %d parked connections (%d before them)", g, n, base)
	}
	if w, b := rt.worksHeld.Load(), rt.bufs.held.Load(); w != 0 || b != 0 {
		t.Errorf("%d request buffers and %d body buffers held with every connection parked", w, b)
	}
	for i, c := range conns {
		get(c, fmt.Sprintf("/again/%d", i))
	}
}
