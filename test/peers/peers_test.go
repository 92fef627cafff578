package peers

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// haproxyBin is the reference implementation the mixed tests run.
const haproxyBin = "/usr/sbin/haproxy"

// node is one member of a peers section: a goha or HAProxy process with
// its admin socket and HTTP frontend.
type node struct {
	name, sock, fe, cfg string
	p                   *harness.Proc
}

// cli sends one runtime API line to the node.
func (n *node) cli(t *testing.T, line string) string {
	t.Helper()
	return harness.Socat(t, n.sock, line+"\n")
}

// sees returns a condition: LINE's answer on the node matches re.
func (n *node) sees(t *testing.T, line, re string) func() bool {
	rx := regexp.MustCompile(re)
	return func() bool {
		out, err := ask(n.sock, line)
		return err == nil && rx.MatchString(out)
	}
}

// ask sends line to a unix socket and returns the whole answer (no
// test failure on error: the caller polls).
func ask(sock, line string) (string, error) {
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	c.(*net.UnixConn).CloseWrite()
	b, err := io.ReadAll(c)
	return string(b), err
}

// within waits for cond and returns how long it took, failing the test
// after d.
func within(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	harness.WaitFor(t, d, what, cond)
	return time.Since(start)
}

// section is a peers section of the named peers at the given ports.
func section(name string, peers []string, ports []int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "peers %s\n", name)
	for i, p := range peers {
		fmt.Fprintf(&b, "    peer %s 127.0.0.1:%d\n", p, ports[i])
	}
	return b.String()
}

// pairCfg is the configuration of node a or b of TestTwoNodes: table fe
// counts requests by source, backend bp sticks on X-User.
func pairCfg(sock, fe, peers string, beA, beB string) string {
	return fmt.Sprintf(`global
    stats socket %s level admin
%s
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind %s
    stick-table type ip size 1k expire 60s store gpc0,http_req_rate(10s) peers mypeers
    http-request track-sc0 src
    default_backend bp
backend bp
    balance first
    stick-table type string len 32 size 1k expire 60s peers mypeers
    stick on req.hdr(X-User)
    server s1 %s
    server s2 %s
`, sock, peers, fe, beA, beB)
}

// startNode writes cfg into a new directory and runs bin on it with
// args, then waits for its frontend.
func startNode(t *testing.T, bin, name, peersText string, args []string, mk func(sock, fe, peers string) string) *node {
	t.Helper()
	dir := harness.TempDir(t)
	n := &node{name: name, sock: filepath.Join(dir, name+".sock"), fe: harness.FreeAddr(t)}
	n.cfg = harness.WriteFile(t, dir, name+".cfg", mk(n.sock, n.fe, peersText))
	n.p = harness.StartBin(t, bin, dir, nil, append(args, "-L", name, "-f", n.cfg)...)
	n.p.WaitListening(t, 10*time.Second, n.fe)
	return n
}

// get does one GET with header X-User: user and returns the body.
func get(t *testing.T, fe, user string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+fe+"/", nil)
	if user != "" {
		req.Header.Set("X-User", user)
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", fe, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b))
}

// textBackend answers its name.
func textBackend(t *testing.T, name string) *harness.Backend {
	return harness.NewBackend(t, name, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, name+"\n")
	}))
}

