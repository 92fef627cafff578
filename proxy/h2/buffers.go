package h2

import (
	"bufio"
	"net"
	"sync"
)

// An idle HTTP/2 connection holds no I/O buffer: the reader waits for the
// next byte without one and the writer gives its buffer back after each
// flush, as HAProxy releases the buffers of an idle connection.

const ioBufSize = 4096

var (
	readerPool = sync.Pool{New: func() any { return new([ioBufSize]byte) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, ioBufSize) }}
)

// lazyReader is the Framer's reader: a pooled buffer while bytes are
// there to read, none while it waits for the peer. On a socket (raw set)
// the buffer is taken inside the poller's read callback, once bytes are
// there, and the read into it is the same syscall that finds them: no
// peek first.
type lazyReader struct {
	nc     net.Conn
	raw    *rawReader  // nil if nc cannot be read that way (TLS)
	peeked *peekedConn // nc when it replays sniffed bytes, read first
	buf    *[ioBufSize]byte
	r, w   int
}

// newLazyReader returns the reader of nc.
func newLazyReader(nc net.Conn) *lazyReader {
	l := &lazyReader{nc: nc, raw: rawReaderFor(nc)}
	l.peeked, _ = nc.(*peekedConn)
	return l
}

// Read reads through the buffer. When the buffer is empty it gives it
// back and reads anew: a read of at least a buffer's size goes straight
// into p.
func (l *lazyReader) Read(p []byte) (int, error) {
	if l.r == l.w {
		if l.peeked != nil && l.peeked.r != nil && l.peeked.r.Buffered() > 0 {
			return l.peeked.Read(p)
		}
		if l.raw == nil {
			return l.fillWaiting(p)
		}
		l.release()
		if len(p) >= ioBufSize {
			return l.raw.read(p, nil)
		}
		n, err := l.raw.read(nil, &l.buf)
		if n == 0 {
			return 0, err
		}
		l.r, l.w = 0, n
	}
	n := copy(p, l.buf[l.r:l.w])
	l.r += n
	return n, nil
}

// fillWaiting is Read on a conn without a raw reader: the buffer is held
// while waiting.
func (l *lazyReader) fillWaiting(p []byte) (int, error) {
	if len(p) >= ioBufSize {
		l.release()
		return l.nc.Read(p)
	}
	if l.buf == nil {
		l.buf = readerPool.Get().(*[ioBufSize]byte)
	}
	n, err := l.nc.Read(l.buf[:])
	l.r, l.w = 0, n
	if n == 0 {
		return 0, err
	}
	n = copy(p, l.buf[:l.w])
	l.r = n
	return n, nil
}

// buffered returns the bytes read and not consumed yet.
func (l *lazyReader) buffered() int { return l.w - l.r }

// peek returns the next n buffered bytes (n <= buffered()).
func (l *lazyReader) peek(n int) []byte { return l.buf[l.r : l.r+n] }

// release gives the buffer back (what it held is dropped).
func (l *lazyReader) release() {
	if l.buf != nil {
		readerPool.Put(l.buf)
		l.buf = nil
	}
	l.r, l.w = 0, 0
}

// lazyWriter is the Framer's writer: a pooled bufio.Writer taken by the
// first write and given back by the flush that empties it. Only the
// holder of writer.mu uses it.
type lazyWriter struct {
	nc net.Conn
	bw *bufio.Writer
}

// Write buffers p, taking a pooled buffer first if none is held.
func (l *lazyWriter) Write(p []byte) (int, error) {
	if l.bw == nil {
		l.bw = writerPool.Get().(*bufio.Writer)
		l.bw.Reset(l.nc)
	}
	return l.bw.Write(p)
}

func (l *lazyWriter) buffered() int {
	if l.bw == nil {
		return 0
	}
	return l.bw.Buffered()
}

// flush writes what is buffered and gives the buffer back.
func (l *lazyWriter) flush() error {
	if l.bw == nil {
		return nil
	}
	err := l.bw.Flush()
	if err == nil {
		l.bw.Reset(nil)
		writerPool.Put(l.bw)
		l.bw = nil
	}
	return err
}
