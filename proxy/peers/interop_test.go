package peers

import (
	"fmt"
	"regexp"
	"testing"
	"time"
)

// interopCfg is the configuration of both ends: HAProxy is peer hap,
// the Go peer is peer go; table fe stores gpc0, a rate and server_id.
func interopCfg(hapPort, goPort, httpPort int) string {
	return fmt.Sprintf(`global
    stats socket @SOCK@ level admin mode 600
peers mypeers
    peer hap 127.0.0.1:%d
    peer go 127.0.0.1:%d
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:%d
    stick-table type ip size 1k expire 60s store gpc0,http_req_rate(10s),server_id peers mypeers
    default_backend be
backend be
    server s1 127.0.0.1:1
`, hapPort, goPort, httpPort)
}

// TestInteropHAProxy runs HAProxy 2.6 and a Go peer sharing table fe:
// entries set on either side arrive on the other, and a restarted side
// (HAProxy, then the Go peer) is resynced by the other.
func TestInteropHAProxy(t *testing.T) {
	dir := t.TempDir()
	hp, gp := freePort(t), freePort(t)
	cfg := interopCfg(hp, gp, freePort(t))
	g := startNode(t, cfg, "go", "mypeers", Options{})
	h := startHAProxy(t, dir, cfg, "hap")
	esta := h.matches(`id=go\(remote,active\) addr=127\.0\.0\.1:\d+ last_status=ESTA`)
	waitFor(t, 10*time.Second, "HAProxy shows go ESTA", func() bool { return esta("show peers") })

	out, _ := h.ask("set table fe key 10.0.0.1 data.gpc0 7")
	start := time.Now()
	d := waitFor(t, 3*time.Second, "HAProxy's entry on the Go peer", func() bool {
		return regexp.MustCompile(`key=10\.0\.0\.1 .*gpc0=7 `).MatchString(g.cli("show table fe"))
	})
	t.Logf("HAProxy -> Go: %v (%q)", d, out)

	g.setGPC0(t, "fe", "10.0.0.2", 9)
	start = time.Now()
	on := h.matches(`key=10\.0\.0\.2 .*gpc0=9 `)
	waitFor(t, 3*time.Second, "Go's entry on HAProxy", func() bool { return on("show table fe") })
	t.Logf("Go -> HAProxy: %v", time.Since(start))

	// HAProxy restarts: it learns both entries from the Go peer.
	h.stop()
	h = startHAProxy(t, dir, cfg, "hap")
	both := h.matches(`(?s)key=10\.0\.0\.1 .*gpc0=7 .*key=10\.0\.0\.2 .*gpc0=9 `)
	d = waitFor(t, 10*time.Second, "restarted HAProxy resynced from Go", func() bool { return both("show table fe") })
	t.Logf("HAProxy resync: %v", d)

	// The Go peer restarts: it learns both from HAProxy.
	g.sec.Stop()
	g = startNode(t, cfg, "go", "mypeers", Options{})
	d = waitFor(t, 10*time.Second, "restarted Go peer resynced from HAProxy", func() bool {
		out := g.cli("show table fe")
		return regexp.MustCompile(`(?s)key=10\.0\.0\.1 .*gpc0=7 .*key=10\.0\.0\.2 .*gpc0=9 `).MatchString(out)
	})
	t.Logf("Go resync: %v", d)
	sp := &stringsBuilder{}
	ShowPeers(sp, []*Section{g.sec}, nil)
	t.Logf("show peers:\n%s", sp)
	hs, _ := h.ask("show peers")
	t.Logf("HAProxy show peers:\n%s", hs)
}