// TestTwoNodes: two goha nodes share their tables: show peers says ESTA,
// an entry set on one is on the other within 3 s both ways, traffic
// through one counts on the other, persistence learned on one is
// honoured by the other, and a restarted node is taught everything.
func TestTwoNodes(t *testing.T) {
	s1, s2 := textBackend(t, "s1"), textBackend(t, "s2")
	pa, pb := harness.FreePort(t), harness.FreePort(t)
	sec := section("mypeers", []string{"a", "b"}, []int{pa, pb})
	mk := func(sock, fe, peers string) string { return pairCfg(sock, fe, peers, s1.Addr, s2.Addr) }
	bin := harness.Bin(t)
	a := startNode(t, bin, "a", sec, []string{"-db"}, mk)
	b := startNode(t, bin, "b", sec, []string{"-db"}, mk)

	within(t, 5*time.Second, "show peers on a: b ESTA", a.sees(t, "show peers",
		fmt.Sprintf(`(?m)^  0x[0-9a-f]+: id=b\(remote,active\) addr=127\.0\.0\.1:%d last_status=ESTA `, pb)))
	a.cli(t, "set table fe key 10.1.1.1 data.gpc0 7")
	d := within(t, 3*time.Second, "a -> b", b.sees(t, "show table fe key 10.1.1.1", `key=10\.1\.1\.1 .*gpc0=7 `))
	t.Logf("propagation a -> b: %v", d)
	b.cli(t, "set table fe key 10.1.1.3 data.gpc0 9")
	within(t, 3*time.Second, "b -> a", a.sees(t, "show table fe key 10.1.1.3", `key=10\.1\.1\.3 .*gpc0=9 `))

	for range 5 {
		get(t, a.fe, "")
	}
	within(t, 3*time.Second, "5 requests through a counted on b",
		b.sees(t, "show table fe key 127.0.0.1", `http_req_rate\(10000\)=5\s*$`))

	// balance first: u1 goes to s1 unless s1 is down when it is learned
	a.cli(t, "disable server bp/s1")
	if got := get(t, a.fe, "u1"); got != "s2" {
		t.Fatalf("u1 with s1 disabled went to %q", got)
	}
	a.cli(t, "enable server bp/s1")
	within(t, 3*time.Second, "u1's server on b", b.sees(t, "show table bp", `key=u1 .*server_id=2`))
	for range 3 {
		if got := get(t, b.fe, "u1"); got != "s2" {
			t.Fatalf("u1 on b went to %q, want s2 (learned on a)", got)
		}
	}

	b.p.Signal(syscall.SIGTERM)
	b.p.Wait(10 * time.Second)
	b = startNode(t, bin, "b", sec, []string{"-db"}, mk)
	d = within(t, 3*time.Second, "restarted b taught by a", b.sees(t, "show table fe key 10.1.1.1", `gpc0=7 `))
	within(t, 3*time.Second, "restarted b: u1's server", b.sees(t, "show table bp", `key=u1 .*server_id=2`))
	t.Logf("resync of a restarted node: %v", d)
}

// TestGarbageOnPeersPort: random bytes, an endless hello line, an
// unknown peer and a message claiming 1 GiB each close their own
// connection only; the process, its table and its link stay.
func TestGarbageOnPeersPort(t *testing.T) {
	s1, s2 := textBackend(t, "s1"), textBackend(t, "s2")
	pa, pb := harness.FreePort(t), harness.FreePort(t)
	sec := section("mypeers", []string{"a", "b"}, []int{pa, pb})
	mk := func(sock, fe, peers string) string { return pairCfg(sock, fe, peers, s1.Addr, s2.Addr) }
	bin := harness.Bin(t)
	a := startNode(t, bin, "a", sec, []string{"-db"}, mk)
	b := startNode(t, bin, "b", sec, []string{"-db"}, mk)
	a.cli(t, "set table fe key 10.1.1.1 data.gpc0 7")
	within(t, 5*time.Second, "a -> b", b.sees(t, "show table fe key 10.1.1.1", `gpc0=7 `))

	addr := fmt.Sprintf("127.0.0.1:%d", pb)
	random := make([]byte, 65536)
	for i := range random {
		random[i] = byte(i*7919 + i>>3)
	}
	pokes := []struct {
		what  string
		send  [][]byte
		first string // the first line answered
	}{
		{"random bytes", [][]byte{random}, "501"},
		{"200 KB hello line", [][]byte{append([]byte("HAProxyS "), []byte(strings.Repeat("9", 200000))...)}, ""},
		{"unknown peer", [][]byte{[]byte("HAProxyS 2.1\nb\nmallory 4242 1\n")}, "504"},
		{"1 GiB message", [][]byte{[]byte("HAProxyS 2.1\nb\na 4242 1\n"), {10, 0x82, 0xf0, 0xff, 0xff, 0xff, 0x03}}, "200"},
	}
	for _, pk := range pokes {
		first, closed := poke(t, addr, pk.send)
		if first != pk.first || !closed {
			t.Errorf("%s: answered %q, closed %v; want %q and closed", pk.what, first, closed, pk.first)
		}
	}
	if b.p.Exited() {
		t.Fatalf("b exited:\n%s", b.p.Output())
	}
	if out := b.cli(t, "show table fe key 10.1.1.1"); !strings.Contains(out, "gpc0=7") {
		t.Fatalf("b's table after the garbage:\n%s", out)
	}
	a.cli(t, "set table fe key 10.1.1.4 data.gpc0 8")
	d := within(t, 3*time.Second, "a -> b after the garbage", b.sees(t, "show table fe key 10.1.1.4", `gpc0=8 `))
	t.Logf("link back after the garbage: %v", d)
}

