package listen

import (
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/config"
)

// TestInheritChecksTheSocket takes fd@N only for a listening stream
// socket handed down across exec (not close-on-exec), once, and hands
// back a close-on-exec duplicate that accepts.
func TestInheritChecksTheSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lf, _ := ln.(*net.TCPListener).File()
	defer lf.Close()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	uf, _ := conn.(*net.UDPConn).File()
	defer uf.Close()
	reg, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	for _, tt := range []struct {
		fd   uintptr
		want string
	}{
		{reg.Fd(), "Socket operation on non-socket"},
		{uf.Fd(), "not a listening stream socket"},
		{9999, "bad file descriptor"},
	} {
		_, err := Bind(config.Bind{Network: config.NetFD, Addr: strconv.Itoa(int(tt.fd))}, Options{})
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.want)) {
			t.Errorf("fd@%d: %v; want an error with %q", tt.fd, err, tt.want)
		}
	}
	fdN := config.Bind{Network: config.NetFD, Addr: strconv.Itoa(int(lf.Fd()))}
	// lf is close-on-exec, as everything goha opens: not the parent's.
	if _, err := Bind(fdN, Options{}); err == nil || !strings.Contains(err.Error(), "not inherited") {
		t.Errorf("fd@%d (close-on-exec): %v; want it refused as not inherited", lf.Fd(), err)
	}
	// As it would be after an exec that passed it down.
	if _, err := unix.FcntlInt(lf.Fd(), unix.F_SETFD, 0); err != nil {
		t.Fatal(err)
	}
	f, err := Bind(fdN, Options{})
	if err != nil {
		t.Fatalf("fd@%d (listening): %v", lf.Fd(), err)
	}
	defer f.Close()
	if _, err := Bind(fdN, Options{}); err == nil {
		t.Errorf("fd@%d was taken twice: a later image of the master must not reuse the number", lf.Fd())
	}
	if flags, _ := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0); flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("the duplicate of fd@%d is not close-on-exec", lf.Fd())
	}
	got, err := net.FileListener(f)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if got.Addr().String() != ln.Addr().String() {
		t.Errorf("fd@%d listens on %s; want %s", lf.Fd(), got.Addr(), ln.Addr())
	}
}

// TestBindAbstract binds abns@NAME under HAProxy's padded name, which a
// client dialing the same padded name reaches.
func TestBindAbstract(t *testing.T) {
	name := "goha-listen-test-" + strconv.Itoa(os.Getpid())
	f, err := Bind(config.Bind{Network: config.NetAbns, Addr: name}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("unix", config.AbstractSocketName(name))
	if err != nil {
		t.Fatalf("dial abns@%s: %v", name, err)
	}
	c.Close()
	if _, err := net.Dial("unix", "@"+name); err == nil {
		t.Errorf("abns@%s was bound without HAProxy's padding", name)
	}
}
