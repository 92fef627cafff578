//go:build !linux

package h2

import "net"

// readWaiterFor returns nil: elsewhere an idle connection keeps its read
// buffer.
func readWaiterFor(nc net.Conn) func() error { return nil }