// poke sends chunks to addr and returns the first line answered and
// whether the other end closed within 2 s.
func poke(t *testing.T, addr string, chunks [][]byte) (string, bool) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, ch := range chunks {
		if _, err := c.Write(ch); err != nil {
			break
		}
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	got, err := io.ReadAll(c)
	closed := err == nil || !isTimeout(err)
	line, _, _ := strings.Cut(string(got), "\n")
	return line, closed
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestReloadKeepsTable: a master-worker node reloaded (SIGUSR2) with
// its peer stopped keeps its table: the old worker teaches the new one
// through the local peer on the socket the master handed over.
func TestReloadKeepsTable(t *testing.T) {
	s1, s2 := textBackend(t, "s1"), textBackend(t, "s2")
	pa, pb := harness.FreePort(t), harness.FreePort(t)
	sec := section("mypeers", []string{"a", "b"}, []int{pa, pb})
	mk := func(sock, fe, peers string) string { return pairCfg(sock, fe, peers, s1.Addr, s2.Addr) }
	dir := harness.TempDir(t)
	msock := filepath.Join(dir, "master.sock")
	a := startNode(t, harness.Bin(t), "a", sec, []string{"-W", "-S", msock}, mk)
	for i := 1; i <= 4; i++ {
		a.cli(t, fmt.Sprintf("set table fe key 10.1.1.%d data.gpc0 %d", i, 10+i))
	}
	a.cli(t, "set table bp key u1 data.server_id 2")
	old := workerPid(t, msock)
	a.p.Signal(syscall.SIGUSR2)
	var nw string
	harness.WaitFor(t, 10*time.Second, "a new worker", func() bool {
		nw = workerPid(t, msock)
		return nw != "" && nw != old
	})
	cond := func() bool {
		out, err := ask(msock, "@!"+nw+" show table fe")
		return err == nil && strings.Count(out, "key=10.1.1.") == 4 && strings.Contains(out, "key=10.1.1.4 use=0 exp=") && strings.Contains(out, "gpc0=14")
	}
	d := within(t, 3*time.Second, "the new worker has the 4 entries", cond)
	if out, _ := ask(msock, "@!"+nw+" show table bp"); !strings.Contains(out, "key=u1 ") || !strings.Contains(out, "server_id=2") {
		t.Fatalf("bp on the new worker:\n%s", out)
	}
	t.Logf("table on the new worker %v after it appeared", d)
}

// workerPid is the PID of the current generation's worker ("" if none).
func workerPid(t *testing.T, msock string) string {
	out, err := ask(msock, "show proc")
	if err != nil {
		return ""
	}
	in := false
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "#") {
			in = strings.HasPrefix(l, "# workers")
			continue
		}
		if f := strings.Fields(l); in && len(f) > 1 && f[1] == "worker" {
			return f[0]
		}
	}
	return ""
}

// needHAProxy skips a test where HAProxy 2.6 is not installed.
func needHAProxy(t *testing.T) {
	if _, err := os.Stat(haproxyBin); err != nil {
		t.Skipf("%s not installed", haproxyBin)
	}
}

// TestWithHAProxy: a goha node and an HAProxy 2.6 node exchange entries
// both ways, and each shows the other ESTA.
func TestWithHAProxy(t *testing.T) {
	needHAProxy(t)
	s1, s2 := textBackend(t, "s1"), textBackend(t, "s2")
	pg, ph := harness.FreePort(t), harness.FreePort(t)
	sec := section("mypeers", []string{"g", "h"}, []int{pg, ph})
	mk := func(sock, fe, peers string) string { return pairCfg(sock, fe, peers, s1.Addr, s2.Addr) }
	g := startNode(t, harness.Bin(t), "g", sec, []string{"-db"}, mk)
	h := startNode(t, haproxyBin, "h", sec, []string{"-db"}, mk)
	within(t, 10*time.Second, "HAProxy shows g ESTA", h.sees(t, "show peers", `id=g\(remote,active\) .*last_status=ESTA`))
	g.cli(t, "set table fe key 10.2.2.1 data.gpc0 21")
	d1 := within(t, 3*time.Second, "goha -> HAProxy", h.sees(t, "show table fe key 10.2.2.1", `gpc0=21 `))
	h.cli(t, "set table fe key 10.2.2.3 data.gpc0 23")
	d2 := within(t, 3*time.Second, "HAProxy -> goha", g.sees(t, "show table fe key 10.2.2.3", `gpc0=23 `))
	g.cli(t, "set table bp key u1 data.server_id 2")
	within(t, 3*time.Second, "server_id goha -> HAProxy", h.sees(t, "show table bp", `key=u1 .*server_id=2`))
	t.Logf("goha -> HAProxy %v, HAProxy -> goha %v", d1, d2)
}

