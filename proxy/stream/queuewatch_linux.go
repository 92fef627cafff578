package stream

import (
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// watchConn watches c, the client of a queued request, on a goroutine of
// its own until stop is called, and calls gone if the client resets the
// connection or, with onEOF, closes its side (even with unread bytes
// before the end: HTTP pipelining). It never reads: the bytes stay for
// the session. c's read deadline is lifted while watching (an expiring
// keep-alive deadline must not end the watch) and set to restore by stop.
// It returns nil when c is not a socket.
func watchConn(c net.Conn, onEOF bool, restore time.Time, gone func()) (stop func()) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	events := int16(0) // POLLERR and POLLHUP are always reported
	if onEOF {
		events = unix.POLLRDHUP
	}
	c.SetReadDeadline(time.Time{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		// RawConn.Read parks on the poller between calls, and the poller
		// reports both new bytes and the peer's FIN or RST: each event
		// re-runs the non-blocking check.
		err := rc.Read(func(fd uintptr) bool { return peerGone(int(fd), events) })
		if err == nil || !isTimeout(err) {
			gone() // gone, or the connection was closed (killed)
		}
	}()
	return func() {
		c.SetReadDeadline(time.Unix(1, 0))
		<-done
		c.SetReadDeadline(restore)
	}
}

// peerGone polls fd without waiting for an error, a hang-up or events.
func peerGone(fd int, events int16) bool {
	p := []unix.PollFd{{Fd: int32(fd), Events: events}}
	n, err := unix.Poll(p, 0)
	if err != nil || n == 0 {
		return false
	}
	return p[0].Revents&(events|unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0
}
