package http1

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrNeedMore means the head is not complete yet: read more bytes and
// parse again.
var ErrNeedMore = errors.New("http1: incomplete message head")

// ErrTooLarge means the head does not fit in the allowed size.
var ErrTooLarge = errors.New("http1: message head too large")

// SyntaxError describes why a head was rejected; Offset is the byte in the
// buffer where parsing failed (HAProxy's `show errors` reports the same).
type SyntaxError struct {
	Reason string
	Offset int
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("http1: %s at offset %d", e.Reason, e.Offset)
}

func synErr(reason string, off int) error { return &SyntaxError{Reason: reason, Offset: off} }

// Header is one header field of a parsed head. Name is lowercased; both
// are slices of the parsed buffer.
type Header struct {
	Name  []byte
	Value []byte
}

// Message holds what requests and responses share: the header fields in
// the order received and the framing facts the proxy needs.
type Message struct {
	// Minor is the protocol minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
	Minor int
	// Headers are the fields in order, names lowercased.
	Headers []Header
	// HeadLen is the size of the head including its final empty line;
	// the body starts at buf[HeadLen].
	HeadLen int
	// ContentLength is the Content-Length value, -1 when absent.
	ContentLength int64
	// Chunked is true when Transfer-Encoding is chunked.
	Chunked bool
	// ConnClose and ConnKeepAlive report the close and keep-alive tokens
	// of the Connection header; ConnUpgrade its upgrade token.
	ConnClose     bool
	ConnKeepAlive bool
	ConnUpgrade   bool
	// HasUpgrade is true when an Upgrade header is present.
	HasUpgrade bool
	// MaxHeaders is `tune.http.maxhdr`: a head with that many fields or
	// more is refused, as HAProxy 2.6 refuses it (it keeps one slot for
	// the end of the head). Zero means HAProxy's default, 101. The
	// caller sets it; parsing keeps it.
	MaxHeaders int
}

// DefaultMaxHeaders is HAProxy's tune.http.maxhdr default.
const DefaultMaxHeaders = 101

// KeepAlive reports whether the sender of the message wants the
// connection kept open after it: HTTP/1.1 unless "close", HTTP/1.0 only
// with "keep-alive".
func (m *Message) KeepAlive() bool {
	if m.ConnClose {
		return false
	}
	return m.Minor >= 1 || m.ConnKeepAlive
}

// Upgrade reports whether the message asks for (request) or accepts
// (101 response) a protocol switch.
func (m *Message) Upgrade() bool { return m.ConnUpgrade && m.HasUpgrade }

// Get returns the value of the first header named name (lowercase), or
// nil.
func (m *Message) Get(name string) []byte {
	for i := range m.Headers {
		if string(m.Headers[i].Name) == name {
			return m.Headers[i].Value
		}
	}
	return nil
}

func (m *Message) maxHeaders() int {
	if m.MaxHeaders > 0 {
		return m.MaxHeaders
	}
	return DefaultMaxHeaders
}

func (m *Message) reset() {
	m.Minor = 0
	m.Headers = m.Headers[:0]
	m.HeadLen = 0
	m.ContentLength = -1
	m.Chunked = false
	m.ConnClose = false
	m.ConnKeepAlive = false
	m.ConnUpgrade = false
	m.HasUpgrade = false
}

// Request is a parsed request head.
type Request struct {
	Message
	// Method, URI and Proto are the three parts of the request line;
	// Line is the whole request line without its line ending.
	Method []byte
	URI    []byte
	Proto  []byte
	Line   []byte
	// Host is the Host header value (nil when absent).
	Host []byte
	// Authority is the authority of an absolute-form target, or the
	// target of a CONNECT (nil otherwise).
	Authority []byte
	// Expect100 is true with `Expect: 100-continue`.
	Expect100 bool
}

// Response is a parsed response head.
type Response struct {
	Message
	Proto  []byte
	Status int
	Reason []byte
	// Line is the status line without its line ending.
	Line []byte
}

