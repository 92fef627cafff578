// Package listen binds goha's listening sockets: frontends' `bind` lines,
// `stats socket` lines and the master CLI (-S). The master (or a
// standalone process) binds them while still privileged and keeps them as
// files keyed by config.Bind.Key, so a reload can hand the very same
// sockets (and their kernel accept queues) to the next workers.
package listen

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/config"
)

// Options tune how sockets are bound.
type Options struct {
	// NoReusePort disables SO_REUSEPORT (-dR).
	NoReusePort bool
}

// Expand returns one Bind per port of a port range, each with its own
// key; other binds are returned as they are.
func Expand(b config.Bind) []config.Bind {
	if b.PortEnd == 0 || b.Network == "unix" || b.Network == config.NetAbns || b.Network == config.NetFD {
		return []config.Bind{b}
	}
	host, port, err := net.SplitHostPort(b.Addr)
	if err != nil {
		return []config.Bind{b}
	}
	p0, err := strconv.Atoi(port)
	if err != nil || b.PortEnd < p0 {
		return []config.Bind{b}
	}
	var out []config.Bind
	for p := p0; p <= b.PortEnd; p++ {
		c := b
		c.Addr = net.JoinHostPort(host, strconv.Itoa(p))
		c.PortEnd = 0
		out = append(out, c)
	}
	return out
}

// Bind creates the listening socket for b (a single address: call Expand
// first) and returns it as a file, close-on-exec.
func Bind(b config.Bind, o Options) (*os.File, error) {
	switch b.Network {
	case "unix":
		return bindUnix(b)
	case config.NetAbns:
		return bindAbstract(b)
	case config.NetFD:
		return inherit(b)
	case config.NetSockpair:
		return inheritSockpair(b) // sockpair.go
	}
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			if !o.NoReusePort {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	network := b.Network
	if network == "" {
		network = "tcp"
	}
	ln, err := lc.Listen(context.Background(), network, b.Addr)
	if err != nil {
		return nil, fmt.Errorf("cannot bind socket (%v) [%s]", unwrapErrno(err), b.Addr)
	}
	tl := ln.(*net.TCPListener)
	if b.Backlog > 0 {
		if raw, err := tl.SyscallConn(); err == nil {
			raw.Control(func(fd uintptr) { unix.Listen(int(fd), b.Backlog) })
		}
	}
	f, err := tl.File()
	tl.Close()
	if err != nil {
		return nil, fmt.Errorf("cannot bind socket [%s]: %w", b.Addr, err)
	}
	return f, nil
}

// bindUnix binds a unix socket the way HAProxy does: at a temporary path
// next to the target, with the requested mode and owner, then renamed over
// the target so clients never see a missing or half-set-up socket.
func bindUnix(b config.Bind) (*os.File, error) {
	path := b.Addr
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	os.Remove(tmp)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("cannot bind UNIX socket (%v) [%s]", unwrapErrno(err), path)
	}
	ln.SetUnlinkOnClose(false)
	fail := func(err error) (*os.File, error) {
		ln.Close()
		os.Remove(tmp)
		return nil, err
	}
	if b.Mode != 0 {
		if err := os.Chmod(tmp, os.FileMode(b.Mode)); err != nil {
			return fail(fmt.Errorf("cannot change UNIX socket mode of %q to %o: %w", path, b.Mode, err))
		}
	}
	uid, gid := -1, -1
	if b.UID >= 0 {
		uid = b.UID
	}
	if b.GID >= 0 {
		gid = b.GID
	}
	if uid != -1 || gid != -1 {
		if err := os.Chown(tmp, uid, gid); err != nil {
			return fail(fmt.Errorf("cannot change UNIX socket ownership of %q: %w", path, err))
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(fmt.Errorf("cannot rename UNIX socket %q to %q: %w", tmp, filepath.Base(path), err))
	}
	f, err := ln.File()
	ln.Close()
	if err != nil {
		return nil, fmt.Errorf("cannot bind UNIX socket [%s]: %w", path, err)
	}
	return f, nil
}

// bindAbstract binds abns@NAME, a Linux abstract unix socket: no file,
// so no mode, owner or rename.
func bindAbstract(b config.Bind) (*os.File, error) {
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: config.AbstractSocketName(b.Addr), Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("cannot bind UNIX socket (%v) [abns@%s]", unwrapErrno(err), b.Addr)
	}
	f, err := ln.File()
	ln.Close()
	if err != nil {
		return nil, fmt.Errorf("cannot bind UNIX socket [abns@%s]: %w", b.Addr, err)
	}
	return f, nil
}

// inherit takes fd@N: a socket the parent process bound and passed as
// file descriptor N. It must be a listening stream socket. The returned
// file is a close-on-exec duplicate, and N itself is made close-on-exec:
// workers get the socket like any other listener, and a master that
// re-executes itself on reload gets it back by its key, so the
// descriptor never leaks into other children.
func inherit(b config.Bind) (*os.File, error) {
	n, err := strconv.Atoi(b.Addr)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("file descriptor '%s' is not a valid integer in 'fd@%s'", b.Addr, b.Addr)
	}
	typ, err := unix.GetsockoptInt(n, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return nil, fmt.Errorf("cannot use file descriptor '%d' : %v", n, unwrapErrno(err))
	}
	listening, err := unix.GetsockoptInt(n, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return nil, fmt.Errorf("cannot use file descriptor '%d' : %v", n, unwrapErrno(err))
	}
	if typ != unix.SOCK_STREAM || listening == 0 {
		return nil, fmt.Errorf("cannot use file descriptor '%d' : not a listening stream socket", n)
	}
	// A descriptor handed down across exec is never close-on-exec; one
	// that is was opened by goha itself (or already taken, by an earlier
	// image of a master): whatever socket it is, it is not the parent's.
	if flags, err := unix.FcntlInt(uintptr(n), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC != 0 {
		return nil, fmt.Errorf("cannot use file descriptor '%d' : it was not inherited from the parent process", n)
	}
	d, err := unix.FcntlInt(uintptr(n), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot use file descriptor '%d' : %v", n, err)
	}
	unix.CloseOnExec(n)
	return os.NewFile(uintptr(d), "fd@"+b.Addr), nil
}

func unwrapErrno(err error) error {
	var errno syscall.Errno
	for e := err; e != nil; {
		if x, ok := e.(syscall.Errno); ok {
			errno = x
			return errno
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	return err
}
