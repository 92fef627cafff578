package harness

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FreePort returns a TCP port free on 127.0.0.1 at the time of the call,
// chosen below the kernel's ephemeral range (so no outgoing connection or
// port-0 listener of this or another test can take it before goha binds
// it) and at random (so tests running side by side rarely pick the same).
func FreePort(t testing.TB) int {
	t.Helper()
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				lo = n
			}
		}
	}
	const base = 10000
	if lo <= base+1000 {
		lo = 65535 // no room below: fall back to the whole range
	}
	for i := 0; i < 200; i++ {
		port := base + rand.IntN(lo-base)
		ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		return port
	}
	t.Fatal("no free port found")
	return 0
}

// FreeAddr is FreePort as "127.0.0.1:port".
func FreeAddr(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", FreePort(t))
}

// Get does one HTTP GET on a new connection, within 3 s, and returns
// status and body.
func Get(url string) (int, string, error) { return GetTimeout(url, 3*time.Second) }

// GetTimeout is Get within timeout.
func GetTimeout(url string, timeout time.Duration) (int, string, error) {
	c := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	r, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	return r.StatusCode, string(b), err
}

// Serves reports whether a GET of url answers 200 right now (within 2 s).
func Serves(url string) bool {
	code, _, err := GetTimeout(url, 2*time.Second)
	return err == nil && code == 200
}

// Socat sends input to a unix (or, for host:port, tcp) socket with real
// socat and returns the answer.
func Socat(t testing.TB, sock, input string) string {
	t.Helper()
	addr := "UNIX-CONNECT:" + sock
	if strings.Contains(sock, ":") && !strings.HasPrefix(sock, "/") {
		addr = "TCP:" + sock
	}
	cmd := exec.Command("socat", "-t", "5", "STDIO", addr)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Logf("socat %s: %v: %s", sock, err, out)
	}
	return string(out)
}

// Dial opens a TCP connection to addr (host:port), failing the test if it
// cannot; the connection is closed when the test ends.
func Dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
