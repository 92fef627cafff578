package peers

import (
	"fmt"
	"net"
	"testing"
	"time"
)

// TestLinkRecoversAfterImpostor: a connection that says it is peer a
// (from a's address) replaces b's session with the real a, as HAProxy
// does, and then breaks the protocol. The real link must come back
// within the short retry delay (up to 550 ms; 2 s allowed for a loaded
// machine), not after a full reconnect period (5 s): the end that lost
// its session by an error retries soon.
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
	if d > 2*time.Second {
		t.Fatalf("the link came back after %v (since %v), want within the retry delay", d, start)
	}
	t.Logf("link back after %v", d)
}

// TestAckAheadIgnored: an acknowledgement of an update this session
// never pushed (a stale id from an earlier session, or a forged one)
// leaves the acknowledged position alone. It used to wrap it around
// to a huge number, which the next session clamped to the table's last
// update: every update made meanwhile was then never sent.
func TestAckAheadIgnored(t *testing.T) {
	tests := []struct {
		pushed uint64
		ack    uint32
		want   uint64
	}{
		{5, 3, 3},             // an ordinary ack
		{5, 5, 5},             // all pushed acknowledged
		{1, 2, 0},             // ahead of what was pushed: ignored
		{0, 7, 0},             // nothing pushed yet
		{1 << 32, 0, 1 << 32}, // the 32-bit id wrapped
	}
	for _, tc := range tests {
		ss := &session{sec: &Section{}, p: &peer{acked: []uint64{0}},
			tables: []*sessTable{{sh: &shared{id: 1}, idx: 0, lastPushed: tc.pushed}}}
		payload := Ack{TableID: 1, Update: tc.ack}.Encode().Payload
		if err := ss.onAck(Frame{Payload: payload}); err != nil {
			t.Fatal(err)
		}
		if got := ss.p.acked[0]; got != tc.want {
			t.Errorf("pushed %d, ack %d: acked = %d, want %d", tc.pushed, tc.ack, got, tc.want)
		}
	}
}
