package config

import (
	"net/netip"
	"strconv"
	"strings"
)

// parseBind handles a `bind` line: one listener per address (a comma
// separated list) and per port of a range.
func (p *parser) parseBind(px *Proxy, args []string) {
	if arg(args, 1) == "" {
		p.alertf("'%s' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.", args[0])
		return
	}
	var binds []Bind
	for _, a := range strings.Split(args[1], ",") {
		b, ok := p.parseBindAddr("bind", a, false)
		if !ok {
			return
		}
		binds = append(binds, b)
	}
	tmpl := Bind{}
	if !p.parseBindOptions(&tmpl, args, 2, "bind", false) {
		return
	}
	for _, b := range binds {
		b2 := tmpl
		b2.Network, b2.Addr, b2.PortEnd, b2.File, b2.Line = b.Network, b.Addr, b.PortEnd, b.File, b.Line
		b2.Options = append([]string(nil), args[2:]...)
		px.Binds = append(px.Binds, b2)
	}
}

// parseBindAddr parses one listening address: [ipv4@|ipv6@]host:port[-end],
// `*:port`, `:port`, unix@/path or /path. kw names the keyword for
// messages; unixOK allows a bare path (always allowed by HAProxy).
func (p *parser) parseBindAddr(kw, s string, unixOK bool) (Bind, bool) {
	b := Bind{UID: -1, GID: -1, File: p.file, Line: p.line}
	orig := s
	s = envExpand(s, p.env.get)
	if s == "" {
		p.alertf("'%s' : '%s' resolves to an empty address (environment variable missing?)", kw, orig)
		return b, false
	}
	network := "tcp"
	if i := strings.Index(s, "@"); i > 0 {
		switch s[:i] {
		case "ipv4":
			network = "tcp4"
		case "ipv6":
			network = "tcp6"
		case "unix", "uxst":
			b.Network, b.Addr = "unix", s[i+1:]
			return b, true
		case "abns", "fd", "sockpair":
			return p.bindSpecialAddr(b, kw, s[:i], s[i+1:], orig)
		case "tcp", "tcp4", "tcp6", "stream":
			if s[:i] != "stream" && s[:i] != "tcp" {
				network = s[:i]
			}
		case "udp", "udp4", "udp6", "uxdg", "dgram":
			p.alertf("'%s' : dgram-type address not acceptable in '%s'", kw, orig)
			return b, false
		case "quic4", "quic6":
			p.alertf("'%s' : address family '%s@' is known to HAProxy but goha does not support it yet in '%s'", kw, s[:i], orig)
			return b, false
		default:
			p.alertf("'%s' : unknown address family '%s' in '%s'", kw, s[:i], orig)
			return b, false
		}
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") {
		b.Network, b.Addr = "unix", s
		return b, true
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		p.alertf("'%s' : missing port specification in '%s'", kw, orig)
		return b, false
	}
	host, port := s[:i], s[i+1:]
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	if host == "*" || host == "::" && network == "tcp" && false {
		host = ""
	}
	if host == "*" {
		host = ""
	}
	if host != "" {
		ip, err := netip.ParseAddr(host)
		if err == nil && !familyFits(network, ip) {
			p.alertf("'%s' : invalid address: '%s' in '%s'", kw, s[:i], orig)
			return b, false
		}
		if err != nil {
			r, rerr := p.resolve(host)
			if rerr != nil {
				p.alertf("'%s' : invalid address: '%s' in '%s'", kw, host, s)
				return b, false
			}
			host = r
		} else {
			host = ip.String()
		}
	}
	p1s, p2s := port, ""
	if j := strings.IndexByte(port, '-'); j >= 0 {
		p1s, p2s = port[:j], port[j+1:]
	}
	if p1s == "" {
		p.alertf("'%s' : missing port specification in '%s'", kw, orig)
		return b, false
	}
	p1, err := strconv.Atoi(p1s)
	if err != nil || p1 < 1 || p1 > 65535 {
		p.alertf("'%s' : invalid port '%s'", kw, p1s)
		return b, false
	}
	if p2s != "" {
		p2, err := strconv.Atoi(p2s)
		if err != nil || p2 < 1 || p2 > 65535 {
			p.alertf("'%s' : invalid port '%s'", kw, p2s)
			return b, false
		}
		if p2 < p1 {
			p.alertf("'%s' : invalid port range '%d-%d'", kw, p1, p2)
			return b, false
		}
		if p2 > p1 {
			b.PortEnd = p2
		}
	}
	b.Network = network
	if strings.Contains(host, ":") {
		b.Addr = "[" + host + "]:" + strconv.Itoa(p1)
	} else {
		b.Addr = host + ":" + strconv.Itoa(p1)
	}
	return b, true
}

