package check

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goha/goha/config"
)

// AgentConfig is a server's agent check (`agent-check`): every Inter, a
// TCP connection to Addr, Send written if set, and one line read back.
type AgentConfig struct {
	Backend, Server string
	Backup          bool
	Addr            string // host:port
	Inter           time.Duration
	// TimeoutConnect and TimeoutCheck apply as to health checks.
	TimeoutConnect, TimeoutCheck time.Duration
	Send                         string
}

// AgentFromConfig builds a server's agent check configuration; false
// when the server has no agent check.
func AgentFromConfig(px *config.Proxy, s *config.Server) (AgentConfig, bool) {
	a := s.Agent
	if !a.Check || a.Port == 0 {
		return AgentConfig{}, false
	}
	host := s.Addr
	if a.Addr != "" {
		host = a.Addr
	}
	inter := a.Inter
	if inter <= 0 {
		inter = s.Inter
	}
	if inter <= 0 {
		inter = DefaultInter
	}
	return AgentConfig{Backend: px.Name, Server: s.Name, Backup: s.Backup, Addr: net.JoinHostPort(host, strconv.Itoa(a.Port)),
		Inter: inter, TimeoutConnect: px.Timeouts.Connect, TimeoutCheck: px.Timeouts.Check, Send: a.Send}, true
}

// AgentReply is what an agent's line asks, word by word as HAProxy 2.6
// reads it (words split at spaces, tabs and commas, case-insensitive; of
// each kind the last one wins; a '#' starts a description).
type AgentReply struct {
	// Health is "up", "down", "stopped", "fail" or "" (no change).
	Health string
	// Admin is "ready", "drain", "maint" or "" (no change).
	Admin string
	// Weight is "N%" (of the configured weight) or "N" (`weight:N`), ""
	// for no change; Maxconn the value of `maxconn:N`.
	Weight, Maxconn string
	// Err is the first word not understood; Desc the text after '#'.
	Err, Desc string
}

// agentWord applies one word to r.
func agentWord(r *AgentReply, w string) {
	lw := strings.ToLower(w)
	switch {
	case lw == "up" || lw == "down" || lw == "stopped" || lw == "fail":
		r.Health = lw
	case lw == "ready" || lw == "drain" || lw == "maint":
		r.Admin = lw
	case w[0] >= '0' && w[0] <= '9' && strings.IndexByte(w, '%') >= 0:
		r.Weight = w
	case strings.HasPrefix(lw, "maxconn:"):
		r.Maxconn = w[len("maxconn:"):]
	case strings.HasPrefix(lw, "weight:"):
		r.Weight = w[len("weight:"):]
	case r.Err == "":
		r.Err = w
	}
}

// ParseAgentReply reads an agent's line (without its end of line).
func ParseAgentReply(line string) AgentReply {
	var r AgentReply
	for line != "" {
		switch c := line[0]; c {
		case ' ', '\t', ',':
			line = line[1:]
			continue
		case '#':
			r.Desc = strings.TrimLeft(line[1:], " \t")
			return r
		}
		end := strings.IndexAny(line, " \t,")
		if end < 0 {
			end = len(line)
		}
		agentWord(&r, line[:end])
		line = line[end:]
	}
	return r
}

// agentIncomplete is what an agent check reports (in its info) when the
// agent closed without sending a whole line.
const agentIncomplete = "Ignoring incomplete line from agent"

// maxAgentLine bounds what an agent may send before its end of line.
const maxAgentLine = 1024

// Agent runs a server's agent checks. The agent's words on weight,
// administrative state and maxconn are handed to apply (which returns
// a warning for the report, or ""); its health words take the agent's
// verdict up or down, reported as EventState (Up is the agent's
// verdict: the server is up when its health checks and its agent
// agree). Agent health has rise and fall 1, as in HAProxy; failing to
// reach the agent changes nothing.
type Agent struct {
	cfg    AgentConfig
	apply  func(AgentReply) string
	report func(Event)
	dial   dialFunc

	mu      sync.Mutex
	up      bool
	running bool
	last    Result
}

// NewAgent returns the agent checker of cfg.
func NewAgent(cfg AgentConfig, apply func(AgentReply) string, report func(Event)) *Agent {
	var d net.Dialer
	return &Agent{cfg: cfg, apply: apply, report: report, dial: d.DialContext, up: true,
		last: Result{Status: StatusInit, Duration: -1}}
}

// Inter is the agent's interval.
func (a *Agent) Inter() time.Duration { return a.cfg.Inter }

// Run checks the agent every Inter (the first after delay) until ctx is
// done.
func (a *Agent) Run(ctx context.Context, delay time.Duration) {
	t := time.NewTimer(delay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.mu.Lock()
		a.running = true
		a.mu.Unlock()
		start := time.Now()
		line, ok, r := a.probe(ctx)
		if ctx.Err() != nil {
			return
		}
		r.Duration = time.Since(start)
		a.handle(line, ok, r)
		t.Reset(a.cfg.Inter)
	}
}

