package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// serverKeywords are HAProxy 2.6's server options (for suggestions).
var serverKeywords = []string{"addr", "agent-addr", "agent-check", "agent-inter", "agent-port", "agent-send",
	"allow-0rtt", "alpn", "backup", "ca-file", "check", "check-alpn", "check-proto", "check-send-proxy",
	"check-sni", "check-ssl", "check-via-socks4", "ciphers", "ciphersuites", "cookie", "crl-file", "crt",
	"disabled", "downinter", "enabled", "error-limit", "fall", "fastinter", "force-sslv3", "force-tlsv10",
	"force-tlsv11", "force-tlsv12", "force-tlsv13", "id", "init-addr", "inter", "log-proto", "maxconn",
	"maxqueue", "max-reuse", "minconn", "namespace", "no-agent-check", "no-backup", "no-check",
	"no-check-ssl", "no-send-proxy", "no-send-proxy-v2", "no-send-proxy-v2-ssl", "no-send-proxy-v2-ssl-cn",
	"no-ssl", "no-ssl-reuse", "no-sslv3", "no-tfo", "no-tls-tickets", "no-tlsv10", "no-tlsv11", "no-tlsv12",
	"no-tlsv13", "no-verifyhost", "npn", "observe", "on-error", "on-marked-down", "on-marked-up", "pool-low-conn",
	"pool-max-conn", "pool-purge-delay", "port", "proto", "proxy-v2-options", "redir", "resolve-net",
	"resolve-opts", "resolve-prefer", "resolvers", "rise", "send-proxy", "send-proxy-v2", "send-proxy-v2-ssl",
	"send-proxy-v2-ssl-cn", "shard", "slowstart", "sni", "socks4", "source", "ssl", "ssl-max-ver",
	"ssl-min-ver", "ssl-reuse", "stick", "tcp-ut", "tfo", "tls-tickets", "track", "verify", "verifyhost",
	"weight", "ws"}

// serverTLSOptions are the server options ParseOptions.AllowTLS lets in.
var serverTLSOptions = map[string]bool{"ssl": true, "check-ssl": true, "sni": true, "verify": true,
	"verifyhost": true, "ca-file": true, "crt": true, "alpn": true, "ciphers": true, "ciphersuites": true,
	"crl-file": true, "npn": true, "check-sni": true, "check-alpn": true, "send-proxy-v2-ssl": true,
	"send-proxy-v2-ssl-cn": true}

// serverNoArg are server options without a value.
var serverNoArg = map[string]bool{"backup": true, "check": true, "disabled": true, "enabled": true,
	"no-agent-check": true, "no-backup": true, "no-check": true, "no-check-ssl": true, "no-send-proxy": true,
	"no-send-proxy-v2": true, "no-send-proxy-v2-ssl": true, "no-send-proxy-v2-ssl-cn": true, "no-ssl": true,
	"no-ssl-reuse": true, "no-sslv3": true, "no-tfo": true, "no-tls-tickets": true, "no-tlsv10": true,
	"no-tlsv11": true, "no-tlsv12": true, "no-tlsv13": true, "no-verifyhost": true, "send-proxy": true,
	"send-proxy-v2": true, "send-proxy-v2-ssl": true, "send-proxy-v2-ssl-cn": true, "ssl": true,
	"ssl-reuse": true, "tfo": true, "tls-tickets": true, "agent-check": true, "check-ssl": true,
	"check-send-proxy": true, "check-via-socks4": true, "force-sslv3": true, "force-tlsv10": true,
	"force-tlsv11": true, "force-tlsv12": true, "force-tlsv13": true, "allow-0rtt": true, "stick": true}

