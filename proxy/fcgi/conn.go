package fcgi

import (
	"bufio"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/goha/goha/proxy/http1"
)

// ReadBufSize is the size of a Conn's record reader: the most of the
// application's answer a Conn holds.
const ReadBufSize = 16384

// nextID returns the request id after id: each request on a connection
// takes the next one, as HAProxy's do, so that the records of an answer
// still arriving are never mistaken for the next one's (and a server
// still forgetting the previous request never sees its id again).
func nextID(id uint16) uint16 { return id%65535 + 1 }

// Conn is a FastCGI connection seen as an HTTP/1.1 one: Write takes an
// HTTP/1.1 request (head, then body, possibly over many writes and from
// another goroutine than Read), Read returns the HTTP/1.1 response. One
// request at a time; the next may follow once the response was read.
type Conn struct {
	nc     net.Conn
	app    *App
	stderr func(line []byte)
	meta   Meta

	w writeSide
	r readSide

	mu     sync.Mutex
	broken error // a failure that makes the connection unusable
}

// NewConn returns a gateway over nc, a connection to a FastCGI
// application. stderr (may be nil) receives the application's STDERR
// lines, without their line end.
func NewConn(nc net.Conn, app *App, stderr func(line []byte)) *Conn {
	c := &Conn{nc: nc, app: app, stderr: stderr}
	c.r.ended, c.r.eos = true, true
	c.r.br = bufio.NewReaderSize(nc, ReadBufSize)
	return c
}

// Prepare gives the Conn what the next request's parameters need
// beyond its bytes; the stream calls it before writing the request.
func (c *Conn) Prepare(m Meta) { c.meta = m }

// Unwrap returns the connection to the application.
func (c *Conn) Unwrap() net.Conn { return c.nc }

// Close closes the connection to the application.
func (c *Conn) Close() error { return c.nc.Close() }

// LocalAddr and RemoteAddr are the application connection's.
func (c *Conn) LocalAddr() net.Addr  { return c.nc.LocalAddr() }
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// SetDeadline, SetReadDeadline and SetWriteDeadline apply to the
// application connection.
func (c *Conn) SetDeadline(t time.Time) error      { return c.nc.SetDeadline(t) }
func (c *Conn) SetReadDeadline(t time.Time) error  { return c.nc.SetReadDeadline(t) }
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

// fail records the error that makes the connection unusable.
func (c *Conn) fail(err error) error {
	c.mu.Lock()
	if c.broken == nil {
		c.broken = err
	}
	c.mu.Unlock()
	return err
}

func (c *Conn) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.broken
}

// Write states.
const (
	wHead    = iota // reading the request head
	wLength         // a Content-Length body: left bytes to go
	wChunked        // a chunked body
)

// writeSide is the request half of a Conn.
type writeSide struct {
	state int
	head  []byte
	req   http1.Request
	left  int64
	cs    http1.ChunkScanner
	out   []byte
	pairs []byte // the parameters' encoding, reused
	id    uint16 // the current request's id
}

// reqInfo is what the response half needs to know of the request.
type reqInfo struct {
	head, expect bool
	minor        int
}

// Write takes the next bytes of the HTTP/1.1 request.
func (c *Conn) Write(p []byte) (int, error) {
	if err := c.failed(); err != nil {
		return 0, err
	}
	w := &c.w
	n := len(p)
	if w.state == wHead {
		used, err := c.writeHead(p)
		if err != nil || used == 0 {
			return n, err
		}
		p = p[used:]
	}
	if err := c.writeBody(p); err != nil {
		return 0, c.fail(err)
	}
	return n, nil
}