// tchar marks the characters allowed in a token (RFC 9110 §5.6.2).
var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return
}()

// nextLine returns the end of the line starting at i (index of '\n') and
// the end of its content (before an optional '\r'), or -1 if there is no
// complete line yet.
func nextLine(b []byte, i int) (lf, end int) {
	k := bytes.IndexByte(b[i:], '\n')
	if k < 0 {
		return -1, -1
	}
	j := i + k
	end = j
	if end > i && b[end-1] == '\r' {
		end--
	}
	return j, end
}

// ParseRequest parses the request head at the start of buf into req.
// max bounds the head size (tune.bufsize - tune.maxrewrite). Header names
// are lowercased in place in buf.
func ParseRequest(buf []byte, max int, req *Request) error {
	req.reset()
	req.Method, req.URI, req.Proto, req.Line, req.Host, req.Authority = nil, nil, nil, nil, nil, nil
	req.Expect100 = false
	b := buf
	if len(b) > max {
		b = b[:max]
	}
	// RFC 9112 §2.2: ignore empty lines before the request line.
	i := 0
	for i < len(b) && (b[i] == '\r' || b[i] == '\n') {
		if b[i] == '\r' && (i+1 >= len(b) || b[i+1] != '\n') {
			if i+1 >= len(b) {
				return needMore(len(buf), max)
			}
			return synErr("bad leading line", i)
		}
		i++
	}
	lf, end := nextLine(b, i)
	if lf < 0 {
		return needMore(len(buf), max)
	}
	line := b[i:end]
	req.Line = line
	// method
	sp := 0
	for sp < len(line) && tchar[line[sp]] {
		sp++
	}
	if sp == 0 || sp >= len(line) || line[sp] != ' ' {
		return synErr("bad request method", i+sp)
	}
	req.Method = line[:sp]
	// uri: visible ASCII but '#' (rows R3, R4)
	u := sp + 1
	k := u
	for k < len(line) && uriChar[line[k]] {
		k++
	}
	if k == u || k >= len(line) || line[k] != ' ' {
		return synErr("bad request uri", i+k)
	}
	req.URI = line[u:k]
	auth, bad := checkTarget(req.Method, req.URI)
	if bad >= 0 {
		return synErr("bad request target form", i+u+bad)
	}
	req.Authority = auth
	proto := line[k+1:]
	minor, ok := parseVersion(proto)
	if !ok {
		return synErr("bad request version", i+k+1)
	}
	req.Proto = proto
	if minor == 1 {
		req.Proto = proto11 // HTTP/1.2-1.9 go on as HTTP/1.1 (row R2)
	}
	req.Minor = minor
	if err := parseHeaders(buf, b, lf+1, max, &req.Message); err != nil {
		return err
	}
	return req.checkFields()
}

// proto11 is the version goha speaks to servers for any HTTP/1.x, x>0.
var proto11 = []byte("HTTP/1.1")

// checkFields applies the request-only field rules: Host (rows R5, R6),
// Expect (R20) and Transfer-Encoding in HTTP/1.0 (R14).
func (req *Request) checkFields() error {
	hosts := 0
	for h := range req.Headers {
		hd := &req.Headers[h]
		switch string(hd.Name) {
		case "host":
			hosts++
			if hosts > 1 {
				return synErr("duplicate host header", req.HeadLen)
			}
			if !validHost(hd.Value) {
				return synErr("bad host header", req.HeadLen)
			}
			req.Host = hd.Value
		case "expect":
			if req.Minor > 0 && equalFold(hd.Value, "100-continue") {
				req.Expect100 = true
			}
		}
	}
	switch {
	case hosts == 0 && req.Minor > 0:
		return synErr("missing host header", req.HeadLen)
	case req.Authority != nil && req.Host != nil && string(req.Method) != "CONNECT" &&
		!sameAuthority(req.URI, req.Authority, req.Host):
		return synErr("host header differs from the target's authority", req.HeadLen)
	case req.Chunked && req.Minor == 0:
		return synErr("transfer-encoding in an HTTP/1.0 request", req.HeadLen)
	}
	return nil
}

