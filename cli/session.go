package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"time"
)

// DefaultTimeout is the idle timeout of a session when
// SessionOptions.Timeout is zero (HAProxy's `stats timeout` default).
const DefaultTimeout = 10 * time.Second

// SessionOptions configures one CLI session. The zero value is a runtime
// API session at operator level with HAProxy's defaults.
type SessionOptions struct {
	// Level is the session's starting level (the socket's `level`
	// option). Zero means LevelOperator, HAProxy's default for a stats
	// socket; the master CLI uses LevelAdmin.
	Level Level
	// Timeout is the idle timeout (`stats timeout`): a session waiting
	// longer than this for a command, or for the client to take its
	// output, is closed. Zero means DefaultTimeout; `set timeout cli`
	// changes it for the session.
	Timeout time.Duration
	// MaxLine bounds a command and a payload line in bytes. Zero means
	// DefaultMaxLine.
	MaxLine int
	// Router, when set, makes this a master CLI session: `@` prefixes,
	// a default target, and commands forwarded to workers.
	Router Router
	// Prompt returns the interactive prompt. Nil means "> " for a runtime
	// API session and "master> " or "<pid>> " (the default target) for a
	// master session.
	Prompt func(s *Session) string
	// ErrorLog, when set, receives what the client never sees: a handler
	// panic with its stack. Nil discards it.
	ErrorLog func(err error)
}

// Session is the state of one CLI connection. Handlers receive it to read
// or change the session's level, mode and timeout. Its methods must only be
// called from the handler running on it.
type Session struct {
	ctx         context.Context
	conn        net.Conn
	reg         *Registry
	opts        SessionOptions
	level       Level
	interactive bool
	timeout     time.Duration
	target      int // default target PID in a master session, 0: master
	quit        bool
}

// Context is canceled when the session's server shuts down.
func (s *Session) Context() context.Context { return s.ctx }

// Level returns the session's current access level.
func (s *Session) Level() Level { return s.level }

// SetLevel changes the session's level (used by `operator` and `user`,
// which may only lower it).
func (s *Session) SetLevel(l Level) { s.level = l }

// Interactive reports whether prompt mode is on.
func (s *Session) Interactive() bool { return s.interactive }

// SetTimeout changes the idle timeout of this session.
func (s *Session) SetTimeout(d time.Duration) { s.timeout = d }

// Target returns the PID of the default target of a master session, 0 for
// the master itself.
func (s *Session) Target() int { return s.target }

// Quit ends the session once the current command's output is written.
func (s *Session) Quit() { s.quit = true }

// RemoteAddr returns the peer's address.
func (s *Session) RemoteAddr() net.Addr { return s.conn.RemoteAddr() }

// Registry returns the command table the session runs.
func (s *Session) Registry() *Registry { return s.reg }

// Writer collects one command's output. The session sends it once the
// command returns, followed by the empty line that ends every answer.
type Writer struct {
	buf  bytes.Buffer
	noLF bool
}

// Write appends p to the output.
func (w *Writer) Write(p []byte) (int, error) { return w.buf.Write(p) }

// WriteString appends s to the output.
func (w *Writer) WriteString(s string) (int, error) { return w.buf.WriteString(s) }

// Printf appends formatted text to the output.
func (w *Writer) Printf(format string, a ...any) { fmt.Fprintf(&w.buf, format, a...) }

// NoLF suppresses the empty line after this command's output, for commands
// that answer nothing at all (HAProxy's `user -`, the master's prefixes).
func (w *Writer) NoLF() { w.noLF = true }

// Len returns the number of bytes written so far.
func (w *Writer) Len() int { return w.buf.Len() }

func (w *Writer) reset() {
	w.buf.Reset()
	w.noLF = false
}

