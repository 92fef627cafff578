//go:build linux

package relay

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Conn is a socket of a mode tcp session that never enters Go's
// netpoller: accepted by Accept or connected by Dial, then handed to a
// relay loop as is (Relay.Start). Measured per server connection (strace, mode
// tcp with a new connection per request) against net.Dialer: no bind,
// epoll_ctl add and delete, getpeername/getsockname, descriptor
// duplication for the loop, nor the dial's context goroutine.
//
// It is a net.Conn for the session's bookkeeping only (addresses,
// Close); Read and Write fail. Usable turns it into a real one when
// the relay loop cannot take it.
type Conn struct {
	mu    sync.Mutex
	fd    int // -1 once closed or detached
	laddr *net.TCPAddr
	raddr *net.TCPAddr
}

var errRawConnIO = errors.New("raw connection: no Read/Write outside the relay loop")

// Read fails: a Conn's bytes move only in a relay loop.
func (c *Conn) Read([]byte) (int, error) { return 0, c.ioErr() }

// Write fails: a Conn's bytes move only in a relay loop.
func (c *Conn) Write([]byte) (int, error) { return 0, c.ioErr() }

// SetDeadline does nothing: the relay loop keeps the timeouts.
func (c *Conn) SetDeadline(time.Time) error { return nil }

// SetReadDeadline does nothing: the relay loop keeps the timeouts.
func (c *Conn) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline does nothing: the relay loop keeps the timeouts.
func (c *Conn) SetWriteDeadline(time.Time) error { return nil }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.raddr }

func (c *Conn) ioErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fd < 0 {
		return net.ErrClosed
	}
	return errRawConnIO
}

// LocalAddr asks the kernel once (getsockname), on first use.
func (c *Conn) LocalAddr() net.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.laddr == nil && c.fd >= 0 {
		if sa, err := syscall.Getsockname(c.fd); err == nil {
			c.laddr = sockaddrTCP(sa)
		}
	}
	if c.laddr == nil {
		return &net.TCPAddr{}
	}
	return c.laddr
}

// Close closes the socket unless it was detached.
func (c *Conn) Close() error {
	c.mu.Lock()
	fd := c.fd
	c.fd = -1
	c.mu.Unlock()
	if fd < 0 {
		return net.ErrClosed
	}
	return rawClose(fd)
}

// Detach hands the descriptor over (-1 if already closed); Close then
// does nothing until Attach gives it back.
func (c *Conn) Detach() int {
	c.mu.Lock()
	fd := c.fd
	c.fd = -1
	c.mu.Unlock()
	return fd
}

// Attach gives a detached descriptor back.
func (c *Conn) Attach(fd int) {
	c.mu.Lock()
	c.fd = fd
	c.mu.Unlock()
}

// SetKeepAlive turns TCP keep-alive on for a raw connection (option
// clitcpka/tcpka); other connections are left alone.
func SetKeepAlive(c net.Conn) {
	if rc, ok := c.(*Conn); ok {
		rc.mu.Lock()
		if rc.fd >= 0 {
			unix.SetsockoptInt(rc.fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
		}
		rc.mu.Unlock()
	}
}

// Usable returns c as a net.Conn a goroutine can read and write: c
// itself unless it is a raw connection, which is turned into one (it
// stays as it is if it was closed).
func Usable(c net.Conn) net.Conn {
	if rc, raw := c.(*Conn); raw {
		if nc := rc.toNetConn(); nc != nil {
			return nc
		}
	}
	return c
}

// toNetConn turns c into a net.Conn (nil if c was closed).
func (c *Conn) toNetConn() net.Conn {
	fd := c.Detach()
	if fd < 0 {
		return nil
	}
	f := os.NewFile(uintptr(fd), "tcp")
	nc, err := net.FileConn(f) // duplicates fd
	f.Close()
	if err != nil {
		return nil
	}
	return nc
}

// sockaddrTCP converts a socket address of the stdlib's syscall package
// (used rather than x/sys/unix's: that one asks the kernel for the
// socket's protocol, one more system call, for every IPv4 address).
func sockaddrTCP(sa syscall.Sockaddr) *net.TCPAddr {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *syscall.SockaddrInet6:
		ip := make(net.IP, net.IPv6len)
		copy(ip, a.Addr[:])
		return &net.TCPAddr{IP: ip, Port: a.Port}
	}
	return nil
}