// writeHead collects the head; once whole, it sends BEGIN_REQUEST, the
// parameters and the body at hand. used is what p gave beyond the head
// (0 while the head is incomplete).
func (c *Conn) writeHead(p []byte) (int, error) {
	w := &c.w
	start := len(w.head)
	w.head = append(w.head, p...)
	err := http1.ParseRequest(w.head, len(w.head)+1, &w.req)
	if err == http1.ErrNeedMore {
		if len(w.head) > 1<<20 {
			return 0, c.fail(errors.New("fcgi: request head over 1 MiB"))
		}
		return 0, nil
	}
	if err != nil {
		return 0, c.fail(err)
	}
	req := &w.req
	body := w.head[req.HeadLen:]
	atHand := int64(0)
	switch {
	case req.Chunked:
		atHand = chunkedAtHand(body)
		w.state, w.cs = wChunked, http1.ChunkScanner{}
	case req.ContentLength > 0:
		w.state, w.left = wLength, req.ContentLength
		atHand = min(int64(len(body)), req.ContentLength)
	}
	w.id = nextID(w.id)
	c.r.setRequest(w.id, reqInfo{head: http1.EqualFold(req.Method, "HEAD"), expect: req.Expect100, minor: req.Minor})
	out := AppendBeginRequest(w.out[:0], w.id, c.app.KeepConn)
	out, err = c.appendParams(out, atHand)
	if err != nil {
		return 0, c.fail(err)
	}
	if w.state == wHead {
		out = AppendHeader(out, TypeStdin, w.id, 0)
	}
	w.out = out
	if _, err := c.nc.Write(out); err != nil {
		return 0, c.fail(err)
	}
	w.head = w.head[:0]
	if w.state == wHead {
		return len(p), nil
	}
	return req.HeadLen - start, nil
}

// appendParams appends the PARAMS records of the request and the empty
// one ending them.
func (c *Conn) appendParams(out []byte, atHand int64) ([]byte, error) {
	m := c.meta
	if auth := c.w.req.Get("authorization"); auth != nil {
		user, typ := AuthParams(auth)
		m.Params = append([]Pair{{"AUTH_TYPE", typ}, {"REMOTE_USER", user}}, m.Params...)
	}
	pairs, err := AppendParams(c.w.pairs[:0], &c.w.req, c.app, &m, atHand)
	if err != nil {
		return out, err
	}
	c.w.pairs = pairs
	out = AppendRecord(out, TypeParams, c.w.id, pairs)
	return AppendHeader(out, TypeParams, c.w.id, 0), nil
}

// chunkedAtHand is the length of the chunked body data in b.
func chunkedAtHand(b []byte) int64 {
	var cs http1.ChunkScanner
	var n int64
	cs.Decode(b, func(d []byte) { n += int64(len(d)) })
	return n
}

// writeBody sends body bytes as STDIN records, and the empty record at
// the end of the body.
func (c *Conn) writeBody(p []byte) error {
	w := &c.w
	switch w.state {
	case wLength:
		n := int64(len(p))
		if n > w.left {
			n = w.left
		}
		w.left -= n
		return c.sendStdin(p[:n], w.left == 0)
	case wChunked:
		var err error
		_, done, serr := w.cs.Decode(p, func(d []byte) {
			if err == nil {
				err = c.sendStdin(d, false)
			}
		})
		if err == nil && serr != nil {
			err = serr
		}
		if err == nil && done {
			err = c.sendStdin(nil, true)
		}
		return err
	}
	return nil
}

// sendStdin sends data as STDIN records, with the empty record after
// it when last.
func (c *Conn) sendStdin(data []byte, last bool) error {
	w := &c.w
	for len(data) > 0 || last {
		n := min(len(data), MaxContent)
		hdr := AppendHeader(w.out[:0], TypeStdin, w.id, n)
		bufs := net.Buffers{hdr, data[:n]}
		data = data[n:]
		if len(data) == 0 && last {
			if n > 0 {
				bufs = append(bufs, AppendHeader(nil, TypeStdin, w.id, 0))
			}
			last = false
			w.state = wHead
		}
		if _, err := bufs.WriteTo(c.nc); err != nil {
			return err
		}
		w.out = hdr
	}
	return nil
}

// Read returns the next bytes of the HTTP/1.1 response.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.r.read(c, p)
	if err != nil && n == 0 {
		if errors.Is(err, ErrProtocol) || err != io.EOF {
			c.fail(err)
		}
		return 0, err
	}
	return n, nil
}
