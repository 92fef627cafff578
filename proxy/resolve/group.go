package resolve

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/goha/goha/config"
	"github.com/miekg/dns"
)

// Event is a change of one slot of a group: it has an address (Addr
// valid, with the weight an SRV record gave when HasWeight), or it has
// none and its server goes to maintenance (Addr invalid, Reason says
// why in HAProxy's words). Target is the host name an SRV record
// gave the slot (without the final dot; "" for an address name).
type Event struct {
	Slot      int
	Addr      netip.AddrPort
	Weight    int
	HasWeight bool
	Reason    string
	Target    string
}

// GroupSpec describes a group of servers that follow one name: the N
// slots of a server-template, or the single slot of a server.
type GroupSpec struct {
	// Name is the FQDN, or an SRV name (`_service._proto.name`).
	Name string
	// Port is the servers' port for an address name (SRV records bring
	// their own).
	Port int
	// Slots is how many servers the group has (at least 1).
	Slots int
	// PreferIPv4 is `resolve-prefer ipv4` (HAProxy prefers IPv6 by
	// default); Nets is `resolve-net`.
	PreferIPv4 bool
	Nets       []netip.Prefix
	// AllowDupIP lets two slots share an address; IgnoreWeight keeps SRV
	// weights out of the events.
	AllowDupIP   bool
	IgnoreWeight bool
	// Initial are the slots' addresses at start (init-addr), by slot; an
	// address still in the answers stays in its slot.
	Initial []netip.AddrPort
	// OnEvent receives the slots' changes, from the section's loop
	// goroutine, never concurrently with itself; it must not block.
	OnEvent func(Event)
}

// SpecOf returns the spec of servers that share one name in the
// configuration (a server-template's, or one server in a slice of one),
// their resolve options taken from the first.
func SpecOf(servers []*config.Server, onEvent func(Event)) GroupSpec {
	s := servers[0]
	spec := GroupSpec{Name: s.FQDN, Port: s.Port, Slots: len(servers), PreferIPv4: s.ResolvePrefer == "ipv4",
		Nets: s.ResolveNets, AllowDupIP: s.AllowDupIP(), IgnoreWeight: s.IgnoreWeight(), OnEvent: onEvent}
	for _, sv := range servers {
		ap := netip.AddrPort{}
		if a, err := netip.ParseAddr(sv.Addr); err == nil && !sv.NoAddr {
			ap = netip.AddrPortFrom(a, uint16(sv.Port))
		}
		spec.Initial = append(spec.Initial, ap)
	}
	return spec
}

// ErrSRVName is SetFQDN's error on a group that resolves an SRV name.
var ErrSRVName = errors.New("SRV resolution is configured")

// Group is a set of slots following one name; see Subscribe.
type Group struct {
	r      *Resolvers
	spec   GroupSpec
	srv    bool
	slots  []slot
	main   *resolution
	child  map[string]*resolution
	closed bool
}

// slot is one server of a group.
type slot struct {
	addr   netip.AddrPort
	weight int
	// rec is the key of the record the slot follows ("" = free).
	rec    string
	target string
	maint  bool
	// detached slots left the group (Detach): never filled again.
	detached bool
}

// Subscribe adds a group to the section; its name is resolved at once
// (when started) and then every `hold valid`.
func (r *Resolvers) Subscribe(spec GroupSpec) (*Group, error) {
	if spec.Name == "" || spec.Slots < 1 {
		return nil, fmt.Errorf("resolve: resolvers %s: a group needs a name and slots (got %q, %d)", r.Name, spec.Name, spec.Slots)
	}
	g := &Group{r: r, spec: spec, srv: config.IsSRVName(spec.Name), slots: make([]slot, spec.Slots), child: map[string]*resolution{}}
	for i := range g.slots {
		g.slots[i].maint = true
		if i < len(spec.Initial) && spec.Initial[i].IsValid() {
			g.slots[i] = slot{addr: spec.Initial[i]}
		}
	}
	g.main = g.newResolution(spec.Name, "")
	r.mu.Lock()
	r.groups = append(r.groups, g)
	r.mu.Unlock()
	r.poke()
	return g, nil
}

