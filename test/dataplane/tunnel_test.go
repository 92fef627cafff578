package dataplane

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// wsPattern is the byte pattern the WebSocket-like server streams.
var wsPattern = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	return b
}()

// wsServer answers an upgrade with 101, then on /down streams wsPattern
// every 10 ms for streamFor (the bytes sent go to sent) and closes; on
// /up reads what the client uploads up to 1,000,000 bytes and answers
// "got N".
func wsServer(t *testing.T, streamFor time.Duration) (addr string, sent <-chan int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan int64, 16)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	serve := func(c net.Conn) {
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil || req.Header.Get("Upgrade") != "websocket" {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		if req.URL.Path == "/up" {
			n, _ := io.Copy(io.Discard, io.LimitReader(br, 1000000))
			fmt.Fprintf(c, "got %d\n", n)
			return
		}
		var n int64
		for end := time.Now().Add(streamFor); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			k, err := c.Write(wsPattern)
			n += int64(k)
			if err != nil {
				break
			}
		}
		ch <- n
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); serve(c) }()
		}
	}()
	return ln.Addr().String(), ch
}

// wsUpgrade connects to fe and upgrades to path; the reader holds what
// follows the 101.
func wsUpgrade(t *testing.T, fe, path string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c := harness.Dial(t, fe)
	c.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade %s: %v %v", path, resp, err)
	}
	return c, br
}

// statBin returns the bin column of the `show stat` row px,sv.
func statBin(t *testing.T, sock, px, sv string) int64 {
	t.Helper()
	for _, line := range strings.Split(harness.Socat(t, sock, "show stat\n"), "\n") {
		f := strings.Split(line, ",")
		if len(f) > 9 && f[0] == px && f[1] == sv {
			n, _ := strconv.ParseInt(f[8], 10, 64)
			return n
		}
	}
	t.Fatalf("no show stat row %s,%s", px, sv)
	return 0
}

// TestWebSocketTunnelStreamAndCounts (issue 22, cases 3 and 14): with
// timeout tunnel 500ms, a server streaming 64 KiB every 10 ms for 2 s
// through an upgraded connection reaches the client whole and in order
// (goha used to cut it once the splice's write deadline expired, losing
// the bytes in the pipe), and 1,000,000 bytes uploaded through a tunnel
// count in bin of the frontend, backend and server and in the log's %U
// (they used to count the request head only).
func TestWebSocketTunnelStreamAndCounts(t *testing.T) {
	srv, sent := wsServer(t, 2*time.Second)
	dir := t.TempDir()
	logs := harness.ListenDatagrams(t, "udp4", "127.0.0.1:0")
	sock := dir + "/stats.sock"
	fe := harness.FreeAddr(t)
	cfg := fmt.Sprintf(`global
    stats socket %s level admin
    log %s local0
defaults
    mode http
    log global
    log-format "tunnel %%HP %%ST up=%%U down=%%B %%ts"
    timeout connect 1s
    timeout client 500ms
    timeout server 500ms
    timeout tunnel 500ms
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s
`, sock, logs.Addr(), fe, srv)
	p := harness.Start(t, dir, nil, "-db", "-f", harness.WriteFile(t, dir, "goha.cfg", cfg))
	p.WaitListening(t, 10*time.Second, fe)

	t.Run("stream longer than timeout tunnel", func(t *testing.T) {
		_, br := wsUpgrade(t, fe, "/down")
		var n, bad int64 = 0, -1
		buf := make([]byte, 256<<10)
		for {
			k, err := br.Read(buf)
			for i := 0; i < k && bad < 0; i++ {
				if buf[i] != wsPattern[(n+int64(i))%int64(len(wsPattern))] {
					bad = n + int64(i)
				}
			}
			n += int64(k)
			if err != nil {
				break
			}
		}
		if want := <-sent; n != want || bad >= 0 || want < 4<<20 {
			t.Errorf("client got %d bytes (first wrong byte at %d); the server sent %d (want > 4 MiB)", n, bad, want)
		}
	})

	t.Run("upload counted", func(t *testing.T) {
		c, br := wsUpgrade(t, fe, "/up")
		if _, err := c.Write(bytes.Repeat([]byte("u"), 1000000)); err != nil {
			t.Fatal(err)
		}
		if answer, _ := io.ReadAll(br); string(answer) != "got 1000000\n" {
			t.Fatalf("server answered %q", answer)
		}
		harness.WaitFor(t, 5*time.Second, "the upload's log line", logs.Has("tunnel /up 101"))
		line := logs.Find("tunnel /up 101")
		var up int64
		if i := strings.Index(line, "up="); i >= 0 {
			fmt.Sscanf(line[i:], "up=%d", &up)
		}
		if up < 1000000 {
			t.Errorf("log line %q: want up= at least 1000000", line)
		}
		for _, row := range [][2]string{{"fe", "FRONTEND"}, {"be", "BACKEND"}, {"be", "s1"}} {
			if bin := statBin(t, sock, row[0], row[1]); bin < 1000000 {
				t.Errorf("show stat %s,%s: bin %d; want at least 1000000", row[0], row[1], bin)
			}
		}
	})
}
