package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// The `resolvers` section: nameservers and the timers of run-time DNS
// resolution (HAProxy 2.6's configuration.txt 5.3.2). proxy/resolve
// runs it.

// newResolvers returns a section with HAProxy 2.6's defaults.
func newResolvers(name, file string, line int) *Resolvers {
	return &Resolvers{
		Name: name, File: file, Line: line,
		AcceptedPayloadSize: 512,
		ResolveRetries:      3,
		TimeoutResolve:      time.Second,
		TimeoutRetry:        time.Second,
		Hold: Hold{Valid: 10 * time.Second, NX: 30 * time.Second, Timeout: 30 * time.Second,
			Refused: 30 * time.Second, Other: 30 * time.Second},
	}
}

// resolversLine parses one keyword line of a resolvers section.
type resolversLine func(p *parser, r *Resolvers, args []string)

// resolversKeywords dispatches the lines of a resolvers section (the
// section header itself is handled by parseOtherSection).
var resolversKeywords = map[string]resolversLine{
	"nameserver":            (*parser).resolversNameserver,
	"parse-resolv-conf":     (*parser).resolversResolvConf,
	"hold":                  (*parser).resolversHold,
	"accepted_payload_size": (*parser).resolversPayload,
	"resolve_retries":       (*parser).resolversRetries,
	"timeout":               (*parser).resolversTimeout,
}

// holdFields maps a `hold` event to its field.
var holdFields = map[string]func(h *Hold) *time.Duration{
	"nx":       func(h *Hold) *time.Duration { return &h.NX },
	"other":    func(h *Hold) *time.Duration { return &h.Other },
	"refused":  func(h *Hold) *time.Duration { return &h.Refused },
	"timeout":  func(h *Hold) *time.Duration { return &h.Timeout },
	"valid":    func(h *Hold) *time.Duration { return &h.Valid },
	"obsolete": func(h *Hold) *time.Duration { return &h.Obsolete },
}

// resolversNameserver handles `nameserver NAME [tcp@|udp@]ADDR:PORT`.
func (p *parser) resolversNameserver(r *Resolvers, args []string) {
	kw, name := args[0], arg(args, 1)
	if arg(args, 2) == "" {
		p.alertf("'%s' expects <name> and <addr>[:<port>] as arguments.", kw)
		return
	}
	if ch, bad := invalidChar(name); bad {
		p.alertf("character '%c' is not permitted in server name '%s'.", ch, name)
		return
	}
	for _, o := range r.Nameservers {
		if o.Name == name {
			p.alertRaw(fmt.Sprintf("Parsing [%s:%d]: nameserver '%s' has same name as another nameserver (declared at %s:%d).", p.file, p.line, name, o.File, o.Line))
		}
	}
	if msg := p.checkHostPort(args[2]); msg != "" {
		p.alertf("'%s %s' : %s", kw, name, msg)
		return
	}
	addr, tcp := nameserverAddr(envExpand(args[2], p.env.get))
	host, port, _ := splitHostPortLast(addr)
	if _, err := netip.ParseAddr(host); err != nil {
		ip, err := p.resolve(host)
		if err != nil {
			p.alertf("'%s %s' : invalid address: '%s' in '%s'", kw, name, host, addr)
			return
		}
		host = ip
	}
	ns := Nameserver{Name: name, Addr: joinHostPort(host, port), TCP: tcp, File: p.file, Line: p.line}
	r.Nameservers = append(r.Nameservers, ns)
}

// nameserverAddr strips an address prefix and says whether it names a
// stream (TCP) address.
func nameserverAddr(a string) (addr string, tcp bool) {
	if i := strings.IndexByte(a, '@'); i > 0 {
		switch a[:i] {
		case "tcp", "tcp4", "tcp6":
			return a[i+1:], true
		case "ipv4", "ipv6", "udp", "udp4", "udp6":
			return a[i+1:], false
		}
	}
	return a, false
}

// splitHostPortLast splits host:port at the last colon, removing the
// brackets around an IPv6 host.
func splitHostPortLast(a string) (host, port string, ok bool) {
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		return a, "", false
	}
	host = strings.TrimSuffix(strings.TrimPrefix(a[:i], "["), "]")
	return host, a[i+1:], true
}

