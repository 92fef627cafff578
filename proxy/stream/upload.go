package stream

import (
	"sync/atomic"
	"time"
)

// upload is a request body streaming from the client to the server in a
// goroutine of its own while the session waits for the response, so that
// the two directions are independent as in HAProxy: a body sent after a
// server ignored "Expect: 100-continue" still flows, and a server that
// answers early (413 after the head of a large upload) is heard at once
// instead of after the upload.
type upload struct {
	res      chan xfer    // the transfer's outcome, once
	sc       *srvConn     // the server connection it writes to
	running  bool         // started and its outcome not yet taken
	aborted  atomic.Bool  // the session no longer wants the body
	sent     atomic.Bool  // the body's last bytes were written to the server
	gone     atomic.Bool  // the client failed while the session had not aborted
	progress atomic.Int64 // Unix ns of the last bytes written to the server
	x        xfer         // the outcome, once taken
}

// startUpload streams the rest of the request body to sc in a
// goroutine. The session takes its outcome with finishUpload.
func (s *httpSession) startUpload(sc *srvConn, be *Backend, rest int64, chunked bool) {
	u := &s.w.up
	if u.res == nil {
		u.res = make(chan xfer, 1)
	}
	u.running, u.sc = true, sc
	u.aborted.Store(false)
	u.sent.Store(false)
	u.gone.Store(false)
	u.progress.Store(time.Now().UnixNano())
	u.x = xfer{}
	go func() {
		x := s.streamRequestBody(sc, be, rest, chunked)
		if x.failed == sideClient && !u.aborted.Load() {
			// The client went: wake the session waiting on the
			// server for a response nobody will read.
			u.gone.Store(true)
			sc.c.Close()
		}
		u.res <- x
	}()
}

// endUpload makes sure no upload outlives its request: one still
// running because the request ended on a path that did not take it
// (an http-response deny, a client gone while its answer was written)
// is cut short. It reports whether one was, in which case the client
// connection cannot be kept: part of its request was never read.
func (s *httpSession) endUpload() bool {
	if !s.w.up.running {
		return false
	}
	s.finishUpload(s.w.up.sc, true)
	s.linger = true
	return true
}

// uploadDone takes the upload's outcome if it has ended, without
// waiting.
func (s *httpSession) uploadDone() bool {
	u := &s.w.up
	if !u.running {
		return true
	}
	select {
	case u.x = <-u.res:
		u.running = false
		return true
	default:
		return false
	}
}

// finishUpload waits for the upload's outcome; with abort, it first
// stops it (the client's read and the server's write are cut short).
// It reports whether the whole body was sent.
func (s *httpSession) finishUpload(sc *srvConn, abort bool) bool {
	u := &s.w.up
	if u.running {
		if abort {
			u.aborted.Store(true)
			s.c.SetReadDeadline(aLongTimeAgo)
			sc.c.SetWriteDeadline(aLongTimeAgo)
		}
		u.x = <-u.res
		u.running = false
		if abort {
			// The deadlines set above are not in the caches.
			s.c.SetReadDeadline(time.Time{})
			s.dl.rd = 0
			sc.c.SetWriteDeadline(time.Time{})
			sc.dl.wd = 0
		}
	}
	return u.x.failed == sideNone && !u.aborted.Load()
}

// uploadActive reports whether the upload wrote to the server within
// d: the server side is busy even if it has not answered yet, and
// timeout server counts inactivity.
func (s *httpSession) uploadActive(now time.Time, d time.Duration) bool {
	u := &s.w.up
	return u.running && now.Sub(time.Unix(0, u.progress.Load())) < d
}

// aLongTimeAgo is a deadline in the past, to cut a blocked read or write
// short.
var aLongTimeAgo = time.Unix(1, 0)

// lingerMax bounds how long a closing connection drains what its
// client still sends (see lingerClose).
const lingerMax = 2 * time.Second

// lingerClose ends a client connection whose request was not read to
// its end: closing at once would answer the unread bytes with a reset
// that can destroy the response before the client reads it, so the
// write side is shut and what the client still sends is read and
// dropped until it closes, for lingerMax at most.
func (s *httpSession) lingerClose() {
	closeWrite(s.c)
	deadline := time.Now().Add(lingerMax)
	s.c.SetReadDeadline(deadline)
	bp := s.rt.bufs.get()
	defer s.rt.bufs.put(bp)
	for {
		if _, err := s.c.Read(*bp); err != nil {
			return
		}
	}
}
