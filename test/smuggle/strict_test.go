package smuggle

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// errMore means the strict parser needs more bytes.
var errMore = errors.New("need more")

// strictServer is an HTTP/1.1 origin that refuses anything ambiguous
// and records what it receives, per connection.
type strictServer struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []*connRecord
	open  int
	wg    sync.WaitGroup
}

// connRecord is what one server connection received.
type connRecord struct {
	raw     []byte
	targets []string // accepted requests' targets, in order
	refused string   // why the server refused, "" if it did not
}

func newStrictServer(t *testing.T) *strictServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &strictServer{ln: ln}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *strictServer) addr() string { return s.ln.Addr().String() }

func (s *strictServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		rec := &connRecord{}
		s.mu.Lock()
		s.conns = append(s.conns, rec)
		s.open++
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c, rec)
			c.Close()
			s.mu.Lock()
			s.open--
			s.mu.Unlock()
		}()
	}
}

// idle reports whether every server connection has ended.
func (s *strictServer) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open == 0
}

// records returns a copy of the connection records.
func (s *strictServer) records() []connRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]connRecord, len(s.conns))
	for i, r := range s.conns {
		out[i] = connRecord{raw: append([]byte(nil), r.raw...), targets: append([]string(nil), r.targets...), refused: r.refused}
	}
	return out
}

// handle reads requests strictly, answers each, and records them.
func (s *strictServer) handle(c net.Conn, rec *connRecord) {
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	continued := false
	for {
		req, n, err := parseStrict(buf)
		if err == nil {
			s.mu.Lock()
			rec.targets = append(rec.targets, req.target)
			s.mu.Unlock()
			buf, continued = buf[n:], false
			if !s.answer(c, req, rec) {
				return
			}
			continue
		}
		if err != errMore {
			s.mu.Lock()
			rec.refused = err.Error()
			s.mu.Unlock()
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"))
			return
		}
		if !continued && wantsContinue(buf) {
			// A server that does send 100 Continue (path /continue/).
			continued = true
			c.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		k, rerr := c.Read(tmp)
		s.mu.Lock()
		rec.raw = append(rec.raw, tmp[:k]...)
		s.mu.Unlock()
		buf = append(buf, tmp[:k]...)
		if rerr != nil {
			return
		}
	}
}

// wantsContinue reports whether buf holds a whole head for /continue/
// that expects 100-continue.
func wantsContinue(buf []byte) bool {
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		return false
	}
	head := strings.ToLower(string(buf[:end]))
	return strings.Contains(head, "/continue/") && strings.Contains(head, "\r\nexpect: 100-continue")
}

// answer responds to req; it returns false when the connection is over.
func (s *strictServer) answer(c net.Conn, req *strictReq, rec *connRecord) bool {
	switch {
	case req.method == "CONNECT":
		c.Write([]byte("HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\nx-strict: 1\r\n\r\n"))
		return true
	case req.upgrade && strings.Contains(req.target, "/ws"):
		c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nx-strict: 1\r\n\r\n"))
		// Tunnel: record the rest without parsing it, echo it back.
		tmp := make([]byte, 4096)
		for {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			k, err := c.Read(tmp)
			s.mu.Lock()
			rec.raw = append(rec.raw, tmp[:k]...)
			s.mu.Unlock()
			c.Write(tmp[:k])
			if err != nil {
				return false
			}
		}
	}
	body := "ok " + req.target + "\n"
	fmt.Fprintf(c, "HTTP/1.1 200 OK\r\ncontent-length: %d\r\nx-strict: 1\r\n\r\n%s", len(body), body)
	return !req.close
}

// strictReq is a request the strict server accepted.
type strictReq struct {
	method, target string
	close, upgrade bool
}

var (
	tokenRE     = regexp.MustCompile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")
	hostRE      = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]*)(:[0-9]*)?$`)
	authorityRE = regexp.MustCompile(`^(?i)https?://([^/?#@]+)([/?].*)?$`)
)

