//go:build linux

package stream

import (
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// peekFD is contentPeeker.peekWait for a bare socket descriptor (the TCP
// relay's raw connections, which stay out of Go's netpoller): without
// waiting it is one recv(MSG_PEEK); to wait, a duplicate of the socket
// enters the netpoller for the inspection only.
func peekFD(fd int, buf []byte, have int, deadline time.Time) (int, error) {
	if have < 0 {
		for {
			n, _, err := syscall.Recvfrom(fd, buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				return 0, os.ErrDeadlineExceeded
			case err != nil:
				return 0, err
			case n == 0:
				return 0, io.EOF
			}
			return n, nil
		}
	}
	dfd, err := syscall.Dup(fd)
	if err != nil {
		return 0, err
	}
	syscall.CloseOnExec(dfd)
	f := os.NewFile(uintptr(dfd), "peek")
	nc, err := net.FileConn(f) // duplicates again
	f.Close()
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	return peekMore(nc, buf, have, deadline)
}

// fdOwner is a connection whose socket descriptor can be borrowed (the
// TCP relay's raw connections): peekMore peeks on it with peekFD.
type fdOwner interface {
	Detach() int
	Attach(fd int)
}

// peekOwned peeks on a borrowed descriptor; false when c is not an
// fdOwner.
func peekOwned(c net.Conn, buf []byte, have int, deadline time.Time) (int, error, bool) {
	o, ok := c.(fdOwner)
	if !ok {
		return 0, nil, false
	}
	fd := o.Detach()
	if fd < 0 {
		return 0, net.ErrClosed, true
	}
	defer o.Attach(fd)
	n, err := peekFD(fd, buf, have, deadline)
	return n, err, true
}