// bindSpecialAddr parses the address families that name no IP
// address: fd@N (a listening socket inherited from the parent process,
// checked when it is bound) and abns@NAME (a Linux abstract socket).
func (p *parser) bindSpecialAddr(b Bind, kw, family, rest, orig string) (Bind, bool) {
	switch family {
	case "fd", "sockpair":
		n, err := strconv.Atoi(rest)
		if err != nil || n < 0 {
			p.alertf("'%s' : file descriptor '%s' is not a valid integer in '%s'", kw, rest, orig)
			return b, false
		}
		b.Network, b.Addr = NetFD, strconv.Itoa(n)
		if family == "sockpair" {
			b.Network = NetSockpair
		}
	default:
		if len(rest) > maxAbstractName {
			p.alertf("'%s' : abstract socket name '%s' is longer than %d bytes in '%s'", kw, rest, maxAbstractName, orig)
			return b, false
		}
		b.Network, b.Addr = NetAbns, rest
	}
	return b, true
}

// familyFits says whether ip may follow the ipv4@ (tcp4) or ipv6@ (tcp6)
// prefix: HAProxy refuses an address of the other family.
func familyFits(network string, ip netip.Addr) bool {
	switch network {
	case "tcp4":
		return ip.Is4() || ip.Is4In6()
	case "tcp6":
		return ip.Is6() && !ip.Is4In6()
	}
	return true
}

// parseBindOptions parses the options after a bind address, starting at
// args[start], through bindTable. TLS (`ssl`, `crt` and friends) is
// checked like HAProxy does (the certificate must exist) and then
// refused: goha does not terminate TLS yet, and serving clear text on a
// TLS port would be wrong.
func (p *parser) parseBindOptions(b *Bind, args []string, start int, kw string, stats bool) bool {
	b.UID, b.GID = -1, -1
	l := &bindLine{b: b, head: kw + " " + arg(args, start-1), section: p.section}
	if kw == "bind" {
		l.head = "bind " + arg(args, 1)
	}
	for i := start; i < len(args) && args[i] != ""; i++ {
		o := args[i]
		k, known := bindTable.get(o)
		if !known {
			if best := bestMatch(o, bindTable.suggest); best != "" {
				p.alertf("'%s' in section '%s': unknown keyword '%s'; did you mean '%s' maybe ?", l.head, l.section, o, best)
			} else {
				p.alertf("'%s' in section '%s': unknown keyword '%s'.", l.head, l.section, o)
			}
			return false
		}
		val := arg(args, i+1)
		if k.values > 0 && val == "" {
			p.alertf("'%s' in section '%s' : '%s' : missing value.", l.head, l.section, o)
			return false
		}
		l.opt = o
		if k.parse != nil && !k.parse(p, l, val) {
			return false
		}
		i += k.values
	}
	return p.bindTLS(l, args, start)
}

// bindTLS refuses `ssl` unless ParseOptions.AllowTLS, and warns about
// TLS options on a listener without it.
func (p *parser) bindTLS(l *bindLine, args []string, start int) bool {
	if (l.b.SSL || len(l.b.Crt) > 0) && !p.opts.AllowTLS {
		p.alertf("'%s' in section '%s' : 'ssl' is a known HAProxy keyword that goha does not support yet (TLS termination is not implemented).", l.head, l.section)
		return false
	}
	if l.b.SSL {
		p.cfg.Global.TLS.applyBindDefaults(&l.b.TLS)
	}
	for i := start; i < len(args) && !l.b.SSL; i++ {
		if k, ok := bindTable.get(args[i]); ok && k.tls {
			// Without `ssl` HAProxy ignores TLS settings too.
			p.warnf("'%s' in section '%s' : '%s' is a known HAProxy keyword that goha accepts but ignores (TLS setting on a listener without 'ssl').", l.head, l.section, args[i])
			break
		}
	}
	return true
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
