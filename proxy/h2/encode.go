package h2

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/goha/goha/proxy/http1"
)

// h1Encoder turns the HTTP/1.1 message written into a StreamConn (a
// response on the server side, a request on the client side) into
// frames: the head with proxy/http1's parser, then the body as DATA.
type h1Encoder struct {
	state   uint8
	head    []byte // head bytes gathered until the head is complete
	kind    http1.BodyKind
	left    int64
	chunks  http1.ChunkScanner
	tail    []byte // chunked: bytes since the last data, to find trailers
	sawData bool
	more    bool // body bytes follow the head in the same write: flush with them
	resp    *http1.Response
	req     *http1.Request
	fields  []headerField
	block   []byte      // the head's HPACK block
	sc      *encScratch // where head, resp, req, fields and block come from
}

// encScratch is the per-message work area of an encoder, pooled: a
// stream's conversion reuses the buffers of a finished one.
type encScratch struct {
	head   []byte
	resp   http1.Response
	req    http1.Request
	fields []headerField
	block  []byte
}

var scratchPool = sync.Pool{New: func() any { return new(encScratch) }}

// acquire takes a work area from the pool.
func (e *h1Encoder) acquire() {
	sc := scratchPool.Get().(*encScratch)
	e.sc, e.head, e.resp, e.req, e.fields, e.block = sc, sc.head[:0], &sc.resp, &sc.req, sc.fields[:0], sc.block[:0]
}

// release gives the work area back (the encoder is not used after).
func (e *h1Encoder) release() {
	sc := e.sc
	if sc == nil {
		return
	}
	clear(e.fields[:cap(e.fields)])
	sc.head, sc.fields, sc.block = e.head[:0], e.fields[:0], e.block[:0]
	if cap(sc.head) > 4096 {
		sc.head = nil
	}
	if cap(sc.block) > 4096 {
		sc.block = nil
	}
	e.sc, e.head, e.resp, e.req, e.fields, e.tail, e.block = nil, nil, nil, nil, nil, nil, nil
	scratchPool.Put(sc)
}

const (
	encHead = iota
	encBody
	encDone
)

var errAfterEnd = errors.New("h2: bytes written after the end of the message")

// write consumes p; see StreamConn.Write.
func (e *h1Encoder) write(p []byte, s *StreamConn) (int, error) {
	total := len(p)
	for len(p) > 0 {
		var k int
		var err error
		switch e.state {
		case encHead:
			k, err = e.writeHead(p, s)
		case encBody:
			k, err = e.writeBody(p, s)
		default:
			err = errAfterEnd
		}
		p = p[k:]
		if err != nil {
			return total - len(p), err
		}
	}
	return total, nil
}

func (e *h1Encoder) untilClose() bool { return e.state == encBody && e.kind == http1.BodyUntilClose }

// writeHead gathers head bytes from p and, once the head is complete,
// sends it; it returns how many bytes of p belonged to the head.
func (e *h1Encoder) writeHead(p []byte, s *StreamConn) (int, error) {
	max := s.c.opts.MaxHeadBytes
	if e.sc == nil {
		e.acquire()
	}
	old := len(e.head)
	take := min(len(p), max+1-old)
	e.head = append(e.head, p[:take]...)
	var headLen int
	var err error
	if s.c.client {
		headLen, err = e.parseRequest(max)
	} else {
		headLen, err = e.parseResponse(max)
	}
	if errors.Is(err, http1.ErrNeedMore) {
		return take, nil
	}
	if err != nil {
		return 0, fmt.Errorf("h2: converting the HTTP/1.1 head of stream %d: %w", s.id, err)
	}
	e.more = len(p) > headLen-old
	end, err := e.sendHead(s)
	e.head = e.head[:0]
	if err != nil {
		return headLen - old, err
	}
	if end {
		e.state = encDone
	}
	return headLen - old, nil
}

func (e *h1Encoder) parseResponse(max int) (int, error) {
	if e.resp == nil {
		e.resp = new(http1.Response)
	}
	err := http1.ParseResponse(e.head, max, e.resp)
	return e.resp.HeadLen, err
}

func (e *h1Encoder) parseRequest(max int) (int, error) {
	if e.req == nil {
		e.req = new(http1.Request)
	}
	err := http1.ParseRequest(e.head, max, e.req)
	return e.req.HeadLen, err
}

