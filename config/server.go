package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// parseServer handles `server NAME ADDR[:PORT] [options]` and
// `default-server [options]`.
func (p *parser) parseServer(px *Proxy, args []string) {
	l, start, ok := p.serverHead(px, args)
	if !ok || !p.serverOptions(l, args, start) || !p.checkAgent(l) || !p.checkTrackLine(l) {
		return
	}
	s := l.s
	if !l.isDef && (s.SSL || s.CheckSSL) && s.Verify != "none" && s.CAFile == "" && p.cfg.Global.TLS.ServerVerify != "none" {
		p.alertRaw(fmt.Sprintf("[%s:%d] : 'server %s/%s' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.", p.file, p.line, px.Name, s.Name))
		return
	}
	if s.SSL || s.CheckSSL {
		p.cfg.Global.TLS.applyServerDefaults(&s.TLS)
	}
	if l.isDef {
		if s.Set == nil {
			s.Set = map[string]bool{}
		}
		for k := range l.set {
			s.Set[k] = true
		}
		px.DefaultServer = *s
		return
	}
	s.Set = l.set
	px.Servers = append(px.Servers, s)
}

// serverHead checks where a server line is and reads its name and
// address; it returns the line's state and where its options start.
func (p *parser) serverHead(px *Proxy, args []string) (*serverLine, int, bool) {
	kw := args[0]
	l := &serverLine{px: px, isDef: kw == "default-server", set: map[string]bool{}}
	if !l.isDef && px.Cap&CapDefaults != 0 {
		p.alertf("'%s' not allowed in 'defaults' section.", kw)
		return nil, 0, false
	}
	if px.Cap&CapBackend == 0 && px.Cap&CapDefaults == 0 {
		p.alertRaw(fmt.Sprintf("[%s:%d] : parsing [%s:%d] : '%s' not allowed because %s '%s' has no backend capability.", p.file, p.line, p.file, p.line, kw, capString(px.Cap), px.Name))
		return nil, 0, false
	}
	s := px.DefaultServer
	where := fmt.Sprintf("[%s:%d] : ", p.file, p.line)
	l.s, l.prefix = &s, where
	if l.isDef {
		s.Set = copySet(s.Set)
		return l, 1, true
	}
	if arg(args, 1) == "" || arg(args, 2) == "" {
		p.alertRaw(where + fmt.Sprintf("'%s' expects <name> and <addr>[:<port>] as arguments.", kw))
		return nil, 0, false
	}
	s.Set = nil
	s.Name = args[1]
	s.File, s.Line = p.file, p.line
	if !p.serverAddr(&s, px, args[2], where) {
		return nil, 0, false
	}
	l.prefix = where + fmt.Sprintf("'%s %s/%s' : ", kw, px.Name, s.Name)
	return l, 3, true
}

// serverOptions reads a server line's options from args[start] through
// serverTable; it returns false after an error.
func (p *parser) serverOptions(l *serverLine, args []string, start int) bool {
	for i := start; i < len(args) && args[i] != ""; i++ {
		o := args[i]
		k, ok := serverTable.get(o)
		if !ok || k.unlisted && k.parse == nil {
			// (an unlisted row with a parser is part of another
			// option's syntax and checks that itself)
			p.unknownServerOption(l, o)
			return false
		}
		if k.tls && k.status == implemented && !p.opts.AllowTLS {
			return l.fail(p, "'%s' is a known HAProxy keyword that goha does not support yet.", o)
		}
		if k.status != implemented {
			if k.status == Unsupported {
				return l.fail(p, "'%s' is a known HAProxy keyword that goha does not support yet.", o)
			}
			p.rec.warn(p.file, p.line, l.prefix+fmt.Sprintf("'%s' is a known HAProxy keyword that goha accepts but ignores (%s).", o, k.why))
		}
		v := ""
		if k.values > 0 {
			v = arg(args, i+1)
			i++
		}
		l.set[o], l.opt = true, o
		if k.parse != nil && !k.parse(p, l, v) {
			return false
		}
	}
	return true
}