// ParseResponse parses the response head at the start of buf into resp.
func ParseResponse(buf []byte, max int, resp *Response) error {
	resp.reset()
	resp.Proto, resp.Reason, resp.Line = nil, nil, nil
	resp.Status = 0
	b := buf
	if len(b) > max {
		b = b[:max]
	}
	lf, end := nextLine(b, 0)
	if lf < 0 {
		return needMore(len(buf), max)
	}
	line := b[:end]
	resp.Line = line
	if len(line) < 12 || line[8] != ' ' {
		return synErr("bad status line", 0)
	}
	minor, ok := parseVersion(line[:8])
	if !ok {
		return synErr("bad response version", 0)
	}
	resp.Minor = minor
	resp.Proto = line[:8]
	st := 0
	for j := 9; j < 12; j++ {
		c := line[j]
		if c < '0' || c > '9' {
			return synErr("bad status code", j)
		}
		st = st*10 + int(c-'0')
	}
	if st < 100 {
		return synErr("bad status code", 9)
	}
	resp.Status = st
	if len(line) > 12 {
		if line[12] != ' ' {
			return synErr("bad status line", 12)
		}
		resp.Reason = line[13:]
	}
	return parseHeaders(buf, b, lf+1, max, &resp.Message)
}

func needMore(n, max int) error {
	if n >= max {
		return ErrTooLarge
	}
	return ErrNeedMore
}

// parseVersion accepts "HTTP/1.0" and "HTTP/1.1" (and 1.x, treated as 1.1).
func parseVersion(p []byte) (int, bool) {
	if len(p) != 8 || string(p[:7]) != "HTTP/1." || p[7] < '0' || p[7] > '9' {
		return 0, false
	}
	if p[7] == '0' {
		return 0, true
	}
	return 1, true
}

// parseHeaders parses header lines from b[i:] into m; buf is the whole
// buffer (for the need-more decision), b the part within max.
func parseHeaders(buf, b []byte, i, max int, m *Message) error {
	sawCL, sawTE := false, false
	for {
		lf, end := nextLine(b, i)
		if lf < 0 {
			return needMore(len(buf), max)
		}
		if end == i { // empty line: end of head
			m.HeadLen = lf + 1
			break
		}
		c := b[i]
		if c == ' ' || c == '\t' {
			return synErr("obsolete line folding", i)
		}
		// name
		j := i
		for j < end && tchar[b[j]] {
			if b[j] >= 'A' && b[j] <= 'Z' {
				b[j] += 'a' - 'A'
			}
			j++
		}
		if j == i || j >= end || b[j] != ':' {
			return synErr("bad header name", j)
		}
		name := b[i:j]
		// value, trimmed of optional whitespace
		v := j + 1
		for v < end && (b[v] == ' ' || b[v] == '\t') {
			v++
		}
		e := end
		for e > v && (b[e-1] == ' ' || b[e-1] == '\t') {
			e--
		}
		for k := v; k < e; k++ {
			if c := b[k]; (c < ' ' && c != '\t') || c == 0x7f {
				return synErr("bad character in header value", k)
			}
		}
		val := b[v:e]
		if lookAlike(name) {
			return synErr("header name too close to a framing header", i)
		}
		switch len(name) {
		case 10:
			if string(name) == "connection" {
				parseConnection(val, m)
			}
		case 7:
			if string(name) == "upgrade" {
				m.HasUpgrade = true
			}
		case 14:
			if string(name) == "content-length" {
				n, first, ok := parseContentLength(val)
				if !ok || (sawCL && n != m.ContentLength) {
					return synErr("bad or conflicting content-length", v)
				}
				if sawCL {
					// One content-length goes on, whatever the
					// repeats (row R13).
					i = lf + 1
					continue
				}
				val = val[:first]
				sawCL = true
				m.ContentLength = n
			}
		case 17:
			if string(name) == "transfer-encoding" {
				if sawTE || !equalFold(val, "chunked") {
					return synErr("unsupported transfer-encoding", v)
				}
				sawTE = true
				m.Chunked = true
			}
		}
		if len(m.Headers)+1 >= m.maxHeaders() {
			return synErr("too many header fields", i)
		}
		m.Headers = append(m.Headers, Header{Name: name, Value: val})
		i = lf + 1
	}
	if sawCL && sawTE {
		return synErr("both content-length and transfer-encoding", 0)
	}
	return nil
}