// joinHostPort writes host:port, bracketing an IPv6 host.
func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// resolversResolvConf handles `parse-resolv-conf`: the nameservers of
// /etc/resolv.conf, named after their address, on port 53.
func (p *parser) resolversResolvConf(r *Resolvers, _ []string) {
	data, err := p.opts.ReadFile("/etc/resolv.conf")
	if err != nil {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: failed to open /etc/resolv.conf.", p.file, p.line))
		return
	}
	if warns := addResolvConf(r, data); len(warns) > 0 {
		p.rec.warn(p.file, p.line, fmt.Sprintf("parsing [%s:%d]: %s", p.file, p.line, strings.Join(warns, "\n        ")))
	}
}

// addResolvConf adds the nameservers of a resolv.conf to a section and
// returns the warnings HAProxy gives for the lines it skips.
func addResolvConf(r *Resolvers, data []byte) []string {
	var warns []string
	for n, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "nameserver" {
			continue
		}
		if len(f) < 2 {
			warns = append(warns, fmt.Sprintf("parsing [/etc/resolv.conf:%d] : nameserver line is missing address.", n+1))
			continue
		}
		ip, err := netip.ParseAddr(f[1])
		if err != nil {
			warns = append(warns, fmt.Sprintf("parsing [/etc/resolv.conf:%d] : address '%s' could not be recognized, nameserver will be excluded.", n+1, f[1]))
			continue
		}
		if o := findNameserver(r, f[1]); o != nil {
			warns = append(warns, fmt.Sprintf("Parsing [/etc/resolv.conf:%d] : generated name for /etc/resolv.conf nameserver '%s' conflicts with another nameserver (declared at %s:%d), it appears to be a duplicate and will be excluded.", n+1, f[1], o.File, o.Line))
			continue
		}
		r.Nameservers = append(r.Nameservers, Nameserver{Name: f[1], Addr: netip.AddrPortFrom(ip, 53).String(),
			File: "/etc/resolv.conf", Line: n + 1})
	}
	return warns
}

// DefaultResolvers is the section named "default" HAProxy 2.6 creates
// at start-up when the configuration has none, from /etc/resolv.conf
// (given as data): it appears in `show resolvers` after the others. It
// is nil when resolv.conf names no usable nameserver (HAProxy then
// creates none, silently).
func DefaultResolvers(resolvConf []byte) *Resolvers {
	r := newResolvers("default", "", 0)
	addResolvConf(r, resolvConf)
	if len(r.Nameservers) == 0 {
		return nil
	}
	return r
}

// findNameserver returns the section's nameserver of that name.
func findNameserver(r *Resolvers, name string) *Nameserver {
	for i := range r.Nameservers {
		if r.Nameservers[i].Name == name {
			return &r.Nameservers[i]
		}
	}
	return nil
}

// resolversHold handles `hold STATUS PERIOD`.
func (p *parser) resolversHold(r *Resolvers, args []string) {
	kw, ev := args[0], arg(args, 1)
	if arg(args, 2) == "" {
		p.alertf("'%s' expects an <event> and a <time> as arguments.", kw)
		p.alertRaw("<event> can be either 'valid', 'nx', 'refused', 'timeout', or 'other'")
		return
	}
	d, ok := p.resolversTime(args[2], "<"+ev+"> to <"+kw+">", "<"+kw+">")
	if !ok {
		return
	}
	field, known := holdFields[ev]
	if !known {
		p.alertf("'%s' unknown <event>: '%s', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.", kw, ev)
		return
	}
	*field(&r.Hold) = d
}

// resolversTime parses a resolvers time value; where names the argument
// in the overflow and underflow messages, kw in the bad character one.
func (p *parser) resolversTime(v, where, kw string) (time.Duration, bool) {
	d, res, bad, _ := parseTime(v, time.Millisecond)
	switch res {
	case timeOver:
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: timer overflow in argument %s, maximum value is 2147483647 ms (~24.8 days).", p.file, p.line, where))
		return 0, false
	case timeUnder:
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: timer underflow in argument %s, minimum non-null value is 1 ms.", p.file, p.line, where))
		return 0, false
	case timeBadChar:
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: unexpected character '%c' in argument to %s.", p.file, p.line, bad, kw))
		return 0, false
	}
	return d, true
}

// resolversPayload handles `accepted_payload_size N` (12..65535).
func (p *parser) resolversPayload(r *Resolvers, args []string) {
	kw := args[0]
	if arg(args, 1) == "" {
		p.alertf("'%s' expects <nb> as argument.", kw)
		return
	}
	n := atoiC(args[1])
	if n < 12 || n > 65535 {
		p.alertf("'%s' must be between %d and %d inclusive (was %s).", kw, 12, 65535, args[1])
		return
	}
	r.AcceptedPayloadSize = n
}

