package stream

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// TestDynamicBackendKeepAlive: use_backend with a log-format name made
// of literal text and a converted sample picks the same backend for
// every request of a keep-alive connection, not only the first.
func TestDynamicBackendKeepAlive(t *testing.T) {
	a, d := echoBackend(t, "a"), echoBackend(t, "d")
	_, fe := startProxy(t, testDefaults+sprintf(`
frontend fe
    bind {{fe:fe}}
    use_backend be_%%[req.hdr(x-app),lower]
    default_backend be_d
backend be_app
    server s %s
backend be_d
    server s %s
`, a.addr(), d.addr()))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	for i := 1; i <= 3; i++ {
		io.WriteString(c, "GET /r HTTP/1.1\r\nHost: x\r\nX-App: APP\r\n\r\n")
		resp, body, err := readResponse(br)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if got := resp.Header.Get("X-Server"); got != "a" {
			t.Fatalf("request %d went to %q (%d %q); want be_app's server a", i, got, resp.StatusCode, body)
		}
	}
}
