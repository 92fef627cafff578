package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestShowSessAndShutdownServerSessions: TCP sessions held open through
// a mode tcp frontend are listed by show sess with their frontend,
// backend and server; `shutdown sessions server BE/S` closes them all.
func TestShowSessAndShutdownServerSessions(t *testing.T) {
	needSocat(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "admin.sock")
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() { // a server that holds every connection until it closes
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { buf := make([]byte, 64); c.Read(buf); c.Close() }()
		}
	}()
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin mode 600
defaults
    mode tcp
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend tfe
    bind 127.0.0.1:%d
    default_backend tbe
backend tbe
    server n1 %s
`, sock, port, ln.Addr()))
	harness.Start(t, dir, nil, "-db", "-f", cfg)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	harness.WaitFor(t, 10*time.Second, "goha listening", func() bool {
		_, err := os.Stat(sock)
		return err == nil
	})
	var clients []net.Conn
	for i := 0; i < 2; i++ {
		c := harness.Dial(t, addr)
		clients = append(clients, c)
	}
	listed := func() int {
		return strings.Count(harness.Socat(t, sock, "show sess\n"), " fe=tfe be=tbe srv=n1 ")
	}
	harness.WaitForf(t, 5*time.Second, func() bool { return listed() == 2 }, "both sessions listed with fe/be/srv: %q", harness.Socat(t, sock, "show sess\n"))
	if got := harness.Socat(t, sock, "shutdown sessions server tbe/nope\n"); !strings.HasPrefix(got, "No such server.") {
		t.Errorf("shutdown sessions server tbe/nope = %q", got)
	}
	harness.Socat(t, sock, "shutdown sessions server tbe/n1\n")
	for i, c := range clients {
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil || strings.Contains(err.Error(), "timeout") {
			t.Errorf("client %d not closed by shutdown sessions server: %v", i, err)
		}
	}
	harness.WaitForf(t, 3*time.Second, func() bool { return listed() == 0 }, "no session left")
}
