package peers

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// twoCfg is a section of two Go peers a and b sharing table fe (with a
// server_key, to carry strings through the dictionary cache) and the
// section's own table t.
func twoCfg(pa, pb int) string {
	return fmt.Sprintf(`peers mypeers
    peer a 127.0.0.1:%d
    peer b 127.0.0.1:%d
    table t type string len 32 size 4 expire 60s store gpc0
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
backend fe
    stick-table type ip size 1k expire 60s store gpt0,http_req_rate(10s),server_id,server_key,gpc(2) peers mypeers
    server s1 127.0.0.1:1
`, pa, pb)
}

func has(n *node, tb, re string) func() bool {
	rx := regexp.MustCompile(re)
	return func() bool { return rx.MatchString(n.cli("show table " + tb)) }
}

// TestTwoGoPeers: entries flow both ways between two Go peers, server
// keys and arrays included, and a restarted peer is resynced.
func TestTwoGoPeers(t *testing.T) {
	pa, pb := freePort(t), freePort(t)
	cfg := twoCfg(pa, pb)
	a := startNode(t, cfg, "a", "mypeers", Options{})
	b := startNode(t, cfg, "b", "mypeers", Options{})
	tb := a.set.Find("fe")
	k, _ := tb.KeyAddr(mustAddr("10.9.9.9"))
	if err := tb.StoreServer(k, 2, "s2"); err != nil {
		t.Fatal(err)
	}
	// the first sessions may collide (both ends dial at once) and retry
	// after HAProxy's random delay of up to 2 s
	if !waitOK(8*time.Second, has(b, "fe", `key=10\.9\.9\.9 .*server_id=2 .*server_key=s2`)) {
		t.Fatalf("server_key on b:\n%s\non a:\n%s", b.cli("show table fe"), a.cli("show table fe"))
	}
	a.cli("set table fe key 10.0.0.1 data.gpt0 7")
	d := waitFor(t, 3*time.Second, "a -> b", has(b, "fe", `key=10\.0\.0\.1 .*gpt0=7 `))
	t.Logf("a -> b: %v", d)
	b.cli("set table fe key 10.0.0.3 data.gpt0 9")
	bt := b.set.Find("fe")
	k3, _ := bt.KeyAddr(mustAddr("10.0.0.3"))
	e, err := bt.Track(k3)
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		bt.IncGPC(e, true, 1)
	}
	bt.Untrack(e)
	if !waitOK(3*time.Second, has(a, "fe", `key=10\.0\.0\.3 .*gpt0=9 .*gpc0=0 gpc1=4`)) {
		t.Fatalf("b -> a:\n%s\nb:\n%s", a.cli("show table fe"), b.cli("show table fe"))
	}
	a.cli("set table mypeers/t key alice data.gpc0 3")
	waitFor(t, 3*time.Second, "section table a -> b", has(b, "mypeers/t", `key=alice .*gpc0=3`))

	b.sec.Stop()
	b = startNode(t, cfg, "b", "mypeers", Options{})
	d = waitFor(t, 3*time.Second, "restarted b resynced", has(b, "fe", `(?s)key=10\.0\.0\.1 .*gpt0=7 .*key=10\.0\.0\.3 .*gpt0=9 .*key=10\.9\.9\.9 .*server_key=s2`))
	t.Logf("resync of a restarted peer: %v", d)
	var sb strings.Builder
	a.sec.Show(&sb, true)
	if !regexp.MustCompile(`id=b\(remote,active\) addr=127\.0\.0\.1:\d+ last_status=ESTA last_hdshk=`).MatchString(sb.String()) {
		t.Errorf("show peers on a:\n%s", sb.String())
	}
}

// TestHandOver: the old process of a reload teaches the new one through
// the local peer.
func TestHandOver(t *testing.T) {
	pa, pb := freePort(t), freePort(t)
	cfg := twoCfg(pa, pb)
	old := startNode(t, cfg, "a", "mypeers", Options{})
	old.cli("set table fe key 10.0.0.5 data.gpt0 11")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- old.sec.HandOver(ctx) }()
	// the new process binds once the old one has let the port go
	var nw *node
	waitFor(t, 3*time.Second, "the port free", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", pa))
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	nw = startNode(t, cfg, "a", "mypeers", Options{FromLocal: true})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	old.sec.Stop()
	waitFor(t, time.Second, "the new process has the entry", has(nw, "fe", `key=10\.0\.0\.5 .*gpt0=11`))
	if !nw.sec.Resynced() {
		t.Error("the new process does not count its resync as done after the hand-over")
	}
}

