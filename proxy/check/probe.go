package check

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Result is the outcome of one check.
type Result struct {
	Status Status
	// Code is the HTTP status of an HTTP check's response (0 if none).
	Code int
	// Info is HAProxy's check "desc": the error text or the response
	// reason ("Connection refused", "Internal Server Error"); often empty.
	Info string
	// Duration is how long the check took (-1 when it does not apply).
	Duration time.Duration
}

// probe runs one check against cfg's address.
func probe(ctx context.Context, cfg *Config, dial dialFunc) Result {
	start := time.Now()
	var r Result
	if cfg.External != nil {
		r = probeExternal(ctx, cfg) // external.go
	} else {
		r = probeOnce(ctx, cfg, dial, start)
	}
	r.Duration = time.Since(start)
	return r
}

type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Timeouts, as HAProxy applies them: without `timeout check` the whole
// check (connect and response) must finish within inter; with it, the
// connection must be established within min(timeout connect, inter) and
// the response must come within `timeout check` after that.
func probeOnce(ctx context.Context, cfg *Config, dial dialFunc, start time.Time) Result {
	connectTimeout := cfg.Inter
	if cfg.TimeoutCheck > 0 && cfg.TimeoutConnect > 0 && cfg.TimeoutConnect < connectTimeout {
		connectTimeout = cfg.TimeoutConnect
	}
	dctx, cancel := context.WithTimeout(ctx, connectTimeout)
	conn, err := dial(dctx, cfg.Network, cfg.Addr)
	cancel()
	if err != nil {
		if isTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
			return Result{Status: StatusL4TOUT}
		}
		if ctx.Err() != nil {
			return Result{Status: StatusUnknown}
		}
		return Result{Status: StatusL4CON, Info: errnoText(err)}
	}
	defer conn.Close()
	if cfg.TLS != nil {
		var r Result
		if conn, r = handshake(ctx, conn, cfg, start); r.Status != StatusL6OK || cfg.HTTP == nil {
			return r
		}
	}
	if cfg.Wrap != nil {
		conn = cfg.Wrap(conn)
	}
	if cfg.HTTP == nil {
		return Result{Status: StatusL4OK}
	}
	deadline := start.Add(cfg.Inter)
	if cfg.TimeoutCheck > 0 {
		deadline = time.Now().Add(cfg.TimeoutCheck)
	}
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := conn.Write(cfg.HTTP.request()); err != nil {
		return ioFailure(err)
	}
	return readHTTP(conn, cfg.HTTP)
}

// readHTTP reads the response (up to MaxResponse bytes, until the head is
// complete, or the body too when the expectation looks into it) and
// applies the expectation.
func readHTTP(conn net.Conn, h *HTTPCheck) Result {
	buf := make([]byte, 0, 4096)
	needBody := h.Expect.Kind == "string" || h.Expect.Kind == "rstring"
	var (
		code      int
		reason    string
		headerEnd = -1
		bodyLen   = -1 // from content-length
	)
	for len(buf) < MaxResponse {
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), min(2*cap(buf), MaxResponse))
			copy(nb, buf)
			buf = nb
		}
		n, err := conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if headerEnd < 0 {
			if i := bytes.Index(buf, []byte("\r\n\r\n")); i >= 0 {
				headerEnd = i + 4
				var ok bool
				if code, reason, bodyLen, ok = parseHead(buf[:headerEnd]); !ok {
					return Result{Status: StatusL7RSP}
				}
			}
		}
		if headerEnd >= 0 && (!needBody || bodyLen >= 0 && len(buf)-headerEnd >= bodyLen) {
			break
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return ioFailure(err)
		}
	}
	if headerEnd < 0 {
		// EOF or a full buffer before the blank line.
		var ok bool
		if code, reason, _, ok = parseHead(buf); !ok {
			return Result{Status: StatusL7RSP}
		}
		headerEnd = len(buf)
	}
	body := buf[headerEnd:]
	if bodyLen >= 0 && len(body) > bodyLen {
		body = body[:bodyLen]
	}
	return expect(&h.Expect, code, reason, body)
}

// ioFailure classifies an error after the connection was established.
func ioFailure(err error) Result {
	if isTimeout(err) {
		return Result{Status: StatusL7TOUT}
	}
	if errors.Is(err, io.EOF) {
		return Result{Status: StatusL7RSP}
	}
	return Result{Status: StatusSockErr, Info: errnoText(err)}
}

// parseHead parses a response head: status line and content-length.
func parseHead(head []byte) (code int, reason string, clen int, ok bool) {
	clen = -1
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if !bytes.HasPrefix(line, []byte("HTTP/")) {
		return 0, "", 0, false
	}
	_, after, found := bytes.Cut(line, []byte(" "))
	if !found || len(after) < 3 {
		return 0, "", 0, false
	}
	c, err := strconv.Atoi(string(after[:3]))
	if err != nil || c < 100 || c > 999 || len(after) > 3 && after[3] != ' ' {
		return 0, "", 0, false
	}
	if len(after) > 4 {
		reason = string(after[4:])
	}
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, val, ok := bytes.Cut(l, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("content-length")) {
			if n, err := strconv.Atoi(string(bytes.TrimSpace(val))); err == nil && n >= 0 {
				clen = n
			}
		}
	}
	return c, reason, clen, true
}

// expect applies the expectation to a parsed response, with HAProxy's
// statuses and info texts.
func expect(e *Expect, code int, reason string, body []byte) Result {
	switch e.Kind {
	case "", "status", "rstatus":
		var match bool
		if e.re != nil {
			match = e.re.MatchString(strconv.Itoa(code))
		} else {
			for _, r := range e.codes {
				if code >= r[0] && code <= r[1] {
					match = true
					break
				}
			}
		}
		if match != e.Neg {
			return Result{Status: StatusL7OK, Code: code}
		}
		return Result{Status: StatusL7STS, Code: code, Info: reason}
	default: // string, rstring
		if len(body) == 0 {
			return Result{Status: StatusL7RSP, Code: code, Info: "HTTP content check could not find a response body"}
		}
		var match bool
		if e.re != nil {
			match = e.re.Match(body)
		} else {
			match = bytes.Contains(body, []byte(e.Value))
		}
		if match != e.Neg {
			return Result{Status: StatusL7OK, Code: code}
		}
		info := "HTTP content check did not match"
		if e.Neg {
			info = "HTTP check matched unwanted content"
		}
		return Result{Status: StatusL7RSP, Code: code, Info: info}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded)
}

// errnoText returns the C library's text for the system error in err
// ("Connection refused"), as HAProxy prints strerror(errno).
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" && 'a' <= s[0] && s[0] <= 'z' {
			s = string(s[0]-'a'+'A') + s[1:]
		}
		return s
	}
	return ""
}
