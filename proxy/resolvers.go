package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"sync"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/resolve"
	"github.com/goha/goha/proxy/stats"
	"github.com/goha/goha/proxy/tlog"
)

// resolvConfPath is where the implicit "default" resolvers section
// takes its nameservers from (a variable for tests).
var resolvConfPath = "/etc/resolv.conf"

// discovery is a generation's DNS service discovery: one
// resolve.Resolvers per `resolvers` section (and the implicit "default"
// one), and the servers that follow DNS answers, grouped as they
// subscribe (a server-template's N servers, or one server with a name
// and `resolvers`). Sections with servers start with the generation and
// stop with it; events set the servers' addresses, ports, weights and
// resolution maintenance.
type discovery struct {
	// sections are every section, in configuration order, "default"
	// last (what `show resolvers` lists).
	sections []*resolve.Resolvers
	byName   map[string]*resolve.Resolvers
	// groups are the server groups to subscribe at start.
	groups []dnsGroup

	// mu guards the bindings and serializes the events' application.
	mu      sync.Mutex
	bind    map[*Server]*dnsBinding
	started []*resolve.Resolvers
	stopped bool
}

// dnsGroup is servers that follow one name through one section.
type dnsGroup struct {
	sec     *resolve.Resolvers
	servers []*Server
}

// dnsBinding is a server's place in a group and what DNS told it, for
// `show servers state` (guarded by discovery.mu).
type dnsBinding struct {
	sec  *resolve.Resolvers
	g    *resolve.Group
	slot int
	// srvName is the SRV name the server follows ("" for an address
	// name); fqdn the name it follows, or for SRV its record's target.
	srvName string
	fqdn    string
	// fromSRV says an SRV record once named the server (HAProxy's admin
	// bit 0x40, which then stays).
	fromSRV bool
	// renamed says `set server fqdn` (or a server-state file) gave the
	// server a name other than its configuration's.
	renamed bool
}

// renamedApart returns the groups to subscribe: a server renamed
// before the start (server-state file) follows its name alone.
func (d *discovery) renamedApart() []dnsGroup {
	var out []dnsGroup
	for _, g := range d.groups {
		kept := dnsGroup{sec: g.sec}
		for _, s := range g.servers {
			if d.bind[s].renamed {
				out = append(out, dnsGroup{sec: g.sec, servers: []*Server{s}})
			} else {
				kept.servers = append(kept.servers, s)
			}
		}
		if len(kept.servers) > 0 {
			out = append(out, kept)
		}
	}
	return out
}

// initDiscovery builds the sections and the server groups (called by
// New, before privileges are dropped: it reads /etc/resolv.conf).
func (rt *Runtime) initDiscovery() error {
	d := &rt.dns
	d.byName = map[string]*resolve.Resolvers{}
	d.bind = map[*Server]*dnsBinding{}
	secs := append([]*config.Resolvers(nil), rt.cfg.Resolvers...)
	if !hasSection(secs, "default") {
		if data, err := os.ReadFile(resolvConfPath); err == nil {
			if def := config.DefaultResolvers(data); def != nil {
				secs = append(secs, def)
			}
		}
	}
	for _, sec := range secs {
		r, err := resolve.New(sec, resolve.Options{})
		if err != nil {
			return err
		}
		d.sections = append(d.sections, r)
		d.byName[sec.Name] = r
	}
	for _, b := range rt.Backends() {
		if err := d.addGroups(b); err != nil {
			return err
		}
	}
	return nil
}

// hasSection reports whether a section has this name.
func hasSection(secs []*config.Resolvers, name string) bool {
	for _, s := range secs {
		if s.Name == name {
			return true
		}
	}
	return false
}

