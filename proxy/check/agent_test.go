package check

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

// TestParseAgentReply reads agent lines as HAProxy 2.6 does: words in
// any order split at spaces, tabs and commas, the last of a kind
// winning, case-insensitive, a description after '#', and the first
// unknown word kept as the error.
func TestParseAgentReply(t *testing.T) {
	for _, c := range []struct {
		line string
		want AgentReply
	}{
		{"75%", AgentReply{Weight: "75%"}},
		{"up", AgentReply{Health: "up"}},
		{"DOWN # disk full", AgentReply{Health: "down", Desc: "disk full"}},
		{"75%,maxconn:30,maint,down", AgentReply{Health: "down", Admin: "maint", Weight: "75%", Maxconn: "30"}},
		{"ready\t100% up", AgentReply{Health: "up", Admin: "ready", Weight: "100%"}},
		{"drain stopped fail", AgentReply{Health: "fail", Admin: "drain"}},
		{"weight:20 bogus more", AgentReply{Weight: "20", Err: "bogus"}},
		{"", AgentReply{}},
	} {
		if got := ParseAgentReply(c.line); got != c.want {
			t.Errorf("ParseAgentReply(%q) = %+v, want %+v", c.line, got, c.want)
		}
	}
}

// TestAgentResult checks the status and last_agt text of answers.
func TestAgentResult(t *testing.T) {
	for _, c := range []struct {
		line, warn string
		status     Status
		info       string
	}{
		{"50%", "", StatusChecked, ""},
		{"down", "", StatusL7STS, "via agent : down"},
		{"down # maintenance window", "", StatusL7STS, "via agent : down (maintenance window)"},
		{"up bogus # fine", "", StatusL7OK, "via agent : up (bogus)"},
		{"bogus", "", StatusChecked, "agent reports an error : bogus"},
		{"weight:300", "Absolute weight can only be between 0 and 256 inclusive.", StatusChecked, "agent warns : Absolute weight can only be between 0 and 256 inclusive."},
	} {
		r := agentResult(ParseAgentReply(c.line), c.warn, 0)
		if r.Status != c.status || r.Info != c.info {
			t.Errorf("%q: %s %q, want %s %q", c.line, r.Status, r.Info, c.status, c.info)
		}
	}
}

// TestParseWeight reads relative and absolute weights with HAProxy's
// bounds and errors.
func TestParseWeight(t *testing.T) {
	for _, c := range []struct {
		v       string
		initial int
		want    int
		err     bool
	}{
		{"50%", 100, 50, false}, {"100%", 10, 10, false}, {"300%", 100, 256, false}, {"0%", 7, 0, false},
		{"20", 100, 20, false}, {"257", 1, 0, true}, {"-1%", 1, 0, true}, {"5x", 1, 0, true}, {"x", 1, 0, true}, {"", 1, 0, true},
	} {
		w, err := ParseWeight(c.v, c.initial)
		if w != c.want || (err != nil) != c.err {
			t.Errorf("ParseWeight(%q, %d) = %d, %v; want %d, error %v", c.v, c.initial, w, err, c.want, c.err)
		}
	}
}

// TestAgentAgainstServer runs an agent check against a TCP agent that
// answers what the test sets: the words reach apply, health words turn
// the agent's verdict (reported once per change), a refused connection
// changes nothing, and agent-send is sent.
func TestAgentAgainstServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	answer, got := "", ""
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 16)
			c.SetReadDeadline(time.Now().Add(time.Second))
			n, _ := c.Read(buf)
			mu.Lock()
			got = string(buf[:n])
			c.Write([]byte(answer))
			mu.Unlock()
			c.Close()
		}
	}()
	defer func() { ln.Close(); <-done }()
	var applied []AgentReply
	var events []Event
	a := NewAgent(AgentConfig{Backend: "be", Server: "s1", Addr: ln.Addr().String(), Inter: time.Second, Send: "hi\n"},
		func(r AgentReply) string { applied = append(applied, r); return "" },
		func(e Event) { events = append(events, e) })
	step := func(ans string) AgentSnapshot {
		mu.Lock()
		answer = ans
		mu.Unlock()
		line, ok, r := a.probe(context.Background())
		a.handle(line, ok, r)
		return a.Snapshot()
	}
	if s := step("drain 50%\n"); !s.Up || s.Last.Status != StatusChecked || len(applied) != 1 || applied[0].Admin != "drain" {
		t.Fatalf("drain 50%%: %+v, applied %+v", s, applied)
	}
	if got != "hi\n" {
		t.Errorf("the agent got %q, want agent-send's %q", got, "hi\n")
	}
	if s := step("down\r\n"); s.Up || s.Last.Status != StatusL7STS || len(events) != 1 || events[0].Up ||
		events[0].Message != `Server be/s1 is DOWN, reason: Layer7 wrong status, code: 0, info: "via agent : down", check duration: 0ms` {
		t.Fatalf("down: %+v, events %+v", s, events)
	}
	if s := step("down\n"); s.Up || len(events) != 1 {
		t.Errorf("down again: reported again (%d events)", len(events))
	}
	if s := step("up"); s.Up || s.Last.Info != agentIncomplete {
		t.Errorf("an incomplete line: %+v, want no change and %q", s, agentIncomplete)
	}
	if s := step("up\n"); !s.Up || len(events) != 2 || !events[1].Up {
		t.Errorf("up: %+v, events %+v", s, events)
	}
	ln.Close()
	if s := step(""); !s.Up || s.Last.Status != StatusL4CON {
		t.Errorf("agent gone: %+v, want still up with L4CON", s)
	}
}
