package resolve

import (
	"net/netip"
	"sort"
	"time"
)

// applySRV applies an SRV answer (mu held): records gone obsolete free
// their slots; each record keeps its slot, or takes the first free one,
// with the record's port and weight and the target's address.
func (g *Group) applySRV(res *resolution, ans answer, now time.Time, out *outbox) {
	res.records.addSRV(ans, now, g.choose)
	for _, key := range res.records.expire(now, g.r.cfg.Hold.Obsolete) {
		for i := range g.slots {
			if g.slots[i].rec == key {
				g.release(i, "entry removed from SRV record", out)
			}
		}
	}
	for _, rec := range res.records.ordered() {
		i := g.slotOf(rec.key)
		if i < 0 {
			continue // more records than slots
		}
		s := &g.slots[i]
		s.rec, s.target = rec.key, rec.srv.target
		weight := (int(rec.srv.weight) + 255) / 256
		if g.spec.IgnoreWeight {
			weight = s.weight
		}
		addr := rec.ar
		if !addr.IsValid() {
			addr = g.targetAddr(rec.srv.target)
		}
		if !addr.IsValid() {
			if s.addr.IsValid() && s.addr.Port() == rec.srv.port {
				addr = s.addr.Addr() // keep it until the target's own answer
			} else {
				s.weight = weight
				continue
			}
		}
		g.set(i, netip.AddrPortFrom(addr, rec.srv.port), weight, out)
	}
	g.syncTargets()
}

// slotOf returns the slot following a record, or else the first free
// one (-1 when none is free).
func (g *Group) slotOf(key string) int {
	free := -1
	for i, s := range g.slots {
		if s.rec == key {
			return i
		}
		if s.rec == "" && !s.detached && free < 0 {
			free = i
		}
	}
	return free
}

// choose picks the address of an SRV target among its additional
// records: the preferred family first, then a preferred network.
func (g *Group) choose(addrs []netip.Addr) netip.Addr {
	best, bestScore := netip.Addr{}, -1
	for _, a := range addrs {
		score := g.familyScore(a)
		if g.inNets(a) {
			score += 4
		}
		if score > bestScore {
			best, bestScore = a, score
		}
	}
	return best
}

// targetAddr is the address an SRV target's own resolution found.
func (g *Group) targetAddr(target string) netip.Addr {
	res := g.child[target]
	if res == nil {
		return netip.Addr{}
	}
	var addrs []netip.Addr
	for _, rec := range res.records.ordered() {
		addrs = append(addrs, rec.addr)
	}
	return g.choose(addrs)
}

// srvAddrKnown reports whether slot i's SRV record brought its address.
func (g *Group) srvAddrKnown(i int) bool {
	rec := g.main.records.byKey[g.slots[i].rec]
	return rec != nil && rec.ar.IsValid()
}

// syncTargets starts resolving the SRV targets that came without an
// additional record, and stops resolving those no slot needs any more.
func (g *Group) syncTargets() {
	need := map[string]bool{}
	for i, s := range g.slots {
		if s.rec != "" && !g.srvAddrKnown(i) {
			need[s.target] = true
		}
	}
	for t, res := range g.child {
		if !need[t] {
			delete(g.r.pending, res.id)
			delete(g.child, t)
		}
	}
	for t := range need {
		if g.child[t] == nil {
			g.child[t] = g.newResolution(t, t)
		}
	}
}

// fillTargets gives the slots of an SRV target the address its own
// resolution found (mu held).
func (g *Group) fillTargets(res *resolution, out *outbox) {
	addr := g.targetAddr(res.target)
	for i, s := range g.slots {
		if s.target != res.target || s.rec == "" || g.srvAddrKnown(i) {
			continue
		}
		rec := g.main.records.byKey[s.rec]
		if rec == nil {
			continue
		}
		if !addr.IsValid() {
			g.suspend(i, "No IP for server", out)
			continue
		}
		g.set(i, netip.AddrPortFrom(addr, rec.srv.port), s.weight, out)
		g.slots[i].rec, g.slots[i].target = rec.key, rec.srv.target
	}
}

// outbox collects the events of one round of the loop, delivered once
// the lock is released.
type outbox struct {
	events []queued
}

type queued struct {
	g  *Group
	ev Event
}

func (o *outbox) add(g *Group, ev Event) { o.events = append(o.events, queued{g, ev}) }

// count is how many events the round has for a group.
func (o *outbox) count(g *Group) int {
	n := 0
	for _, q := range o.events {
		if q.g == g {
			n++
		}
	}
	return n
}

// deliver calls the groups' callbacks (mu not held).
func (o *outbox) deliver() {
	for _, q := range o.events {
		if q.g.spec.OnEvent != nil {
			q.g.spec.OnEvent(q.ev)
		}
	}
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
