//go:build !linux

package stream

import "net"

// quickAck: TCP_QUICKACK is Linux only.
func quickAck(net.Conn) {}