// probe connects, sends, and reads the agent's line; without a whole
// line (ok false), r says what failed.
func (a *Agent) probe(ctx context.Context) (line string, ok bool, r Result) {
	cfg := Config{Inter: a.cfg.Inter, TimeoutConnect: a.cfg.TimeoutConnect, TimeoutCheck: a.cfg.TimeoutCheck}
	connectTimeout := cfg.Inter
	if cfg.TimeoutCheck > 0 && cfg.TimeoutConnect > 0 && cfg.TimeoutConnect < connectTimeout {
		connectTimeout = cfg.TimeoutConnect
	}
	dctx, cancel := context.WithTimeout(ctx, connectTimeout)
	conn, err := a.dial(dctx, "tcp", a.cfg.Addr)
	cancel()
	if err != nil {
		if isTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
			return "", false, Result{Status: StatusL4TOUT}
		}
		return "", false, Result{Status: StatusL4CON, Info: errnoText(err)}
	}
	defer conn.Close()
	deadline := time.Now().Add(cfg.Inter)
	if cfg.TimeoutCheck > 0 {
		deadline = time.Now().Add(cfg.TimeoutCheck)
	}
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if a.cfg.Send != "" {
		if _, err := io.WriteString(conn, a.cfg.Send); err != nil {
			return "", false, ioFailure(err)
		}
	}
	buf := make([]byte, 0, 256)
	for len(buf) < maxAgentLine {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if i := bytes.IndexAny(buf, "\r\n\x00"); i >= 0 {
			return string(buf[:i]), true, Result{}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", false, ioFailure(err)
		}
	}
	return "", false, Result{Info: agentIncomplete}
}

// handle applies one agent answer (or, without one, failure r) as
// HAProxy's tcpcheck_agent_expect_reply does.
func (a *Agent) handle(line string, ok bool, r Result) {
	if !ok {
		a.mu.Lock()
		if r.Info == agentIncomplete {
			r.Status = a.last.Status
		}
		a.last, a.running = r, false
		a.mu.Unlock()
		return
	}
	reply := ParseAgentReply(line)
	warn := ""
	if reply.Admin != "" || reply.Weight != "" || reply.Maxconn != "" {
		warn = a.apply(reply)
	}
	r = agentResult(reply, warn, r.Duration)
	a.mu.Lock()
	a.last, a.running = r, false
	var ev *Event
	if reply.Health != "" && (reply.Health == "up") != a.up {
		a.up = reply.Health == "up"
		ev = &Event{Kind: EventState, Backend: a.cfg.Backend, Server: a.cfg.Server, Backup: a.cfg.Backup, Up: a.up,
			Result: r, Health: is(a.up), Rise: 1, Fall: 1, Message: a.stateMessage(r)}
	}
	a.mu.Unlock()
	if ev != nil {
		a.report(*ev)
	}
}

// agentResult is the check result an answer gives: its status, and the
// info `show stat` shows as last_agt.
func agentResult(reply AgentReply, warn string, d time.Duration) Result {
	r := Result{Status: StatusChecked, Duration: d}
	switch {
	case reply.Health == "up":
		r.Status = StatusL7OK
	case reply.Health != "":
		r.Status = StatusL7STS
	}
	switch {
	case reply.Health != "":
		msg := reply.Desc
		if msg == "" || r.Status == StatusL7OK {
			if reply.Err != "" {
				msg = reply.Err
			} else if warn != "" {
				msg = warn
			}
		}
		r.Info = "via agent : " + reply.Health
		if msg != "" {
			r.Info += " (" + msg + ")"
		}
	case reply.Err != "":
		r.Info = "agent reports an error : " + reply.Err
	case warn != "":
		r.Info = "agent warns : " + warn
	}
	return r
}

func is(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stateMessage is "[Backup ]Server be/s1 is UP|DOWN" and the reason.
func (a *Agent) stateMessage(r Result) string {
	var b strings.Builder
	if a.cfg.Backup {
		b.WriteString("Backup ")
	}
	b.WriteString("Server " + a.cfg.Backend + "/" + a.cfg.Server)
	if a.up {
		b.WriteString(" is UP")
	} else {
		b.WriteString(" is DOWN")
	}
	appendStatus(&b, r)
	return b.String()
}

// AgentSnapshot is the agent's state for `show stat`.
type AgentSnapshot struct {
	Up, InProgress bool
	Last           Result
}

// Snapshot returns the agent's state.
func (a *Agent) Snapshot() AgentSnapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	return AgentSnapshot{Up: a.up, InProgress: a.running, Last: a.last}
}

// Status is `show stat` agent_status: "L7OK", "* CHECKED" while a check
// runs.
func (s AgentSnapshot) Status() string {
	if s.InProgress {
		return "* " + s.Last.Status.String()
	}
	return s.Last.Status.String()
}

// ParseWeight reads a weight change as HAProxy's agents and `set weight`
// give it: "N%" of the configured weight initial (at most 256), or an
// absolute "N" in 0..256.
func ParseWeight(v string, initial int) (int, error) {
	if v == "" {
		return 0, errors.New("Require <weight> or <weight%>.")
	}
	n := 0
	if v[0] == '-' || v[0] == '+' {
		n = 1
	}
	for n < len(v) && v[n] >= '0' && v[n] <= '9' {
		n++
	}
	w, err := strconv.Atoi(v[:n])
	if err != nil {
		if n == 0 || n == 1 && (v[0] == '-' || v[0] == '+') {
			return 0, errors.New("Empty weight string empty or preceded by garbage")
		}
		w = 1 << 30
		if v[0] == '-' {
			w = -w
		}
	}
	switch rest := v[n:]; {
	case rest == "%":
		if w < 0 {
			return 0, errors.New("Relative weight must be positive.")
		}
		return min(initial*min(w, 25600)/100, 256), nil
	case w < 0 || w > 256:
		return 0, errors.New("Absolute weight can only be between 0 and 256 inclusive.")
	case rest != "":
		return 0, errors.New("Trailing garbage in weight string")
	}
	return w, nil
}
