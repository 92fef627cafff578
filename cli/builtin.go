package cli

import (
	"errors"
	"strconv"
	"time"
)

// The built-in commands every table starts with.
var (
	builtinShowLevel = Command{
		Words: []string{"show", "cli", "level"},
		Usage: "show cli level", Help: "display the level of the current CLI session",
		Handler: func(s *Session, _ []string, _ string, w *Writer) error {
			w.WriteString(s.Level().String() + "\n")
			return nil
		},
	}
	builtinOperator = Command{
		Words: []string{"operator"},
		Usage: "operator", Help: "lower the level of the current CLI session to operator",
		Handler: setLevel(LevelOperator),
	}
	builtinUser = Command{
		Words: []string{"user"},
		Usage: "user", Help: "lower the level of the current CLI session to user",
		Handler: setLevel(LevelUser),
	}
	builtinSetTimeout = Command{
		Words: []string{"set", "timeout"},
		Usage: "set timeout [cli] <delay>", Help: "change a timeout setting",
		Handler: setTimeout,
	}
)

// setLevel lowers the session's level; `operator -` and `user -` (what the
// master prepends to forwarded commands) answer nothing at all.
func setLevel(l Level) Handler {
	return func(s *Session, args []string, _ string, w *Writer) error {
		if len(args) > 1 && args[1] == "-" {
			w.NoLF()
		}
		if s.Level() < l {
			return ErrPermissionDenied
		}
		s.SetLevel(l)
		return nil
	}
}

// setTimeout is `set timeout cli <delay>`: the delay is in seconds unless
// it carries a unit (ms, s, m, h, d).
func setTimeout(s *Session, args []string, _ string, w *Writer) error {
	if len(args) < 3 || args[2] != "cli" {
		return errors.New("'set timeout' only supports 'cli'.")
	}
	if len(args) < 4 || args[3] == "" {
		return errors.New("Expects an integer value.")
	}
	d, ok := parseDelay(args[3], time.Second)
	if !ok || d < time.Second {
		return errors.New("Invalid timeout value.")
	}
	s.SetTimeout(d)
	return nil
}

// parseDelay parses an HAProxy time value: digits and an optional unit
// (us, ms, s, m, h, d), unit the default.
func parseDelay(v string, unit time.Duration) (time.Duration, bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(v[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	switch v[i:] {
	case "":
	case "us":
		unit = time.Microsecond
	case "ms":
		unit = time.Millisecond
	case "s":
		unit = time.Second
	case "m":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "d":
		unit = 24 * time.Hour
	default:
		return 0, false
	}
	if n > int64((1<<63-1)/unit) {
		return 0, false
	}
	return time.Duration(n) * unit, true
}
