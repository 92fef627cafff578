package stream

import (
	"net"
	"syscall"
)

// quickAck makes the kernel acknowledge at once what c has received.
// After a TLS 1.3 handshake crypto/tls has nothing to send in answer to
// the client's Finished (its session tickets left with the server's
// flight), so the ACK would wait for the delayed-ACK timer, and a client
// without TCP_NODELAY (Nagle) holds its first request until then: 40 ms
// on each new connection. OpenSSL's tickets, sent after the Finished,
// carry that ACK; TCP_QUICKACK does it here.
func quickAck(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	if rc, err := tc.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
		})
	}
}