// Serve runs one CLI session on conn until the client quits or disconnects,
// the idle timeout expires, a non-interactive line is answered, or ctx is
// canceled. It closes conn before returning.
func Serve(ctx context.Context, conn net.Conn, reg *Registry, opts SessionOptions) {
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	s := &Session{ctx: ctx, conn: conn, reg: reg, opts: opts, level: opts.Level, timeout: opts.Timeout}
	if s.level == 0 {
		s.level = LevelOperator
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	max := opts.MaxLine
	if max <= 0 {
		max = DefaultMaxLine
	}
	s.serve(newCommandReader(conn, max))
}

func (s *Session) serve(r *commandReader) {
	w := &Writer{}
	for !s.quit && s.ctx.Err() == nil {
		s.conn.SetReadDeadline(time.Now().Add(s.timeout))
		raw, eof, err := r.readCommand()
		if err != nil {
			s.refuse(err)
			return
		}
		args, hasPayload := Words(raw)
		var payload string
		if hasPayload {
			if payload, err = s.readPayload(r); err != nil {
				s.refuse(err)
				return
			}
		}
		w.reset()
		s.run(raw, args, payload, hasPayload, w)
		if !s.flush(w) {
			return
		}
		if eof || (!s.interactive && !r.buffered()) {
			return
		}
	}
}

// refuse answers a read error that is the client's fault (too long,
// binary) and lets the session close; timeouts and EOF close silently.
func (s *Session) refuse(err error) {
	if !errors.Is(err, ErrLineTooLong) && !errors.Is(err, ErrBinary) {
		return
	}
	s.conn.SetWriteDeadline(time.Now().Add(s.timeout))
	if _, err := io.WriteString(s.conn, capitalize(err.Error())+".\n\n"); err != nil {
		return
	}
	// Let a client still sending its blob read the answer instead of
	// failing on a reset: end our side, then swallow a bounded amount of
	// its input for a bounded time.
	if cw, ok := s.conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		s.conn.SetReadDeadline(time.Now().Add(min(s.timeout, time.Second)))
		io.CopyN(io.Discard, s.conn, 4<<20)
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// readPayload gathers the lines after a `<<` command up to an empty one,
// printing "+ " before each in prompt mode.
func (s *Session) readPayload(r *commandReader) (string, error) {
	var lines []string
	total := 0
	for {
		if s.interactive {
			s.conn.SetWriteDeadline(time.Now().Add(s.timeout))
			if _, err := io.WriteString(s.conn, "+ "); err != nil {
				return "", err
			}
		}
		s.conn.SetReadDeadline(time.Now().Add(s.timeout))
		line, err := r.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return "", err
		}
		if line == "" {
			break
		}
		total += len(line) + 1
		if total > 16*r.max {
			return "", fmt.Errorf("%w (payload over %d bytes)", ErrLineTooLong, 16*r.max)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n"), nil
}

// flush sends the command's output, the empty line that ends it and, in
// prompt mode, the prompt. It reports whether the session goes on.
func (s *Session) flush(w *Writer) bool {
	if !w.noLF {
		w.buf.WriteByte('\n')
	}
	if s.interactive && !s.quit {
		w.buf.WriteString(s.prompt())
	}
	if w.buf.Len() == 0 {
		return true
	}
	s.conn.SetWriteDeadline(time.Now().Add(s.timeout))
	_, err := s.conn.Write(w.buf.Bytes())
	return err == nil
}

func (s *Session) prompt() string {
	if s.opts.Prompt != nil {
		return s.opts.Prompt(s)
	}
	if s.opts.Router == nil {
		return "> "
	}
	if s.target != 0 {
		return fmt.Sprintf("%d> ", s.target)
	}
	return "master> "
}

// run executes one command into w.
func (s *Session) run(raw string, args []string, payload string, hasPayload bool, w *Writer) {
	if s.opts.Router != nil && s.runMaster(raw, args, payload, hasPayload, w) {
		return
	}
	s.runLocal(args, payload, w)
}

// runLocal runs a command of the session's own table.
func (s *Session) runLocal(args []string, payload string, w *Writer) {
	if len(args) > 0 {
		switch args[0] {
		case "help":
			w.WriteString(s.reg.Usage(s.level, args[1:], true))
			return
		case "prompt":
			s.interactive = !s.interactive
			return
		case "quit":
			s.quit = true
			w.NoLF()
			return
		}
	}
	c := s.reg.Lookup(args)
	if c == nil {
		w.WriteString(s.reg.Usage(s.level, args, false))
		return
	}
	if c.level() > s.level {
		w.WriteString(ErrPermissionDenied.Error() + "\n")
		return
	}
	if err := s.call(c, args, payload, w); err != nil {
		msg := err.Error()
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		w.WriteString(msg)
	}
}

// call runs a handler, turning a panic into an error answer so that no
// input can take the process down.
func (s *Session) call(c *Command, args []string, payload string, w *Writer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if s.opts.ErrorLog != nil {
				s.opts.ErrorLog(fmt.Errorf("cli command %q panicked: %v\n%s", strings.Join(c.Words, " "), p, debug.Stack()))
			}
			err = errors.New("Internal error.")
		}
	}()
	return c.Handler(s, args, payload, w)
}

// runMaster handles what the master's CLI proxy handles before its own
// table: `@` prefixes, forwarding to the default target, `prompt`, `quit`,
// `operator` and `user`. It reports whether the command was handled.
func (s *Session) runMaster(raw string, args []string, payload string, hasPayload bool, w *Writer) bool {
	pid := s.target
	line := strings.TrimLeft(raw, " \t")
	if len(args) > 0 && strings.HasPrefix(args[0], "@") {
		t, err := ParseTarget(args[0])
		if err == nil && t.Kind != TargetMaster {
			p, ok := s.opts.Router.Resolve(t)
			if !ok {
				err = errors.New("no such process")
			}
			t.N, pid = p, p
		}
		if err != nil {
			w.Printf("Can't find the target PID matching the prefix '%s'\n", args[0])
			w.NoLF()
			s.quit = true
			return true
		}
		if t.Kind == TargetMaster {
			pid = 0
		}
		if len(args) == 1 {
			s.target = pid
			w.NoLF()
			return true
		}
		args = args[1:]
		line = strings.TrimLeft(stripFirstWord(raw), " \t")
	}
	if len(args) > 0 {
		switch args[0] {
		case "prompt":
			s.interactive = !s.interactive
			w.NoLF()
			return true
		case "quit":
			s.quit = true
			w.NoLF()
			return true
		case "operator", "user":
			want := LevelOperator
			if args[0] == "user" {
				want = LevelUser
			}
			w.NoLF()
			if s.level < want {
				w.WriteString("Permission denied!\n")
				s.quit = true
				return true
			}
			s.level = want
			return true
		}
	}
	if pid == 0 {
		s.runLocal(args, payload, w)
		return true
	}
	req := Forward{Line: line, Payload: payload, HasPayload: hasPayload, Level: s.level}
	w.NoLF()
	if err := s.opts.Router.Forward(s.ctx, pid, req, w); err != nil {
		w.WriteString("Can't connect to the target CLI!\n")
		s.quit = true
	}
	return true
}

// stripFirstWord removes the first (possibly escaped) word of a command.
func stripFirstWord(raw string) string {
	i := 0
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t') {
		i++
	}
	for i < len(raw) && raw[i] != ' ' && raw[i] != '\t' {
		if raw[i] == '\\' {
			i++
		}
		i++
	}
	if i > len(raw) {
		i = len(raw)
	}
	return raw[i:]
}
