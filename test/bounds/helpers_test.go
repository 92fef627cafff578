package bounds

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// proc is a goha started under a descriptor limit, with its stats socket.
type proc struct {
	*harness.Proc
	t    *testing.T
	sock string
	addr string
}

// startLimited runs `goha -db` (args appended) under `ulimit -n nofile`
// with body after a global section holding a stats socket; {ADDR} in
// body is replaced by a free loopback address, the one returned.
func startLimited(t *testing.T, nofile int, global, body string, args ...string) *proc {
	t.Helper()
	dir := harness.TempDir(t)
	sock := filepath.Join(dir, "stats.sock")
	addr := harness.FreeAddr(t)
	cfg := "global\n    stats socket " + sock + " level admin\n" + global +
		"defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n" +
		"    timeout http-request 30s\n" + strings.ReplaceAll(body, "{ADDR}", addr)
	path := harness.WriteFile(t, dir, "goha.cfg", cfg)
	script := fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, nofile)
	p := harness.StartBin(t, "/bin/sh", dir, nil, append([]string{"-c", script, harness.Bin(t), "-db", "-f", path}, args...)...)
	p.WaitListening(t, 10*time.Second, addr)
	return &proc{Proc: p, t: t, sock: sock, addr: addr}
}

// info is `show info` as a map.
func (p *proc) info() map[string]string {
	out := harness.Socat(p.t, p.sock, "show info\n")
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, ": "); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// infoInt is one numeric `show info` field (-1 when absent).
func (p *proc) infoInt(field string) int {
	v, err := strconv.Atoi(p.info()[field])
	if err != nil {
		return -1
	}
	return v
}

// hold opens n connections to addr without sending anything; they are
// closed when the test ends or by the returned function.
func hold(t *testing.T, addr string, n int) (release func()) {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	for range n {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("connection %d of %d to %s: %v", len(conns)+1, n, addr, err)
		}
		conns = append(conns, c)
	}
	release = func() {
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	}
	t.Cleanup(release)
	return release
}