// framing names the fields that decide how a message is read; a name
// that differs from one only by '_' for '-' is refused too (CGI-style
// servers fold them together).
var framing = map[string]bool{"content-length": true, "transfer-encoding": true, "host": true}

// parseStrict parses one request at the start of b, refusing anything a
// server could read differently from another: RFC 9112 without any of
// its leniencies.
func parseStrict(b []byte) (*strictReq, int, error) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	head := b
	if end >= 0 {
		head = b[:end+2]
	}
	if err := checkLineEnds(head); err != nil {
		return nil, 0, err
	}
	if end < 0 {
		return nil, 0, errMore
	}
	lines := strings.Split(string(b[:end]), "\r\n")
	req, fields, err := parseStrictLine(lines[0])
	if err != nil {
		return nil, 0, err
	}
	hosts, cls, tes := []string{}, []string{}, []string{}
	connTokens := ""
	hasUpgrade := false
	for _, l := range lines[1:] {
		name, value, err := strictField(l)
		if err != nil {
			return nil, 0, err
		}
		switch name {
		case "host":
			hosts = append(hosts, value)
		case "content-length":
			cls = append(cls, value)
		case "transfer-encoding":
			tes = append(tes, value)
		case "connection":
			connTokens += "," + strings.ToLower(value)
		case "upgrade":
			hasUpgrade = true
		}
	}
	if fields.minor == 1 && len(hosts) != 1 || len(hosts) > 1 {
		return nil, 0, fmt.Errorf("%d host fields", len(hosts))
	}
	if len(hosts) == 1 && !hostRE.MatchString(hosts[0]) {
		return nil, 0, fmt.Errorf("bad host %q", hosts[0])
	}
	if fields.authority != "" && (len(hosts) == 0 || !strings.EqualFold(hosts[0], fields.authority)) {
		return nil, 0, fmt.Errorf("host %q differs from target authority %q", hosts, fields.authority)
	}
	if len(cls) > 1 || len(tes) > 1 || len(cls)+len(tes) > 1 {
		return nil, 0, fmt.Errorf("framing fields: content-length %q, transfer-encoding %q", cls, tes)
	}
	n := end + 4
	switch {
	case len(tes) == 1:
		if fields.minor == 0 || !strings.EqualFold(tes[0], "chunked") {
			return nil, 0, fmt.Errorf("transfer-encoding %q in HTTP/1.%d", tes[0], fields.minor)
		}
		k, err := strictChunked(b[n:])
		if err != nil {
			return nil, 0, err
		}
		n += k
	case len(cls) == 1:
		if len(cls[0]) > 15 || strings.Trim(cls[0], "0123456789") != "" || cls[0] == "" {
			return nil, 0, fmt.Errorf("bad content-length %q", cls[0])
		}
		l, _ := strconv.Atoi(cls[0])
		if len(b)-n < l {
			return nil, 0, errMore
		}
		n += l
	}
	req.close = strings.Contains(connTokens, "close") || fields.minor == 0 && !strings.Contains(connTokens, "keep-alive")
	req.upgrade = hasUpgrade && strings.Contains(connTokens, "upgrade")
	return req, n, nil
}

// checkLineEnds refuses a CR not followed by LF and an LF not preceded
// by CR (a CR as the last byte may still get its LF).
func checkLineEnds(b []byte) error {
	for i, c := range b {
		switch {
		case c == '\r' && i+1 < len(b) && b[i+1] != '\n':
			return fmt.Errorf("bare CR at %d", i)
		case c == '\n' && (i == 0 || b[i-1] != '\r'):
			return fmt.Errorf("bare LF at %d", i)
		}
	}
	return nil
}

type lineFields struct {
	minor     int
	authority string // of an absolute-form target
}

