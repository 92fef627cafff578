// Package cli is the command language shared by goha's master CLI (the -S
// socket) and each worker's runtime API (`stats socket`), spoken the way
// HAProxy 2.6 speaks it so that socat scripts and habits carry over.
//
// A session reads commands separated by ';' or a newline; words are split
// on spaces and tabs, a backslash escapes the next byte (`\;`, `\ `, `\\`).
// A command whose last word is `<<` takes the following lines, up to an
// empty line, as its payload. Every answer ends with one empty line, so
// pipelined answers split on "\n\n". Without `prompt` a session answers the
// line it was sent (and whatever was pipelined with it) and closes; with
// `prompt` it stays open, printing "> " (or "master> ", "<pid>> ") before
// each command, until `quit`, EOF or the idle timeout.
//
// Commands live in a Registry, a table in the spirit of HAProxy's cli_kw:
// the package that owns a feature registers its commands (the master
// registers `show proc` and `reload`, the worker the runtime API). Each
// command has a level (user < operator < admin); below it the session
// answers "Permission denied". `help` and the "Unknown command" answer are
// generated from the table in HAProxy's layout and with its close-match
// rule, listing only what the session's level may run (HAProxy 2.6 lists
// everything; the issue asks for the filtered list).
//
// A master session (SessionOptions.Router set) also understands the `@`
// prefixes: `@1 show info` runs one command in worker 1, `@1` alone makes
// it the default target, `@!PID` reaches any worker, `@`/`@master` comes
// back. Forwarded commands are sent unparsed (escapes kept) through the
// Router, prefixed with `operator -` or `user -` when the session lowered
// its level, and the worker's answer is relayed unchanged.
//
// Traps: a line is bounded (SessionOptions.MaxLine, 64 KiB by default) and
// a line holding control bytes is refused, the session answering one error
// line and closing: a binary blob piped into the socket must never be
// parsed as hundreds of commands, nor grow a buffer without limit. Handlers
// run on the session's goroutine; a panic in one becomes an "Internal
// error." answer. Session methods are not safe for use by other goroutines.
package cli