// sendHead sends the parsed head as HEADERS; end says the message is
// over (no body). An interim 1xx response leaves the encoder waiting for
// the next head. The head's fields are encoded straight from the parsed
// bytes.
func (e *h1Encoder) sendHead(s *StreamConn) (end bool, err error) {
	var m *http1.Message
	e.block = e.block[:0]
	if s.c.client {
		m = &e.req.Message
		e.requestPseudo(s)
		e.kind = e.req.RequestBody()
	} else {
		m = &e.resp.Message
		if e.resp.Status == 101 {
			return false, errors.New("h2: a 101 protocol switch cannot go over HTTP/2")
		}
		e.block = appendField(e.block, headerField{Name: ":status", Value: statusText(e.resp.Status)})
		s.c.mu.Lock()
		e.kind = e.resp.ResponseBody(s.isHead)
		s.c.mu.Unlock()
	}
	for _, h := range m.Headers {
		name := string(h.Name) // no copy: compared only
		if connectionSpecific[name] || name == "host" || name == "te" && !http1.EqualFold(h.Value, "trailers") {
			continue
		}
		e.block = appendFieldBytes(e.block, h.Name, h.Value)
	}
	if !s.c.client && e.resp.Status < 200 {
		return false, s.sendBlock(e.block, false, true)
	}
	e.left, e.sawData = m.ContentLength, false
	e.chunks.Reset()
	e.state = encBody
	end = e.kind == http1.BodyNone
	return end, s.sendBlock(e.block, end, end || !e.more)
}

// requestPseudo puts the pseudo-header fields of the parsed request
// first: :authority from the absolute-form target or Host.
func (e *h1Encoder) requestPseudo(s *StreamConn) {
	r := e.req
	method := string(r.Method)
	s.c.mu.Lock()
	s.isHead = method == "HEAD"
	s.c.mu.Unlock()
	auth := r.Authority
	if auth == nil {
		auth = r.Host
	}
	e.block = appendField(e.block, headerField{Name: ":method", Value: method})
	if method == "CONNECT" {
		e.block = appendString(appendName(e.block, 0, ":authority"), r.URI)
		return
	}
	path := r.URI
	if r.Authority != nil { // absolute-form: keep the path
		if i := bytes.Index(path, []byte("://")); i >= 0 {
			path = path[i+3:]
			if j := bytes.IndexByte(path, '/'); j >= 0 {
				path = path[j:]
			} else {
				path = []byte("/")
			}
		}
	}
	e.block = appendField(e.block, headerField{Name: ":scheme", Value: s.c.scheme})
	e.block = appendString(appendName(e.block, 0, ":authority"), auth)
	e.block = appendString(appendName(e.block, 0, ":path"), path)
}

// writeBody sends body bytes from p; it returns how many belonged to
// the body.
func (e *h1Encoder) writeBody(p []byte, s *StreamConn) (int, error) {
	switch e.kind {
	case http1.BodyLength:
		n := int(min(int64(len(p)), e.left))
		e.left -= int64(n)
		if e.left == 0 {
			e.state = encDone
		}
		return n, s.sendData(p[:n], e.left == 0)
	case http1.BodyChunked:
		return e.writeChunked(p, s)
	}
	return len(p), s.sendData(p, false) // until close
}

// writeChunked decodes chunked bytes into DATA frames; the trailer
// section becomes a last HEADERS frame.
func (e *h1Encoder) writeChunked(p []byte, s *StreamConn) (int, error) {
	var serr error
	lastEnd := -1
	n, done, err := e.chunks.Decode(p, func(d []byte) {
		lastEnd = cap(p) - cap(d) + len(d)
		e.sawData = true
		if serr == nil {
			serr = s.sendData(d, false)
		}
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return n, err
	}
	if lastEnd >= 0 {
		e.tail = append(e.tail[:0], p[lastEnd:n]...)
	} else {
		e.tail = append(e.tail, p[:n]...)
	}
	if len(e.tail) > s.c.opts.MaxHeadBytes {
		return n, errors.New("h2: chunked trailer section too large")
	}
	if !done {
		return n, nil
	}
	e.state = encDone
	trailers := e.trailers()
	e.tail = nil
	if len(trailers) > 0 {
		return n, s.sendHeaders(trailers, true, true)
	}
	return n, s.sendData(nil, true)
}

// trailers returns the trailer fields of the chunked body's end kept in
// tail (already checked by the chunk scanner), names lowercased.
func (e *h1Encoder) trailers() []headerField {
	t := e.tail
	if e.sawData {
		t = bytes.TrimPrefix(t, []byte("\r\n"))
	}
	if i := bytes.IndexByte(t, '\n'); i >= 0 {
		t = t[i+1:] // the last-chunk line
	}
	e.fields = e.fields[:0]
	for len(t) > 0 {
		line := t
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			line, t = t[:i], t[i+1:]
		} else {
			t = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name := string(bytes.ToLower(line[:colon]))
		value := string(bytes.Trim(line[colon+1:], " \t"))
		e.fields = append(e.fields, headerField{Name: name, Value: value})
	}
	return e.fields
}

// statusText returns the three digits of status without allocating for
// the common ones.
func statusText(status int) string {
	if s, ok := commonStatus[status]; ok {
		return s
	}
	return strconv.Itoa(status)
}

var commonStatus = func() map[int]string {
	m := map[int]string{}
	for _, st := range []int{100, 103, 200, 201, 204, 206, 301, 302, 303, 304, 307, 308,
		400, 401, 403, 404, 405, 408, 413, 421, 429, 431, 500, 502, 503, 504} {
		m[st] = strconv.Itoa(st)
	}
	return m
}()
