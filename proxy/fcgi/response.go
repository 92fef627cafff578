package fcgi

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/goha/goha/proxy/http1"
)

// ErrEarlyEnd is what a Conn reports when the application ended the
// request (FCGI_END_REQUEST, or a close) before its response headers.
var ErrEarlyEnd = fmt.Errorf("fcgi: application ended the request before its response headers: %w", io.ErrUnexpectedEOF)

// maxOpen bounds the earlier requests whose FCGI_END_REQUEST a Conn
// still waits for (an application may send it after the next answer).
const maxOpen = 8

// Read states.
const (
	rHead = iota // reading the CGI head
	rBody        // relaying the body
	rDone        // the response is complete
)

// Record events of readSide.next.
const (
	evStdout = iota // STDOUT content is waiting (recLeft bytes)
	evEOS           // the empty STDOUT record: the answer is complete
	evEnd           // FCGI_END_REQUEST
)

// readSide is the response half of a Conn.
type readSide struct {
	br          *bufio.Reader
	info        reqInfo
	state       int
	sentInterim bool
	hbuf        []byte // the CGI head, then body bytes held to learn the length
	out         []byte // response bytes to hand out
	off         int
	scratch     []byte
	recLeft     int // content of the current STDOUT record left to read
	recPad      int
	eos         bool     // empty STDOUT seen
	ended       bool     // FCGI_END_REQUEST of the request seen
	id          uint16   // the current request's id
	open        []uint16 // earlier requests whose FCGI_END_REQUEST is still due
	cutErr      error    // the answer was cut while its body was held
	noBody      bool
	chunked     bool
	hasLen      bool
	lenLeft     int64
	hold        int // bytes of hbuf that are body (held)
}

// setRequest starts the response of a new request.
func (r *readSide) setRequest(id uint16, info reqInfo) {
	r.info = info
	if !r.ended {
		if len(r.open) == maxOpen {
			r.open = append(r.open[:0], r.open[1:]...)
		}
		r.open = append(r.open, r.id)
	}
	r.id, r.ended = id, false
	r.cutErr = nil
	r.state = rHead
	r.sentInterim = false
	r.hbuf = r.hbuf[:0]
	r.out, r.off = r.out[:0], 0
	r.eos, r.noBody, r.chunked, r.hasLen, r.lenLeft, r.hold = false, false, false, false, 0, 0
}

// read fills p with response bytes.
func (r *readSide) read(c *Conn, p []byte) (int, error) {
	for {
		if r.off < len(r.out) {
			n := copy(p, r.out[r.off:])
			r.off += n
			return n, nil
		}
		r.out, r.off = r.out[:0], 0
		var err error
		switch r.state {
		case rHead:
			err = r.readHead(c)
		case rBody:
			var n int
			n, err = r.readBody(c, p)
			if n > 0 || err != nil {
				return n, err
			}
		default:
			return 0, io.EOF
		}
		if err != nil {
			return 0, err
		}
	}
}

