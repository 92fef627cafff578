package config

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// The `peers` section's lines, as HAProxy 2.6's cfg_parse_peers() reads
// them. Two forms name the local peer (the one called -L, or the host
// name): `peer NAME ADDR:PORT` on every line (the local line's address
// is where it listens), or, since 2.0, one `bind ADDR:PORT` with
// `server NAME [ADDR:PORT]` lines, the local one without an address.
// Mixing `peer` and `bind` is refused. Remote peers' addresses are read
// like server addresses (options too, through the server table), host
// names resolved at once. A section with no local peer is removed with
// a warning at the end of the check, as HAProxy does: its tables are
// then not shared, and it does not listen.

// peersHeader checks a `peers NAME` line: one argument, a name no other
// peers section has.
func (p *parser) peersHeader(args []string) {
	if len(args) > 2 && args[2] != "" {
		p.alertf("'%s' cannot handle unexpected argument '%s'.", args[0], args[2])
	}
	for _, pr := range p.cfg.Peers {
		if pr.Name == args[1] {
			p.alertRaw(fmt.Sprintf("Parsing [%s:%d]: peers section '%s' has the same name as another peers section declared at %s:%d.", p.file, p.line, args[1], pr.File, pr.Line))
			return
		}
	}
}

// peersLine handles a peers section's keyword kw (the section header
// is handled by parseOtherSection).
func (p *parser) peersLine(pr *Peers, kw string, args []string) {
	switch kw {
	case "peer", "server":
		p.peersPeer(pr, kw, args)
	case "bind":
		p.peersBind(pr, args)
	case "default-bind":
		tmpl := Bind{}
		p.parseBindOptions(&tmpl, args, 1, "default-bind", false)
	case "default-server":
		l := &serverLine{px: pr.frontend(), isDef: true, set: map[string]bool{}, s: &Server{}}
		l.prefix = fmt.Sprintf("[%s:%d] : ", p.file, p.line)
		p.serverOptions(l, args, 1)
	case "table":
		p.parsePeersTable(pr, args)
	case "disabled":
		pr.Disabled = true
	case "enabled":
		pr.Disabled = false
	}
}

// frontend is the stand-in proxy HAProxy names the section's messages
// after: its name is the local peer's once that line was read.
func (pr *Peers) frontend() *Proxy {
	if pr.fe == nil {
		pr.fe = &Proxy{Cap: CapBackend}
	}
	return pr.fe
}

// peersBind handles `bind ADDR:PORT [options]`: the local peer's
// listening address in the 2.x form.
func (p *parser) peersBind(pr *Peers, args []string) {
	if pr.peerLine {
		p.alertf("mixing \"peer\" and \"bind\" line is forbidden")
		return
	}
	if pr.Listen != nil {
		p.alertf("One listener per \"peers\" section is authorized but another is already configured at [%s:%d].", pr.Listen.File, pr.Listen.Line)
		return
	}
	a := arg(args, 1)
	if a == "" {
		p.alertf("'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.")
		return
	}
	b, ok := p.parseBindAddr("bind "+a, a, false)
	if !ok {
		return
	}
	if !p.peersListenAddr(b, "bind "+a, a) {
		return
	}
	tmpl := Bind{}
	if !p.parseBindOptions(&tmpl, args, 2, "bind", false) {
		return
	}
	b.Options = append([]string(nil), args[2:]...)
	pr.Listen = &b
	pr.bindLine = true
}

// peersListenAddr refuses what a peer cannot listen on: a port range,
// or anything but TCP.
func (p *parser) peersListenAddr(b Bind, head, orig string) bool {
	if b.PortEnd != 0 {
		p.alertf("'%s' : port range not permitted here in '%s'", head, orig)
		return false
	}
	if !strings.HasPrefix(b.Network, "tcp") {
		p.alertf("'%s' : a peer listens on a TCP address, not on '%s'", head, orig)
		return false
	}
	return true
}