// Dial connects to ap for mode tcp: a non-blocking connect that usually
// completes inside connect(2) on loopback (checked with getpeername);
// otherwise it waits in Go's netpoller on a duplicate of the socket,
// within timeout (5s when not positive: timeout connect) and ctx.
// keepAlive turns TCP keep-alive on (option srvtcpka/tcpka).
func Dial(ctx context.Context, ap netip.AddrPort, timeout time.Duration, keepAlive bool) (net.Conn, error) {
	c, done, err := DialStart(ap, keepAlive)
	if err != nil || done {
		return c, err
	}
	if err := DialFinish(ctx, c, timeout); err != nil {
		return nil, err
	}
	return c, nil
}

// DialStart starts Dial's connect without waiting: done reports that it
// completed already (on loopback it usually does); otherwise finish it
// with DialFinish, on a goroutine that may wait.
func DialStart(ap netip.AddrPort, keepAlive bool) (c net.Conn, done bool, err error) {
	raddr := net.TCPAddrFromAddrPort(ap)
	family := unix.AF_INET
	if ip := ap.Addr(); !ip.Is4() && !ip.Is4In6() {
		family = unix.AF_INET6
	}
	fd, err := rawSocket(family)
	if err != nil {
		return nil, false, dialErr(raddr, os.NewSyscallError("socket", err))
	}
	rawSetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if keepAlive {
		rawSetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
	}
	switch err = rawConnect(fd, ap); err {
	case nil:
		return &Conn{fd: fd, raddr: raddr}, true, nil
	case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
		return &Conn{fd: fd, raddr: raddr}, rawConnected(fd), nil
	}
	rawClose(fd)
	return nil, false, dialErr(raddr, os.NewSyscallError("connect", err))
}

// DialFinish waits for the connect DialStart began on c, within timeout
// (5s when not positive) and ctx; on failure c is closed.
func DialFinish(ctx context.Context, c net.Conn, timeout time.Duration) error {
	rc, ok := c.(*Conn)
	if !ok {
		return nil
	}
	rc.mu.Lock()
	fd := rc.fd
	rc.mu.Unlock()
	if fd < 0 {
		return dialErr(rc.raddr, net.ErrClosed)
	}
	if err := waitConnect(ctx, fd, timeout); err != nil {
		rc.Close()
		return dialErr(rc.raddr, err)
	}
	return nil
}

func dialErr(raddr *net.TCPAddr, err error) error {
	return &net.OpError{Op: "dial", Net: "tcp", Addr: raddr, Err: err}
}

