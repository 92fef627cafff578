package h2

import (
	"io"
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawReader reads a socket through its syscall.RawConn: the poller parks
// the goroutine while the socket has nothing, and the buffer the bytes
// go to is taken only once they are there.
type rawReader struct {
	rc   syscall.RawConn
	fn   func(fd uintptr) bool // one method value for the connection's life
	dst  []byte                // read into this, or
	pbuf **[ioBufSize]byte     // into a pooled buffer stored here
	n    int
	err  error
}

// rawReaderFor returns the raw reader of nc, or nil when nc has no
// socket of its own (TLS keeps its own buffers anyway).
func rawReaderFor(nc net.Conn) *rawReader {
	var sc syscall.Conn
	switch c := nc.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		sc = c
	case *peekedConn:
		return rawReaderFor(c.Conn)
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawReader{rc: rc}
	r.fn = r.readable
	return r
}

// read reads into dst, or, with dst nil, into a pooled buffer stored in
// *pbuf. It returns io.EOF at the end of the stream and the poller's
// error (a passed deadline, a closed conn) while waiting.
func (r *rawReader) read(dst []byte, pbuf **[ioBufSize]byte) (int, error) {
	r.dst, r.pbuf, r.n, r.err = dst, pbuf, 0, nil
	err := r.rc.Read(r.fn)
	r.dst, r.pbuf = nil, nil
	if err != nil {
		return 0, err
	}
	if r.err != nil {
		return 0, r.err
	}
	if r.n == 0 {
		return 0, io.EOF
	}
	return r.n, nil
}

// readable reads what fd has; it returns false (the poller waits and
// asks again) when there is nothing yet.
func (r *rawReader) readable(fd uintptr) bool {
	p := r.dst
	var b *[ioBufSize]byte
	if p == nil {
		b = readerPool.Get().(*[ioBufSize]byte)
		p = b[:]
	}
	for {
		n, _, e := unix.Syscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		switch {
		case e == unix.EINTR:
			continue
		case e == unix.EAGAIN:
			if b != nil {
				readerPool.Put(b)
			}
			return false
		case e != 0:
			r.err = &net.OpError{Op: "read", Net: "tcp", Err: e}
		default:
			r.n = int(n)
		}
		if b != nil {
			if r.n > 0 {
				*r.pbuf = b
			} else {
				readerPool.Put(b)
			}
		}
		return true
	}
}
