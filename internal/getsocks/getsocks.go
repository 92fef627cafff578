package getsocks

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
	"unicode"

	"golang.org/x/sys/unix"
)

// Command is the line a client sends to ask for the sockets.
const Command = "_getsocks"

// MaxBatch is the largest number of descriptors Send puts in one message.
// HAProxy's receiver accepts up to 253 per message; Fetch accepts that
// many too, so either side interoperates with HAProxy.
const MaxBatch = 252

// maxRecvBatch is the most descriptors one received message may carry
// (HAProxy's MAX_SEND_FD).
const maxRecvBatch = 253

// maxSockets bounds the announced count: a larger number is garbage.
const maxSockets = 1 << 16

// entryMax is the largest data entry per descriptor: two length-prefixed
// names of at most 255 bytes and the 4-byte legacy options.
const entryMax = 1 + 255 + 1 + 255 + 4

// DefaultTimeout bounds the whole exchange when the caller gives none.
const DefaultTimeout = 5 * time.Second

// ErrNotExposed is returned by Fetch when the old process closed the
// connection without sending anything: that is how HAProxy and goha answer
// `_getsocks` on a stats socket without `expose-fd listeners`.
var ErrNotExposed = errors.New("the old process closed the connection without sending any socket (its stats socket needs `expose-fd listeners`)")

// Socket is one received listening socket.
type Socket struct {
	// File is the descriptor, close-on-exec. Whoever takes the socket
	// owns it; Close closes every socket nobody took.
	File *os.File
	// Network is "tcp4", "tcp6" or "unix" (from the socket's family).
	Network string
	// IP and Port are the bound address of a TCP socket.
	IP   net.IP
	Port int
	// Path is a unix socket's bound path as reported by the kernel.
	Path string
	// Namespace and Interface are what the old process announced (goha
	// announces neither; an HAProxy may).
	Namespace, Interface string
	// Listening reports SO_ACCEPTCONN: false for a socket that does not
	// accept connections (never matched).
	Listening bool
}

// String describes the socket for messages: "tcp4 127.0.0.1:80".
func (s Socket) String() string {
	if s.Network == "unix" {
		return "unix " + s.Path
	}
	return s.Network + " " + net.JoinHostPort(s.IP.String(), fmt.Sprint(s.Port))
}

// Send answers a `_getsocks` request on c: the count, then the
// descriptors in batches, waiting for the client's acknowledgement after
// every batch but the last. The files stay open; the caller closes them.
func Send(c *net.UnixConn, files []*os.File, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c.SetDeadline(time.Now().Add(timeout))
	defer c.SetDeadline(time.Time{})
	var n [4]byte
	binary.NativeEndian.PutUint32(n[:], uint32(len(files)))
	if _, err := c.Write(n[:]); err != nil {
		return fmt.Errorf("send the number of sockets: %w", err)
	}
	for start := 0; start < len(files); start += MaxBatch {
		end := min(start+MaxBatch, len(files))
		fds := make([]int, 0, end-start)
		for _, f := range files[start:end] {
			fds = append(fds, int(f.Fd()))
		}
		// Per descriptor: no namespace, no interface, zero options.
		data := make([]byte, 6*len(fds))
		if _, _, err := c.WriteMsgUnix(data, unix.UnixRights(fds...), nil); err != nil {
			return fmt.Errorf("send sockets %d-%d of %d: %w", start+1, end, len(files), err)
		}
		if end == len(files) {
			break
		}
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return fmt.Errorf("wait for the acknowledgement of sockets %d-%d: %w", start+1, end, err)
		}
	}
	return nil
}

// Fetch connects to the unix socket at path, asks for the listening
// sockets and returns them. It returns ErrNotExposed (wrapped) when the
// old process sends nothing. On error, no descriptor stays open.
func Fetch(path string, timeout time.Duration) ([]Socket, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	conn, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %q: %w", path, err)
	}
	defer conn.Close()
	c := conn.(*net.UnixConn)
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte(Command + "\n")); err != nil {
		return nil, fmt.Errorf("send %s to %q: %w", Command, path, err)
	}
	socks, err := receive(c)
	if err != nil {
		return nil, fmt.Errorf("take sockets over %q: %w", path, err)
	}
	return socks, nil
}

