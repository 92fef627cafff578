package check

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StateString returns the server status as `show stat` prints it for a
// checked server: "UP", "UP 1/3" (going down), "DOWN", "DOWN 1/2" (going
// up). Maintenance and drain are the proxy's to print.
func (s Snapshot) StateString() string {
	if s.Up {
		if s.Health < s.Rise+s.Fall-1 {
			return fmt.Sprintf("UP %d/%d", s.Health-s.Rise+1, s.Fall)
		}
		return "UP"
	}
	if s.Health > 0 {
		return fmt.Sprintf("DOWN %d/%d", s.Health, s.Rise)
	}
	return "DOWN"
}

// CheckStatus returns `show stat` check_status: the status name, prefixed
// with "* " while a check is running.
func (s Snapshot) CheckStatus() string {
	if s.InProgress {
		return "* " + s.Last.Status.String()
	}
	return s.Last.Status.String()
}

// appendStatus appends HAProxy's srv_append_status part for a check:
// ", reason: DESC[, code: N][, info: "TEXT"][, check duration: Nms]".
func appendStatus(b *strings.Builder, r Result) {
	b.WriteString(", reason: ")
	b.WriteString(r.Status.Desc())
	if r.Status.hasCode() {
		b.WriteString(", code: ")
		b.WriteString(strconv.Itoa(r.Code))
	}
	if r.Info != "" {
		b.WriteString(`, info: "`)
		b.WriteString(asciiEncode(r.Info))
		b.WriteString(`"`)
	}
	if r.Duration >= 0 {
		b.WriteString(", check duration: ")
		b.WriteString(strconv.FormatInt(int64(r.Duration/time.Millisecond), 10))
		b.WriteString("ms")
	}
}

// asciiEncode escapes like HAProxy's chunk_asciiencode with '"': control
// and non-ASCII bytes and the quote become \xHH... except the usual
// escapes \t \n \r \e, as HAProxy does.
func asciiEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == 0x1b:
			b.WriteString(`\e`)
		case c < 0x20 || c >= 0x7f || c == '"':
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (c *Checker) serverWord() string {
	return c.cfg.Backend + "/" + c.cfg.Server
}

// stateMessage is "[Backup ]Server be/s1 is DOWN|UP" plus the reason,
// unless log-health-checks already told it. The caller holds mu.
func (c *Checker) stateMessage(r Result) string {
	var b strings.Builder
	if c.cfg.Backup {
		b.WriteString("Backup ")
	}
	b.WriteString("Server ")
	b.WriteString(c.serverWord())
	if c.up {
		b.WriteString(" is UP")
	} else {
		b.WriteString(" is DOWN")
	}
	if !c.cfg.LogHealthChecks {
		appendStatus(&b, r)
	}
	return b.String()
}

// healthMessage is the `option log-health-checks` line. The caller holds
// mu.
func (c *Checker) healthMessage(r Result) string {
	return checkLine("Health", c.cfg.Backup, c.serverWord(), r, c.health, c.cfg.Rise, c.cfg.Fall, drained(c.cfg.Drained))
}

// drained calls f, false when there is none.
func drained(f func() bool) bool { return f != nil && f() }

// checkLine is a log-health-checks line: "KIND check for [backup ]server
// be/s1 [conditionally ]succeeded|failed, reason: ..., status: N/M
// UP|DRAIN|DOWN." for a health check (KIND "Health") or an agent
// ("Agent", rise and fall 1).
func checkLine(kind string, backup bool, server string, r Result, health, rise, fall int, drain bool) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteString(" check for ")
	if backup {
		b.WriteString("backup ")
	}
	b.WriteString("server ")
	b.WriteString(server)
	if r.Status == StatusL7OKC {
		b.WriteString(" conditionally")
	}
	if r.Status.Passed() {
		b.WriteString(" succeeded")
	} else {
		b.WriteString(" failed")
	}
	appendStatus(&b, r)
	switch {
	case health < rise:
		fmt.Fprintf(&b, ", status: %d/%d DOWN.", health, rise)
	case drain:
		fmt.Fprintf(&b, ", status: %d/%d DRAIN.", health-rise+1, fall)
	default:
		fmt.Fprintf(&b, ", status: %d/%d UP.", health-rise+1, fall)
	}
	return b.String()
}

// StateMessage completes an EventState message with the backend-wide part,
// as HAProxy's srv_update_status prints it: after DOWN, "N active and M
// backup servers left.[ Running on backup.] S sessions active, R requeued,
// Q remaining in queue."; after UP, "N active and M backup servers
// online.[ Running on backup.] R sessions requeued, Q total in queue.".
// active and backup count the usable servers of the backend after the
// change; sessions are the server's current sessions, requeued the
// requests moved, queued the server's queue length. HAProxy logs DOWN at
// level alert and UP at notice.
func (e Event) StateMessage(active, backup, sessions, requeued, queued int) string {
	onBackup := ""
	if backup > 0 && active == 0 {
		onBackup = " Running on backup."
	}
	if e.Up {
		return fmt.Sprintf("%s. %d active and %d backup servers online.%s %d sessions requeued, %d total in queue.",
			e.Message, active, backup, onBackup, requeued, queued)
	}
	return fmt.Sprintf("%s. %d active and %d backup servers left.%s %d sessions active, %d requeued, %d remaining in queue.",
		e.Message, active, backup, onBackup, sessions, requeued, queued)
}
