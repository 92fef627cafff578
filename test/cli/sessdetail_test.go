package cli

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestShowSessHTTPDetailAndServersConn: an HTTP request waiting for its
// server's answer is listed by show sess with its backend and server,
// `show sess ID` details it (frontend, backend and server with their
// ids and the server's address), `shutdown sessions server` reaches it,
// and `show servers conn` counts the connection in use.
func TestShowSessHTTPDetailAndServersConn(t *testing.T) {
	needSocat(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "admin.sock")
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() { // a server that reads requests and never answers
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { buf := make([]byte, 4096); c.Read(buf); c.Read(buf); c.Close() }()
		}
	}()
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin mode 600
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend hfe
    bind 127.0.0.1:%d
    default_backend hbe
backend hbe
    server h1 %s
`, sock, port, ln.Addr()))
	harness.Start(t, dir, nil, "-db", "-f", cfg)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	harness.WaitFor(t, 10*time.Second, "stats socket", func() bool { _, err := os.Stat(sock); return err == nil })
	c := harness.Dial(t, addr)
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nhost: x\r\n\r\n")
	cli := func(line string) string { return harness.Socat(t, sock, line+"\n") }
	row := regexp.MustCompile(`(?m)^(0x[0-9a-f]+): proto=tcpv4 src=127\.0\.0\.1:\d+ fe=hfe be=hbe srv=h1 `)
	var id string
	harness.WaitForf(t, 5*time.Second, func() bool {
		m := row.FindStringSubmatch(cli("show sess"))
		if m != nil {
			id = m[1]
		}
		return m != nil
	}, "show sess lists the HTTP session with be=hbe srv=h1: %q", cli("show sess"))
	detail := cli("show sess " + id)
	for _, want := range []string{
		id + ": [",
		"  frontend=hfe (id=2 mode=http), listener=? (id=1) addr=" + addr + "\n",
		"  backend=hbe (id=3 mode=http) addr=?\n",
		"  server=h1 (id=1) addr=" + ln.Addr().String() + "\n",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("show sess %s lacks %q:\n%s", id, want, detail)
		}
	}
	if got := strings.TrimSpace(cli("show sess 0xdead")); got != "Session not found." {
		t.Errorf("show sess of an unknown id: %q", got)
	}
	conns := cli("show servers conn hbe")
	if !strings.Contains(conns, fmt.Sprintf("\nhbe/h1 3/1 127.0.0.1 %d - 5000 1 1 ", ln.Addr().(*net.TCPAddr).Port)) {
		t.Errorf("show servers conn hbe: want one connection in use:\n%s", conns)
	}
	if got := strings.TrimSpace(cli("show servers conn nope")); got != "Can't find backend." {
		t.Errorf("show servers conn of an unknown backend: %q", got)
	}
	cli("shutdown sessions server hbe/h1")
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
		t.Error("the HTTP client got an answer; want its connection closed by shutdown sessions server")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Error("shutdown sessions server hbe/h1 did not close the HTTP session")
	}
}
