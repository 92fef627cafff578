package listen

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/config"
)

// sockpair@N: the parent keeps one end of a unix stream socket pair and
// hands the process accepted connections through the other (N), one
// file descriptor per message (SCM_RIGHTS), as HAProxy's sockpair
// protocol does. Bind checks the inherited end; FileListener turns it
// into a net.Listener whose Accept receives the next connection.

// inheritSockpair takes over inherited descriptor b.Addr, which must be
// a connected unix stream socket.
func inheritSockpair(b config.Bind) (*os.File, error) {
	n, err := strconv.Atoi(b.Addr)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("file descriptor '%s' is not a valid integer in 'sockpair@%s'", b.Addr, b.Addr)
	}
	sa, err := unix.Getsockname(n)
	if err != nil {
		return nil, fmt.Errorf("cannot use file descriptor '%d' : %v", n, unwrapErrno(err))
	}
	typ, err := unix.GetsockoptInt(n, unix.SOL_SOCKET, unix.SO_TYPE)
	if _, isUnix := sa.(*unix.SockaddrUnix); err != nil || !isUnix || typ != unix.SOCK_STREAM {
		return nil, fmt.Errorf("cannot use file descriptor '%d' : not a unix stream socket pair", n)
	}
	if listening, _ := unix.GetsockoptInt(n, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); listening != 0 {
		return nil, fmt.Errorf("cannot use file descriptor '%d' : a listening socket, not a socket pair (use fd@%d)", n, n)
	}
	d, err := unix.FcntlInt(uintptr(n), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot use file descriptor '%d' : %v", n, err)
	}
	unix.CloseOnExec(n)
	return os.NewFile(uintptr(d), "sockpair@"+b.Addr), nil
}

// FileListener returns a listener for an inherited or handed-over socket
// file: net.FileListener's for a listening socket, a sockpair listener
// for a connected unix stream socket. f may be closed afterwards.
func FileListener(f *os.File) (net.Listener, error) {
	listening, err := unix.GetsockoptInt(int(f.Fd()), unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil || listening != 0 {
		return net.FileListener(f)
	}
	c, err := net.FileConn(f)
	if err != nil {
		return nil, err
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("%s: not a unix socket pair", f.Name())
	}
	return &sockpairListener{c: uc}, nil
}

// sockpairListener accepts the connections received on a socket pair.
type sockpairListener struct {
	c    *net.UnixConn
	mu   sync.Mutex // one receive at a time (fds pending from one message)
	fds  []int
	once sync.Once
}

// Accept returns the next connection the parent sent.
func (l *sockpairListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.fds) == 0 {
		var buf [16]byte
		oob := make([]byte, unix.CmsgSpace(4*16))
		n, oobn, _, _, err := l.c.ReadMsgUnix(buf[:], oob)
		if err != nil {
			return nil, err
		}
		if n == 0 && oobn == 0 {
			return nil, net.ErrClosed // the parent closed its end
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return nil, fmt.Errorf("sockpair: %w", err)
		}
		for _, m := range msgs {
			if fds, err := unix.ParseUnixRights(&m); err == nil {
				l.fds = append(l.fds, fds...)
			}
		}
	}
	fd := l.fds[0]
	l.fds = l.fds[1:]
	unix.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), "sockpair-conn")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("sockpair: received descriptor: %w", err)
	}
	return c, nil
}

// Close stops receiving; pending descriptors are closed.
func (l *sockpairListener) Close() error {
	err := net.ErrClosed
	l.once.Do(func() {
		err = l.c.Close()
		l.mu.Lock()
		for _, fd := range l.fds {
			unix.Close(fd)
		}
		l.fds = nil
		l.mu.Unlock()
	})
	return err
}

// Addr is the socket pair's (unnamed) local address.
func (l *sockpairListener) Addr() net.Addr { return l.c.LocalAddr() }