// waitConnect waits for a non-blocking connect on fd to finish, within
// t (5s when not positive).
func waitConnect(ctx context.Context, fd int, t time.Duration) error {
	if t <= 0 {
		t = 5 * time.Second
	}
	dfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(dfd), "connect")
	defer f.Close()
	f.SetWriteDeadline(time.Now().Add(t))
	stop := context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	pfd := []unix.PollFd{{Fd: int32(dfd), Events: unix.POLLOUT}}
	err = rc.Write(func(uintptr) bool {
		n, _ := unix.Poll(pfd, 0)
		return n > 0
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	if soerr != 0 {
		return os.NewSyscallError("connect", unix.Errno(soerr))
	}
	return nil
}

// rawAcceptor accepts raw connections on one TCP listener. Go gives no
// way to wait for a listener's readiness without accepting a net.Conn
// (its RawConn.Read refuses listeners), so the listener's descriptor is
// also registered in a private epoll instance whose own descriptor sits
// in Go's netpoller: a pending connection makes it readable, and the
// goroutine parks on it as on any socket. accept4 itself runs through
// the listener's RawConn.Control, which holds the descriptor open, so a
// listener closed meanwhile is never mistaken for a reused number.
//
// A closed listener leaves the private epoll instance silently (the
// kernel drops the registration with the socket), so the wait has a
// deadline (acceptRecheck) after which the listener is checked: an
// accept loop notices its listener's close within that delay.
type rawAcceptor struct {
	lrc  syscall.RawConn // the listener's
	ep   *os.File
	erc  syscall.RawConn
	armd time.Time // deadline currently set on ep
	// accept results, set by tryFn
	nfd  int
	sa   syscall.Sockaddr
	aerr error
	cerr error // listener closed (Control failed)
	try  func(uintptr) bool
}

// acceptRecheck bounds how late an accept loop notices that its
// listener was closed.
const acceptRecheck = 250 * time.Millisecond

// rawAcceptors maps a listener to its acceptor.
var rawAcceptors sync.Map // net.Listener -> *rawAcceptor

func newRawAcceptor(tl *net.TCPListener) (*rawAcceptor, error) {
	lrc, err := tl.SyscallConn()
	if err != nil {
		return nil, err
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	if err := unix.SetNonblock(ep, true); err != nil {
		unix.Close(ep)
		return nil, err
	}
	var cerr error
	err = lrc.Control(func(fd uintptr) {
		ev := unix.EpollEvent{Events: unix.EPOLLIN}
		cerr = unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, int(fd), &ev)
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		unix.Close(ep)
		return nil, err
	}
	f := os.NewFile(uintptr(ep), "accept-epoll")
	erc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	a := &rawAcceptor{lrc: lrc, ep: f, erc: erc}
	accept := func(fd uintptr) {
		for {
			a.nfd, a.sa, a.aerr = syscall.Accept4(int(fd), syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
			if a.aerr != unix.EINTR && a.aerr != unix.ECONNABORTED {
				return
			}
		}
	}
	a.try = func(uintptr) bool {
		a.cerr = a.lrc.Control(accept)
		return a.cerr != nil || a.aerr != unix.EAGAIN
	}
	return a, nil
}

// accept returns the next connection's descriptor and peer address.
func (a *rawAcceptor) accept() (int, syscall.Sockaddr, error) {
	for {
		if now := time.Now(); a.armd.Sub(now) < acceptRecheck/2 {
			a.armd = now.Add(acceptRecheck)
			a.ep.SetReadDeadline(a.armd)
		}
		err := a.erc.Read(a.try)
		if a.cerr != nil {
			return -1, nil, a.cerr
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				// Check the listener (try's Control fails once it is
				// closed) and wait again.
				a.armd = time.Time{}
				if a.try(0) {
					if a.cerr != nil {
						return -1, nil, a.cerr
					}
				} else {
					continue
				}
			} else {
				return -1, nil, err
			}
		}
		if a.aerr != nil {
			return -1, nil, os.NewSyscallError("accept4", a.aerr)
		}
		return a.nfd, a.sa, nil
	}
}

// Accept accepts the next connection of ln for a mode tcp frontend: a
// Conn on TCP listeners (see rawAcceptor), ln.Accept's otherwise. Measured per connection against ln.Accept (strace, mode tcp
// with a new connection per request): no epoll_ctl add and delete, no
// keep-alive setsockopts (a net.FileListener turns TCP keep-alive on
// with 4 calls, which mode tcp turned off again with a fifth), no
// descriptor duplication for the relay loop.
//
// A wrapping listener (cmd/goha's standalone mode wraps each one to hook
// Close) is looked through when it has an Unwrap() net.Listener method:
// by having one it declares that its Accept is the inner listener's.
func Accept(ln net.Listener) (net.Conn, error) {
	var a *rawAcceptor
	if v, ok := rawAcceptors.Load(ln); ok {
		a = v.(*rawAcceptor)
	} else {
		inner := ln
		for i := 0; i < 4; i++ {
			u, ok := inner.(interface{ Unwrap() net.Listener })
			if !ok {
				break
			}
			inner = u.Unwrap()
		}
		tl, ok := inner.(*net.TCPListener)
		if !ok {
			return ln.Accept()
		}
		na, err := newRawAcceptor(tl)
		if err != nil {
			return ln.Accept()
		}
		if v, loaded := rawAcceptors.LoadOrStore(ln, na); loaded {
			na.ep.Close()
			a = v.(*rawAcceptor)
		} else {
			a = na
		}
	}
	nfd, sa, err := a.accept()
	if err != nil {
		if a.cerr != nil {
			// The listener is closed: forget the acceptor.
			if rawAcceptors.CompareAndDelete(ln, a) {
				a.ep.Close()
			}
			return nil, net.ErrClosed
		}
		return nil, err
	}
	// HAProxy sets TCP_NODELAY on accepted sockets too: relayed small
	// writes must not wait for the peer's delayed ACK.
	rawSetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	c := &Conn{fd: nfd, raddr: sockaddrTCP(sa)}
	if c.raddr == nil {
		c.raddr = &net.TCPAddr{}
	}
	return c, nil
}
