package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// TargetKind says how a master CLI prefix designates a process.
type TargetKind int

// The kinds of `@` prefixes.
const (
	TargetMaster   TargetKind = iota // `@`, `@master`, `@0`
	TargetRelative                   // `@N`: N-th current worker, N ≥ 1
	TargetPID                        // `@!PID`: any worker by PID, old ones included
)

// Target is a parsed `@` prefix of the master CLI.
type Target struct {
	Kind TargetKind
	N    int // relative number or PID; 0 for the master
}

// String renders the target as the prefix that designates it.
func (t Target) String() string {
	switch t.Kind {
	case TargetRelative:
		return "@" + strconv.Itoa(t.N)
	case TargetPID:
		return "@!" + strconv.Itoa(t.N)
	}
	return "@master"
}

// ParseTarget parses a word starting with '@': `@`, `@master`, `@N` (`@0`
// is the master) or `@!PID`.
func ParseTarget(word string) (Target, error) {
	rest, ok := strings.CutPrefix(word, "@")
	if !ok {
		return Target{}, fmt.Errorf("target %q: does not start with '@'", word)
	}
	switch {
	case rest == "" || rest == "master":
		return Target{Kind: TargetMaster}, nil
	case strings.HasPrefix(rest, "!"):
		pid, err := strconv.Atoi(rest[1:])
		if err != nil || pid <= 0 || strings.HasPrefix(rest[1:], "+") {
			return Target{}, fmt.Errorf("target %q: bad PID", word)
		}
		return Target{Kind: TargetPID, N: pid}, nil
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || strings.HasPrefix(rest, "+") {
		return Target{}, fmt.Errorf("target %q: bad relative process number", word)
	}
	if n == 0 {
		return Target{Kind: TargetMaster}, nil
	}
	return Target{Kind: TargetRelative, N: n}, nil
}

// Router lets a master CLI session reach workers. The master implements it
// over each worker's socketpair.
type Router interface {
	// Resolve maps a worker target (never TargetMaster) to a live worker's
	// PID; ok is false when no such worker exists.
	Resolve(t Target) (pid int, ok bool)
	// Forward runs one command in worker pid and copies its answer,
	// unchanged (its final empty line included), to w. An error means the
	// worker could not be reached or died while answering.
	Forward(ctx context.Context, pid int, req Forward, w io.Writer) error
}

// Forward is one command the master sends to a worker.
type Forward struct {
	// Line is the command as typed, escapes kept, prefix removed.
	Line string
	// Payload and HasPayload carry the lines that followed a `<<` line.
	Payload    string
	HasPayload bool
	// Level is the session's level; below admin the worker is told to
	// lower its own (HAProxy prepends `operator -` or `user -`).
	Level Level
}

// Wire returns the bytes to write to a worker's CLI connection for this
// command, as HAProxy's master sends them: an optional level line, the
// command line, and the payload ended by an empty line.
func (f Forward) Wire() []byte {
	var b strings.Builder
	switch f.Level {
	case LevelOperator:
		b.WriteString("operator -\n")
	case LevelUser:
		b.WriteString("user -\n")
	}
	b.WriteString(f.Line)
	b.WriteByte('\n')
	if f.HasPayload {
		if f.Payload != "" {
			b.WriteString(f.Payload)
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