// addGroups finds b's servers that follow a name: the servers of one
// server-template line form one group, any other one its own.
func (d *discovery) addGroups(b *Backend) error {
	for i := 0; i < len(b.Servers); i++ {
		s := b.Servers[i]
		if s.Cfg.Resolvers == "" || s.Cfg.FQDN == "" || s.Cfg.Unix != "" {
			continue
		}
		sec := d.byName[s.Cfg.Resolvers]
		if sec == nil {
			return fmt.Errorf("server %s/%s: no resolvers section %q", b.Name, s.Name, s.Cfg.Resolvers)
		}
		g := dnsGroup{sec: sec, servers: []*Server{s}}
		for s.Cfg.Template && i+1 < len(b.Servers) && sameTemplate(s.Cfg, b.Servers[i+1].Cfg) {
			i++
			g.servers = append(g.servers, b.Servers[i])
		}
		d.groups = append(d.groups, g)
		for _, gs := range g.servers {
			b := &dnsBinding{sec: sec, fqdn: gs.Cfg.FQDN}
			if config.IsSRVName(b.fqdn) {
				b.srvName, b.fqdn = b.fqdn, ""
			}
			d.bind[gs] = b
		}
	}
	return nil
}

// sameTemplate reports whether two servers come from one
// server-template line.
func sameTemplate(a, b *config.Server) bool {
	return b.Template && a.File == b.File && a.Line == b.Line && a.TemplatePrefix == b.TemplatePrefix
}

// startDiscovery subscribes the groups, the servers' current addresses
// (a server-state file's included) as their slots' initial ones, and
// starts the sections that have servers, with the generation's context.
func (rt *Runtime) startDiscovery() {
	d := &rt.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	used := map[*resolve.Resolvers]bool{}
	for _, grp := range d.renamedApart() {
		name := ""
		if b := d.bind[grp.servers[0]]; b.renamed {
			name = b.fqdn
		}
		if err := rt.subscribe(grp.sec, grp.servers, name); err != nil {
			rt.log.Warn().Msgf("%v", err)
			continue
		}
		used[grp.sec] = true
	}
	for _, r := range d.sections {
		if !used[r] {
			continue
		}
		if err := r.Start(rt.Context()); err != nil {
			rt.log.Warn().Msgf("%v", err)
			continue
		}
		d.started = append(d.started, r)
	}
}

// subscribe makes servers a group of sec following their configured
// name, or name when given (mu held).
func (rt *Runtime) subscribe(sec *resolve.Resolvers, servers []*Server, name string) error {
	d := &rt.dns
	cfgs := make([]*config.Server, len(servers))
	for i, s := range servers {
		cfgs[i] = s.Cfg
	}
	var binds []*dnsBinding
	spec := resolve.SpecOf(cfgs, func(ev resolve.Event) {
		if ev.Slot >= 0 && ev.Slot < len(binds) {
			rt.dnsEvent(servers[ev.Slot], binds[ev.Slot], ev)
		}
	})
	if name != "" {
		spec.Name = name
	}
	for i, s := range servers {
		spec.Initial[i] = netip.AddrPort{}
		if !s.ResolvMaint() {
			spec.Initial[i] = s.AddrPort()
		}
	}
	for _, s := range servers {
		b := &dnsBinding{sec: sec, fqdn: spec.Name}
		if config.IsSRVName(spec.Name) {
			b.srvName, b.fqdn = spec.Name, ""
		}
		if old := d.bind[s]; old != nil {
			b.fromSRV, b.renamed = old.fromSRV, old.renamed && name != ""
			if b.srvName != "" {
				b.fqdn = old.fqdn
			}
		}
		binds = append(binds, b)
	}
	g, err := sec.Subscribe(spec)
	if err != nil {
		return fmt.Errorf("server %s/%s: %w", servers[0].Backend.Name, servers[0].Name, err)
	}
	for i, s := range servers {
		binds[i].g, binds[i].slot = g, i
		d.bind[s] = binds[i]
	}
	return nil
}

// stopDiscovery stops the sections (soft and hard stop): no more
// queries, no more changes to the servers.
func (rt *Runtime) stopDiscovery() {
	d := &rt.dns
	d.mu.Lock()
	d.stopped = true
	started := d.started
	d.started = nil
	d.mu.Unlock()
	for _, r := range started {
		r.Stop()
	}
}

