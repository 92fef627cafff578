package h2

import (
	"encoding/binary"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// writer serializes the frames the goroutines of one connection send.
// Each writer takes mu, writes its frames into the buffer and, if no
// other writer is queued behind it, flushes: a burst of streams answering
// at once costs one syscall, a lone answer is not delayed.
type writer struct {
	c       net.Conn
	timeout time.Duration

	waiting atomic.Int32 // writers holding or waiting for mu
	mu      sync.Mutex
	bw      *lazyWriter
	fr      *http2.Framer // its write half; the read half is the reader's
	hbuf    []byte        // the header block being encoded
	wdl     time.Time     // the write deadline set on c
	err     error         // first write error: the connection is dead after it
	owed    bool          // a writer wanted a flush and left it to the writers queued behind
	dataHdr [9]byte
}

// newWriter returns a writer on c; the Framer's read half is set up by
// the caller on the same Framer.
func newWriter(c net.Conn, fr *http2.Framer, bw *lazyWriter, timeout time.Duration) *writer {
	w := &writer{c: c, timeout: timeout, bw: bw, fr: fr}
	return w
}

// do runs f with the writer held and flushes unless another writer is
// queued. It returns the connection's write error, if any.
func (w *writer) do(f func(fr *http2.Framer) error) error { return w.doFlush(f, true) }

// doFlush is do, flushing only if flush is set (and no writer is queued):
// the reader answers a burst of PINGs or SETTINGS with one write at the
// end of the burst.
func (w *writer) doFlush(f func(fr *http2.Framer) error, flush bool) error {
	w.waiting.Add(1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.armDeadline()
		if err := f(w.fr); err != nil {
			w.err = err
		}
	}
	if flush {
		w.owed = true
	}
	if flush && w.waiting.Load() == 1 && w.err == nil {
		// Let the writers that are about to come join this write.
		w.mu.Unlock()
		runtime.Gosched()
		w.mu.Lock()
	}
	if w.waiting.Add(-1) == 0 && w.owed && w.err == nil && w.bw.buffered() > 0 {
		w.err = w.bw.flush()
		w.owed = false
	}
	return w.err
}

// armDeadline bounds the writes about to be made by the timeout. The
// deadline on c moves only when less than half the timeout is left, so
// that a busy connection does not reset its poller timer at each frame:
// a write may then be given between half the timeout and the timeout.
// Callers hold mu.
func (w *writer) armDeadline() {
	if w.timeout <= 0 {
		return
	}
	now := time.Now()
	if w.wdl.Sub(now) < w.timeout/2 {
		w.wdl = now.Add(w.timeout)
		w.c.SetWriteDeadline(w.wdl)
	}
}

// flush sends what doFlush left buffered; it costs nothing when the
// buffer is empty.
func (w *writer) flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil && w.bw.buffered() > 0 {
		w.armDeadline()
		w.err = w.bw.flush()
	}
	return w.err
}

// writeData writes a DATA frame straight into the connection's buffer:
// the Framer would copy the payload into its own buffer and keep that
// buffer, as large as the largest frame, for the connection's life.
// Callers hold w.mu (inside do).
func (w *writer) writeData(id uint32, end bool, p []byte) error {
	h := &w.dataHdr
	h[0], h[1], h[2] = byte(len(p)>>16), byte(len(p)>>8), byte(len(p))
	h[3], h[4] = byte(http2.FrameData), 0
	if end {
		h[4] = byte(http2.FlagDataEndStream)
	}
	binary.BigEndian.PutUint32(h[5:], id)
	if _, err := w.bw.Write(h[:]); err != nil {
		return err
	}
	_, err := w.bw.Write(p)
	return err
}

// headerField is one field to encode; both halves are plain strings so
// the encoder needs no conversion.
type headerField = hpack.HeaderField

// writeHeaders encodes fields and writes them as writeBlock does.
// Callers hold w.mu (inside do).
func (w *writer) writeHeaders(fr *http2.Framer, id uint32, fields []headerField, end bool, maxFrame uint32) error {
	w.hbuf = w.hbuf[:0]
	for _, f := range fields {
		w.hbuf = appendField(w.hbuf, f)
	}
	err := w.writeBlock(fr, id, w.hbuf, end, maxFrame)
	if cap(w.hbuf) > 4096 {
		w.hbuf = nil // a large head does not pin its buffer
	}
	return err
}

// writeBlock writes an encoded header block as HEADERS and as many
// CONTINUATION frames as maxFrame requires. Callers hold w.mu.
func (w *writer) writeBlock(fr *http2.Framer, id uint32, block []byte, end bool, maxFrame uint32) error {
	first := true
	for first || len(block) > 0 {
		frag := block
		if uint32(len(frag)) > maxFrame {
			frag = frag[:maxFrame]
		}
		block = block[len(frag):]
		var err error
		if first {
			err = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: frag,
				EndStream: end, EndHeaders: len(block) == 0})
		} else {
			err = fr.WriteContinuation(id, len(block) == 0, frag)
		}
		if err != nil {
			return err
		}
		first = false
	}
	return nil
}