// peersPeer handles `peer NAME ADDR:PORT [options]` and
// `server NAME [ADDR:PORT] [options]`.
func (p *parser) peersPeer(pr *Peers, kw string, args []string) {
	name := arg(args, 1)
	if kw == "peer" {
		if pr.bindLine {
			p.alertf("mixing \"peer\" and \"bind\" line is forbidden")
			return
		}
		pr.peerLine = true
	}
	if name == "" {
		return // HAProxy adds a nameless peer that nothing uses
	}
	local := name == p.opts.LocalPeer
	if local {
		if prev := pr.LocalPeer(); prev != nil {
			p.alertf("'%s %s' : local peer name already referenced at %s:%d. %s", kw, name, prev.File, prev.Line, prev.Name)
			return
		}
		pr.frontend().Name = name
	}
	peer := Peer{Name: name, Local: local, File: p.file, Line: p.line}
	if local && kw == "peer" {
		// The local peer's address is where it listens.
		head, a := kw+" "+name, arg(args, 2)
		if _, port, err := net.SplitHostPort(a); err == nil && strings.Contains(port, "-") {
			p.alertRaw(fmt.Sprintf("[%s:%d] : 'server %s/%s' : port range not permitted here in '%s'", p.file, p.line, name, name, a))
			return
		}
		if a == "" {
			pr.Peers, pr.Local = append(pr.Peers, peer), true // HAProxy accepts it; nothing listens
			return
		}
		b, ok := p.parseBindAddr(head, a, false)
		if !ok || !p.peersListenAddr(b, head, a) {
			return
		}
		pr.Listen, peer.Addr = &b, b.Addr
		if !p.peersRemote(pr, &peer, args, false, 3) {
			return
		}
	} else if !p.peersRemote(pr, &peer, args, !local, 2) {
		return
	}
	if local && kw == "server" && pr.Listen != nil {
		peer.Addr = pr.Listen.Addr
	}
	pr.Peers = append(pr.Peers, peer)
	if local {
		pr.Local = true
	}
}

// peersRemote reads a peer line's address (when withAddr) and options
// through the server table, with HAProxy's messages ('server LOCAL/NAME').
func (p *parser) peersRemote(pr *Peers, peer *Peer, args []string, withAddr bool, start int) bool {
	fe := pr.frontend()
	where := fmt.Sprintf("[%s:%d] : ", p.file, p.line)
	l := &serverLine{px: fe, s: &Server{Name: peer.Name}, set: map[string]bool{}, isDef: !withAddr && start == 2}
	l.prefix = where + fmt.Sprintf("'server %s/%s' : ", fe.Name, peer.Name)
	if withAddr {
		a := envExpand(arg(args, 2), p.env.get)
		if a == "" {
			return true // HAProxy accepts a peer without an address; it is never connected to
		}
		start = 3
		if _, port, err := net.SplitHostPort(a); err == nil && strings.Contains(port, "-") {
			p.alertRaw(l.prefix + fmt.Sprintf("port range not permitted here in '%s'", a))
			return false
		}
		if !p.serverAddr(l.s, fe, arg(args, 2), where) {
			return false
		}
		host := l.s.Addr
		if l.s.FQDN != "" {
			r, err := p.resolve(l.s.FQDN)
			if err != nil {
				p.alertRaw(l.prefix + fmt.Sprintf("invalid address: '%s' in '%s'\n", l.s.FQDN, a))
				return false
			}
			host = r
		}
		if ip, err := netip.ParseAddr(host); err == nil {
			host = ip.String()
		}
		peer.Addr = net.JoinHostPort(host, fmt.Sprint(l.s.Port))
		if l.s.Unix != "" {
			peer.Addr = l.s.Unix
		}
	}
	return p.serverOptions(l, args, start)
}

// LocalPeer returns the section's local peer (nil when none is named
// -L or the host name).
func (pr *Peers) LocalPeer() *Peer {
	for i := range pr.Peers {
		if pr.Peers[i].Local {
			return &pr.Peers[i]
		}
	}
	return nil
}

// checkPeers removes, with HAProxy's warning, the sections that name no
// local peer: they neither listen nor share their tables.
func (p *parser) checkPeers() {
	for _, pr := range p.cfg.Peers {
		if lp := pr.LocalPeer(); lp != nil && lp.Addr == "" && pr.Listen != nil {
			lp.Addr = pr.Listen.Addr // `server LOCAL` before its `bind`
		}
		if pr.Disabled || pr.LocalPeer() != nil {
			continue
		}
		pr.Local = false
		pr.Removed = true
		p.rec.warn(pr.File, pr.Line, fmt.Sprintf("Removing incomplete section 'peers %s' (no peer named '%s').", pr.Name, p.opts.LocalPeer))
	}
}

// Serving reports whether the section runs: it is enabled and names a
// local peer with an address to listen on.
func (pr *Peers) Serving() bool {
	return pr != nil && !pr.Disabled && !pr.Removed && pr.Local && pr.Listen != nil
}

// PeerBinds lists the listening sockets of the peers sections that run
// (one per section: its local peer's address), for the master and the
// standalone process to bind and hand over like frontends' binds.
func (c *Config) PeerBinds() []Bind {
	var out []Bind
	for _, pr := range c.Peers {
		if pr.Serving() {
			out = append(out, *pr.Listen)
		}
	}
	return out
}

// PeersNamed returns the peers section called name (nil if none).
func (c *Config) PeersNamed(name string) *Peers {
	for _, pr := range c.Peers {
		if pr.Name == name {
			return pr
		}
	}
	return nil
}
