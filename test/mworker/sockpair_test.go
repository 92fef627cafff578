package mworker

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestBindSockpair: `bind sockpair@3` on one end of a socket pair the
// parent made: the parent sends client connections over its end
// (SCM_RIGHTS, as HAProxy's sockpair protocol) and goha, in master-worker
// mode, serves each of them, also after a reload hands the socket pair
// to the new worker.
func TestBindSockpair(t *testing.T) {
	be := harness.NewBackend(t, "s1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "s1")
	}))
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	parent, child := os.NewFile(uintptr(fds[0]), "parent"), os.NewFile(uintptr(fds[1]), "child")
	defer parent.Close()
	dir := t.TempDir()
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind sockpair@3
    default_backend be
backend be
    server s1 %s
`, be.Addr))
	p := harness.StartFiles(t, dir, nil, []*os.File{child}, "-W", "-f", cfg)
	child.Close()
	pc, err := net.FileConn(parent)
	if err != nil {
		t.Fatal(err)
	}
	uc := pc.(*net.UnixConn)
	defer uc.Close()
	// request sends one end of a new socket pair to goha as a client
	// connection and asks for / on the other.
	request := func() (string, error) {
		cfds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			return "", err
		}
		defer syscall.Close(cfds[1])
		client := os.NewFile(uintptr(cfds[0]), "client")
		defer client.Close()
		if _, _, err := uc.WriteMsgUnix([]byte{0}, syscall.UnixRights(cfds[1]), nil); err != nil {
			return "", err
		}
		c, err := net.FileConn(client)
		if err != nil {
			return "", err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b := make([]byte, 16)
		n, _ := resp.Body.Read(b)
		return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b[:n]))), nil
	}
	var got string
	harness.WaitForf(t, 10*time.Second, func() bool {
		got, err = request()
		return got == "200 s1"
	}, "a connection sent over sockpair@3 served (%q, %v; output %s)", got, err, p.Output())
	p.Signal(syscall.SIGUSR2)
	harness.WaitForf(t, 10*time.Second, func() bool {
		got, err = request()
		return strings.Contains(p.Output(), "Former worker") && got == "200 s1"
	}, "served by the new worker after a reload (%q, %v; output %s)", got, err, p.Output())
}
