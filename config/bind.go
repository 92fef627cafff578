package config

import (
	"net/netip"
	"strconv"
	"strings"
)

// bindKeywords are HAProxy 2.6's bind options (for suggestions).
var bindKeywords = []string{"allow-0rtt", "alpn", "ca-file", "ca-verify-file", "ca-ignore-err", "ca-sign-file",
	"ca-sign-pass", "ciphers", "ciphersuites", "crl-file", "crt", "crt-ignore-err", "crt-list", "curves", "ecdhe",
	"force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12", "force-tlsv13", "generate-certificates",
	"no-ca-names", "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "no-tls-tickets", "ssl",
	"ssl-min-ver", "ssl-max-ver", "strict-sni", "tls-ticket-keys", "verify", "npn", "prefer-client-ciphers",
	"defer-accept", "interface", "mss", "tcp-ut", "tfo", "transparent", "v4v6", "v6only", "namespace", "gid",
	"group", "mode", "uid", "user", "level", "expose-fd", "severity-output", "accept-netscaler-cip",
	"accept-proxy", "backlog", "id", "maxconn", "name", "nice", "process", "proto", "shards", "thread"}

// bindArgCount is how many values each bind option takes.
var bindArgCount = map[string]int{"alpn": 1, "ca-file": 1, "ca-verify-file": 1, "ca-ignore-err": 1,
	"ca-sign-file": 1, "ca-sign-pass": 1, "ciphers": 1, "ciphersuites": 1, "crl-file": 1, "crt": 1,
	"crt-ignore-err": 1, "crt-list": 1, "curves": 1, "ecdhe": 1, "ssl-min-ver": 1, "ssl-max-ver": 1,
	"tls-ticket-keys": 1, "verify": 1, "npn": 1, "interface": 1, "mss": 1, "tcp-ut": 1, "namespace": 1,
	"gid": 1, "group": 1, "mode": 1, "uid": 1, "user": 1, "level": 1, "expose-fd": 1, "severity-output": 1,
	"accept-netscaler-cip": 1, "backlog": 1, "id": 1, "maxconn": 1, "name": 1, "nice": 1, "process": 1,
	"proto": 1, "shards": 1, "thread": 1}

// bindTLSOptions are the bind options that only make sense with TLS.
var bindTLSOptions = map[string]bool{"allow-0rtt": true, "alpn": true, "ca-file": true, "ca-verify-file": true,
	"ca-ignore-err": true, "ca-sign-file": true, "ca-sign-pass": true, "ciphers": true, "ciphersuites": true,
	"crl-file": true, "crt-ignore-err": true, "crt-list": true, "curves": true, "ecdhe": true,
	"force-sslv3": true, "force-tlsv10": true, "force-tlsv11": true, "force-tlsv12": true, "force-tlsv13": true,
	"generate-certificates": true, "no-ca-names": true, "no-sslv3": true, "no-tlsv10": true, "no-tlsv11": true,
	"no-tlsv12": true, "no-tlsv13": true, "no-tls-tickets": true, "ssl-min-ver": true, "ssl-max-ver": true,
	"strict-sni": true, "tls-ticket-keys": true, "verify": true, "npn": true, "prefer-client-ciphers": true}

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
		n, a, pe := b.Network, b.Addr, b.PortEnd
		b2 := tmpl
		b2.Network, b2.Addr, b2.PortEnd = n, a, pe
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
		case "unix":
			b.Network, b.Addr = "unix", s[i+1:]
			return b, true
		case "tcp", "tcp4", "tcp6", "stream":
			if s[:i] != "stream" && s[:i] != "tcp" {
				network = s[:i]
			}
		case "abns", "fd", "sockpair", "udp", "udp4", "udp6", "quic4", "quic6", "uxdg", "uxst", "dgram":
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