// newResolution returns the resolution of a name for the group.
func (g *Group) newResolution(name, target string) *resolution {
	t := uint16(dns.TypeAAAA)
	if g.spec.PreferIPv4 {
		t = dns.TypeA
	}
	if g.srv && target == "" {
		t = dns.TypeSRV
	}
	return &resolution{g: g, target: target, qname: fqdn(name), preferred: t, qtype: t, records: newRecordSet()}
}

// resolutions lists the group's resolutions (mu held).
func (g *Group) resolutions() []*resolution {
	out := []*resolution{g.main}
	for _, t := range sortedKeys(g.child) {
		out = append(out, g.child[t])
	}
	return out
}

// SetFQDN makes the group follow another name (`set server BE/SRV fqdn
// NAME`); it is resolved at once, and the slots keep their addresses
// until the answer. A group of an SRV name refuses (ErrSRVName).
func (g *Group) SetFQDN(name string) error {
	if g.srv {
		return ErrSRVName
	}
	if name == "" || config.IsSRVName(name) {
		return fmt.Errorf("resolve: invalid FQDN %q", name)
	}
	g.r.mu.Lock()
	delete(g.r.pending, g.main.id)
	g.spec.Name = name
	g.main = g.newResolution(name, "")
	for i := range g.slots {
		g.slots[i].rec = ""
	}
	g.r.mu.Unlock()
	g.r.poke()
	return nil
}

// FQDN is the name the group follows.
func (g *Group) FQDN() string {
	g.r.mu.Lock()
	defer g.r.mu.Unlock()
	return g.spec.Name
}

// Slots returns the slots' current state, one Event per slot.
func (g *Group) Slots() []Event {
	g.r.mu.Lock()
	defer g.r.mu.Unlock()
	out := make([]Event, len(g.slots))
	for i, s := range g.slots {
		out[i] = Event{Slot: i, Addr: s.addr, Weight: s.weight, HasWeight: g.srv && !g.spec.IgnoreWeight && s.addr.IsValid(),
			Target: targetName(s.target)}
	}
	return out
}

// Detach takes slot i out of the group for good: it gets no address
// and no event any more, and its address is free for the other slots.
// A server of a server-template that `set server BE/SRV fqdn` gives a
// name of its own leaves its template's group this way.
func (g *Group) Detach(i int) {
	g.r.mu.Lock()
	if i >= 0 && i < len(g.slots) {
		g.slots[i] = slot{maint: true, detached: true}
	}
	g.r.mu.Unlock()
	g.r.poke()
}

// Close removes the group from its section: no more queries or events.
func (g *Group) Close() {
	g.r.mu.Lock()
	defer g.r.mu.Unlock()
	g.closed = true
	g.r.groups = slices.DeleteFunc(g.r.groups, func(o *Group) bool { return o == g })
	for _, res := range g.resolutions() {
		delete(g.r.pending, res.id)
	}
}

// apply applies a valid answer to the slots; it reports whether a slot
// changed (mu held).
func (g *Group) apply(res *resolution, ans answer, now time.Time, out *outbox) bool {
	before := out.count(g)
	switch {
	case res.target != "":
		res.records.addAddrs(ans.addrs, now)
		res.records.expire(now, g.r.cfg.Hold.Obsolete)
		g.fillTargets(res, out)
	case g.srv:
		g.applySRV(res, ans, now, out)
	default:
		res.records.addAddrs(ans.addrs, now)
		for _, key := range res.records.expire(now, g.r.cfg.Hold.Obsolete) {
			g.detach(key)
		}
		for i := range g.slots {
			g.fillAddrSlot(i, res, out)
		}
	}
	return out.count(g) > before
}

// detach frees the slots that followed a record gone obsolete.
func (g *Group) detach(key string) {
	for i := range g.slots {
		if g.slots[i].rec == key {
			g.slots[i].rec = ""
		}
	}
}

