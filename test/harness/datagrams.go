package harness

import (
	"net"
	"strings"
	"sync"
	"testing"
)

// Datagrams collects what reaches a datagram socket (a syslog target, a
// NOTIFY_SOCKET) until the test ends.
type Datagrams struct {
	pc   net.PacketConn
	mu   sync.Mutex
	msgs []string
}

// ListenDatagrams listens on network ("udp4", "unixgram", ...) at address
// (port 0 for any) and collects every datagram, trailing newlines cut.
func ListenDatagrams(t testing.TB, network, address string) *Datagrams {
	t.Helper()
	pc, err := net.ListenPacket(network, address)
	if err != nil {
		t.Fatalf("listen %s %s: %v", network, address, err)
	}
	d := &Datagrams{pc: pc}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			d.mu.Lock()
			d.msgs = append(d.msgs, strings.TrimRight(string(buf[:n]), "\n"))
			d.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		<-done
	})
	return d
}

// Addr is the address the datagrams are sent to.
func (d *Datagrams) Addr() net.Addr { return d.pc.LocalAddr() }

// All returns the datagrams received so far, in order.
func (d *Datagrams) All() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.msgs...)
}

// Find returns the first datagram that contains substr, or "".
func (d *Datagrams) Find(substr string) string {
	for _, m := range d.All() {
		if strings.Contains(m, substr) {
			return m
		}
	}
	return ""
}

// Has returns a condition for WaitFor: some datagram contains substr.
func (d *Datagrams) Has(substr string) func() bool {
	return func() bool { return d.Find(substr) != "" }
}

// String returns every datagram so far, one a line.
func (d *Datagrams) String() string { return strings.Join(d.All(), "\n") }
