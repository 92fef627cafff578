package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultMaxLine is the longest command (or payload line) a session accepts
// when SessionOptions.MaxLine is zero.
const DefaultMaxLine = 64 << 10

// PayloadPattern ends a command line whose following lines, up to an empty
// line, are the command's payload.
const PayloadPattern = "<<"

// ErrLineTooLong is returned by the command reader when a command or a
// payload line exceeds the session's limit. The session answers it and
// closes.
var ErrLineTooLong = errors.New("command line too long")

// ErrBinary is returned by the command reader when a command holds a NUL or
// another control character (other than tab, CR and an escaped LF): such a
// line is not a command typed or scripted by anyone, and the session closes.
var ErrBinary = errors.New("binary data in command line")

// SplitCommands cuts a line into the commands it holds, as HAProxy's CLI
// does: commands end at an unescaped ';' or '\n'; a backslash escapes the
// next byte (the escape is kept, Words removes it); a '\r' just before the
// end of a command is dropped. Empty commands are kept (HAProxy answers them
// with its usage message). A trailing part without terminator is returned as
// the last command when it is not empty.
func SplitCommands(line string) []string {
	var out []string
	start := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++ // the escaped byte never ends a command
		case ';', '\n':
			out = append(out, trimCR(line[start:i]))
			start = i + 1
		}
	}
	if start < len(line) {
		out = append(out, trimCR(line[start:]))
	}
	return out
}

func trimCR(s string) string {
	return strings.TrimSuffix(s, "\r")
}

// Words splits one command into its words as HAProxy 2.6 does: words are
// separated by spaces and tabs, a backslash makes the next byte part of the
// word (`\ `, `\;`, `\\`), and the escapes are removed (`\x` gives `x`,
// `\\` gives `\`, a lone trailing backslash disappears, and a word left
// empty by that is dropped). payload reports
// that the last word is exactly `<<`, which is then not returned: the
// command takes a payload.
func Words(cmd string) (args []string, payload bool) {
	i := 0
	for i < len(cmd) {
		for i < len(cmd) && (cmd[i] == ' ' || cmd[i] == '\t') {
			i++
		}
		if i >= len(cmd) {
			break
		}
		if cmd[i:] == PayloadPattern {
			return args, true
		}
		start := i
		for i < len(cmd) && cmd[i] != ' ' && cmd[i] != '\t' {
			if cmd[i] == '\\' {
				i++
			}
			i++
		}
		if i > len(cmd) {
			i = len(cmd)
		}
		if w := unescape(cmd[start:i]); w != "" {
			args = append(args, w)
		}
	}
	return args, false
}

func unescape(w string) string {
	if strings.IndexByte(w, '\\') < 0 {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	for i := 0; i < len(w); i++ {
		if w[i] == '\\' {
			i++
			if i >= len(w) {
				break
			}
		}
		b.WriteByte(w[i])
	}
	return b.String()
}

// Quote joins words into one command that Words splits back into the same
// words: spaces, tabs, ';', '\\' and line ends are escaped, and a word that
// would read as the payload pattern is escaped too.
func Quote(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		if w == PayloadPattern {
			b.WriteString(`\<<`)
			continue
		}
		for j := 0; j < len(w); j++ {
			switch c := w[j]; c {
			case ' ', '\t', ';', '\\', '\n', '\r':
				b.WriteByte('\\')
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// commandReader reads commands and payload lines from a session's
// connection, bounded in length and refusing binary bytes.
type commandReader struct {
	br  *bufio.Reader
	max int
	buf []byte
}

func newCommandReader(r io.Reader, max int) *commandReader {
	return &commandReader{br: bufio.NewReaderSize(r, 4096), max: max}
}

// buffered reports whether more input is already waiting (pipelined
// commands in non-interactive mode).
func (r *commandReader) buffered() bool { return r.br.Buffered() > 0 }

// readCommand returns the next command (escapes kept, terminator and a
// trailing CR removed). eof reports that the command ended at the end of the
// input instead of a terminator; err is io.EOF only when nothing was read.
func (r *commandReader) readCommand() (cmd string, eof bool, err error) {
	r.buf = r.buf[:0]
	escaped := false
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			if len(r.buf) > 0 && errors.Is(err, io.EOF) {
				return trimCR(string(r.buf)), true, nil
			}
			return "", true, err
		}
		if !escaped {
			if c == ';' || c == '\n' {
				return trimCR(string(r.buf)), false, nil
			}
		}
		if c != '\n' && c != '\t' && c != '\r' && (c < 0x20 || c == 0x7f) {
			return "", false, fmt.Errorf("%w (byte 0x%02x at offset %d)", ErrBinary, c, len(r.buf))
		}
		if len(r.buf) >= r.max {
			return "", false, fmt.Errorf("%w (limit %d bytes)", ErrLineTooLong, r.max)
		}
		r.buf = append(r.buf, c)
		escaped = !escaped && c == '\\'
	}
}

// readLine returns the next payload line: no escapes, no ';' split, only
// the trailing LF and CR removed; NUL bytes are refused.
func (r *commandReader) readLine() (line string, err error) {
	r.buf = r.buf[:0]
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			if len(r.buf) > 0 && errors.Is(err, io.EOF) {
				return trimCR(string(r.buf)), nil
			}
			return "", err
		}
		if c == '\n' {
			return trimCR(string(r.buf)), nil
		}
		if c == 0 {
			return "", fmt.Errorf("%w (NUL byte in payload at offset %d)", ErrBinary, len(r.buf))
		}
		if len(r.buf) >= r.max {
			return "", fmt.Errorf("%w (limit %d bytes)", ErrLineTooLong, r.max)
		}
		r.buf = append(r.buf, c)
	}
}
