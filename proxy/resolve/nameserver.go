package resolve

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"time"
)

// nameserver is one `nameserver` line: its socket and its counters.
type nameserver struct {
	name string
	addr netip.AddrPort
	tcp  bool
	udp  *net.UDPConn
	c    counters
}

// counters are a nameserver's statistics, HAProxy's `show resolvers`
// fields; atomics, read by WriteShow while the loop writes them.
type counters struct {
	sent, sndError, valid, update, cname, cnameError, anyErr, nx, timeout,
	refused, other, invalid, tooBig, truncated, outdated atomic.Uint64
}

// packet is one answer read from a nameserver; tcp says it came over a
// TCP connection (its source is then the nameserver by construction).
type packet struct {
	ns   *nameserver
	data []byte
	from netip.AddrPort
	tcp  bool
}

// open creates the datagram socket of a UDP nameserver. It is not
// connected, so that answers from another address are seen (and
// counted) rather than silently filtered by the kernel.
func (ns *nameserver) open() error {
	if ns.tcp {
		return nil
	}
	network, laddr := "udp4", &net.UDPAddr{IP: net.IPv4zero}
	if ns.addr.Addr().Is6() {
		network, laddr = "udp6", &net.UDPAddr{IP: net.IPv6unspecified}
	}
	c, err := net.ListenUDP(network, laddr)
	if err != nil {
		return err
	}
	ns.udp = c
	return nil
}

// maxMessage is the largest DNS message read (the UDP payload limit);
// larger answers cannot come over UDP, and TCP ones are cut there.
const maxMessage = 65535

// readUDP reads a UDP nameserver's answers until its socket is closed.
func (r *Resolvers) readUDP(ctx context.Context, ns *nameserver) {
	defer r.wg.Done()
	buf := make([]byte, maxMessage+1)
	for {
		n, from, err := ns.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return
			}
			continue
		}
		p := packet{ns: ns, data: append([]byte(nil), buf[:n]...), from: netip.AddrPortFrom(from.Addr().Unmap(), from.Port())}
		select {
		case r.packets <- p:
		case <-ctx.Done():
			return
		}
	}
}

// sendUDP sends one query to a UDP nameserver; it reports success.
func (r *Resolvers) sendUDP(ns *nameserver, msg []byte) bool {
	if ns.udp == nil {
		ns.c.sndError.Add(1)
		return false
	}
	if _, err := ns.udp.WriteToUDPAddrPort(msg, ns.addr); err != nil {
		ns.c.sndError.Add(1)
		return false
	}
	ns.c.sent.Add(1)
	return true
}

// sendTCP asks a nameserver over TCP in a goroutine of its own, bounded
// by `timeout retry` and by the section's life; the answer joins the
// UDP ones on the loop's channel.
func (r *Resolvers) sendTCP(ns *nameserver, msg []byte) bool {
	ctx := r.ctx
	if ctx == nil || ctx.Err() != nil {
		ns.c.sndError.Add(1)
		return false
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		ctx, cancel := context.WithTimeout(ctx, r.cfg.TimeoutRetry)
		defer cancel()
		data, err := exchangeTCP(ctx, ns.addr, msg)
		if err != nil {
			if ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
				ns.c.sndError.Add(1)
			}
			return
		}
		select {
		case r.packets <- packet{ns: ns, data: data, from: ns.addr, tcp: true}:
		case <-ctx.Done():
		}
	}()
	ns.c.sent.Add(1)
	return true
}

// exchangeTCP sends a length-prefixed query and reads one answer.
func exchangeTCP(ctx context.Context, addr netip.AddrPort, msg []byte) ([]byte, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	out := make([]byte, 2+len(msg))
	binary.BigEndian.PutUint16(out, uint16(len(msg)))
	copy(out[2:], msg)
	if _, err := c.Write(out); err != nil {
		return nil, err
	}
	var l [2]byte
	if _, err := io.ReadFull(c, l[:]); err != nil {
		return nil, err
	}
	data := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(c, data); err != nil {
		return nil, err
	}
	return data, nil
}