// next reads records until one the response needs: STDERR goes to the
// callback, management records are skipped, anything else unexpected is
// a protocol error.
func (r *readSide) next(c *Conn) (int, error) {
	if err := r.skipRecord(); err != nil {
		return 0, err
	}
	for {
		hb, err := r.br.Peek(HeaderSize)
		if err != nil {
			if err == io.EOF && len(hb) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		h, err := ParseHeader(hb)
		if err != nil {
			return 0, err
		}
		r.br.Discard(HeaderSize)
		r.recLeft, r.recPad = int(h.Length), int(h.Padding)
		if h.ID == 0 && (h.Type == TypeGetValuesResult || h.Type == TypeUnknownType) {
			if err := r.skipRecord(); err != nil {
				return 0, err
			}
			continue
		}
		if i := slices.Index(r.open, h.ID); i >= 0 && h.ID != r.id {
			// a previous answer's end, after its body was served
			if h.Type == TypeEndRequest {
				r.open = slices.Delete(r.open, i, i+1)
			}
			if err := r.skipRecord(); err != nil {
				return 0, err
			}
			continue
		}
		if h.ID != r.id {
			return 0, protoErr("record of type %d for request %d", h.Type, h.ID)
		}
		switch h.Type {
		case TypeStdout:
			if h.Length == 0 {
				r.eos = true
				return evEOS, r.skipRecord()
			}
			return evStdout, nil
		case TypeStderr:
			if err := r.stderrRecord(c); err != nil {
				return 0, err
			}
		case TypeEndRequest:
			b, err := r.content()
			if err != nil {
				return 0, err
			}
			er, err := ParseEndRequest(b)
			if err != nil {
				return 0, err
			}
			if er.ProtocolStatus != StatusRequestComplete {
				return 0, fmt.Errorf("fcgi: application refused the request (protocol status %d): %w", er.ProtocolStatus, io.ErrUnexpectedEOF)
			}
			r.ended = true
			return evEnd, nil
		default:
			return 0, protoErr("unexpected record of type %d", h.Type)
		}
	}
}

// content reads the current record's whole content (and padding).
func (r *readSide) content() ([]byte, error) {
	if cap(r.scratch) < r.recLeft {
		r.scratch = make([]byte, r.recLeft)
	}
	b := r.scratch[:r.recLeft]
	if _, err := io.ReadFull(r.br, b); err != nil {
		return nil, cut(err)
	}
	r.recLeft = 0
	return b, r.skipRecord()
}

// skipRecord discards what is left of the current record.
func (r *readSide) skipRecord() error {
	n := r.recLeft + r.recPad
	r.recLeft, r.recPad = 0, 0
	if n == 0 {
		return nil
	}
	if _, err := r.br.Discard(n); err != nil {
		return cut(err)
	}
	return nil
}

func cut(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// stderrRecord sends the lines of a STDERR record to the callback.
func (r *readSide) stderrRecord(c *Conn) error {
	b, err := r.content()
	if err != nil || c.stderr == nil {
		return err
	}
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		line = bytes.TrimRight(line, "\r")
		if len(line) > 0 {
			c.stderr(line)
		}
	}
	return nil
}

// readHead reads the CGI head and builds the HTTP/1.1 one.
func (r *readSide) readHead(c *Conn) error {
	if r.info.expect && !r.sentInterim {
		r.sentInterim = true
		r.out = append(r.out, "HTTP/1.1 100 Continue\r\n\r\n"...)
		return nil
	}
	max := c.app.maxHead()
	for {
		if end, body := headEnd(r.hbuf); end > 0 {
			return r.startBody(c, r.hbuf[:end], body)
		}
		if r.recLeft == 0 {
			ev, err := r.next(c)
			if err != nil {
				if err == io.EOF {
					return ErrEarlyEnd
				}
				return err
			}
			switch ev {
			case evEOS:
				return protoErr("answer of %d bytes ends without the end of its headers", len(r.hbuf))
			case evEnd:
				return ErrEarlyEnd
			}
		}
		room := max - len(r.hbuf)
		if room <= 0 {
			return protoErr("response headers over %d bytes", max)
		}
		k := min(r.recLeft, room)
		r.hbuf = append(r.hbuf, make([]byte, k)...)
		if _, err := io.ReadFull(r.br, r.hbuf[len(r.hbuf)-k:]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return ErrEarlyEnd
			}
			return err
		}
		r.recLeft -= k
	}
}

// headEnd finds the end of a CGI head (an empty line, CRLF or LF): the
// length of the head and where the body starts, or 0.
func headEnd(b []byte) (int, int) {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			return i + 1, i + 2
		}
		if i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n' {
			return i + 1, i + 3
		}
	}
	return 0, 0
}

// cgiHeader is one parsed header line of the application's head.
type cgiHeader struct{ name, value []byte }

// parseCGIHead splits a CGI head in header lines.
func parseCGIHead(head []byte, dst []cgiHeader) ([]cgiHeader, error) {
	for len(head) > 0 {
		i := bytes.IndexByte(head, '\n')
		line := head[:i]
		head = head[i+1:]
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !token(line[:colon]) {
			return dst, protoErr("bad response header line %q", trunc(line))
		}
		dst = append(dst, cgiHeader{line[:colon], bytes.Trim(line[colon+1:], " \t")})
	}
	return dst, nil
}