// poke connects to addr, sends data and returns the first line answered
// and whether the connection was closed within 2 s.
func poke(t *testing.T, addr string, data ...[]byte) (string, bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, d := range data {
		c.Write(d)
		time.Sleep(50 * time.Millisecond)
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	r := bufio.NewReader(c)
	line, _ := r.ReadString('\n')
	buf := make([]byte, 4096)
	for {
		if _, err := r.Read(buf); err != nil {
			ne, ok := err.(net.Error)
			return strings.TrimSpace(line), !(ok && ne.Timeout())
		}
	}
}

// TestBounds: garbage, a long line, unknown names, an oversized message,
// a malformed one and too many entries each close that connection only;
// the table and the established session stay.
func TestBounds(t *testing.T) {
	pa, pb := freePort(t), freePort(t)
	cfg := twoCfg(pa, pb)
	a := startNode(t, cfg, "a", "mypeers", Options{})
	b := startNode(t, cfg, "b", "mypeers", Options{})
	a.cli("set table fe key 10.0.0.1 data.gpt0 7")
	waitFor(t, 8*time.Second, "a -> b", has(b, "fe", `key=10\.0\.0\.1 .*gpt0=7 `))
	addr := fmt.Sprintf("127.0.0.1:%d", pb)
	hello := []byte("HAProxyS 2.1\nb\na 4242 1\n")
	rnd := make([]byte, 65536)
	rand.Read(rnd)
	cases := []struct {
		name string
		data [][]byte
		want string
	}{
		{"random bytes", [][]byte{rnd}, "501"},
		{"long hello line", [][]byte{append([]byte("HAProxyS "), []byte(strings.Repeat("9", 200000))...)}, ""},
		{"bad version", [][]byte{[]byte("HAProxyS 3.0\nb\na 1 1\n")}, "502"},
		{"wrong local name", [][]byte{[]byte("HAProxyS 2.1\nz\na 1 1\n")}, "503"},
		{"unknown peer", [][]byte{[]byte("HAProxyS 2.1\nb\nmallory 4242 1\n")}, "504"},
		{"1 GiB message", [][]byte{hello, append([]byte{10, 0x82}, appendVarint(nil, 1<<30)...)}, "200"},
		{"malformed define", [][]byte{hello, AppendFrame(nil, Frame{ClassStickTable, StktDefine, []byte{1, 200}})}, "200"},
		{"reserved class", [][]byte{hello, {255, 0}}, "200"},
	}
	for _, c := range cases {
		line, closed := poke(t, addr, c.data...)
		if line != c.want || !closed {
			t.Errorf("%s: answered %q, closed %v; want %q, closed", c.name, line, closed, c.want)
		}
	}
	// too many entries: a peer creating more than size (4) entries of t
	def := (&TableDef{ID: 1, Name: "t", KeyType: KeyStr, KeySize: 33, Data: 1 << 2, Expire: 60000}).Encode()
	msgs := [][]byte{hello, AppendFrame(nil, def)}
	l := &Layout{KeyType: KeyStr, KeySize: 33, Data: 1 << 2}
	for i := range 10 {
		u := &UpdateMsg{HasID: true, ID: uint32(i + 1), Key: []byte(fmt.Sprintf("k%d", i))}
		msgs = append(msgs, AppendFrame(nil, EncodeUpdate(u, l, nil, 0)))
	}
	if line, closed := poke(t, addr, msgs...); line != "200" || !closed {
		t.Errorf("10 new entries in a table of 4: answered %q, closed %v", line, closed)
	}
	if n := b.set.Find("mypeers/t").Used(); n > 4 {
		t.Errorf("table t has %d entries", n)
	}
	if !has(b, "fe", `key=10\.0\.0\.1 .*gpt0=7 `)() {
		t.Errorf("b's table changed:\n%s", b.cli("show table fe"))
	}
	a.cli("set table fe key 10.0.0.4 data.gpt0 8")
	waitFor(t, 6*time.Second, "a's next entry on b", has(b, "fe", `key=10\.0\.0\.4 .*gpt0=8 `))
}