// receive reads the count and the batches from c (the client side).
func receive(c *net.UnixConn) ([]Socket, error) {
	var n [4]byte
	got, err := io.ReadFull(c, n[:])
	if got == 0 && (errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET)) {
		return nil, ErrNotExposed
	}
	if err != nil {
		return nil, fmt.Errorf("read the number of sockets: %w", err)
	}
	count := int(int32(binary.NativeEndian.Uint32(n[:])))
	if looksLikeText(n[:]) {
		rest, _ := io.ReadAll(io.LimitReader(c, 200))
		line, _, _ := strings.Cut(string(n[:])+string(rest), "\n")
		return nil, fmt.Errorf("the old process answered text instead of sockets: %q (is this a stats socket with `expose-fd listeners`?)", line)
	}
	if count < 0 || count > maxSockets {
		return nil, fmt.Errorf("the old process announced %d sockets, which is not a plausible count", count)
	}
	socks := make([]Socket, 0, count)
	fail := func(err error) ([]Socket, error) {
		Close(socks)
		return nil, err
	}
	data := make([]byte, maxRecvBatch*entryMax)
	oob := make([]byte, unix.CmsgSpace(maxRecvBatch*4))
	for len(socks) < count {
		dn, on, flags, _, err := c.ReadMsgUnix(data, oob)
		if err != nil {
			return fail(fmt.Errorf("receive sockets after %d of %d: %w", len(socks), count, err))
		}
		fds, perr := parseRights(oob[:on])
		batch := make([]Socket, 0, len(fds))
		for _, fd := range fds {
			batch = append(batch, Socket{File: os.NewFile(uintptr(fd), "getsocks")})
		}
		socks = append(socks, batch...)
		if perr != nil {
			return fail(perr)
		}
		if flags&unix.MSG_CTRUNC != 0 {
			return fail(fmt.Errorf("receive sockets after %d of %d: control data truncated", len(socks)-len(batch), count))
		}
		if dn == 0 && len(fds) == 0 {
			return fail(fmt.Errorf("the old process closed the connection after %d of %d sockets", len(socks), count))
		}
		entries, err := ParseEntries(data[:dn], len(fds))
		if err != nil {
			return fail(err)
		}
		for i, e := range entries {
			batch[i].Namespace, batch[i].Interface = e.Namespace, e.Interface
		}
		if len(socks) > count {
			return fail(fmt.Errorf("the old process sent %d sockets after announcing %d", len(socks), count))
		}
		binary.NativeEndian.PutUint32(n[:], uint32(len(socks)))
		if _, err := c.Write(n[:]); err != nil && len(socks) < count {
			return fail(fmt.Errorf("acknowledge %d sockets: %w", len(socks), err))
		}
	}
	for i := range socks {
		describe(&socks[i])
	}
	return socks, nil
}

// looksLikeText reports whether the 4 bytes read as a count are printable
// text, as when a CLI answers "Unknown command" instead.
func looksLikeText(b []byte) bool {
	for _, c := range b {
		if c > unicode.MaxASCII || (!unicode.IsPrint(rune(c)) && c != '\n') {
			return false
		}
	}
	return true
}

// parseRights returns the descriptors of every SCM_RIGHTS message in oob.
func parseRights(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("parse control data: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_SOCKET || m.Header.Type != unix.SCM_RIGHTS {
			continue
		}
		r, err := unix.ParseUnixRights(&m)
		if err != nil {
			return fds, fmt.Errorf("parse SCM_RIGHTS: %w", err)
		}
		fds = append(fds, r...)
	}
	return fds, nil
}

// Entry is the data HAProxy sends along with one descriptor.
type Entry struct {
	Namespace, Interface string
	// Options are HAProxy's pre-2.3 listener options (now always 0).
	Options uint32
}

// ParseEntries decodes the data of a batch carrying n descriptors. Extra
// bytes after the n entries are an error, as are missing ones.
func ParseEntries(data []byte, n int) ([]Entry, error) {
	out := make([]Entry, 0, min(n, maxRecvBatch))
	off := 0
	name := func(what string, i int) (string, error) {
		if off >= len(data) {
			return "", fmt.Errorf("socket %d of the batch: %s length missing", i+1, what)
		}
		l := int(data[off])
		off++
		if off+l > len(data) {
			return "", fmt.Errorf("socket %d of the batch: %s of %d bytes truncated", i+1, what, l)
		}
		s := string(data[off : off+l])
		off += l
		return s, nil
	}
	for i := 0; i < n; i++ {
		var e Entry
		var err error
		if e.Namespace, err = name("namespace", i); err != nil {
			return nil, err
		}
		if e.Interface, err = name("interface", i); err != nil {
			return nil, err
		}
		if off+4 > len(data) {
			return nil, fmt.Errorf("socket %d of the batch: options truncated", i+1)
		}
		e.Options = binary.NativeEndian.Uint32(data[off : off+4])
		off += 4
		out = append(out, e)
	}
	if off != len(data) {
		return nil, fmt.Errorf("%d unexpected bytes after %d socket descriptions", len(data)-off, n)
	}
	return out, nil
}

// describe fills in the socket's family, address and listening state.
func describe(s *Socket) {
	fd := int(s.File.Fd())
	if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err == nil {
		s.Listening = v == 1
	}
	if t, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err == nil && t != unix.SOCK_STREAM {
		s.Listening = false
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		s.Listening = false
		return
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		s.Network, s.IP, s.Port = "tcp4", net.IP(a.Addr[:]).To4(), a.Port
	case *unix.SockaddrInet6:
		s.Network, s.IP, s.Port = "tcp6", net.IP(a.Addr[:]), a.Port
	case *unix.SockaddrUnix:
		s.Network, s.Path = "unix", a.Name
	default:
		s.Listening = false
	}
}

// Close closes every socket of socks whose File is still set.
func Close(socks []Socket) {
	for i := range socks {
		if socks[i].File != nil {
			socks[i].File.Close()
			socks[i].File = nil
		}
	}
}
