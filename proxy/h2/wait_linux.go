package h2

import (
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// readWaiterFor returns a function that waits until nc has bytes to
// read without reading them (and without a buffer), or nil when nc
// cannot do that (TLS keeps its own buffers anyway).
func readWaiterFor(nc net.Conn) func() error {
	switch c := nc.(type) {
	case *net.TCPConn:
		return rawWaiter(c)
	case *net.UnixConn:
		return rawWaiter(c)
	case *peekedConn:
		inner := readWaiterFor(c.Conn)
		if inner == nil {
			return nil
		}
		return func() error {
			if c.r != nil && c.r.Buffered() > 0 {
				return nil
			}
			return inner()
		}
	}
	return nil
}

// rawWaiter waits with MSG_PEEK: the poller parks the goroutine until
// the socket is readable (or closed, or its read deadline passes).
func rawWaiter(sc syscall.Conn) func() error {
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &peekWaiter{rc: rc}
	w.probe = w.readable // one method value for the connection's life
	return w.wait
}

// peekWaiter holds what a wait needs, so that waiting allocates nothing.
type peekWaiter struct {
	rc    syscall.RawConn
	probe func(fd uintptr) bool
	b     [1]byte
}

func (w *peekWaiter) wait() error { return w.rc.Read(w.probe) }

// readable reports whether fd has a byte, EOF or an error to read; the
// poller waits and asks again when it says no.
func (w *peekWaiter) readable(fd uintptr) bool {
	// recvfrom(2) without the address unix.Recvfrom would allocate.
	_, _, e := unix.Syscall6(unix.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&w.b[0])), 1,
		unix.MSG_PEEK|unix.MSG_DONTWAIT, 0, 0)
	return e != unix.EAGAIN && e != unix.EINTR
}
