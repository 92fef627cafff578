package cli

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// AcceptLoop serves each connection and returns once its context ends
// (closing the listener); a connection beyond MaxSessions waits until a
// slot frees instead of being dropped.
func TestAcceptLoop(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	var served atomic.Int64
	done := make(chan struct{})
	go func() {
		AcceptLoop(ctx, ln, func(c net.Conn) {
			defer c.Close()
			served.Add(1)
			<-release
		})
		close(done)
	}()
	var conns []net.Conn
	for i := 0; i < MaxSessions+1; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	deadline := time.Now().Add(5 * time.Second)
	for served.Load() < MaxSessions && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := served.Load(); n != MaxSessions {
		t.Fatalf("served %d sessions at once; want %d", n, MaxSessions)
	}
	close(release)
	for served.Load() < MaxSessions+1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := served.Load(); n != MaxSessions+1 {
		t.Errorf("the session over the limit was not served once a slot freed (%d served)", n)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("AcceptLoop did not return after its context ended")
	}
	for _, c := range conns {
		c.Close()
	}
}