// parseBindOptions parses the options after a bind address, starting at
// args[start]. TLS (`ssl`, `crt` and friends) is checked like HAProxy
// does (the certificate must exist) and then refused: goha does not
// terminate TLS yet, and serving clear text on a TLS port would be wrong.
func (p *parser) parseBindOptions(b *Bind, args []string, start int, kw string, stats bool) bool {
	b.UID, b.GID = -1, -1
	head := kw + " " + arg(args, start-1)
	if kw == "bind" {
		head = "bind " + arg(args, 1)
	}
	section := p.section
	for i := start; i < len(args) && args[i] != ""; i++ {
		o := args[i]
		n, known := bindArgCount[o]
		if !known {
			known = contains(bindKeywords, o)
		}
		if !known {
			best := bestMatch(o, bindKeywords)
			if best != "" {
				p.alertf("'%s' in section '%s': unknown keyword '%s'; did you mean '%s' maybe ?", head, section, o, best)
			} else {
				p.alertf("'%s' in section '%s': unknown keyword '%s'.", head, section, o)
			}
			return false
		}
		val := arg(args, i+1)
		if n > 0 && val == "" {
			p.alertf("'%s' in section '%s' : '%s' : missing value.", head, section, o)
			return false
		}
		switch o {
		case "name":
			b.Name = val
		case "mode":
			m, err := strconv.ParseUint(val, 8, 32)
			if err != nil {
				p.alertf("'%s' in section '%s' : '%s' : missing or invalid mode '%s' (octal integer expected)", head, section, o, val)
				return false
			}
			b.Mode = uint32(m)
		case "uid":
			b.UID = atoiC(val)
		case "gid":
			b.GID = atoiC(val)
		case "user":
			id, err := p.opts.LookupUser(val)
			if err != nil {
				p.alertf("'%s' in section '%s' : '%s' : unknown user name '%s'", head, section, o, val)
				return false
			}
			b.User, b.UID = val, id
		case "group":
			id, err := p.opts.LookupGroup(val)
			if err != nil {
				p.alertf("'%s' in section '%s' : '%s' : unknown group name '%s'", head, section, o, val)
				return false
			}
			b.Group, b.GID = val, id
		case "level":
			switch val {
			case "user", "operator", "admin":
				b.Level = val
			default:
				p.alertf("'%s' in section '%s' : '%s' only supports 'user', 'operator', and 'admin' (got '%s')", head, section, o, val)
				return false
			}
		case "expose-fd":
			if val != "listeners" {
				p.alertf("'%s' in section '%s' : '%s' only supports 'listeners' (got '%s')", head, section, o, val)
				return false
			}
			b.ExposeFD = true
		case "accept-proxy":
			b.Accept = true
		case "backlog":
			b.Backlog = atoiC(val)
		case "maxconn":
			b.Maxconn = atoiC(val)
		case "ssl":
			b.SSL = true
		case "crt", "crt-list":
			check := p.checkCertFile
			if o == "crt-list" {
				check = p.checkCrtList
			}
			if msg := check(val); msg != "" {
				p.alertf("'%s' in section '%s' : %s", head, section, msg)
				return false
			}
			b.Crt = append(b.Crt, val)
		case "ca-file", "ca-verify-file":
			if msg := p.checkCAFile(val); msg != "" {
				p.alertf("'%s' in section '%s' : %s", head, section, msg)
				return false
			}
		}
		i += n
	}
	if (b.SSL || len(b.Crt) > 0) && !p.opts.AllowTLS {
		p.alertf("'%s' in section '%s' : 'ssl' is a known HAProxy keyword that goha does not support yet (TLS termination is not implemented).", head, section)
		return false
	}
	for i := start; i < len(args) && !b.SSL; i++ {
		if bindTLSOptions[args[i]] {
			// Without `ssl` HAProxy ignores TLS settings too.
			p.warnf("'%s' in section '%s' : '%s' is a known HAProxy keyword that goha accepts but ignores (TLS setting on a listener without 'ssl').", head, section, args[i])
			break
		}
	}
	_ = stats
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
