package config

import (
	"time"
)

// ServerAgent is a server's agent check: a TCP connection to the agent
// every Inter, which answers one line of words changing the server's
// weight, administrative state and health (HAProxy 2.6's agent-check).
type ServerAgent struct {
	// Check is `agent-check` (off again with `no-agent-check`).
	Check bool
	// Port is `agent-port` (required with Check); Addr is `agent-addr`
	// ("" = the server's address).
	Port int
	Addr string
	// Inter is `agent-inter` (0 = the server's inter).
	Inter time.Duration
	// Send is `agent-send`: the string sent to the agent once
	// connected ("" = nothing).
	Send string
}

func (p *parser) serverAgentAddr(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' expects an address as argument..", l.opt)
	}
	l.s.Agent.Addr = v
	return true
}

// serverAgentPort reads `agent-port N` as HAProxy does (atol: no range
// check, digits up to the first other character).
func (p *parser) serverAgentPort(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' expects a port number as argument..", l.opt)
	}
	n := 0
	for i := 0; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		n = n*10 + int(v[i]-'0')
	}
	l.s.Agent.Port = n & 0xffff
	return true
}

func (p *parser) serverAgentSend(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' expects a string argument..", l.opt)
	}
	l.s.Agent.Send = v
	return true
}

// checkAgent refuses an agent check without a port, as HAProxy does once
// the server line is read.
func (p *parser) checkAgent(l *serverLine) bool {
	if l.isDef || !l.s.Agent.Check || l.s.Agent.Port != 0 {
		return true
	}
	return l.fail(p, "server %s does not have agent port. Agent check has been disabled.", l.s.Name)
}