// dnsEvent applies a slot's change to its server: a new address (and
// port, weight for SRV) leaves resolution maintenance; no address
// enters it. Connections established to an address that stays are not
// touched; idle pooled ones to an address that goes are closed.
func (rt *Runtime) dnsEvent(s *Server, b *dnsBinding, ev resolve.Event) {
	d := &rt.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped || d.bind[s] != b {
		return // the server follows another group now (set server fqdn)
	}
	if !ev.Addr.IsValid() {
		if b.srvName != "" {
			b.fqdn = ""
		}
		rt.enterResolvMaint(s, ev.Reason)
		return
	}
	if b.srvName != "" {
		b.fqdn, b.fromSRV = ev.Target, true
	}
	rt.setResolved(s, ev.Addr, b.sec.Name)
	if ev.HasWeight && ev.Weight != s.Weight() {
		if err := s.SetWeight(ev.Weight); err != nil {
			rt.log.Warn().Msgf("server %s/%s: SRV weight: %v", s.Backend.Name, s.Name, err)
		}
	}
	if s.ResolvMaint() {
		rt.leaveResolvMaint(s, b.fqdn)
	}
}

// setResolved gives s the address DNS answered, with its health checks
// following it.
func (rt *Runtime) setResolved(s *Server, ap netip.AddrPort, by string) {
	cur := s.AddrPort()
	if cur == ap {
		return
	}
	if err := s.SetAddr(ap.Addr().String(), int(ap.Port())); err != nil {
		rt.log.Warn().Msgf("%v", err)
		return
	}
	from := "(none)"
	if cur.IsValid() {
		from = cur.Addr().String()
	}
	if from != ap.Addr().String() {
		rt.logEvent(s.Backend, tlog.Notice, fmt.Sprintf("%s/%s changed its IP from %s to %s by resolvers %s.",
			s.Backend.Name, s.Name, from, ap.Addr(), by), false)
	}
	if err := rt.followAddr(s); err != nil {
		rt.log.Warn().Msgf("server %s/%s: health checks: %v", s.Backend.Name, s.Name, err)
	}
}

// enterResolvMaint puts s in resolution maintenance, as HAProxy does
// when its resolvers give it no address.
func (rt *Runtime) enterResolvMaint(s *Server, reason string) {
	wasUsable := s.Usable()
	if !s.SetResolvMaint(true) {
		return
	}
	if c := s.Health().Chk.Load(); c != nil {
		c.Pause()
	}
	b := s.Backend
	if wasUsable {
		s.MarkChange(false)
	}
	act, bck := b.ActiveServers()
	rt.logEvent(b, tlog.Alert, fmt.Sprintf("Server %s/%s is going DOWN for maintenance (%s). %d active and %d backup servers left. %d sessions active, 0 requeued, 0 remaining in queue.",
		b.Name, s.Name, reason, act, bck, s.Scur.Load()), false)
	rt.backendChanged(b)
}

// leaveResolvMaint ends s's resolution maintenance once it has an
// address; its checks start again unless the CLI keeps it in
// maintenance.
func (rt *Runtime) leaveResolvMaint(s *Server, fqdn string) {
	if !s.SetResolvMaint(false) {
		return
	}
	if c := s.Health().Chk.Load(); c != nil && s.AdminState() != AdminMaint && !s.Health().CheckOff.Load() {
		c.Resume()
	}
	if s.Usable() {
		s.MarkChange(true)
	}
	rt.logEvent(s.Backend, tlog.Notice, fmt.Sprintf("Server %s/%s ('%s') is UP/READY (resolves again).", s.Backend.Name, s.Name, fqdn), false)
	rt.backendChanged(s.Backend)
}

// Resolvers returns the generation's resolvers sections, in the order
// `show resolvers` lists them.
func (rt *Runtime) Resolvers() []*resolve.Resolvers { return rt.dns.sections }

// WriteResolvers writes `show resolvers [NAME]` (resolve.ErrNoSection
// for an unknown NAME).
func (rt *Runtime) WriteResolvers(w io.Writer, name string) error {
	return resolve.WriteShow(w, rt.dns.sections, name)
}

// Errors of SetServerFQDN, in HAProxy 2.6's words.
var (
	ErrFQDNNoResolvers = errors.New("set server <b>/<s> fqdn failed because no resolution is configured.")
	ErrFQDNSRV         = errors.New("set server <b>/<s> fqdn failed because SRV resolution is configured.")
)