func trunc(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

func token(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte("()<>@,;:\\\"/[]?={}"), c) >= 0 {
			return false
		}
	}
	return true
}

// startBody turns the CGI head into the HTTP/1.1 head and decides the
// body's framing; body is where the body starts in hbuf.
func (r *readSide) startBody(c *Conn, head []byte, body int) error {
	hs, err := parseCGIHead(head, nil)
	if err != nil {
		return err
	}
	code, reason, err := cgiStatus(hs)
	if err != nil {
		return err
	}
	r.noBody = r.info.head || code == 204 || code == 304 || code < 200
	r.hasLen = false
	for _, h := range hs {
		if http1.EqualFold(h.name, "content-length") {
			n, err := strconv.ParseInt(string(h.value), 10, 64)
			if err != nil || n < 0 {
				return protoErr("bad Content-Length %q", trunc(h.value))
			}
			r.hasLen, r.lenLeft = true, n
		}
	}
	r.hold = len(r.hbuf) - body
	if !r.hasLen && !r.noBody {
		if err := r.holdBody(c); err != nil {
			return err
		}
	}
	r.out = r.appendHead(r.out, hs, code, reason, c.app.KeepConn)
	r.out = append(r.out, r.frame(r.hbuf[len(r.hbuf)-r.hold:])...)
	r.hbuf = r.hbuf[:0]
	r.state = rBody
	return nil
}

// frame returns data as the body bytes to send (chunked, cut at the
// length, or nothing).
func (r *readSide) frame(data []byte) []byte {
	switch {
	case len(data) == 0 || r.noBody:
		return nil
	case r.hasLen:
		if int64(len(data)) > r.lenLeft {
			data = data[:r.lenLeft]
		}
		r.lenLeft -= int64(len(data))
		return data
	case r.chunked:
		b := strconv.AppendInt(r.scratch[:0], int64(len(data)), 16)
		b = append(b, "\r\n"...)
		b = append(b, data...)
		r.scratch = append(b, "\r\n"...)
		return r.scratch
	}
	return data // the whole body, its length known
}

// holdBody reads the body into hbuf while it fits in ReadBufSize, to
// learn its length: Content-Length when the answer ends there, chunked
// otherwise.
func (r *readSide) holdBody(c *Conn) error {
	for !r.eos && len(r.hbuf) < ReadBufSize {
		if r.recLeft == 0 {
			ev, err := r.next(c)
			if err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					r.chunked, r.cutErr = true, io.ErrUnexpectedEOF
					return nil
				}
				return err
			}
			if ev == evEnd {
				r.eos = true // an END_REQUEST without an empty STDOUT
			}
			continue
		}
		k := min(r.recLeft, ReadBufSize-len(r.hbuf))
		r.hbuf = append(r.hbuf, make([]byte, k)...)
		if _, err := io.ReadFull(r.br, r.hbuf[len(r.hbuf)-k:]); err != nil {
			return cut(err)
		}
		r.recLeft -= k
		r.hold += k
	}
	if r.eos {
		r.hasLen, r.lenLeft = true, int64(r.hold)
		r.finishEnd()
	} else {
		r.chunked = true
	}
	return nil
}

// cgiStatus is HAProxy's reading of a CGI head's status: `Status:`,
// else 302 with `Location:`, else 200.
func cgiStatus(hs []cgiHeader) (int, string, error) {
	code, reason := 0, ""
	for _, h := range hs {
		switch {
		case http1.EqualFold(h.name, "status"):
			v := string(h.value)
			i := indexByte(v, ' ')
			if i < 0 {
				i = len(v)
			}
			n, err := strconv.Atoi(v[:i])
			if err != nil || n < 100 || n > 999 {
				return 0, "", protoErr("bad Status %q", v)
			}
			code, reason = n, trimSpace(v[i:])
		case http1.EqualFold(h.name, "location") && code == 0:
			code, reason = 302, "Found"
		}
	}
	if code == 0 {
		code, reason = 200, "OK"
	}
	if reason == "" {
		reason = http1.Reason(code)
	}
	return code, reason, nil
}