// fillAddrSlot gives slot i an address of an address answer, HAProxy's
// way: a slot whose record is still there keeps it; otherwise it takes
// the best scored address, or goes to maintenance without one.
func (g *Group) fillAddrSlot(i int, res *resolution, out *outbox) {
	s := &g.slots[i]
	if s.detached || s.rec != "" && res.records.byKey[s.rec] != nil {
		return
	}
	rec := g.pick(res.records.ordered(), i)
	if rec == nil {
		g.release(i, "No IP for server", out)
		return
	}
	s.rec = rec.key
	g.set(i, netip.AddrPortFrom(rec.addr, uint16(g.spec.Port)), s.weight, out)
}

// pick scores the address records for slot i as HAProxy does: 8 for
// the preferred family, 4 for a preferred network, 2 when no other slot
// has it (else skipped, without allow-dup-ip), 1 for the slot's current
// address. The best score wins, the first of equals.
func (g *Group) pick(recs []*record, i int) *record {
	var best *record
	bestScore := -1
	for _, rec := range recs {
		score := g.familyScore(rec.addr)
		if g.inNets(rec.addr) {
			score += 4
		}
		if g.usedByOther(rec.addr, i) {
			if !g.spec.AllowDupIP {
				continue
			}
		} else {
			score += 2
		}
		if rec.addr == g.slots[i].addr.Addr() {
			score++
		}
		if score > bestScore {
			best, bestScore = rec, score
		}
	}
	return best
}

// familyScore is 8 for an address of the preferred family.
func (g *Group) familyScore(a netip.Addr) int {
	if a.Is4() == g.spec.PreferIPv4 {
		return 8
	}
	return 0
}

// inNets reports whether an address is in a resolve-net network.
func (g *Group) inNets(a netip.Addr) bool {
	for _, n := range g.spec.Nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// usedByOther reports whether a slot other than i has the address.
func (g *Group) usedByOther(a netip.Addr, i int) bool {
	for j, s := range g.slots {
		if j != i && !s.maint && s.addr.Addr() == a {
			return true
		}
	}
	return false
}

// set gives slot i an address and weight, with an event when it
// changed.
func (g *Group) set(i int, ap netip.AddrPort, weight int, out *outbox) {
	s := &g.slots[i]
	if s.addr == ap && s.weight == weight && !s.maint {
		return
	}
	s.addr, s.weight, s.maint = ap, weight, false
	out.add(g, Event{Slot: i, Addr: ap, Weight: weight, HasWeight: g.srv && !g.spec.IgnoreWeight, Target: targetName(s.target)})
}

// release takes slot i's address away (maintenance), with an event
// unless it had none already.
func (g *Group) release(i int, reason string, out *outbox) {
	s := &g.slots[i]
	was := s.maint
	*s = slot{maint: true}
	if !was {
		out.add(g, Event{Slot: i, Reason: reason})
	}
}

// suspend takes slot i's address away (maintenance) but keeps the SRV
// record it follows, waiting for its target's address.
func (g *Group) suspend(i int, reason string, out *outbox) {
	s := &g.slots[i]
	if s.maint {
		return
	}
	s.addr, s.maint = netip.AddrPort{}, true
	out.add(g, Event{Slot: i, Reason: reason})
}

// lose applies a resolution's error past its hold period: the slots
// that relied on it lose their addresses (all of them for the group's
// name; for an SRV target, the slots waiting for its address).
func (g *Group) lose(res *resolution, reason string, out *outbox) {
	for i := range g.slots {
		switch {
		case g.slots[i].detached:
		case res.target == "":
			g.release(i, reason, out)
		case g.slots[i].target == res.target && !g.srvAddrKnown(i):
			g.suspend(i, reason, out)
		}
	}
}

// targetName is an SRV target as HAProxy shows it: without the final
// dot.
func targetName(t string) string { return strings.TrimSuffix(t, ".") }
