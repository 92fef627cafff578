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
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, ioBufSize) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, ioBufSize) }}
)

// lazyReader is the Framer's reader: a pooled bufio.Reader while bytes
// are there to read, none while it waits for the peer.
type lazyReader struct {
	nc   net.Conn
	br   *bufio.Reader
	wait func() error // waits until nc is readable without reading; nil if nc cannot
}

// Read reads through the buffer; when the buffer is empty it gives it
// back and waits for the socket to be readable before taking one again,
// so that a connection waiting for its peer holds no buffer.
func (l *lazyReader) Read(p []byte) (int, error) {
	if l.wait != nil && (l.br == nil || l.br.Buffered() == 0) {
		l.release()
		if err := l.wait(); err != nil {
			return 0, err
		}
	}
	if l.br == nil {
		l.br = readerPool.Get().(*bufio.Reader)
		l.br.Reset(l.nc)
	}
	return l.br.Read(p)
}

// buffered returns the bytes read and not consumed yet.
func (l *lazyReader) buffered() int {
	if l.br == nil {
		return 0
	}
	return l.br.Buffered()
}

// peek returns the next n buffered bytes (n <= buffered()).
func (l *lazyReader) peek(n int) []byte {
	b, _ := l.br.Peek(n)
	return b
}

func (l *lazyReader) release() {
	if l.br != nil {
		l.br.Reset(nil)
		readerPool.Put(l.br)
		l.br = nil
	}
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
