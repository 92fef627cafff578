package peers

import (
	"fmt"
	"net"
	"testing"
	"time"
)

// TestLinkRecoversAfterImpostor: a connection that says it is peer a
// (from a's address) replaces b's session with the real a, as HAProxy
// does, and then breaks the protocol. The real link must come back in
// HAProxy's random reconnection delay (up to about 2 s), not after a
// full reconnect period (5 s): the end that lost its session by an
// error retries soon.
func TestLinkRecoversAfterImpostor(t *testing.T) {
	pa, pb := freePort(t), freePort(t)
	cfg := twoCfg(pa, pb)
	a := startNode(t, cfg, "a", "mypeers", Options{})
	b := startNode(t, cfg, "b", "mypeers", Options{})
	a.cli("set table fe key 10.0.0.1 data.gpt0 1")
	waitFor(t, 8*time.Second, "first link", has(b, "fe", `key=10\.0\.0\.1 .*gpt0=1 `))

	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", pb))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "HAProxyS 2.1\nb\na 4242 1\n")
	line := make([]byte, 4)
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Read(line); err != nil || string(line) != "200\n" {
		t.Fatalf("impostor's hello: %q %v", line, err)
	}
	c.Write([]byte{10, 0x82, 0xff, 0xff, 0xff, 0xff, 0x0f}) // a table message claiming 4 GiB
	c.Close()

	start := time.Now()
	a.cli("set table fe key 10.0.0.2 data.gpt0 2")
	d := waitFor(t, 4*time.Second, "a -> b after the impostor", has(b, "fe", `key=10\.0\.0\.2 .*gpt0=2 `))
	if d > 2500*time.Millisecond {
		t.Fatalf("the link came back after %v (since %v), want within HAProxy's random delay (~2 s)", d, start)
	}
	t.Logf("link back after %v", d)
}
