package stream

import (
	"errors"
	"github.com/goha/goha/proxy/rules"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/sample"
)

// TCP content inspection (mode tcp): `tcp-request inspect-delay` and
// `tcp-request content accept|reject [if|unless COND]`, the way HAProxy
// 2.6 runs them (tcp_inspect_request): the rules are evaluated in order
// each time bytes arrive; a rule whose condition reads the payload and
// cannot decide yet (a TLS ClientHello not complete, say) makes the
// whole evaluation wait for more bytes, until inspect-delay expires,
// the buffer is full or the client closes; then it is decided on what
// is there. The first matching rule accepts or rejects; no matching
// rule accepts. Without inspect-delay the rules are decided at once on
// whatever has arrived.
//
// The bytes are peeked (MSG_PEEK), never consumed: the relay forwards
// them to the server as usual, splice included. use_backend rules then
// see the same payload (req_ssl_sni routing).

// compileContentRules compiles a frontend's content rules; in mode tcp
// they wait for the payload within tcp-request inspect-delay.
func (f *Frontend) compileContentRules(p *config.Proxy) error {
	if len(p.TCPRequestContent) == 0 {
		return nil
	}
	rs, err := rules.CompileContentRules(p)
	if err != nil {
		return err
	}
	f.contentRules = rs
	if f.mode == config.ModeTCP {
		f.inspectDelay = p.TCPRequestInspectDelay
	}
	return nil
}

// contentPeeker is a client connection that can show the bytes received
// so far without consuming them, waiting until more than have bytes are
// there, the deadline passes (an error satisfying os.ErrDeadlineExceeded)
// or the client closes (io.EOF with what was there). The TCP relay's
// raw connections implement it (see peekFD).
type contentPeeker interface {
	peekWait(buf []byte, have int, deadline time.Time) (int, error)
}

// inspectContent runs the content rules of a mode tcp frontend on c,
// leaving in smp the payload use_backend rules will see. It reports
// false when the connection is rejected. It is a no-op without content
// rules.
func (f *Frontend) inspectContent(c net.Conn, smp *sample.Conn) bool {
	if len(f.contentRules) == 0 {
		return true
	}
	var deadline time.Time
	if f.inspectDelay > 0 {
		deadline = time.Now().Add(f.inspectDelay)
	}
	size := f.rt.bufsize - f.rt.maxrewrite
	if size <= 0 {
		size = f.rt.bufsize
	}
	buf := make([]byte, size)
	n := 0
	smp.Peeked, smp.Final = buf[:0], f.inspectDelay <= 0
	if !smp.Final {
		// Take whatever is already there without waiting.
		n, smp.Final = peekNow(c, buf)
		smp.Peeked = buf[:n]
	}
	for {
		decided, accept := f.evalContentRules(smp)
		if decided {
			return accept
		}
		if smp.Final {
			return true
		}
		m, err := peekMore(c, buf, n, deadline)
		if m > n {
			n = m
			smp.Peeked = buf[:n]
		}
		if err != nil || n >= len(buf) {
			smp.Final = true
		}
	}
}

// evalContentRules evaluates the rules once; decided is false when a
// rule cannot decide before more payload arrives.
func (f *Frontend) evalContentRules(smp *sample.Conn) (decided, accept bool) {
	for _, r := range f.contentRules {
		m, miss := r.Cond.EvalPartial(smp)
		if miss {
			return false, false
		}
		if m {
			if r.Track != nil {
				f.tcpRuleAction(r, smp.Stick, &sample.Ctx{Frontend: f, Conn: smp}, false, false)
				continue
			}
			if r.Var != nil {
				continue // mode tcp sessions keep no variables yet
			}
			if !r.Accept {
				f.Dreq.Add(1)
			}
			return true, r.Accept
		}
	}
	return true, true
}

// contentRulesHTTP applies mode http frontends' content rules (those
// not reading the raw payload) to the parsed request; false rejects.
func (f *Frontend) contentRulesHTTP(s acl.Sample) bool {
	for _, r := range f.contentRules {
		if r.Cond.Eval(s) {
			if !r.Accept {
				f.Dreq.Add(1)
			}
			return r.Accept
		}
	}
	return true
}

// peekNow returns the bytes already received, without waiting; final
// when the client has closed.
func peekNow(c net.Conn, buf []byte) (int, bool) {
	n, err := peekMore(c, buf, -1, time.Time{})
	return n, err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

// peekMore waits until more than have bytes are received (have < 0:
// returns at once whatever is there).
func peekMore(c net.Conn, buf []byte, have int, deadline time.Time) (int, error) {
	if p, ok := c.(contentPeeker); ok {
		return p.peekWait(buf, have, deadline)
	}
	if n, err, ok := peekOwned(c, buf, have, deadline); ok {
		return n, err
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, io.EOF // nothing can be inspected: decide now
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	if have >= 0 && !deadline.IsZero() {
		c.SetReadDeadline(deadline)
		defer c.SetReadDeadline(time.Time{})
	}
	return peekRaw(rc, buf, have, deadline)
}

// peekRaw peeks through a RawConn: recv(MSG_PEEK) until more than have
// bytes are there (have < 0: no waiting). The deadline is the
// connection's read deadline, set by the caller.
func peekRaw(rc syscall.RawConn, buf []byte, have int, deadline time.Time) (int, error) {
	n := 0
	var rerr error
	noWait := have < 0
	err := rc.Read(func(fd uintptr) bool {
		for {
			m, _, e := syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				if noWait {
					rerr = os.ErrDeadlineExceeded
					return true
				}
				return false
			case e != nil:
				rerr = e
				return true
			case m == 0:
				rerr = io.EOF
				return true
			}
			n = m
			if m > have || m == len(buf) || noWait {
				return true
			}
			return false
		}
	})
	if err != nil && rerr == nil {
		rerr = err
	}
	return n, rerr
}