// parseServer handles `server NAME ADDR[:PORT] [options]` and
// `default-server [options]`.
func (p *parser) parseServer(px *Proxy, args []string) {
	kw := args[0]
	isDef := kw == "default-server"
	if !isDef && px.Cap&CapDefaults != 0 {
		p.alertf("'%s' not allowed in 'defaults' section.", kw)
		return
	}
	if px.Cap&CapBackend == 0 && px.Cap&CapDefaults == 0 {
		p.alertRaw(fmt.Sprintf("[%s:%d] : parsing [%s:%d] : '%s' not allowed because %s '%s' has no backend capability.", p.file, p.line, p.file, p.line, kw, capString(px.Cap), px.Name))
		return
	}
	var s Server
	start := 1
	where := fmt.Sprintf("[%s:%d] : ", p.file, p.line)
	if isDef {
		s = px.DefaultServer
		s.Set = copySet(s.Set)
	} else {
		if arg(args, 1) == "" || arg(args, 2) == "" {
			p.alertRaw(where + fmt.Sprintf("'%s' expects <name> and <addr>[:<port>] as arguments.", kw))
			return
		}
		s = px.DefaultServer
		s.Set = nil
		s.Name = args[1]
		s.File, s.Line = p.file, p.line
		if !p.serverAddr(&s, px, args[2], where) {
			return
		}
		start = 3
	}
	set := map[string]bool{}
	prefix := where + fmt.Sprintf("'%s %s/%s' : ", kw, px.Name, s.Name)
	if isDef {
		prefix = where
	}
	for i := start; i < len(args) && args[i] != ""; i++ {
		o := args[i]
		if !contains(serverKeywords, o) {
			best := bestMatch(o, serverKeywords, bindKeywords)
			hint := ""
			if isDef {
				hint = " Hint: no address was expected for this server."
			}
			if best != "" {
				p.alertRaw(prefix + fmt.Sprintf("unknown keyword '%s'; did you mean '%s' maybe ?%s", o, best, hint))
			} else {
				p.alertRaw(prefix + fmt.Sprintf("unknown keyword '%s'.%s", o, hint))
			}
			return
		}
		if d, ok := supportOf("server", o); ok && !(p.opts.AllowTLS && serverTLSOptions[o]) {
			if d.Support == Unsupported {
				p.alertRaw(prefix + fmt.Sprintf("'%s' is a known HAProxy keyword that goha does not support yet.", o))
				return
			}
			p.rec.warn(p.file, p.line, prefix+fmt.Sprintf("'%s' is a known HAProxy keyword that goha accepts but ignores (%s).", o, d.Why))
		}
		if serverNoArg[o] {
			set[o] = true
			switch o {
			case "check":
				s.Check = true
			case "no-check":
				s.Check = false
			case "backup":
				s.Backup = true
			case "no-backup":
				s.Backup = false
			case "disabled":
				s.Disabled = true
			case "enabled":
				s.Disabled = false
			case "ssl":
				s.SSL = true
			case "no-ssl":
				s.SSL = false
			case "check-ssl":
				s.CheckSSL = true
			case "no-check-ssl":
				s.CheckSSL = false
			case "send-proxy":
				s.SendProxy = true
			case "send-proxy-v2":
				s.SendProxyV2 = true
			case "no-send-proxy":
				s.SendProxy = false
			case "no-send-proxy-v2":
				s.SendProxyV2 = false
			}
			continue
		}
		v := arg(args, i+1)
		i++
		set[o] = true
		switch o {
		case "inter", "fastinter", "downinter":
			if v == "" {
				p.alertRaw(prefix + fmt.Sprintf("'%s' expects <time> as argument..", o))
				return
			}
			d, res, bad, _ := parseTime(v, time.Millisecond)
			switch res {
			case timeOver:
				p.alertRaw(prefix + fmt.Sprintf("timer overflow in argument <%s> to <%s> of server %s, maximum value is 2147483647 ms (~24.8 days)..", v, o, s.Name))
				return
			case timeUnder:
				p.alertRaw(prefix + fmt.Sprintf("timer underflow in argument <%s> to <%s> of server %s, minimum non-null value is 1 ms..", v, o, s.Name))
				return
			case timeBadChar:
				p.alertRaw(prefix + fmt.Sprintf("unexpected character '%c' in 'agent-inter' argument of server %s..", bad, s.Name))
				return
			}
			if d == 0 {
				p.alertRaw(prefix + fmt.Sprintf("invalid value %s for argument '%s' of server %s..", v, o, s.Name))
				return
			}
			switch o {
			case "inter":
				s.Inter = d
			case "fastinter":
				s.FastInter = d
			default:
				s.DownInter = d
			}
		case "rise", "fall":
			if v == "" {
				p.alertRaw(prefix + fmt.Sprintf("'%s' expects an integer argument..", o))
				return
			}
			n := atoiC(v)
			if n <= 0 {
				p.alertRaw(prefix + fmt.Sprintf("'%s' has to be > 0..", o))
				return
			}
			if o == "rise" {
				s.Rise = n
			} else {
				s.Fall = n
			}
		case "weight":
			n := atoiC(v)
			if n < 0 || n > 256 {
				p.alertRaw(prefix + fmt.Sprintf("weight of server %s is not within 0 and 256 (%d)..", s.Name, n))
				return
			}
			s.Weight = n
		case "maxconn":
			s.Maxconn = atoiC(v)
		case "maxqueue":
			s.Maxqueue = atoiC(v)
		case "port":
			if v == "" {
				p.alertRaw(prefix + fmt.Sprintf("'%s' expects a port number as argument..", o))
				return
			}
			n := atoiC(v)
			if n < 0 || n > 65535 {
				p.alertRaw(prefix + fmt.Sprintf("invalid port '%s'..", v))
				return
			}
			s.CheckPort = n
		case "addr":
			if v == "" {
				p.alertRaw(prefix + fmt.Sprintf("'%s' expects <ipv4|ipv6> as argument..", o))
				return
			}
			s.CheckAddr = v
		case "resolvers":
			s.Resolvers = v
		case "verify":
			if v != "none" && v != "required" {
				p.alertRaw(prefix + fmt.Sprintf("'%s' : unknown verify method '%s', only 'none' and 'required' are supported..", o, v))
				return
			}
			s.Verify = v
		case "ca-file":
			if msg := p.checkCAFile(v); msg != "" {
				p.alertRaw(prefix + msg)
				return
			}
			s.CAFile = v
		case "sni":
			s.SNI = v
		case "init-addr":
			if v == "" {
				p.alertRaw(prefix + fmt.Sprintf("'%s' expects <method>[,<method>]* as argument..", o))
				return
			}
			for _, m := range strings.Split(v, ",") {
				switch m {
				case "last", "libc", "none":
				default:
					if _, err := netip.ParseAddr(m); err != nil {
						p.alertRaw(prefix + fmt.Sprintf("'%s' : unknown init-addr method '%s'..", o, m))
						return
					}
				}
			}
			s.InitAddr = v
		case "cookie":
			if v == "" {
				p.alertRaw(prefix + fmt.Sprintf("'%s' expects <value> as argument..", o))
				return
			}
			s.Cookie = v
		case "id":
			if isDef {
				p.alertRaw(prefix + "'id' is not allowed on default-server..")
				return
			}
			n := atoiC(v)
			if n <= 0 {
				p.alertRaw(prefix + "'id' : custom id has to be > 0.")
				return
			}
			for _, o := range px.Servers {
				if o.ID == n {
					p.alertRaw(prefix + fmt.Sprintf("'id' : custom id %d already used at %s:%d ('server %s').", n, o.File, o.Line, o.Name))
					return
				}
			}
			s.ID = n
		}
	}
	if !isDef && (s.SSL || s.CheckSSL) && s.Verify != "none" && s.CAFile == "" && p.sslServerVerify != "none" {
		p.alertRaw(where + fmt.Sprintf("'server %s/%s' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.", px.Name, s.Name))
		return
	}
	if isDef {
		if s.Set == nil {
			s.Set = map[string]bool{}
		}
		for k := range set {
			s.Set[k] = true
		}
		px.DefaultServer = s
		return
	}
	s.Set = set
	srv := s
	px.Servers = append(px.Servers, &srv)
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
	if i := strings.Index(a, "@"); i > 0 {
		switch a[:i] {
		case "unix":
			s.Unix = a[i+1:]
			return true
		case "ipv4", "ipv6", "tcp", "tcp4", "tcp6":
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
			ip, err := p.resolveInitAddr(s)
			none := s.InitAddr != "" && contains(strings.Split(s.InitAddr, ","), "none")
			if s.InitAddr == "" && s.Resolvers != "" {
				none = true // HAProxy waits for its resolvers
			}
			if err != nil && none {
				// HAProxy starts the server in maintenance and waits for
				// its resolvers; goha keeps it disabled.
				s.Disabled = true
				continue
			}
			if err != nil {
				p.rec.alert(&Error{File: s.File, Line: s.Line, Keyword: "server", Phase: PhaseResolve,
					Msg: fmt.Sprintf("parsing [%s:%d] : 'server %s/%s' : could not resolve address '%s'.", s.File, s.Line, px.Name, s.Name, s.Addr)})
				continue
			}
			s.Addr = ip
		}
	}
}

// resolveInitAddr tries the server's init-addr methods in order (libc
// by default; "last" has no state file to read in goha; an IP address
// is used as is).
func (p *parser) resolveInitAddr(s *Server) (string, error) {
	methods := []string{"last", "libc"}
	if s.InitAddr != "" {
		methods = strings.Split(s.InitAddr, ",")
	}
	var err error = fmt.Errorf("could not resolve address %q", s.Addr)
	for _, m := range methods {
		switch m {
		case "libc":
			var ip string
			if p.opts.Resolve != nil {
				ip, err = p.opts.Resolve(s.Addr)
			} else {
				ip, err = systemResolve(s.Addr)
			}
			if err == nil {
				return ip, nil
			}
		case "last", "none":
		default:
			if ip, perr := netip.ParseAddr(m); perr == nil {
				return ip.String(), nil
			}
		}
	}
	return "", err
}
