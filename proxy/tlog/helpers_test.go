package tlog

import (
	"net"
	"os"
	"syscall"
)

// osPipe returns a pipe's read end and a duplicate of its write end as a
// bare descriptor that nothing else owns (the sink closes it).
func osPipe() (*os.File, int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, 0, err
	}
	defer w.Close()
	raw, err := w.SyscallConn()
	if err != nil {
		return nil, 0, err
	}
	fd := -1
	var derr error
	raw.Control(func(f uintptr) { fd, derr = syscall.Dup(int(f)) })
	return r, fd, derr
}

func removeAndListen(path string, out **net.UnixConn) error {
	os.Remove(path)
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	*out = c
	return err
}

func netListenUDP() (*net.UDPConn, error) {
	return net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
}
