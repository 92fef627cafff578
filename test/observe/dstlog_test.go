package observe

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestLogDestination: the address a client connected to (%fi:%fp, the
// dst fetch) is read lazily, once per connection, when a log or a rule
// asks for it; in mode tcp that must happen before the relay loop takes
// the socket (no rule reads it here first). Both modes log it.
func TestLogDestination(t *testing.T) {
	dir := t.TempDir()
	log := harness.ListenDatagrams(t, "udp", "127.0.0.1:0")
	echo := harness.NewBackend(t, "s1", nil)
	tport, hport := harness.FreePort(t), harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    log 127.0.0.1:%d local0
defaults
    log global
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend ft
    mode tcp
    bind 127.0.0.1:%d
    log-format "tcp dst=%%fi:%%fp"
    default_backend be
frontend fh
    mode http
    bind 127.0.0.1:%d
    log-format "http dst=%%fi:%%fp"
    default_backend beh
backend be
    mode tcp
    server s1 %s
backend beh
    mode http
    server s1 %s
`, log.Addr().(*net.UDPAddr).Port, tport, hport, echo.Addr, echo.Addr))
	harness.Start(t, dir, nil, "-db", "-f", cfg)
	harness.WaitFor(t, 10*time.Second, "goha serving", func() bool { return harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", hport)) })

	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", tport))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET / HTTP/1.0\r\n\r\n")
	if b, err := io.ReadAll(c); err != nil || !strings.Contains(string(b), "s1") {
		t.Fatalf("through the tcp frontend: %q, %v", b, err)
	}
	c.Close()
	want := fmt.Sprintf("tcp dst=127.0.0.1:%d", tport)
	t.Log(log.All())
	harness.WaitFor(t, 5*time.Second, "the tcp log line "+want, func() bool { return log.Find(want) != "" })

	if _, _, err := harness.Get(fmt.Sprintf("http://127.0.0.1:%d/", hport)); err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("http dst=127.0.0.1:%d", hport)
	harness.WaitFor(t, 5*time.Second, "the http log line "+want, func() bool { return log.Find(want) != "" })
}
