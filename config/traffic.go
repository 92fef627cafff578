package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Where traffic goes and how servers are checked beyond the usual:
// `dispatch ADDR:PORT` (a backend without servers sends every connection
// there), `source ADDR[:PORT] [usesrc clientip|client|ADDR[:PORT]]` on
// backends, servers and default-server (the local address of server
// connections; usesrc makes it the client's, transparent proxying), and
// external checks (`option external-check`, `external-check command`
// and `path`, allowed by `external-check` and `insecure-fork-wanted` in
// global).

// ProxyTraffic are a proxy's dispatch, source and external-check
// settings (backend side).
type ProxyTraffic struct {
	// Dispatch is `dispatch`'s address ("ip:port"), used when the
	// backend has no server.
	Dispatch string `json:",omitempty"`
	// Source is the backend's `source` (servers without their own).
	Source *ConnSource `json:",omitempty"`
	// ExternalCheck is `option external-check` (the checks fail without
	// `insecure-fork-wanted`, as HAProxy's fork is refused); ExternalCommand and
	// ExternalPath are `external-check command` and `path`.
	ExternalCheck   bool   `json:",omitempty"`
	ExternalCommand string `json:",omitempty"`
	ExternalPath    string `json:",omitempty"`
	// PreserveEnv and ForkRefused come from the global section
	// (`external-check preserve-env`, no `insecure-fork-wanted`).
	PreserveEnv bool `json:",omitempty"`
	ForkRefused bool `json:",omitempty"`
}

// ConnSource is a `source` setting: the local address of server connections.
type ConnSource struct {
	// Addr and Port are the address to bind (Port 0: any).
	Addr netip.Addr
	Port int
	// UseSrc is "" (none), "client" (the client's address and port),
	// "clientip" (the client's address) or "addr" (UseSrcAddr).
	UseSrc     string         `json:",omitempty"`
	UseSrcAddr netip.AddrPort `json:",omitzero"`
}

// Transparent reports whether connections bind a foreign address (the
// client's or another's), which needs IP_TRANSPARENT and CAP_NET_ADMIN.
func (s *ConnSource) Transparent() bool { return s != nil && s.UseSrc != "" }

// GlobalPrivs are what the worker may do beyond proxying: run programs
// (external-check, insecure-fork-wanted) and bind foreign addresses.
type GlobalPrivs struct {
	// NetAdmin is set when a source uses usesrc: the worker keeps
	// CAP_NET_ADMIN and CAP_NET_RAW after dropping to its user.
	NetAdmin           bool `json:",omitempty"`
	ExternalCheck      bool `json:",omitempty"`
	PreserveEnv        bool `json:",omitempty"` // external-check preserve-env
	InsecureForkWanted bool `json:",omitempty"`
}

// parseSourceAddr reads "ADDR[:PORT]" (IPv6 in brackets when a port is
// given).
func parseSourceAddr(v string) (netip.AddrPort, error) {
	if a, err := netip.ParseAddr(v); err == nil {
		return netip.AddrPortFrom(a, 0), nil
	}
	host, port, ok := strings.Cut(v, ":")
	if strings.HasPrefix(v, "[") {
		j := strings.IndexByte(v, ']')
		if j < 0 {
			return netip.AddrPort{}, fmt.Errorf("invalid address '%s'", v)
		}
		host, port, ok = v[1:j], strings.TrimPrefix(v[j+1:], ":"), true
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("invalid address '%s'", v)
	}
	if !ok || port == "" {
		return netip.AddrPortFrom(a, 0), nil
	}
	if strings.Contains(port, "-") {
		return netip.AddrPort{}, fmt.Errorf("port ranges ('%s') are known to HAProxy but goha does not support them yet", v)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return netip.AddrPort{}, fmt.Errorf("invalid port in '%s'", v)
	}
	return netip.AddrPortFrom(a, uint16(n)), nil
}

// parseSource reads `source ADDR[:PORT] [usesrc X]` from args (after
// the keyword); it returns an error text.
func parseSource(args []string) (*ConnSource, string) {
	if len(args) == 0 || args[0] == "" {
		return nil, "'source' expects <addr>[:<port>] as argument."
	}
	ap, err := parseSourceAddr(args[0])
	if err != nil {
		return nil, err.Error()
	}
	s := &ConnSource{Addr: ap.Addr(), Port: int(ap.Port())}
	rest := args[1:]
	for len(rest) > 0 && rest[0] != "" {
		if rest[0] != "usesrc" {
			return nil, fmt.Sprintf("'%s' is not a 'source' option (usesrc) goha supports", rest[0])
		}
		if msg := s.parseUseSrc(arg(rest, 1)); msg != "" {
			return nil, msg
		}
		rest = rest[2:]
	}
	return s, ""
}

