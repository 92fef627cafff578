//go:build !linux

package stream

import (
	"net"
	"time"
)

// watchConn: only Linux watches a queued request's client (POLLRDHUP); a
// request whose client left waits for its slot or timeout queue.
func watchConn(c net.Conn, onEOF bool, restore time.Time, gone func()) (stop func()) { return nil }