// fleetCfg limits each client to 50 requests per 10 s, counted on a
// table the three nodes share.
func fleetCfg(sock, fe, peers string, be string) string {
	return fmt.Sprintf(`global
    stats socket %s level admin
%s
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind %s
    stick-table type ip size 1k expire 60s store http_req_rate(10s) peers fleet
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 50 }
    default_backend be
backend be
    server s1 %s
`, sock, peers, fe, be)
}

// TestFleetRateLimit: two goha nodes and one HAProxy share a request
// rate; 150 requests at 100 per second spread over the three let about
// 50 through in all, not 50 per node. It logs the propagation delay
// measured between the goha nodes and to HAProxy.
func TestFleetRateLimit(t *testing.T) {
	needHAProxy(t)
	be := textBackend(t, "s1")
	ports := []int{harness.FreePort(t), harness.FreePort(t), harness.FreePort(t)}
	sec := section("fleet", []string{"n1", "n2", "n3"}, ports)
	mk := func(sock, fe, peers string) string { return fleetCfg(sock, fe, peers, be.Addr) }
	n1 := startNode(t, harness.Bin(t), "n1", sec, []string{"-db"}, mk)
	n2 := startNode(t, harness.Bin(t), "n2", sec, []string{"-db"}, mk)
	n3 := startNode(t, haproxyBin, "n3", sec, []string{"-db"}, mk)
	nodes := []*node{n1, n2, n3}
	esta := regexp.MustCompile(`\(remote,active\) [^\n]*last_status=ESTA`)
	within(t, 10*time.Second, "6 links ESTA", func() bool {
		links := 0
		for _, n := range nodes {
			out, _ := ask(n.sock, "show peers")
			links += len(esta.FindAllString(out, -1))
		}
		return links == 6
	})
	// HAProxy's start-up resync (up to 10 s without a peer to teach it)
	// must be over: until then it counts what it learns differently.
	flags := regexp.MustCompile(`id=fleet disabled=0 flags=0x([0-9a-f]+)`)
	within(t, 15*time.Second, "HAProxy's resync finished", func() bool {
		out, _ := ask(n3.sock, "show peers")
		m := flags.FindStringSubmatch(out)
		var f uint64
		if m != nil {
			fmt.Sscanf(m[1], "%x", &f)
		}
		return f&3 == 3
	})
	n1.cli(t, "set table fe key 10.3.3.1 data.http_req_rate 0")
	n1.cli(t, "set table fe key 10.3.3.2 data.http_req_rate 0")
	var d2, d3 time.Duration
	var wg sync.WaitGroup
	wg.Add(2)
	start := time.Now()
	n1.cli(t, "set table fe key 10.3.3.9 data.http_req_rate 0")
	go func() {
		defer wg.Done()
		harness.Eventually(3*time.Second, n2.sees(t, "show table fe key 10.3.3.9", `key=10\.3\.3\.9`))
		d2 = time.Since(start)
	}()
	go func() {
		defer wg.Done()
		harness.Eventually(3*time.Second, n3.sees(t, "show table fe key 10.3.3.9", `key=10\.3\.3\.9`))
		d3 = time.Since(start)
	}()
	wg.Wait()
	t.Logf("propagation n1 (goha) -> n2 (goha) %v, -> n3 (HAProxy) %v", d2, d3)

	allowed, denied, other := 0, 0, 0
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := range 150 {
		<-tick.C
		resp, err := c.Get("http://" + nodes[i%3].fe + "/")
		if err != nil {
			other++
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case 200:
			allowed++
		case 429:
			denied++
		default:
			other++
		}
	}
	t.Logf("150 requests at 100/s over n1, n2, n3 with 'gt 50': %d allowed, %d denied, %d other", allowed, denied, other)
	if allowed < 50 || allowed > 60 || other != 0 {
		t.Fatalf("allowed %d (want 50 to 60: the limit is fleet-wide), other %d", allowed, other)
	}
}
