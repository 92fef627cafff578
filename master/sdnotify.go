package master

import (
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// notifier speaks systemd's sd_notify protocol: one unixgram datagram per
// state change to $NOTIFY_SOCKET (a path, or an abstract name starting
// with '@'). It is about twenty lines, so goha carries it instead of a
// module (see shared/notes/deps.md §5). A zero notifier does nothing.
type notifier struct {
	addr string
}

func newNotifier(enabled bool) notifier {
	if !enabled {
		return notifier{}
	}
	return notifier{addr: os.Getenv("NOTIFY_SOCKET")}
}

// send writes one notification; failures are returned, never fatal.
func (n notifier) send(state string) error {
	if n.addr == "" {
		return nil
	}
	name := n.addr
	if strings.HasPrefix(name, "@") {
		name = "\x00" + name[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify %q: %w", n.addr, err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %q: %w", n.addr, err)
	}
	return nil
}

// monotonicUsec is the MONOTONIC_USEC= value systemd wants with RELOADING=1.
func monotonicUsec() string {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return ""
	}
	return fmt.Sprintf("MONOTONIC_USEC=%d", ts.Sec*1_000_000+ts.Nsec/1000)
}
