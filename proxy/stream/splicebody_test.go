package stream

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSplicedBody: a large Content-Length body goes through whole (the
// splice path), is counted, and the connection is reused for the next
// request; a server that closes in the middle of its body ends the
// transfer short, counted as a server abort.
func TestSplicedBody(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	be := startBackend(t, "s1", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/short" {
			hj, _ := w.(http.Hijacker)
			c, bw, _ := hj.Hijack()
			fmt.Fprintf(bw, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(body))
			bw.Write(body[:len(body)/2])
			bw.Flush()
			c.Close()
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	})
	rt, fe := startProxy(t, fmt.Sprintf(oneBackendConfig, be.addr()))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for i := 0; i < 2; i++ {
		fmt.Fprintf(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		head := make([]byte, 0, 256)
		one := make([]byte, 1)
		for !strings.HasSuffix(string(head), "\r\n\r\n") {
			if _, err := c.Read(one); err != nil {
				t.Fatalf("request %d: head: %v", i, err)
			}
			head = append(head, one[0])
		}
		got := make([]byte, len(body))
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, body) {
			t.Fatalf("request %d: body differs (%v)", i, err)
		}
	}
	beo := rt.FindBackend("be")
	if out := beo.Bout.Load(); out < 2*int64(len(body)) {
		t.Fatalf("backend bytes out %d, want at least %d", out, 2*len(body))
	}
	resp, err := http.Get("http://" + fe["fe"] + "/short")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n >= int64(len(body)) {
		t.Fatalf("a body the server cut at half arrived whole (%d bytes)", n)
	}
	deadline := time.Now().Add(2 * time.Second)
	for beo.SrvAbrt.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if beo.SrvAbrt.Load() != 1 {
		t.Fatalf("server aborts %d, want 1", beo.SrvAbrt.Load())
	}
}
