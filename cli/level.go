package cli

import (
	"errors"
	"fmt"
)

// Level is a CLI session's access level, as set by a socket's `level`
// option: user < operator < admin.
type Level int

// The access levels, ordered: a session may run a command whose level is at
// most its own.
const (
	LevelUser     Level = 1 // read non-sensitive stats only
	LevelOperator Level = 2 // read everything, harmless changes (clear counters)
	LevelAdmin    Level = 3 // everything
)

// ErrPermissionDenied is what a handler returns when the session's level is
// too low for what it was asked; the session prints it as HAProxy does.
var ErrPermissionDenied = errors.New("Permission denied")

// String returns the level's keyword as `show cli level` prints it.
func (l Level) String() string {
	switch l {
	case LevelUser:
		return "user"
	case LevelOperator:
		return "operator"
	case LevelAdmin:
		return "admin"
	}
	return "unknown"
}

// ParseLevel parses the keyword of a `level` bind option.
func ParseLevel(s string) (Level, error) {
	switch s {
	case "user":
		return LevelUser, nil
	case "operator":
		return LevelOperator, nil
	case "admin":
		return LevelAdmin, nil
	}
	return 0, fmt.Errorf("unknown CLI level %q (want user, operator or admin)", s)
}