// parseStrictLine checks the request line: method SP target SP version,
// the target in the one form its method allows.
func parseStrictLine(l string) (*strictReq, lineFields, error) {
	var f lineFields
	parts := strings.Split(l, " ")
	if len(parts) != 3 || !tokenRE.MatchString(parts[0]) {
		return nil, f, fmt.Errorf("bad request line %q", l)
	}
	switch parts[2] {
	case "HTTP/1.1":
		f.minor = 1
	case "HTTP/1.0":
	default:
		return nil, f, fmt.Errorf("bad version %q", parts[2])
	}
	m, t := parts[0], parts[1]
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] >= 0x7f || t[i] == '#' {
			return nil, f, fmt.Errorf("bad byte %#x in target %q", t[i], t)
		}
	}
	switch {
	case m == "CONNECT":
		if !hostRE.MatchString(t) || !strings.Contains(t, ":") {
			return nil, f, fmt.Errorf("bad authority-form %q", t)
		}
	case t == "*":
		if m != "OPTIONS" {
			return nil, f, fmt.Errorf("asterisk-form with %s", m)
		}
	case strings.HasPrefix(t, "/"):
	default:
		sm := authorityRE.FindStringSubmatch(t)
		if sm == nil {
			return nil, f, fmt.Errorf("bad target %q", t)
		}
		f.authority = sm[1]
	}
	return &strictReq{method: m, target: t}, f, nil
}

// strictField splits a field line, refusing folding, whitespace before
// the colon, control bytes and framing-name look-alikes.
func strictField(l string) (name, value string, err error) {
	colon := strings.IndexByte(l, ':')
	if colon <= 0 || !tokenRE.MatchString(l[:colon]) {
		return "", "", fmt.Errorf("bad field line %q", l)
	}
	name = strings.ToLower(l[:colon])
	if strings.Contains(name, "_") && framing[strings.ReplaceAll(name, "_", "-")] {
		return "", "", fmt.Errorf("framing look-alike %q", name)
	}
	value = strings.Trim(l[colon+1:], " \t")
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return "", "", fmt.Errorf("control byte %#x in %q", c, l)
		}
	}
	return name, value, nil
}

var (
	chunkLineRE = regexp.MustCompile("^([0-9A-Fa-f]{1,16})((?:[ \t]*;[ \t]*[!#$%&'*+\\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\\-.^_`|~0-9A-Za-z]+|\"(?:[^\"\\\\\x00-\x08\x0a-\x1f\x7f]|\\\\[\t -~])*\"))?)*)$")
)

// strictChunked returns the length of the chunked body at the start of
// b: RFC 9112 section 7.1 exactly, trailer fields checked as header
// fields, framing fields refused there.
func strictChunked(b []byte) (int, error) {
	i := 0
	for {
		lend := bytes.Index(b[i:], []byte("\r\n"))
		rest := b[i:]
		if lend >= 0 {
			rest = b[i : i+lend+2]
		}
		if err := checkLineEnds(rest); err != nil {
			return 0, fmt.Errorf("chunk size line: %v", err)
		}
		if lend < 0 {
			return 0, errMore
		}
		line := string(b[i : i+lend])
		m := chunkLineRE.FindStringSubmatch(line)
		if m == nil {
			return 0, fmt.Errorf("bad chunk size line %q", line)
		}
		size, _ := strconv.ParseUint(m[1], 16, 64)
		if size > 1<<40 {
			return 0, fmt.Errorf("chunk size %q too large", m[1])
		}
		i += lend + 2
		if size == 0 {
			break
		}
		if uint64(len(b)-i) < size+2 {
			return 0, errMore
		}
		i += int(size)
		if b[i] != '\r' || b[i+1] != '\n' {
			return 0, fmt.Errorf("no CRLF after chunk data at %d", i)
		}
		i += 2
	}
	for {
		lend := bytes.Index(b[i:], []byte("\r\n"))
		rest := b[i:]
		if lend >= 0 {
			rest = b[i : i+lend+2]
		}
		if err := checkLineEnds(rest); err != nil {
			return 0, fmt.Errorf("trailer: %v", err)
		}
		if lend < 0 {
			return 0, errMore
		}
		if lend == 0 {
			return i + 2, nil
		}
		name, _, err := strictField(string(b[i : i+lend]))
		if err != nil {
			return 0, fmt.Errorf("trailer: %v", err)
		}
		if framing[name] {
			return 0, fmt.Errorf("framing field %q in trailer", name)
		}
		i += lend + 2
	}
}