// httpDate is the layout of the Date header.
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// appendHead appends the HTTP/1.1 response head.
func (r *readSide) appendHead(b []byte, hs []cgiHeader, code int, reason string, keep bool) []byte {
	if r.info.minor == 0 {
		b = append(b, "HTTP/1.0 "...)
	} else {
		b = append(b, "HTTP/1.1 "...)
	}
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = append(b, reason...)
	b = append(b, "\r\n"...)
	date := false
	for _, h := range hs {
		if http1.EqualFold(h.name, "status") || http1.EqualFold(h.name, "transfer-encoding") ||
			http1.EqualFold(h.name, "connection") {
			continue
		}
		date = date || http1.EqualFold(h.name, "date")
		b = append(append(append(append(b, h.name...), ": "...), h.value...), "\r\n"...)
	}
	if !date {
		b = append(b, "Date: "...)
		b = time.Now().UTC().AppendFormat(b, httpDate)
		b = append(b, "\r\n"...)
	}
	switch {
	case r.noBody:
	case r.chunked:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	case r.hasLen && !hasHeader(hs, "content-length"):
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, r.lenLeft, 10)
		b = append(b, "\r\n"...)
	}
	if !keep {
		b = append(b, "Connection: close\r\n"...)
	}
	return append(b, "\r\n"...)
}

func hasHeader(hs []cgiHeader, name string) bool {
	for _, h := range hs {
		if http1.EqualFold(h.name, name) {
			return true
		}
	}
	return false
}

// finishEnd consumes FCGI_END_REQUEST when it is already at hand, or
// leaves it for the next request.
func (r *readSide) finishEnd() {
	if r.ended || r.br.Buffered() < HeaderSize {
		return
	}
	hb, _ := r.br.Peek(HeaderSize)
	h, err := ParseHeader(hb)
	if err != nil || h.Type != TypeEndRequest || r.br.Buffered() < HeaderSize+int(h.Length)+int(h.Padding) {
		return
	}
	r.br.Discard(HeaderSize + int(h.Length) + int(h.Padding))
	r.ended = true
}

// readBody relays body bytes into p.
func (r *readSide) readBody(c *Conn, p []byte) (int, error) {
	if r.cutErr != nil {
		return 0, r.cutErr
	}
	if r.eos || (r.hasLen && r.lenLeft == 0 && !r.chunked) {
		return r.endBody(c)
	}
	if r.recLeft == 0 {
		ev, err := r.next(c)
		if err != nil {
			return 0, cut(err)
		}
		if ev != evStdout {
			r.eos = true
			r.finishEnd()
			return r.endBody(c)
		}
	}
	if r.noBody || r.chunked || (r.hasLen && r.lenLeft < int64(min(r.recLeft, len(p)))) {
		// through a buffer: framed, cut or dropped
		k := min(r.recLeft, ReadBufSize)
		if cap(r.hbuf) < k {
			r.hbuf = make([]byte, 0, ReadBufSize)
		}
		b := r.hbuf[:k]
		if _, err := io.ReadFull(r.br, b); err != nil {
			return 0, cut(err)
		}
		r.recLeft -= k
		r.out = append(r.out[:0], r.frame(b)...)
		r.off = 0
		return 0, nil
	}
	k := min(r.recLeft, len(p))
	n, err := r.br.Read(p[:k])
	r.recLeft -= n
	r.lenLeft -= int64(n)
	if n == 0 && err != nil {
		return 0, cut(err)
	}
	return n, nil
}

// endBody finishes the body at the end of the application's answer.
func (r *readSide) endBody(c *Conn) (int, error) {
	r.state = rDone
	if r.chunked {
		r.out = append(r.out[:0], "0\r\n\r\n"...)
		r.off = 0
		return 0, nil
	}
	if r.hasLen && r.lenLeft > 0 && !r.noBody {
		return 0, fmt.Errorf("fcgi: answer ends %d bytes before its Content-Length: %w", r.lenLeft, io.ErrUnexpectedEOF)
	}
	return 0, nil
}
