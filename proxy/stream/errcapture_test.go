package stream

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestErrorCapture: a rejected request is kept on its frontend and an
// invalid server response on its backend, with the bytes as received.
func TestErrorCapture(t *testing.T) {
	srv, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := srv.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n")
	}()
	rt, fe := startProxy(t, testDefaults+fmt.Sprintf("frontend fe\n    bind {{fe:fe}}\n    default_backend be\nbackend be\n    server s1 %s\n", srv.Addr()))
	f, be := rt.Frontends()[0], rt.Backends()[0]
	if _, ok := f.LastError(); ok {
		t.Fatal("frontend has a captured error before any request")
	}

	t.Run("request", func(t *testing.T) {
		got := rawRequest(t, fe["fe"], "GARBAGE\r\n\r\n", 2*time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 400") {
			t.Fatalf("answer = %q; want a 400", got)
		}
		e, ok := f.LastError()
		if !ok {
			t.Fatal("no error captured on the frontend")
		}
		if string(e.Data) != "GARBAGE\r\n\r\n" || !strings.HasPrefix(e.Peer, "127.0.0.1:") || e.Reason == "" || e.Server != "" || e.When.IsZero() {
			t.Errorf("captured = %+v", e)
		}
	})
	t.Run("response", func(t *testing.T) {
		got := rawRequest(t, fe["fe"], "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2*time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 502") {
			t.Fatalf("answer = %q; want a 502", got)
		}
		e, ok := be.LastError()
		if !ok {
			t.Fatal("no error captured on the backend")
		}
		// The parser lowercases header names in place: compare folded.
		if !strings.EqualFold(string(e.Data), "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n") || e.Server != "s1" || e.Pos < 0 {
			t.Errorf("captured = %+v", e)
		}
	})
	<-done
}
