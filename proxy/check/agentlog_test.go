package check

import (
	"testing"
	"time"
)

// TestAgentLogHealthChecks: with log-health-checks an agent's results
// are logged as HAProxy 2.6 does (lines taken from haproxy 2.6.12): a
// status or health change gives an "Agent check for ..." line, an answer
// without a health word (CHECKED) none, and the state change then has
// no reason.
func TestAgentLogHealthChecks(t *testing.T) {
	var got []Event
	weight := 1
	a := NewAgent(AgentConfig{Backend: "be", Server: "s1", LogHealthChecks: true, Drained: func() bool { return weight == 0 }},
		func(AgentReply) string { return "" }, func(e Event) { got = append(got, e) })
	ms := time.Duration(0)
	steps := []struct {
		line string
		ok   bool
		fail Result
		want []string
	}{
		{line: "50%", ok: true},
		{ok: false, fail: Result{Status: StatusL4CON, Info: "Connection refused"}, want: []string{
			`Agent check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 1/1 UP.`}},
		{ok: false, fail: Result{Status: StatusL4CON, Info: "Connection refused"}},
		{line: "down", ok: true, want: []string{
			`Agent check for server be/s1 failed, reason: Layer7 wrong status, code: 0, info: "via agent : down", check duration: 0ms, status: 0/1 DOWN.`,
			"Server be/s1 is DOWN"}},
		{line: "drain", ok: true},
		{line: "up", ok: true, want: []string{
			`Agent check for server be/s1 succeeded, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: 0ms, status: 1/1 DRAIN.`,
			"Server be/s1 is UP"}},
	}
	for _, st := range steps {
		got = nil
		if st.line == "drain" {
			weight = 0
		}
		st.fail.Duration = ms
		a.handle(st.line, st.ok, Result{Duration: ms, Status: st.fail.Status, Info: st.fail.Info})
		if len(got) != len(st.want) {
			t.Fatalf("answer %q: %d events %+v, want %q", st.line, len(got), got, st.want)
		}
		for i, w := range st.want {
			if got[i].Message != w {
				t.Errorf("answer %q: event %d %q, want %q", st.line, i, got[i].Message, w)
			}
		}
	}
}
