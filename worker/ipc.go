package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/config"
)

// File descriptors a master gives a worker, in this order.
const (
	// FDIPC is the worker's end of its SOCK_SEQPACKET socketpair with the
	// master. EOF on it means the master died: the worker exits.
	FDIPC = 3
	// FDHandoff is a memfd holding the JSON Handoff.
	FDHandoff = 4
	// FDFirstListener is the first inherited listening socket; the
	// others follow in Handoff.Listeners order.
	FDFirstListener = 5
)

// EnvRole marks a process started by a master as a worker.
const EnvRole = "GOHA_ROLE"

// HandoffVersion is the version of the Handoff encoding. A worker refuses
// a handoff of another version with a clear message, so a master and a
// worker binary of incompatible versions never half-understand each other.
const HandoffVersion = 1

// Handoff is everything a worker receives from its master at start.
type Handoff struct {
	Version int `json:"version"`
	// Sources are the exact configuration bytes the master checked.
	Sources []config.Source `json:"sources"`
	// Listeners are the keys (config.Bind.Key) of the inherited sockets,
	// in fd order from FDFirstListener.
	Listeners []string `json:"listeners"`
	MasterPid int      `json:"master_pid"`
	// Gen is the generation number (the master's reload count when the
	// worker was started) and RelNum the worker's relative number in it.
	Gen    int `json:"gen"`
	RelNum int `json:"rel_num"`
	// ServerState is the `show servers state` dump of the previous
	// generation, applied so runtime changes survive a reload.
	ServerState string `json:"server_state,omitempty"`
	Debug       bool   `json:"debug,omitempty"`
	Quiet       bool   `json:"quiet,omitempty"`
	// Maxconn (-n) and DefMaxconn (-N) override the configuration.
	Maxconn    int    `json:"maxconn,omitempty"`
	DefMaxconn int    `json:"def_maxconn,omitempty"`
	LocalPeer  string `json:"local_peer,omitempty"`
	// MasterWorker is true when started by a master (false in tests).
	MasterWorker bool `json:"master_worker"`
	// TicketKeys are the master's TLS session-ticket keys for the ssl
	// binds without a `tls-ticket-keys` file (nil: crypto/tls's own).
	TicketKeys *TicketKeys `json:"ticket_keys,omitempty"`
}

// IPC messages. Worker to master: MsgReady once serving, MsgStopping
// once a soft stop has closed its listeners (no new connection will
// reach it). Master to worker: MsgCLI carries a connected stream socket
// to serve as one CLI session at the given level ("cli admin").
const (
	MsgReady    = "ready"
	MsgStopping = "stopping"
	MsgCLI      = "cli"
)

// WriteHandoff encodes h into a fresh memfd, ready to be inherited.
func WriteHandoff(h *Handoff) (*os.File, error) {
	h.Version = HandoffVersion
	data, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode worker handoff: %w", err)
	}
	return memfdWith("goha-worker-handoff", data)
}

func memfdWith(name string, data []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), name)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadHandoff decodes the handoff from f and checks it (DecodeHandoff).
func ReadHandoff(f *os.File) (*Handoff, error) {
	if _, err := f.Seek(0, 0); err != nil {
		return nil, fmt.Errorf("read worker handoff: %w", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read worker handoff: %w", err)
	}
	return DecodeHandoff(data)
}

// DecodeHandoff decodes a handoff and checks what the worker relies on:
// its version, listener keys that are set and distinct (two listeners
// under one key would leave one of the inherited sockets unused and
// open), and no negative number.
func DecodeHandoff(data []byte) (*Handoff, error) {
	var h Handoff
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("decode worker handoff: %w", err)
	}
	if h.Version != HandoffVersion {
		return nil, fmt.Errorf("worker handoff version %d, this binary speaks %d", h.Version, HandoffVersion)
	}
	seen := map[string]bool{}
	for i, k := range h.Listeners {
		if k == "" || seen[k] {
			return nil, fmt.Errorf("worker handoff: listener %d has key %q, empty or listed twice", i, k)
		}
		seen[k] = true
	}
	if h.MasterPid < 0 || h.Gen < 0 || h.RelNum < 0 || h.Maxconn < 0 || h.DefMaxconn < 0 {
		return nil, fmt.Errorf("worker handoff: negative number (master %d, generation %d, process %d, maxconn %d/%d)",
			h.MasterPid, h.Gen, h.RelNum, h.Maxconn, h.DefMaxconn)
	}
	return &h, nil
}

// SocketPair returns a connected SOCK_SEQPACKET pair (both close-on-exec):
// the master keeps the first end, the worker inherits the second.
func SocketPair() (master, worker *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "ipc-master"), os.NewFile(uintptr(fds[1]), "ipc-worker"), nil
}

