package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// The parsers of the server options goha implements.

// serverLine is the state of one server or default-server line while
// its options are read.
type serverLine struct {
	px    *Proxy
	s     *Server
	isDef bool
	// prefix starts every message: "[file:line] : 'server px/name' : ".
	prefix string
	// opt is the option being read.
	opt string
	// set records the options given.
	set map[string]bool
}

// fail records an error about the line's option and returns false.
func (l *serverLine) fail(p *parser, format string, a ...any) bool {
	p.alertRaw(l.prefix + fmt.Sprintf(format, a...))
	return false
}

// serverFlag returns the parser of an option without a value that sets
// a field to on.
func serverFlag(field func(*Server) *bool, on bool) serverFunc {
	return func(_ *parser, l *serverLine, _ string) bool {
		*field(l.s) = on
		return true
	}
}

// serverInterval returns the parser of a check interval (inter,
// fastinter, downinter).
func serverInterval(field func(*Server) *time.Duration) serverFunc {
	return func(p *parser, l *serverLine, v string) bool {
		o, name := l.opt, l.s.Name
		if v == "" {
			return l.fail(p, "'%s' expects <time> as argument..", o)
		}
		d, res, bad, _ := parseTime(v, time.Millisecond)
		switch res {
		case timeOver:
			return l.fail(p, "timer overflow in argument <%s> to <%s> of server %s, maximum value is 2147483647 ms (~24.8 days)..", v, o, name)
		case timeUnder:
			return l.fail(p, "timer underflow in argument <%s> to <%s> of server %s, minimum non-null value is 1 ms..", v, o, name)
		case timeBadChar:
			return l.fail(p, "unexpected character '%c' in 'agent-inter' argument of server %s..", bad, name)
		}
		if d == 0 {
			return l.fail(p, "invalid value %s for argument '%s' of server %s..", v, o, name)
		}
		*field(l.s) = d
		return true
	}
}

// serverCount returns the parser of a positive count (rise, fall).
func serverCount(field func(*Server) *int) serverFunc {
	return func(p *parser, l *serverLine, v string) bool {
		if v == "" {
			return l.fail(p, "'%s' expects an integer argument..", l.opt)
		}
		n := atoiC(v)
		if n <= 0 {
			return l.fail(p, "'%s' has to be > 0..", l.opt)
		}
		*field(l.s) = n
		return true
	}
}

// serverInt returns the parser of an integer read as atoi() does.
func serverInt(field func(*Server) *int) serverFunc {
	return func(_ *parser, l *serverLine, v string) bool {
		*field(l.s) = atoiC(v)
		return true
	}
}

// serverString returns the parser of a word kept as is.
func serverString(field func(*Server) *string) serverFunc {
	return func(_ *parser, l *serverLine, v string) bool {
		*field(l.s) = v
		return true
	}
}

func (p *parser) serverWeight(l *serverLine, v string) bool {
	n := atoiC(v)
	if n < 0 || n > 256 {
		return l.fail(p, "weight of server %s is not within 0 and 256 (%d)..", l.s.Name, n)
	}
	l.s.Weight = n
	return true
}

// serverPort handles `port N`, the port health checks connect to.
func (p *parser) serverPort(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' expects a port number as argument..", l.opt)
	}
	n := atoiC(v)
	if n < 0 || n > 65535 {
		return l.fail(p, "invalid port '%s'..", v)
	}
	l.s.CheckPort = n
	return true
}

// serverCheckAddr handles `addr IP`, the address health checks connect to.
func (p *parser) serverCheckAddr(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' expects <ipv4|ipv6> as argument..", l.opt)
	}
	l.s.CheckAddr = v
	return true
}

func (p *parser) serverVerify(l *serverLine, v string) bool {
	if v != "none" && v != "required" {
		return l.fail(p, "'%s' : unknown verify method '%s', only 'none' and 'required' are supported..", l.opt, v)
	}
	l.s.Verify = v
	return true
}

func (p *parser) serverCAFile(l *serverLine, v string) bool {
	if msg := p.checkCAFile(v); msg != "" {
		return l.fail(p, "%s", msg)
	}
	l.s.CAFile = p.caPath(v)
	return true
}

// serverInitAddr handles `init-addr METHOD[,METHOD]*`.
func (p *parser) serverInitAddr(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' expects <method>[,<method>]* as argument..", l.opt)
	}
	for _, m := range strings.Split(v, ",") {
		switch m {
		case "last", "libc", "none":
		default:
			if _, err := netip.ParseAddr(m); err != nil {
				return l.fail(p, "'%s' : unknown init-addr method '%s'..", l.opt, m)
			}
		}
	}
	l.s.InitAddr = v
	return true
}

func (p *parser) serverCookie(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' expects <value> as argument..", l.opt)
	}
	l.s.Cookie = v
	return true
}

// serverID handles `id N`: a custom server id, unique in its backend.
func (p *parser) serverID(l *serverLine, v string) bool {
	if l.isDef {
		return l.fail(p, "'id' is not allowed on default-server..")
	}
	n := atoiC(v)
	if n <= 0 {
		return l.fail(p, "'id' : custom id has to be > 0.")
	}
	for _, o := range l.px.Servers {
		if o.ID == n {
			return l.fail(p, "'id' : custom id %d already used at %s:%d ('server %s').", n, o.File, o.Line, o.Name)
		}
	}
	l.s.ID = n
	return true
}
