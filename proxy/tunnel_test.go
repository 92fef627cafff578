package proxy

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
)

// upgradeServer is a test server answering an upgrade request with 101,
// then running tunnel on the connection (with what it read past the
// request head first in br).
func upgradeServer(t *testing.T, tunnel func(c net.Conn, br *bufio.Reader)) string {
	return tcpServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil || req.Header.Get("Upgrade") != "websocket" {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		tunnel(c, br)
	})
}

// upgrade sends an upgrade request on c and reads the 101 head; the
// returned reader holds what came after it.
func upgrade(t *testing.T, c net.Conn) *bufio.Reader {
	t.Helper()
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return br
}

const tunnelCfg = "defaults\n    mode http\n    timeout connect 2s\n    timeout client 300ms\n    timeout server 300ms\n    timeout tunnel 300ms\n" +
	"frontend fe\n    bind {{fe:fe}}\n    default_backend be\nbackend be\n    server s1 %s\n"

// checkTunnelCounters waits for the session's end and checks that the
// frontend, backend and server counted at least in bytes from the client
// (beyond the request head) and out bytes to it (in < 0: not checked).
func checkTunnelCounters(t *testing.T, rt *Runtime, in, out int64) {
	t.Helper()
	f, be := rt.FindFrontend("fe"), rt.FindBackend("be")
	waitFor(t, "session end", 5*time.Second, func() bool { return f.Scur.Load() == 0 })
	srv := be.Servers[0]
	for _, c := range []struct {
		name    string
		bin, bo int64
	}{
		{"frontend", f.Bin.Load(), f.Bout.Load()},
		{"backend", be.Bin.Load(), be.Bout.Load()},
		{"server", srv.Bin.Load(), srv.Bout.Load()},
	} {
		if c.bin < in || c.bo < out {
			t.Errorf("%s counted %d bytes in, %d out; want at least %d in, %d out", c.name, c.bin, c.bo, in, out)
		}
	}
}

// TestTunnelUploadCounted: bytes a client uploads through an upgraded
// connection count in bin of the frontend, backend and server, as the
// bytes downloaded count in bout (they used to be dropped: bin was the
// request head only).
func TestTunnelUploadCounted(t *testing.T) {
	srv := upgradeServer(t, func(c net.Conn, br *bufio.Reader) {
		n, _ := io.Copy(io.Discard, io.LimitReader(br, 1000000))
		fmt.Fprintf(c, "got %d\n", n)
	})
	rt, fe := startProxy(t, fmt.Sprintf(tunnelCfg, srv))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := upgrade(t, c)
	if _, err := c.Write(bytes.Repeat([]byte("u"), 1000000)); err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(br)
	if !strings.HasPrefix(string(answer), "got 1000000") {
		t.Fatalf("server answered %q", answer)
	}
	checkTunnelCounters(t, rt, 1000000, int64(len(answer)))
}
