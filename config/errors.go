package config

import (
	"fmt"
	"strings"
)

// Level is the severity of a message, as HAProxy prints it on stderr
// ([NOTICE], [WARNING], [ALERT]).
type Level int

// Message levels.
const (
	LevelNotice Level = iota
	LevelWarning
	LevelAlert
)

// String returns the level as HAProxy tags it: NOTICE, WARNING or ALERT.
func (l Level) String() string {
	switch l {
	case LevelNotice:
		return "NOTICE"
	case LevelWarning:
		return "WARNING"
	}
	return "ALERT"
}

// Message is one line (possibly spanning several lines of text) of the
// output `haproxy -c` prints after `[LEVEL]    (pid) : config : `.
type Message struct {
	Level Level
	Text  string
}

// Phase tells when HAProxy reports an error: while reading the files,
// while checking the whole configuration afterwards, or while resolving
// server addresses last. Each phase ends with its own trailer line.
type Phase int

// Phases of a configuration check, in the order HAProxy runs them.
const (
	PhaseParse Phase = iota
	PhaseCheck
	PhaseResolve
)

// Error is one fatal configuration error.
//
// Msg is the complete text as HAProxy 2.6 prints it after
// `[ALERT]    (pid) : config : `, e.g. `parsing [typo.cfg:16] : unknown
// keyword 'sever' in 'backend' section; did you mean 'server' maybe ?`;
// some texts span several lines (the caret diagrams of tokenizer
// errors). File, Line, Section and Keyword locate it (Line 0 and empty
// strings when the error is not tied to a line).
type Error struct {
	File    string
	Line    int
	Section string
	Keyword string
	Msg     string
	// Phase says when HAProxy reports it; Abort is set for errors after
	// which HAProxy stops reading (`.alert`, a bad `.if`, a broken
	// http-request rule, a proxy without a name...).
	Phase Phase
	Abort bool
}

// Error returns Msg.
func (e *Error) Error() string { return e.Msg }

// ErrorList is what Parse returns when the configuration has errors: every
// error found (HAProxy keeps going after most errors and reports them
// all), plus the whole ordered output of the check.
type ErrorList struct {
	// Errs lists every fatal error in the order HAProxy reports them.
	Errs []*Error
	// Messages is the full diagnostic output in order: notices, warnings
	// and alerts interleaved as HAProxy prints them, including the
	// trailer alerts (`Error(s) found in configuration file : FILE`,
	// `Fatal errors found in configuration.`, `Failed to initialize
	// server(s) addr.`).
	Messages []Message
}

// Error joins the alert lines with newlines.
func (l *ErrorList) Error() string { return strings.Join(l.Alerts(), "\n") }

// Alerts returns the alert texts, trailers included, in order: what
// `haproxy -c` prints after `[ALERT]    (pid) : config : `.
func (l *ErrorList) Alerts() []string {
	var out []string
	for _, m := range l.Messages {
		if m.Level == LevelAlert {
			out = append(out, m.Text)
		}
	}
	return out
}

// Unwrap returns the individual errors, for errors.As/Is.
func (l *ErrorList) Unwrap() []error {
	out := make([]error, len(l.Errs))
	for i, e := range l.Errs {
		out[i] = e
	}
	return out
}

// Report returns every message of a check in order, whatever Parse
// returned: on success the notices and warnings kept in cfg.Log, on
// failure the ErrorList's Messages, or the single error's text as an
// alert for any other error.
func Report(cfg *Config, err error) []Message {
	if err != nil {
		if l, ok := err.(*ErrorList); ok {
			return l.Messages
		}
		return []Message{{LevelAlert, err.Error()}}
	}
	if cfg == nil {
		return nil
	}
	return cfg.Log
}

// FormatMessage renders a message the way HAProxy prints it on stderr
// in -c mode: `[ALERT]    (PID) : config : TEXT`.
func FormatMessage(m Message, pid int) string {
	tag := "[" + m.Level.String() + "]"
	return fmt.Sprintf("%-10s (%d) : config : %s", tag, pid, m.Text)
}

// recorder accumulates messages while parsing.
type recorder struct {
	errs     []*Error
	msgs     []Message
	warnings []Diag
	notices  []Diag
	// fileHasErr marks files with fatal parse errors, for the trailer.
	fileHasErr bool
	aborted    bool
}

func (r *recorder) alert(e *Error) {
	r.errs = append(r.errs, e)
	r.msgs = append(r.msgs, Message{LevelAlert, e.Msg})
	if e.Phase == PhaseParse {
		r.fileHasErr = true
	}
	if e.Abort {
		r.aborted = true
	}
}

func (r *recorder) warn(file string, line int, text string) {
	r.warnings = append(r.warnings, Diag{File: file, Line: line, Msg: text})
	r.msgs = append(r.msgs, Message{LevelWarning, text})
}

func (r *recorder) notice(file string, line int, text string) {
	r.notices = append(r.notices, Diag{File: file, Line: line, Msg: text})
	r.msgs = append(r.msgs, Message{LevelNotice, text})
}

func (r *recorder) trailer(text string) {
	r.msgs = append(r.msgs, Message{LevelAlert, text})
}