// parseUseSrc reads usesrc's value.
func (s *ConnSource) parseUseSrc(v string) string {
	switch {
	case v == "":
		return "'usesrc' expects <addr>[:<port>], 'client', 'clientip', or 'hdr_ip(name,#)' as argument."
	case v == "client" || v == "clientip":
		s.UseSrc = v
	case strings.HasPrefix(v, "hdr_ip("):
		return "'usesrc hdr_ip()' is known to HAProxy but goha does not support it yet"
	default:
		ap, err := parseSourceAddr(v)
		if err != nil {
			return err.Error()
		}
		s.UseSrc, s.UseSrcAddr = "addr", ap
	}
	return ""
}

// parseProxySource handles `source` in defaults, backend and listen.
func (p *parser) parseProxySource(px *Proxy, args []string, _ int) bool {
	if !p.capOK(px, CapBackend, args[0]) {
		return false
	}
	s, msg := parseSource(args[1:])
	if msg != "" {
		p.alertf("%s", msg)
		return false
	}
	px.Traffic.Source = s
	return true
}

// parseDispatch handles `dispatch ADDR:PORT`.
func (p *parser) parseDispatch(px *Proxy, args []string, _ int) bool {
	if !p.capOK(px, CapBackend, args[0]) {
		return false
	}
	v := envExpand(arg(args, 1), p.env.get)
	ap, err := netip.ParseAddrPort(strings.TrimPrefix(v, "ipv4@"))
	if err != nil || ap.Port() == 0 {
		p.alertf("'%s' expects <addr:port> as argument, got '%s'.", args[0], arg(args, 1))
		return false
	}
	px.Traffic.Dispatch = ap.String()
	return true
}

// parseExternalCheck handles `external-check command CMD` and
// `external-check path PATH`.
func (p *parser) parseExternalCheck(px *Proxy, args []string, _ int) bool {
	if !p.capOK(px, CapBackend, args[0]) {
		return false
	}
	v := arg(args, 2)
	switch arg(args, 1) {
	case "command":
		px.Traffic.ExternalCommand = v
	case "path":
		px.Traffic.ExternalPath = v
	default:
		p.alertf("'%s': unknown argument '%s', expects 'command' or 'path'.", args[0], arg(args, 1))
		return false
	}
	if v == "" {
		p.alertf("'%s %s' expects one argument.", args[0], args[1])
		return false
	}
	return true
}

// optionExternalCheck handles `[no] option external-check`.
func (p *parser) optionExternalCheck(px *Proxy, args []string, kwm int) bool {
	if !p.plainOption(args[1], kwm) || !p.capOK(px, CapBackend, args[1]) {
		return false
	}
	px.Traffic.ExternalCheck = kwm == kwmStd
	return true
}

// serverSource handles the server option `source ADDR[:PORT]`.
func (p *parser) serverSource(l *serverLine, v string) bool {
	s, msg := parseSource([]string{v})
	if msg != "" {
		return l.fail(p, "%s", msg)
	}
	l.s.Source = s
	return true
}

// serverUseSrc handles the server option `usesrc X`, after `source`.
func (p *parser) serverUseSrc(l *serverLine, v string) bool {
	if !l.set["source"] || l.s.Source == nil {
		return l.fail(p, "unknown keyword 'usesrc': it only follows 'source <addr>'.")
	}
	s := *l.s.Source
	if msg := s.parseUseSrc(v); msg != "" {
		return l.fail(p, "%s", msg)
	}
	l.s.Source = &s
	return true
}

// globalFork handles `external-check` and `insecure-fork-wanted`.
func (p *parser) globalFork(args []string, kwm int) bool {
	on := kwm == kwmStd
	switch args[0] {
	case "external-check":
		p.cfg.Global.Privs.ExternalCheck = on
		p.cfg.Global.Privs.PreserveEnv = on && arg(args, 1) == "preserve-env"
	default:
		p.cfg.Global.Privs.InsecureForkWanted = on
	}
	return true
}

// checkSources notes whether a backend or server binds foreign
// addresses (usesrc), which needs CAP_NET_ADMIN after the privilege drop.
func (p *parser) checkSources() {
	for _, px := range p.cfg.Proxies {
		if px.Traffic.Source.Transparent() {
			p.cfg.Global.Privs.NetAdmin = true
		}
		for _, s := range px.Servers {
			if s.Source.Transparent() {
				p.cfg.Global.Privs.NetAdmin = true
			}
		}
	}
}

// checkExternalChecks refuses `option external-check` without the
// global keywords that allow it, or without a command, as HAProxy does
// at startup.
func (p *parser) checkExternalChecks() {
	for _, px := range p.cfg.Proxies {
		t := px.Traffic
		if !t.ExternalCheck || !px.IsBackend() {
			continue
		}
		px.Traffic.PreserveEnv = p.cfg.Global.Privs.PreserveEnv
		px.Traffic.ForkRefused = !p.cfg.Global.Privs.InsecureForkWanted
		switch {
		case !p.cfg.Global.Privs.ExternalCheck:
			p.alertRaw(fmt.Sprintf("Proxy '%s' : 'option external-check' requires 'external-check' in the global section.", px.Name))
		case t.ExternalCommand == "":
			p.alertRaw(fmt.Sprintf("Proxy '%s' : 'option external-check' requires 'external-check command'.", px.Name))
		}
	}
}
