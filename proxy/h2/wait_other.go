//go:build !linux

package h2

import "net"

// rawReader is not used outside Linux: a waiting connection keeps its
// read buffer.
type rawReader struct{}

func (*rawReader) read([]byte, **[ioBufSize]byte) (int, error) { panic("h2: no raw reader") }

// rawReaderFor returns nil.
func rawReaderFor(net.Conn) *rawReader { return nil }