// SetServerFQDN is `set server BE/SRV fqdn NAME`: the server follows
// NAME from now on, keeping its address until the answer. A server of
// a server-template leaves its template's group for a group of its
// own. It returns HAProxy's answer.
func (rt *Runtime) SetServerFQDN(s *Server, name, by string) (string, error) {
	d := &rt.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.bind[s]
	if b == nil {
		return "", ErrFQDNNoResolvers
	}
	if b.srvName != "" {
		return "", ErrFQDNSRV
	}
	if !validFQDN(name) {
		return "", fmt.Errorf("invalid fqdn '%s' by '%s'", name, by)
	}
	if strings.EqualFold(name, b.fqdn) {
		return "no need to change the FDQN", nil
	}
	msg := fmt.Sprintf("%s/%s changed its FQDN from %s to %s by '%s'", s.Backend.Name, s.Name, b.fqdn, name, by)
	switch {
	case b.g == nil || d.stopped:
		// not started: subscribed with it at start
	case len(b.g.Slots()) == 1:
		if err := b.g.SetFQDN(name); err != nil {
			return "", err
		}
	default:
		b.g.Detach(b.slot)
		if err := rt.subscribe(b.sec, []*Server{s}, name); err != nil {
			return "", err
		}
		b = d.bind[s]
	}
	b.fqdn, b.renamed = name, true
	return msg, nil
}

// FollowsDNS reports whether s follows a name through resolvers.
func (rt *Runtime) FollowsDNS(s *Server) bool {
	d := &rt.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bind[s] != nil
}

// RestoreResolved applies the DNS part of a server-state line before
// the generation starts: a server the previous one had in resolution
// maintenance starts in it; one DNS had given an address starts with it
// (its slot keeps it while the answers have it); a name set with `set
// server fqdn` is followed again; an SRV record's target and bit 0x40
// are kept.
func (rt *Runtime) RestoreResolved(s *Server, st stats.ServerState) error {
	d := &rt.dns
	d.mu.Lock()
	b := d.bind[s]
	if b == nil {
		d.mu.Unlock()
		return nil
	}
	if b.srvName != "" {
		b.fqdn, b.fromSRV = st.FQDN, st.AdminState&stats.AdminHostnameFromCLI != 0
	} else if st.FQDN != "" && !strings.EqualFold(st.FQDN, b.fqdn) && validFQDN(st.FQDN) {
		b.fqdn, b.renamed = st.FQDN, true
	}
	d.mu.Unlock()
	if st.AdminState&stats.AdminResolvMaint != 0 {
		s.SetResolvMaint(true)
		return nil
	}
	a, err := netip.ParseAddr(st.Addr)
	if err != nil || st.Port <= 0 || st.Port > 65535 {
		return nil
	}
	if err := s.SetAddr(a.String(), st.Port); err != nil {
		return err
	}
	s.SetResolvMaint(false)
	return rt.followAddr(s)
}

// validFQDN checks a host name as HAProxy's resolvers do: labels of
// letters, digits and '-', 1 to 63 characters, 255 in all.
func validFQDN(name string) bool {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 255 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// fillDNSState sets the DNS columns and bits of a server's `show servers
// state` line as HAProxy 2.6 does: srv_fqdn is the name followed (an
// SRV record's target), srv_port the configured port while an address
// name gives none, srvrecord the SRV name; admin bit 0x20 in resolution
// maintenance, 0x40 once an SRV record named the server.
func (rt *Runtime) fillDNSState(st *stats.ServerState, s *Server) {
	if s.ResolvMaint() {
		st.AdminState |= stats.AdminResolvMaint
		st.OpState = stats.OpStopped
		st.Addr = ""
	}
	d := &rt.dns
	d.mu.Lock()
	b := d.bind[s]
	var fqdn, srvName string
	var fromSRV bool
	if b != nil {
		fqdn, srvName, fromSRV = b.fqdn, b.srvName, b.fromSRV
	}
	d.mu.Unlock()
	switch {
	case b == nil:
		st.FQDN = s.Cfg.FQDN
	case srvName != "":
		st.FQDN, st.SRVRecord = fqdn, srvName
		if fromSRV {
			st.AdminState |= stats.AdminHostnameFromCLI
		}
	default:
		st.FQDN = fqdn
	}
	if st.Port == 0 && srvName == "" && s.Cfg.Unix == "" {
		st.Port = s.Cfg.Port
	}
}
