package stream

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestExpectContinueWithoutInterim is issue 22 case 10: the server never
// sends "100 Continue"; the client, as curl does, sends its body after
// waiting for one in vain. The body must reach the server and the answer
// the client, long before timeout server.
func TestExpectContinueWithoutInterim(t *testing.T) {
	srv, ports := startErrorPaths(t)
	c, err := net.Dial("tcp", ports["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := strings.Repeat("b", 200000)
	start := time.Now()
	c.SetDeadline(start.Add(10 * time.Second))
	fmt.Fprintf(c, "POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", len(body))
	br := bufio.NewReader(c)
	// Wait for an interim answer as curl does (it waits 1 s); none comes.
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := br.Peek(1); err == nil {
		t.Fatalf("the proxy answered before the body was sent")
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go io.WriteString(c, body)
	line, _ := br.ReadString('\n')
	if strings.TrimSpace(line) != "HTTP/1.1 200 OK" {
		t.Fatalf("answer %q after %v, want 200", line, time.Since(start))
	}
	got, _ := srv.received()
	if !strings.HasSuffix(got, body) {
		t.Fatalf("the server got %d bytes, not the whole body", len(got))
	}
}

// earlyServer answers 413 with Connection: close as soon as it has a
// request head, reads nothing of the body, and holds the connection
// until the test ends.
func earlyServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var head []byte
				b := make([]byte, 4096)
				for !bytes.Contains(head, []byte("\r\n\r\n")) {
					n, err := c.Read(b)
					if err != nil {
						return
					}
					head = append(head, b[:n]...)
				}
				io.WriteString(c, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbig!")
				<-done
			}()
		}
	}()
	return ln.Addr().String()
}

// TestEarlyAnswerDuringUpload is issue 22 case 11: a server that answers
// right after the head of a 30 MB upload is heard at once, not after the
// upload or a timeout.
func TestEarlyAnswerDuringUpload(t *testing.T) {
	addr := earlyServer(t)
	_, ports := startProxy(t, fmt.Sprintf(oneBackendConfig, addr))
	c, err := net.Dial("tcp", ports["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const size = 30 << 20
	start := time.Now()
	c.SetDeadline(start.Add(10 * time.Second))
	fmt.Fprintf(c, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n", size)
	go io.Copy(c, io.LimitReader(zeros{}, size))
	resp, body, err := readResponse(bufio.NewReader(c))
	if err != nil {
		t.Fatalf("no answer after %v: %v", time.Since(start), err)
	}
	if resp.StatusCode != 413 || body != "big!" {
		t.Fatalf("got %d %q, want the server's 413", resp.StatusCode, body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("the 413 took %v: it waited for the upload or a timeout", d)
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestResponseDenyDuringUpload: an http-response deny of an early answer
// ends the request while its body still uploads: the client gets the
// deny page and every body buffer goes back to the pool. That the upload
// ends before its buffer is given back is ensured by construction
// (serve calls endUpload before releaseBody), not observed here: the
// deny closes the server connection, which ends the upload at once
// whether or not serve waits for it.
func TestResponseDenyDuringUpload(t *testing.T) {
	addr := earlyServer(t)
	rt, ports := startProxy(t, fmt.Sprintf(`
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind {{fe:fe}}
    default_backend be
backend be
    http-response deny
    server s1 %s
`, addr))
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", ports["fe"])
		if err != nil {
			t.Fatal(err)
		}
		const size = 8 << 20
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n", size)
		go io.Copy(c, io.LimitReader(zeros{}, size))
		resp, _, err := readResponse(bufio.NewReader(c))
		c.Close()
		if err != nil || resp.StatusCode != 502 {
			t.Fatalf("upload %d: %v %v, want the deny's 502", i, resp, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for rt.bufs.held.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := rt.bufs.held.Load(); n != 0 {
		t.Fatalf("%d body buffers still held after both requests ended", n)
	}
}
