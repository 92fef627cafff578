//go:build linux

package stream

import (
	"io"
	"os"
	"syscall"

	"github.com/goha/goha/proxy/relay"
	"golang.org/x/sys/unix"
)

// splicePipe is the pipe one direction of a goroutine relay moves bytes
// through with splice(2), from socket to pipe to socket. Unlike
// io.Copy's splice (whose pipe is discarded with its bytes when a write
// fails, deadline included), the bytes in it stay there until written.
type splicePipe struct {
	r, w int
	n    int // bytes in the pipe
}

// newSplicePipe returns a new pipe, or nil when none is to be had.
func newSplicePipe() *splicePipe {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return nil
	}
	return &splicePipe{r: p[0], w: p[1]}
}

// fill moves what src has, up to the pipe's capacity, into the empty
// pipe, waiting for src as its read deadline allows. io.EOF is the end
// of src's stream.
func (p *splicePipe) fill(src syscall.RawConn) (int, error) {
	var k int
	var serr error
	err := src.Read(func(fd uintptr) bool {
		for {
			k, serr = relay.Splice(int(fd), p.w, relay.PipeChunk)
			if serr != unix.EINTR {
				return serr != unix.EAGAIN
			}
		}
	})
	switch {
	case err != nil:
		return 0, err
	case serr != nil:
		return 0, os.NewSyscallError("splice", serr)
	case k == 0:
		return 0, io.EOF
	}
	p.n += k
	return k, nil
}

// drain writes the pipe's bytes to dst, as many as dst takes before it
// would block, waiting for dst as its write deadline allows. What is not
// written stays in the pipe.
func (p *splicePipe) drain(dst syscall.RawConn) (int, error) {
	var k int
	var serr error
	err := dst.Write(func(fd uintptr) bool {
		for {
			k, serr = relay.Splice(p.r, int(fd), p.n)
			if serr != unix.EINTR {
				return serr != unix.EAGAIN
			}
		}
	})
	p.n -= k
	switch {
	case err != nil:
		return k, err
	case serr != nil:
		return k, os.NewSyscallError("splice", serr)
	}
	return k, nil
}

// close closes the pipe (and drops what is in it).
func (p *splicePipe) close() {
	unix.Close(p.r)
	unix.Close(p.w)
}