// parseContentLength accepts digits, or a comma-separated list of equal
// values ("5, 5"), as HAProxy does; first is the end of the first
// value's digits in v, what goes on to the server.
func parseContentLength(v []byte) (n int64, first int, ok bool) {
	n = -1
	i := 0
	for {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		start := i
		var x int64
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			if x > (1<<62)/10 {
				return 0, 0, false
			}
			x = x*10 + int64(v[i]-'0')
			i++
		}
		if i == start || (n >= 0 && x != n) {
			return 0, 0, false
		}
		if n < 0 {
			first = i
		}
		n = x
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i == len(v) {
			return n, first, true
		}
		if v[i] != ',' {
			return 0, 0, false
		}
		i++
	}
}

// parseConnection records the close, keep-alive and upgrade tokens.
func parseConnection(v []byte, m *Message) {
	i := 0
	for i < len(v) {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == ',') {
			i++
		}
		s := i
		for i < len(v) && v[i] != ',' && v[i] != ' ' && v[i] != '\t' {
			i++
		}
		tok := v[s:i]
		switch {
		case equalFold(tok, "close"):
			m.ConnClose = true
		case equalFold(tok, "keep-alive"):
			m.ConnKeepAlive = true
		case equalFold(tok, "upgrade"):
			m.ConnUpgrade = true
		}
	}
}

// equalFold reports whether b equals the lowercase ASCII string s, ignoring
// case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// EqualFold reports whether b equals the lowercase ASCII string s,
// ignoring ASCII case.
func EqualFold(b []byte, s string) bool { return equalFold(b, s) }

// BodyKind says how a message body is delimited.
type BodyKind uint8

// Body kinds.
const (
	// BodyNone: no body (or a zero Content-Length).
	BodyNone BodyKind = iota
	// BodyLength: Content-Length bytes.
	BodyLength
	// BodyChunked: chunked transfer coding.
	BodyChunked
	// BodyUntilClose: the body ends when the server closes (responses only).
	BodyUntilClose
)

// RequestBody returns how the request body is delimited.
func (r *Request) RequestBody() BodyKind {
	switch {
	case r.Chunked:
		return BodyChunked
	case r.ContentLength > 0:
		return BodyLength
	}
	return BodyNone
}

// ResponseBody returns how a response body is delimited, given whether
// the request was HEAD.
func (r *Response) ResponseBody(head bool) BodyKind {
	if head || r.Status < 200 || r.Status == 204 || r.Status == 304 {
		return BodyNone
	}
	switch {
	case r.Chunked:
		return BodyChunked
	case r.ContentLength == 0:
		return BodyNone
	case r.ContentLength > 0:
		return BodyLength
	}
	return BodyUntilClose
}

// sameAuthority reports whether an absolute-form target's authority and
// the Host header name the same origin: equal but for case, or but for
// the scheme's default port written on one side only (http://h:80/ with
// Host: h), as HAProxy's scheme-based normalization treats them.
func sameAuthority(uri, auth, host []byte) bool {
	if bytesEqualFold(auth, host) {
		return true
	}
	port := ":80"
	if len(uri) >= 8 && equalFold(uri[:8], "https://") {
		port = ":443"
	}
	strip := func(b []byte) []byte {
		if len(b) > len(port) && string(b[len(b)-len(port):]) == port {
			return b[:len(b)-len(port)]
		}
		return b
	}
	return bytesEqualFold(strip(auth), strip(host))
}