// unknownServerOption reports an option no row has, with HAProxy's
// suggestion among server and bind options.
func (p *parser) unknownServerOption(l *serverLine, o string) {
	best := bestMatch(o, serverTable.suggest, bindTable.suggest)
	hint := ""
	if l.isDef {
		hint = " Hint: no address was expected for this server."
	}
	if best != "" {
		p.alertRaw(l.prefix + fmt.Sprintf("unknown keyword '%s'; did you mean '%s' maybe ?%s", o, best, hint))
	} else {
		p.alertRaw(l.prefix + fmt.Sprintf("unknown keyword '%s'.%s", o, hint))
	}
}

// numberServers gives the servers without an `id` theirs, as HAProxy's
// check_config_validity() does: in declaration order, the first unused id
// from a counter that starts at 1 and moves past every server, numbered
// or not. Consistent hashing places servers by id, so this must match.
func numberServers(px *Proxy) {
	used := map[int]bool{}
	for _, s := range px.Servers {
		if s.ID != 0 {
			used[s.ID] = true
		}
	}
	next := 1
	for _, s := range px.Servers {
		if s.ID == 0 {
			for used[next] {
				next++
			}
			s.ID = next
			used[next] = true
		}
		next++
	}
}

// serverAddr parses a server address ([ipv4@|ipv6@|unix@]host[:port]),
// leaving host names for resolveServers (after the whole check, as
// HAProxy's srv_init_addr() does).
func (p *parser) serverAddr(s *Server, px *Proxy, a, where string) bool {
	orig := a
	a = envExpand(a, p.env.get)
	if a == "" {
		p.alertRaw(where + fmt.Sprintf("'server %s/%s' : '%s' resolves to an empty address (environment variable missing?)", px.Name, s.Name, orig))
		return false
	}
	family := ""
	if i := strings.Index(a, "@"); i > 0 {
		switch a[:i] {
		case "unix", "uxst":
			s.Unix = a[i+1:]
			return true
		case "abns":
			if len(a[i+1:]) > maxAbstractName {
				p.alertRaw(where + fmt.Sprintf("'server %s/%s' : abstract socket name '%s' is longer than %d bytes in '%s'", px.Name, s.Name, a[i+1:], maxAbstractName, orig))
				return false
			}
			s.Unix = "@" + a[i+1:]
			return true
		case "fd":
			p.alertRaw(where + fmt.Sprintf("'server %s/%s' : a file descriptor is not acceptable here in '%s'", px.Name, s.Name, orig))
			return false
		case "udp", "udp4", "udp6", "uxdg", "dgram":
			p.alertRaw(where + fmt.Sprintf("'server %s/%s' : dgram-type address not acceptable in '%s'\n", px.Name, s.Name, orig))
			return false
		case "ipv4", "ipv6", "tcp", "tcp4", "tcp6":
			family = map[string]string{"ipv4": "tcp4", "tcp4": "tcp4", "ipv6": "tcp6", "tcp6": "tcp6"}[a[:i]]
			a = a[i+1:]
		default:
			p.alertRaw(where + fmt.Sprintf("'server %s/%s' : address family '%s@' is not supported by goha yet in '%s'", px.Name, s.Name, a[:i], orig))
			return false
		}
	}
	if strings.HasPrefix(a, "/") {
		s.Unix = a
		return true
	}
	host, port := a, ""
	if strings.HasPrefix(a, "[") {
		if j := strings.IndexByte(a, ']'); j > 0 {
			host, port = a[1:j], strings.TrimPrefix(a[j+1:], ":")
		}
	} else if strings.Count(a, ":") == 1 {
		j := strings.IndexByte(a, ':')
		host, port = a[:j], a[j+1:]
	} else if strings.Count(a, ":") > 1 {
		if _, err := netip.ParseAddr(a); err != nil {
			j := strings.LastIndexByte(a, ':')
			host, port = a[:j], a[j+1:]
		}
	}
	if port == "" && strings.HasPrefix(host, "_") {
		// An SRV name: the port and the address come from its records.
		s.FQDN, s.Addr = host, host
		return true
	}
	if port == "" || port[0] == '+' || port[0] == '-' || strings.TrimLeft(port, "0") == "" {
		// No port (or +N/-N): HAProxy connects to the client's
		// destination port (plus the offset). goha's data plane always
		// dials a fixed port.
		p.alertRaw(where + fmt.Sprintf("'server %s/%s' : a server address without a fixed port (the client's destination port, or an offset to it) is known to HAProxy but goha does not support it yet in '%s'", px.Name, s.Name, orig))
		return false
	}
	if port != "" {
		ps := strings.TrimLeft(port, "+-")
		for k := 0; k < len(ps); k++ {
			if !isDigit(ps[k]) {
				p.alertRaw(where + fmt.Sprintf("'server %s/%s' : invalid character '%c' in port number '%s' in '%s'\n", px.Name, s.Name, ps[k], port, orig))
				return false
			}
		}
		n, _ := strconv.Atoi(ps)
		if n > 65535 {
			p.alertRaw(where + fmt.Sprintf("'server %s/%s' : invalid port '%s'", px.Name, s.Name, port))
			return false
		}
		s.Port = n
	}
	if host == "*" || host == "" {
		host = "0.0.0.0"
	}
	if ip, err := netip.ParseAddr(host); err == nil && !familyFits(family, ip) {
		// HAProxy resolves the host in the prefix's family only: an
		// address of the other one does not resolve.
		shown := host
		if strings.Contains(host, ":") && strings.HasPrefix(a, "[") {
			shown = "[" + host + "]"
		}
		p.alertRaw(where + fmt.Sprintf("'server %s/%s' : could not resolve address '%s'.", px.Name, s.Name, shown))
		return false
	}
	if _, err := netip.ParseAddr(host); err != nil {
		s.FQDN = host
	}
	s.Addr = host
	return true
}

