//go:build !linux

package stream

import (
	"net"
	"time"
)

// peekOwned: only Linux has raw relay connections.
func peekOwned(net.Conn, []byte, int, time.Time) (int, error, bool) { return 0, nil, false }
