package tlog

import (
	"fmt"
	"net/netip"
	"strconv"
	"sync/atomic"
)

// LoggerOptions configure a Logger: what a proxy's `log`, `log-format`
// and log-related options say.
type LoggerOptions struct {
	// Targets are where messages go: the proxy's own `log` lines, with
	// the global ones added for `log global` (see Targets func). Empty
	// means the Logger drops everything, cheaply.
	Targets []Target
	// Format is the compiled traffic log format; nil means no traffic
	// logs (Log does nothing; Connect and Send still work).
	Format *Format
	// HTTP is the proxy's mode; it decides which entries are errors.
	HTTP bool
	// DontLogNull is `option dontlognull`: entries with no byte received
	// from the client are not logged.
	DontLogNull bool
	// SeparateErrors is `option log-separate-errors`: entries that are
	// errors go out at level err instead of info.
	SeparateErrors bool
	// Tag overrides the hub's syslog tag for this proxy ("" = hub's).
	Tag string
	// Name is the proxy's name, for Connect messages.
	Name string
}

// Logger sends one proxy's traffic logs and event messages to its
// targets. It is safe for concurrent use; Log never blocks.
type Logger struct {
	hub   *Hub
	sinks []*Sink
	opts  LoggerOptions
	tag   string
	count atomic.Uint64
}

// NewLogger opens (or reuses) the sinks of o.Targets on h.
func NewLogger(h *Hub, o LoggerOptions) (*Logger, error) {
	l := &Logger{hub: h, opts: o, tag: o.Tag}
	if l.tag == "" {
		l.tag = h.opts.Tag
	}
	for _, t := range o.Targets {
		s, err := h.Open(t)
		if err != nil {
			return nil, err
		}
		l.sinks = append(l.sinks, s)
	}
	return l, nil
}

// Enabled reports whether Log would send anything: there is a format and
// at least one target. The engine may skip filling an Entry otherwise.
func (l *Logger) Enabled() bool {
	return l != nil && l.opts.Format != nil && len(l.sinks) > 0
}

// ReadsSamples reports whether the format has %[...] sample expressions,
// which read Entry.Samples: the engine may skip building a sample
// context otherwise.
func (l *Logger) ReadsSamples() bool { return l.Enabled() && l.opts.Format.exprs }

// HasTargets reports whether the logger has at least one target.
func (l *Logger) HasTargets() bool { return l != nil && len(l.sinks) > 0 }

// Log formats e with the proxy's format and queues it to every target
// whose level admits it (info, or err for an error with
// log-separate-errors). It returns at once; it keeps nothing of e.
func (l *Logger) Log(e *Entry) {
	if !l.Enabled() {
		return
	}
	if l.opts.DontLogNull && e.BytesIn == 0 {
		return
	}
	level := Info
	if l.opts.SeparateErrors && l.isError(e) {
		level = Err
	}
	m := getMsg()
	e.logCount = l.count.Add(1)
	m.body = l.opts.Format.Append(m.body[:0], e)
	if len(m.body) == 0 {
		m.put()
		return
	}
	l.dispatch(m, level)
}

// Count returns how many entries Log has formatted (HAProxy's %lc).
func (l *Logger) Count() uint64 { return l.count.Load() }

// isError tells whether an entry counts as an error for
// log-separate-errors, as HAProxy's strm_log decides: redispatched, ended
// by anything but normal completion or a local answer, retried, or (HTTP)
// answered with a 5xx status.
func (l *Logger) isError(e *Entry) bool {
	c := e.Term[0]
	switch {
	case e.Redispatched:
		return true
	case c != 0 && c != '-' && c != 'L':
		return true
	case (c == 0 || c == '-') && e.Retries > 0:
		return true
	case l.opts.HTTP && e.Status >= 500:
		return true
	}
	return false
}

// Send queues an event message (a server state change, a proxy stop...)
// at level to the logger's targets, with each target's facility. The
// message is copied; a trailing "\n" is removed.
func (l *Logger) Send(level Level, message string) {
	if !l.HasTargets() {
		return
	}
	m := getMsg()
	m.body = append(m.body[:0], message...)
	l.dispatch(m, level)
}

// Connect sends HAProxy's connection message for a proxy that has log
// targets but no log format ("Connect from 10.0.0.1:33312 to
// 10.0.3.31:8012 (www/HTTP)"), at level info.
func (l *Logger) Connect(client, local netip.AddrPort, unixListenerID int) {
	if !l.HasTargets() || l.opts.Format != nil {
		return
	}
	mode := "TCP"
	if l.opts.HTTP {
		mode = "HTTP"
	}
	m := getMsg()
	b := m.body[:0]
	switch {
	case unixListenerID > 0:
		b = fmt.Appendf(b, "Connect to unix:%d (%s/%s)", unixListenerID, l.opts.Name, mode)
	case !client.IsValid():
		b = fmt.Appendf(b, "Connect from unknown source to listener %d (%s/%s)", unixListenerID, l.opts.Name, mode)
	default:
		b = append(b, "Connect from "...)
		b = client.Addr().WithZone("").AppendTo(b)
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(client.Port()), 10)
		b = append(b, " to "...)
		if local.IsValid() {
			b = local.Addr().WithZone("").AppendTo(b)
			b = append(b, ':')
			b = strconv.AppendUint(b, uint64(local.Port()), 10)
		} else {
			b = append(b, "undetermined address:0"...)
		}
		b = fmt.Appendf(b, " (%s/%s)", l.opts.Name, mode)
	}
	m.body = b
	l.dispatch(m, Info)
}

// dispatch queues m to every sink that wants level, sharing it by
// reference count.
func (l *Logger) dispatch(m *msg, level Level) {
	if len(m.body) > maxLine {
		m.body = m.body[:maxLine]
	}
	m.level, m.facility, m.tag, m.t = level, -1, l.tag, l.hub.opts.Now()
	n := int32(0)
	for _, s := range l.sinks {
		if s.wants(level) {
			n++
		}
	}
	if n == 0 {
		m.put()
		return
	}
	m.refs.Store(n)
	for _, s := range l.sinks {
		if s.wants(level) && !s.enqueue(m) {
			m.release()
		}
	}
}

// ProxyFormat returns the log-format string a proxy uses, HAProxy's way:
// its `log-format` if set, else the one implied by option httplog [clf]
// or tcplog; "" when none (no traffic logs). A proxy in TCP mode with
// option httplog gets the tcplog format, as HAProxy falls back to it.
func ProxyFormat(logFormat string, httpLog, httpLogCLF, tcpLog, http bool) string {
	switch {
	case logFormat == HTTPLogFormat || logFormat == CLFHTTPLogFormat:
		if !http {
			return TCPLogFormat
		}
		return logFormat
	case logFormat != "":
		return logFormat
	case httpLogCLF && http:
		return CLFHTTPLogFormat
	case httpLog && http:
		return HTTPLogFormat
	case httpLog || httpLogCLF || tcpLog:
		return TCPLogFormat
	}
	return ""
}

// Targets returns a proxy's effective targets: none with `no log`, its
// own `log` lines, plus the global ones if it has `log global`.
func Targets(own []Target, logGlobal, noLog bool, global []Target) []Target {
	if noLog {
		return nil
	}
	out := make([]Target, 0, len(own)+len(global))
	out = append(out, own...)
	if logGlobal {
		out = append(out, global...)
	}
	return out
}