// resolveServers turns host names into addresses (HAProxy's
// srv_init_addr(), run after the configuration check).
func (p *parser) resolveServers() {
	for _, px := range p.cfg.Proxies {
		for _, s := range px.Servers {
			if s.Unix != "" {
				continue
			}
			if ip, err := netip.ParseAddr(s.Addr); err == nil {
				s.Addr = ip.String()
				continue
			}
			p.initAddr(px, s)
		}
	}
}

// initAddr tries the server's init-addr methods in order, as HAProxy's
// srv_iterate_initaddr() does: "last,libc" by default, then "none" when
// the server has resolvers (no state file is read: "last" finds
// nothing). "none" leaves the server without an address (NoAddr), in
// resolution maintenance until its resolvers answer; an IP address is
// used as is.
func (p *parser) initAddr(px *Proxy, s *Server) {
	name := s.FQDN
	methods := []string{"last", "libc"}
	if s.InitAddr != "" {
		methods = strings.Split(s.InitAddr, ",")
	} else if s.Resolvers != "" {
		methods = append(methods, "none")
	}
	where := fmt.Sprintf("[%s:%d] : 'server %s/%s' : ", s.File, s.Line, px.Name, s.Name)
	failed := false
	for _, m := range methods {
		switch m {
		case "last":
		case "libc":
			if name == "" || IsSRVName(name) {
				continue
			}
			ip, err := p.resolve(name)
			if err == nil {
				s.Addr = ip
				return
			}
			failed = true
		case "none":
			s.NoAddr, s.Addr = true, ""
			if failed {
				p.rec.warn(s.File, s.Line, where+fmt.Sprintf("could not resolve address '%s', disabling server.", name))
			}
			return
		default:
			if ip, err := netip.ParseAddr(m); err == nil {
				s.Addr = ip.String()
				if failed {
					p.rec.warn(s.File, s.Line, where+fmt.Sprintf("could not resolve address '%s', falling back to configured address.", name))
				}
				return
			}
		}
	}
	msg := fmt.Sprintf("could not resolve address '%s'.", name)
	if !failed {
		msg = fmt.Sprintf("no method found to resolve address '%s'.", name)
	}
	p.rec.alert(&Error{File: s.File, Line: s.Line, Keyword: "server", Phase: PhaseResolve,
		Msg: fmt.Sprintf("parsing [%s:%d] : 'server %s/%s' : %s", s.File, s.Line, px.Name, s.Name, msg)})
}