// resolversRetries handles `resolve_retries N` (read as atoi() does).
func (p *parser) resolversRetries(r *Resolvers, args []string) {
	if arg(args, 1) == "" {
		p.alertf("'%s' expects <nb> as argument.", args[0])
		return
	}
	r.ResolveRetries = atoiC(args[1])
}

// resolversTimeout handles `timeout resolve|retry TIME`.
func (p *parser) resolversTimeout(r *Resolvers, args []string) {
	kw, ev := args[0], arg(args, 1)
	if ev == "" {
		p.alertf("'%s' expects 'retry' or 'resolve' and <time> as arguments.", kw)
		return
	}
	if ev != "retry" && ev != "resolve" {
		p.alertf("'%s' expects 'retry' or 'resolve' and <time> as arguments got '%s'.", kw, ev)
		return
	}
	if arg(args, 2) == "" {
		p.alertf("'%s %s' expects <time> as argument.", kw, ev)
		return
	}
	d, ok := p.resolversTime(args[2], "<"+args[2]+"> to <"+kw+" "+ev+">", "<"+kw+" "+ev+">")
	if !ok {
		return
	}
	if ev == "retry" {
		r.TimeoutRetry = d
	} else {
		r.TimeoutResolve = d
	}
}

// resolversDuplicate reports a second section of the same name.
func (p *parser) resolversDuplicate(name string) {
	for _, o := range p.cfg.Resolvers {
		if o.Name == name {
			// HAProxy stops reading the configuration there.
			e := p.alertRaw(fmt.Sprintf("Parsing [%s:%d]: resolvers '%s' has same name as another resolvers (declared at %s:%d).", p.file, p.line, name, o.File, o.Line))
			e.Abort, p.rec.aborted = true, true
			return
		}
	}
}

// serverResolvePrefer handles `resolve-prefer ipv4|ipv6`.
func (p *parser) serverResolvePrefer(l *serverLine, v string) bool {
	if v != "ipv4" && v != "ipv6" {
		return l.fail(p, "'%s' expects either ipv4 or ipv6 as argument..", l.opt)
	}
	l.s.ResolvePrefer = v
	return true
}

// resolveOpts are the words `resolve-opts` takes.
var resolveOpts = set("allow-dup-ip", "ignore-weight", "prevent-dup-ip")

// serverResolveOpts handles `resolve-opts OPT[,OPT]*`.
func (p *parser) serverResolveOpts(l *serverLine, v string) bool {
	var opts []string
	for _, o := range strings.Split(v, ",") {
		if o == "" {
			continue
		}
		if !resolveOpts[o] {
			return l.fail(p, "'%s' : unknown resolve-opts option '%s', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'..", l.opt, o)
		}
		opts = append(opts, o)
	}
	l.s.ResolveOpts = opts
	return true
}

// maxResolveNets is how many networks `resolve-net` takes at most.
const maxResolveNets = 5

// serverResolveNet handles `resolve-net NET[,NET]*` (an address alone
// is a network of one address).
func (p *parser) serverResolveNet(l *serverLine, v string) bool {
	if v == "" {
		return l.fail(p, "'%s' expects a list of networks..", l.opt)
	}
	var nets []netip.Prefix
	for _, n := range strings.Split(v, ",") {
		if len(nets) >= maxResolveNets {
			return l.fail(p, "'%s' exceed %d networks..", l.opt, maxResolveNets)
		}
		pfx, err := netip.ParsePrefix(n)
		if err != nil {
			ip, aerr := netip.ParseAddr(n)
			if aerr != nil {
				return l.fail(p, "'%s' invalid network '%s'..", l.opt, n)
			}
			pfx = netip.PrefixFrom(ip, ip.BitLen())
		}
		nets = append(nets, pfx.Masked())
	}
	l.s.ResolveNets = nets
	return true
}

// AllowDupIP reports whether the server's resolve-opts let two servers
// of its group take the same address (the last of allow-dup-ip and
// prevent-dup-ip wins; prevent is the default).
func (s *Server) AllowDupIP() bool {
	allow := false
	for _, o := range s.ResolveOpts {
		switch o {
		case "allow-dup-ip":
			allow = true
		case "prevent-dup-ip":
			allow = false
		}
	}
	return allow
}

// IgnoreWeight reports `resolve-opts ignore-weight`: SRV weights do not
// change the server's weight.
func (s *Server) IgnoreWeight() bool { return contains(s.ResolveOpts, "ignore-weight") }

// IsSRVName reports whether a name is an SRV query name
// (`_service._proto.name`), which HAProxy resolves with SRV records.
func IsSRVName(name string) bool { return strings.HasPrefix(name, "_") }
