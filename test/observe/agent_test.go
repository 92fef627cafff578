package observe

import (
	"encoding/csv"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// agentServer is a tiny agent: every connection gets the current answer
// line, then is closed.
type agentServer struct {
	ln     net.Listener
	mu     sync.Mutex
	answer string
	done   chan struct{}
}

func newAgentServer(t *testing.T, answer string) *agentServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &agentServer{ln: ln, answer: answer, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			a.mu.Lock()
			c.Write([]byte(a.answer + "\n"))
			a.mu.Unlock()
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-a.done })
	return a
}

func (a *agentServer) set(answer string) {
	a.mu.Lock()
	a.answer = answer
	a.mu.Unlock()
}

// TestAgentCheck runs goha with `agent-check` against a tiny agent and
// changes its answer: show stat's status, weight and agent columns
// follow each answer as in HAProxy 2.6 (weight in % of the configured
// one, DRAIN (agent), DOWN (agent), up while still draining, ready),
// the traffic follows (no request to a server the agent took down), and
// the state changes are logged in HAProxy's words.
func TestAgentCheck(t *testing.T) {
	dir := t.TempDir()
	ag := newAgentServer(t, "50%")
	s1, s2 := harness.NewBackend(t, "s1", nil), harness.NewBackend(t, "s2", nil)
	port, sock := harness.FreePort(t), filepath.Join(dir, "stats.sock")
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:%d
    default_backend ag
backend ag
    server a1 %s check inter 200ms weight 100 agent-check agent-port %d agent-inter 100ms
    server a2 %s
`, sock, port, s1.Addr, ag.ln.Addr().(*net.TCPAddr).Port, s2.Addr))
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	p.WaitListening(t, 10*time.Second, fmt.Sprintf("127.0.0.1:%d", port))
	row := func() map[string]string { return agentRow(t, sock) }
	steps := []struct{ answer, status, weight, agentStatus, lastAgt string }{
		{"50%", "UP", "50", "CHECKED", ""},
		{"drain", "DRAIN (agent)", "50", "CHECKED", ""},
		{"down", "DOWN (agent)", "50", "L7STS", "via agent : down"},
		{"up", "DRAIN (agent)", "50", "L7OK", "via agent : up"},
		{"ready 100%", "UP", "100", "CHECKED", ""},
		{"maint", "MAINT", "100", "CHECKED", ""},
		{"ready,25%,bogus", "UP", "25", "CHECKED", "agent reports an error : bogus"},
	}
	for _, st := range steps {
		ag.set(st.answer)
		ok := harness.Eventually(3*time.Second, func() bool {
			r := row()
			return r["status"] == st.status && r["weight"] == st.weight && r["agent_status"] == st.agentStatus && r["last_agt"] == st.lastAgt
		})
		if !ok {
			r := row()
			t.Fatalf("agent answer %q: status %q weight %q agent_status %q last_agt %q; want %q %q %q %q",
				st.answer, r["status"], r["weight"], r["agent_status"], r["last_agt"], st.status, st.weight, st.agentStatus, st.lastAgt)
		}
		if st.answer == "down" {
			before := s1.Requests.Load()
			for i := 0; i < 4; i++ {
				if code, body, err := harness.Get(fmt.Sprintf("http://127.0.0.1:%d/", port)); code != 200 || body != "s2\n" {
					t.Errorf("request with a1 down by its agent: %d %q %v", code, body, err)
				}
			}
			if n := s1.Requests.Load() - before; n != 0 {
				t.Errorf("a1 got %d requests while its agent said down", n)
			}
		}
	}
	r := row()
	if r["agent_rise"] != "1" || r["agent_fall"] != "1" || r["agent_health"] != "1" || r["agent_desc"] != "No status change" {
		t.Errorf("agent columns: rise %q fall %q health %q desc %q", r["agent_rise"], r["agent_fall"], r["agent_health"], r["agent_desc"])
	}
	for _, msg := range []string{
		`Server ag/a1 is DOWN, reason: Layer7 wrong status, code: 0, info: "via agent : down", check duration: `,
		"Server ag/a1 remains in forced drain mode.",
		`Server ag/a1 is UP, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: `,
	} {
		if !strings.Contains(p.Output(), msg) {
			t.Errorf("no %q in the output:\n%s", msg, p.Output())
		}
	}
}

// agentRow returns server ag/a1's `show stat` row by column name.
func agentRow(t *testing.T, sock string) map[string]string {
	out := harness.Socat(t, sock, "show stat\n")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "# "))).ReadAll()
	if err != nil || len(recs) < 2 {
		return nil
	}
	m := map[string]string{}
	for _, rec := range recs[1:] {
		if len(rec) > 1 && rec[0] == "ag" && rec[1] == "a1" {
			for i, name := range recs[0] {
				if i < len(rec) {
					m[name] = rec[i]
				}
			}
		}
	}
	return m
}
