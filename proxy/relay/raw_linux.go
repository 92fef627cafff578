//go:build linux

package relay

import (
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PipeChunk is how much one splice into a relay's pipe asks for (the
// pipe's default capacity).
const PipeChunk = 64 << 10

// The relay's system calls on its non-blocking sockets (and rawDial's)
// go through RawSyscall: they never block, and telling the scheduler
// about them (entersyscall) costs more than it saves. Measured: with
// Syscall, the runtime's monitor thread takes the P from a loop whose
// loopback write (or connect, or close) lasts more than 20µs and hands it
// to another thread: a futex wake-up and a nanosleep loop per few
// requests.

func rawClose(fd int) error {
	if _, _, e := syscall.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0); e != 0 {
		return e
	}
	return nil
}

func rawShutdown(fd, how int) {
	syscall.RawSyscall(unix.SYS_SHUTDOWN, uintptr(fd), uintptr(how), 0)
}

func rawSocket(family int) (int, error) {
	fd, _, e := syscall.RawSyscall(unix.SYS_SOCKET, uintptr(family), unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

func rawSetsockoptInt(fd, level, opt, v int) {
	x := int32(v)
	syscall.RawSyscall6(unix.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(unsafe.Pointer(&x)), 4, 0)
}

// rawConnected reports whether fd's connect has completed
// (getpeername succeeds).
func rawConnected(fd int) bool {
	var sa syscall.RawSockaddrAny
	n := uint32(syscall.SizeofSockaddrAny)
	_, _, e := syscall.RawSyscall(unix.SYS_GETPEERNAME, uintptr(fd), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&n)))
	return e == 0
}

// rawConnect starts a non-blocking connect to ap.
func rawConnect(fd int, ap netip.AddrPort) error {
	var e syscall.Errno
	port := ap.Port()
	if ip := ap.Addr(); ip.Is4() || ip.Is4In6() {
		var sa syscall.RawSockaddrInet4
		sa.Family = syscall.AF_INET
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		p[0], p[1] = byte(port>>8), byte(port)
		sa.Addr = ip.Unmap().As4()
		_, _, e = syscall.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa)), syscall.SizeofSockaddrInet4)
	} else {
		var sa syscall.RawSockaddrInet6
		sa.Family = syscall.AF_INET6
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		p[0], p[1] = byte(port>>8), byte(port)
		sa.Addr = ip.As16()
		if z := ip.Zone(); z != "" {
			if ifi, err := net.InterfaceByName(z); err == nil {
				sa.Scope_id = uint32(ifi.Index)
			}
		}
		_, _, e = syscall.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa)), syscall.SizeofSockaddrInet6)
	}
	if e != 0 {
		return e
	}
	return nil
}

func rawRead(fd int, b []byte) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawWrite(fd int, b []byte) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// Splice moves up to n bytes from descriptor in to descriptor out
// without blocking (splice(2) through RawSyscall, as the relay loop
// does); one end must be a pipe.
func Splice(in, out, n int) (int, error) {
	return rawSplice(in, out, n)
}

// rawSplice moves up to n bytes from in to out without blocking.
func rawSplice(in, out, n int) (int, error) {
	k, _, e := syscall.RawSyscall6(unix.SYS_SPLICE, uintptr(in), 0, uintptr(out), 0, uintptr(n), unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
	if e != 0 {
		return 0, e
	}
	return int(k), nil
}

func rawEpollWait(ep int, evs []unix.EpollEvent) (int, error) {
	n, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(unsafe.SliceData(evs))), uintptr(len(evs)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
