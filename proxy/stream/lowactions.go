package stream

import (
	"context"
	"net"
	"sync"
	"syscall"

	"github.com/goha/goha/proxy/rules"
	"github.com/goha/goha/proxy/sample"
)

// The actions that pass a request's importance on: set-priority-class
// and set-priority-offset order the backend's queue (queue.go reads the
// priority through the connect context), set-mark and set-tos mark the
// client connection's packets (SO_MARK, IP_TOS or IPV6_TCLASS), as
// HAProxy 2.6 does for http-request, http-response and tcp-request rules.

// isLowKind reports whether k is one of these actions.
func isLowKind(k rules.Kind) bool {
	return k == rules.SetMark || k == rules.SetTos || k == rules.SetPrioClass || k == rules.SetPrioOffset
}

// lowAction runs one of these actions for the connection of x; c is the
// client socket (nil: the mark and TOS are not set).
func (f *Frontend) lowAction(k rules.Kind, tr *rules.Track, x *sample.Ctx, c net.Conn) {
	v := tr.Const
	if tr.Value != nil {
		n, ok := tr.Value.Int(x)
		if !ok {
			return
		}
		v = n
	}
	switch k {
	case rules.SetPrioClass:
		if x.Conn != nil {
			x.Conn.Prio.SetClass(v)
		}
	case rules.SetPrioOffset:
		if x.Conn != nil {
			x.Conn.Prio.SetOffset(v)
		}
	case rules.SetMark:
		if err := setSockInt(c, syscall.SOL_SOCKET, syscall.SO_MARK, 0, 0, int(uint32(v))); err != nil {
			f.warnMarkOnce(err)
		}
	case rules.SetTos:
		setSockInt(c, syscall.IPPROTO_IP, syscall.IP_TOS, syscall.IPPROTO_IPV6, syscall.IPV6_TCLASS, int(v))
	}
}

// markWarned makes the failure of set-mark (without CAP_NET_ADMIN)
// reported once per process, not once per request.
var markWarned sync.Once

// warnMarkOnce reports a failed set-mark in the process log.
func (f *Frontend) warnMarkOnce(err error) {
	markWarned.Do(func() {
		f.rt.log.Warn().Msgf("Proxy %s: set-mark: cannot set SO_MARK on a client connection (%v): it needs CAP_NET_ADMIN; packets go unmarked.", f.Name, err)
	})
}

// setSockInt sets an integer socket option on c: level/opt for IPv4
// sockets, level6/opt6 for IPv6 ones (0: the same option for both).
func setSockInt(c net.Conn, level, opt, level6, opt6, v int) error {
	sc, ok := c.(syscall.Conn)
	if !ok || c == nil {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	v6 := false
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok && a.IP.To4() == nil {
		v6 = true
	}
	if v6 && level6 != 0 {
		level, opt = level6, opt6
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), level, opt, v) }); err != nil {
		return err
	}
	return serr
}

// httpLowAction runs one of these actions of an http-request or
// http-response rule.
func (s *httpSession) httpLowAction(r *rules.HTTPRule) {
	s.f.lowAction(r.Kind, r.Track, &s.w.x, s.c)
}

// prioKey carries a request's priority in the connect context to the
// queue.
type prioKey struct{}

// withPrio returns ctx carrying p when it differs from the default.
func withPrio(ctx context.Context, p sample.Priority) context.Context {
	if p == (sample.Priority{}) {
		return ctx
	}
	return context.WithValue(ctx, prioKey{}, p)
}

// prioOf returns the priority ctx carries.
func prioOf(ctx context.Context) sample.Priority {
	p, _ := ctx.Value(prioKey{}).(sample.Priority)
	return p
}
