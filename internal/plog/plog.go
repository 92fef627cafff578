// Package plog is goha's process event log: startup, reload outcomes,
// worker exits, configuration warnings. It writes through zerolog, shaped
// like HAProxy's stderr lines (`[NOTICE]   (1234) : message`) so that the
// habits and greps of HAProxy users carry over, or as JSON lines for log
// shippers (GOHA_LOG_FORMAT=json).
//
// Traffic logs are not written here: they go to syslog targets through
// proxy/tlog, in HAProxy's positional formats.
package plog

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/rs/zerolog"
)

// Options select the form of the process log.
type Options struct {
	// JSON writes one JSON object per line instead of HAProxy's form.
	JSON bool
	// Quiet drops everything below warnings (-q).
	Quiet bool
	// Debug enables debug-level messages (-d).
	Debug bool
	// Pid is the pid shown in each line; 0 means os.Getpid().
	Pid int
}

// New returns a logger writing to w. In HAProxy's form, info is printed
// as NOTICE, warn as WARNING, error and above as ALERT, debug as DEBUG.
func New(w io.Writer, o Options) zerolog.Logger {
	pid := o.Pid
	if pid == 0 {
		pid = os.Getpid()
	}
	level := zerolog.InfoLevel
	if o.Debug {
		level = zerolog.DebugLevel
	}
	if o.Quiet {
		level = zerolog.WarnLevel
	}
	if o.JSON {
		return zerolog.New(w).Level(level).With().Timestamp().Int("pid", pid).Logger()
	}
	return zerolog.New(&haproxyWriter{w: w, pid: pid}).Level(level)
}

// FromEnv builds the logger for stderr, honouring GOHA_LOG_FORMAT=json.
func FromEnv(o Options) zerolog.Logger {
	o.JSON = o.JSON || strings.EqualFold(os.Getenv("GOHA_LOG_FORMAT"), "json")
	return New(os.Stderr, o)
}

// haproxyWriter renders zerolog events as `[LEVEL]   (pid) : message`.
// It implements zerolog.LevelWriter so it never re-parses JSON: the
// message is extracted from the event with a small scanner.
type haproxyWriter struct {
	mu  sync.Mutex
	w   io.Writer
	pid int
}

func levelName(l zerolog.Level) string {
	switch {
	case l <= zerolog.DebugLevel:
		return "DEBUG"
	case l == zerolog.InfoLevel:
		return "NOTICE"
	case l == zerolog.WarnLevel:
		return "WARNING"
	default:
		return "ALERT"
	}
}

// Prefix returns HAProxy's line prefix for a level and pid, e.g.
// `[NOTICE]   (1234) : `.
func Prefix(level string, pid int) string {
	return fmt.Sprintf("%-10s (%d) : ", "["+level+"]", pid)
}

func (h *haproxyWriter) Write(p []byte) (int, error) {
	return h.WriteLevel(zerolog.InfoLevel, p)
}

func (h *haproxyWriter) WriteLevel(l zerolog.Level, p []byte) (int, error) {
	msg := extractMessage(p)
	line := Prefix(levelName(l), h.pid) + msg + "\n"
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, err := io.WriteString(h.w, line); err != nil {
		return 0, err
	}
	return len(p), nil
}

// extractMessage returns the "message" field of a zerolog JSON event,
// followed by any other fields as key=value (rare: goha's process events
// put what matters in the message, as HAProxy does).
func extractMessage(p []byte) string {
	var msg string
	var extra []string
	dec := newScanner(p)
	for {
		k, v, ok := dec.next()
		if !ok {
			break
		}
		switch k {
		case "message":
			msg = v
		case "level", "time":
		default:
			extra = append(extra, k+"="+v)
		}
	}
	if len(extra) > 0 {
		if msg != "" {
			msg += " "
		}
		msg += strings.Join(extra, " ")
	}
	return msg
}
