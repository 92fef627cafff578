package stream

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Listener is one listening socket of a frontend with `option
// socket-stats`: a `show stat` row of its own (type 3), as HAProxy 2.6
// keeps per listener. One per port of a bind line (a port range gives
// several), numbered from 1 in the frontend (the row's sid).
type Listener struct {
	// Name is the bind's `name`, else "sock-N".
	Name string
	// ID is the listener's number in its frontend; Addr its address.
	ID   int
	Addr string
	// Maxconn is the bind's maxconn (0: none).
	Maxconn int
	// Counters count the sessions accepted on this listener: Scur,
	// Smax, Stot (bytes and denials are not counted per listener).
	Counters

	ap   netip.AddrPort // the bound address (zero IP: any)
	unix bool
}

// listeners are the Listener rows of the frontends with socket-stats,
// built on first use from the configuration.
type listeners struct {
	once sync.Once
	of   map[*Frontend][]*Listener
	// bySess is the listener of each live session counted on one.
	bySess sync.Map
}

// Listeners returns f's listeners when it has `option socket-stats`
// (nil otherwise).
func (f *Frontend) Listeners() []*Listener {
	ls := &f.rt.lst
	ls.once.Do(func() { ls.of = buildListeners(f.rt.frontends) })
	return ls.of[f]
}

func buildListeners(fs []*Frontend) map[*Frontend][]*Listener {
	out := map[*Frontend][]*Listener{}
	for _, f := range fs {
		if !f.Cfg.Options.SocketStats {
			continue
		}
		n := 0
		for _, b := range f.Cfg.Binds {
			for _, key := range bindKeys(b) {
				n++
				l := &Listener{Name: b.Name, ID: n, Maxconn: b.Maxconn}
				if l.Name == "" {
					l.Name = "sock-" + strconv.Itoa(n)
				}
				network, addr, _ := strings.Cut(key, ":")
				l.Addr, l.unix = addr, network == "unix"
				if !l.unix {
					l.ap = parseListenAddr(addr)
				}
				out[f] = append(out[f], l)
			}
		}
	}
	return out
}

// parseListenAddr reads "host:port" ("" or "*" host: any address).
func parseListenAddr(addr string) netip.AddrPort {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return netip.AddrPort{}
	}
	p, _ := strconv.Atoi(port)
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPortFrom(netip.IPv6Unspecified(), uint16(p))
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(p))
}

// listenerOf finds the listener a connection came in on from its local
// address: the same address and port, else a wildcard bind on that
// port; a unix socket (no address) is its frontend's first unix
// listener.
func (f *Frontend) listenerOf(local netip.AddrPort) *Listener {
	local = netip.AddrPortFrom(local.Addr().Unmap(), local.Port())
	var wild *Listener
	for _, l := range f.Listeners() {
		switch {
		case l.unix:
			if !local.IsValid() && wild == nil {
				wild = l
			}
		case l.ap.Port() != local.Port():
		case l.ap.Addr() == local.Addr():
			return l
		case l.ap.Addr().IsUnspecified():
			wild = l
		}
	}
	return wild
}

// countListener counts a session opening (open) or ending on its
// listener, when its frontend has socket-stats. The listener is found
// when the session opens (from its connection's local address, before
// any relay takes the connection) and remembered until it ends.
func (rt *Process) countListener(s sessionCloser, open bool) {
	var f *Frontend
	var c net.Conn
	switch t := s.(type) {
	case *httpSession:
		f, c = t.f, t.c
	case *tcpSession:
		f, c = t.f, t.cli
	}
	// Checked first: the local address costs a getsockname(2), which
	// sessions of frontends without socket-stats never pay.
	if f == nil || !f.Cfg.Options.SocketStats {
		return
	}
	if !open {
		if l, ok := rt.lst.bySess.LoadAndDelete(s); ok {
			l.(*Listener).sessEnd()
		}
		return
	}
	var local netip.AddrPort
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		local = a.AddrPort()
	}
	if l := f.listenerOf(local); l != nil {
		l.sessStart(time.Now())
		rt.lst.bySess.Store(s, l)
	}
}
