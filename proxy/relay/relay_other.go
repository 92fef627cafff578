//go:build !linux

package relay

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"
)

// Relay is a session's state in a relay loop; only Linux has the loop.
type Relay struct{}

// New returns a relay that never starts: sessions relay on their own
// goroutine here.
func New(o Owner, tmoCli, tmoSrv time.Duration) *Relay { return &Relay{} }

// Start: without the Linux relay loop the session relays on its own
// goroutine.
func (r *Relay) Start(cli, srv net.Conn) bool { return false }

// ShutdownLocked: the relay never holds descriptors here.
func (r *Relay) ShutdownLocked() bool { return false }

// Usable: no raw connections here.
func Usable(c net.Conn) net.Conn { return c }

// SetKeepAlive: no raw connections here.
func SetKeepAlive(c net.Conn) {}

// Accept accepts the next connection of ln.
func Accept(ln net.Listener) (net.Conn, error) { return ln.Accept() }

// Dial connects to ap for mode tcp (on the calling goroutine), within
// timeout (5s when not positive); keepAlive turns TCP keep-alive on.
func Dial(ctx context.Context, ap netip.AddrPort, timeout time.Duration, keepAlive bool) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout, KeepAlive: -1}
	if d.Timeout <= 0 {
		d.Timeout = 5 * time.Second
	}
	c, err := d.DialContext(ctx, "tcp", ap.String())
	if err != nil {
		return nil, err
	}
	if keepAlive {
		c.(*net.TCPConn).SetKeepAlive(true)
	}
	return c, nil
}

// Lot is the parking lot; only Linux parks idle connections, elsewhere
// each waits on its goroutine.
type Lot struct{}

// ParkAfter is unused without a lot.
const ParkAfter = time.Duration(0)

var errNoLot = errors.New("no parking lot on this platform")

// NewLot fails: there is no lot here.
func NewLot(done <-chan struct{}) (*Lot, error) { return nil, errNoLot }

// Park never parks here.
func (p *Lot) Park(s Parkable, deadline time.Time) bool { return false }

// Release does nothing here.
func (p *Lot) Release(s Parkable) {}

// Parked returns 0: nothing is parked here.
func (p *Lot) Parked() int { return 0 }

// DialStart never starts a connect here: done false and no connection
// tell the caller to Dial on a goroutine that may wait.
func DialStart(netip.AddrPort, bool) (net.Conn, bool, error) { return nil, false, nil }

// DialFinish has nothing to finish here (see DialStart).
func DialFinish(context.Context, net.Conn, time.Duration) error { return nil }
