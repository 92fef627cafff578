package stream

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/goha/goha/proxy/http1"
)

// CapturedErr is the last invalid request (frontend) or response
// (backend) a proxy rejected, kept for the runtime API's `show errors`.
type CapturedErr struct {
	// When the message was rejected; Peer the client's address.
	When time.Time
	Peer string
	// Server is the server that sent an invalid response ("" for a
	// request); Reason says why the message was rejected.
	Server string
	Reason string
	// Pos is the byte of Data where parsing failed, -1 if unknown.
	Pos int
	// Data is a copy of the head as received, bounded by tune.bufsize;
	// header names the parser already went over are lowercased (it
	// folds them in place, and copying every head first would cost the
	// hot path).
	Data []byte
}

// errCapture keeps one proxy's last error. It is written only when a
// message is rejected, never on the normal path.
type errCapture struct {
	mu   sync.Mutex
	last CapturedErr
	ok   bool
}

// record copies data (at most max bytes) as the last captured error.
func (c *errCapture) record(peer net.Addr, server string, err error, data []byte, max int) {
	if max > 0 && len(data) > max {
		data = data[:max]
	}
	e := CapturedErr{When: time.Now(), Server: server, Pos: -1, Data: append([]byte(nil), data...)}
	if peer != nil {
		e.Peer = peer.String()
	}
	var se *http1.SyntaxError
	switch {
	case errors.As(err, &se):
		e.Reason, e.Pos = se.Reason, se.Offset
	case err != nil:
		e.Reason = err.Error()
	}
	c.mu.Lock()
	c.last, c.ok = e, true
	c.mu.Unlock()
}

func (c *errCapture) get() (CapturedErr, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last, c.ok
}

// LastError returns the last invalid request this frontend rejected
// with a 400, if any.
func (f *Frontend) LastError() (CapturedErr, bool) { return f.reqErr.get() }

// LastError returns the last invalid response a server of this backend
// sent (answered with a 502), if any.
func (be *Backend) LastError() (CapturedErr, bool) { return be.rspErr.get() }