// StreamPair returns a connected SOCK_STREAM pair for one forwarded CLI
// session.
func StreamPair() (a, b *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "cli-master"), os.NewFile(uintptr(fds[1]), "cli-worker"), nil
}

// SendMsg sends one message on a SOCK_SEQPACKET socket, with an optional
// file descriptor attached (SCM_RIGHTS). It is safe to call from several
// goroutines: each message is one atomic datagram. It gives up when ctx
// ends, so a peer that stopped reading (a stopped or wedged worker) never
// blocks the sender for longer than the caller allows.
func SendMsg(ctx context.Context, sock *os.File, msg string, attach *os.File) error {
	var oob []byte
	if attach != nil {
		oob = unix.UnixRights(RawFD(attach))
	}
	// The send goes through a private duplicate of the descriptor: its
	// deadline is this call's, whatever other goroutines send at the same
	// time on the same socket.
	var nfd int
	var derr error
	raw, err := sock.SyscallConn()
	if err == nil {
		err = raw.Control(func(fd uintptr) { nfd, derr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0) })
	}
	if err == nil {
		err = derr
	}
	if err != nil {
		return fmt.Errorf("send %q: %w", msg, err)
	}
	f := os.NewFile(uintptr(nfd), "ipc-send")
	defer f.Close()
	if dl, ok := ctx.Deadline(); ok {
		f.SetWriteDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	if raw, err = f.SyscallConn(); err != nil {
		return fmt.Errorf("send %q: %w", msg, err)
	}
	var serr error
	err = raw.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), []byte(msg), oob, nil, unix.MSG_NOSIGNAL|unix.MSG_DONTWAIT)
		return serr != unix.EAGAIN
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			err = cerr
		}
		return fmt.Errorf("send %q: the peer does not read its socket: %w", msg, err)
	}
	if serr != nil {
		return fmt.Errorf("send %q: %w", msg, serr)
	}
	return nil
}

// ErrClosed is returned by RecvMsg when the peer closed its end.
var ErrClosed = errors.New("ipc peer closed")

// RecvMsg receives one message, and the file descriptor attached to it
// if any. It returns ErrClosed at EOF.
func RecvMsg(sock *os.File) (string, *os.File, error) {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4*4))
	raw, err := sock.SyscallConn()
	if err != nil {
		return "", nil, err
	}
	var n, oobn int
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC)
		return rerr != unix.EAGAIN
	})
	if err != nil {
		return "", nil, err
	}
	if rerr != nil {
		return "", nil, rerr
	}
	var file *os.File
	if oobn > 0 {
		msgs, perr := unix.ParseSocketControlMessage(oob[:oobn])
		if perr == nil {
			for _, m := range msgs {
				fds, ferr := unix.ParseUnixRights(&m)
				if ferr != nil {
					continue
				}
				for _, fd := range fds {
					if file == nil {
						file = os.NewFile(uintptr(fd), "ipc-attached")
					} else {
						unix.Close(fd)
					}
				}
			}
		}
	}
	if n == 0 && file == nil {
		return "", nil, ErrClosed
	}
	return string(buf[:n]), file, nil
}

// RawFD returns f's descriptor without switching it to blocking mode
// (os.File.Fd does that, and the mode is shared with every process that
// holds the same socket).
func RawFD(f *os.File) int {
	raw, err := f.SyscallConn()
	if err != nil {
		return int(f.Fd())
	}
	fd := -1
	raw.Control(func(u uintptr) { fd = int(u) })
	return fd
}

// DrainMsgs reads, without waiting, the messages already queued on an
// IPC socket and reports whether one of them was want. Attached
// descriptors are closed.
func DrainMsgs(sock *os.File, want string) bool {
	raw, err := sock.SyscallConn()
	if err != nil {
		return false
	}
	found := false
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4*4))
	raw.Control(func(fd uintptr) {
		for {
			n, oobn, _, _, err := unix.Recvmsg(int(fd), buf, oob, unix.MSG_DONTWAIT|unix.MSG_CMSG_CLOEXEC)
			if err != nil || (n == 0 && oobn == 0) {
				return
			}
			if oobn > 0 {
				if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
					for _, m := range msgs {
						if fds, err := unix.ParseUnixRights(&m); err == nil {
							for _, f := range fds {
								unix.Close(f)
							}
						}
					}
				}
			}
			if string(buf[:n]) == want {
				found = true
			}
		}
	})
	return found
}

// FileConn turns an inherited stream socket into a net.Conn (the file is
// closed: the conn holds its own descriptor).
func FileConn(f *os.File) (net.Conn, error) {
	defer f.Close()
	return net.FileConn(f)
}
