package resolve

import (
	"encoding/binary"
	"strings"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// status is how a resolution ended.
type status int

// Resolution statuses (HAProxy's RSLV_STATUS_*).
const (
	statusNone status = iota
	statusValid
	statusNX
	statusTimeout
	statusRefused
	statusOther
)

// statusInfo is, per error status, its hold period and the reason a
// slot loses its address for it (HAProxy's words).
var statusInfo = map[status]struct {
	hold   func(*Resolvers) time.Duration
	reason string
}{
	statusNX:      {func(r *Resolvers) time.Duration { return r.cfg.Hold.NX }, "DNS NX status"},
	statusTimeout: {func(r *Resolvers) time.Duration { return r.cfg.Hold.Timeout }, "DNS timeout status"},
	statusRefused: {func(r *Resolvers) time.Duration { return r.cfg.Hold.Refused }, "DNS refused status"},
	statusOther:   {func(r *Resolvers) time.Duration { return r.cfg.Hold.Other }, "unspecified DNS error"},
}

// verdictInfo is, per verdict, the counter it increments and the status
// it gives the resolution.
var verdictInfo = map[verdict]struct {
	counter func(*counters) *atomic.Uint64
	status  status
}{
	vValid:      {func(c *counters) *atomic.Uint64 { return &c.valid }, statusValid},
	vNX:         {func(c *counters) *atomic.Uint64 { return &c.nx }, statusNX},
	vRefused:    {func(c *counters) *atomic.Uint64 { return &c.refused }, statusRefused},
	vOther:      {func(c *counters) *atomic.Uint64 { return &c.other }, statusOther},
	vNoRecord:   {func(c *counters) *atomic.Uint64 { return &c.other }, statusOther},
	vAnyErr:     {func(c *counters) *atomic.Uint64 { return &c.anyErr }, statusOther},
	vCNAMEError: {func(c *counters) *atomic.Uint64 { return &c.cnameError }, statusOther},
	vTruncated:  {func(c *counters) *atomic.Uint64 { return &c.truncated }, statusOther},
}

// resolution is the state of one name being resolved for a group: its
// own name, or the target of one of its SRV records.
type resolution struct {
	g *Group
	// target is "" for the group's name, else the SRV target resolved.
	target string
	qname  string
	// preferred is the query type asked first; qtype the one asked now
	// (A and AAAA fall back on each other after errors).
	preferred, qtype uint16
	id               uint16
	query            []byte
	querying         bool
	// left is how many more queries may be sent (resolve_retries).
	left                                 int
	lastQuery, lastResolution, lastValid time.Time
	nbQueries, nbResponses               int
	answered                             map[*nameserver]bool
	status                               status
	records                              *recordSet
}

// startResolution sends the first query of a resolution (mu held).
func (r *Resolvers) startResolution(res *resolution, now time.Time) {
	res.qtype, res.left = res.preferred, r.cfg.ResolveRetries
	r.send(res, now, true)
}

// send sends the resolution's query to every nameserver with a new ID
// (mu held); spend says it counts as one of resolve_retries.
func (r *Resolvers) send(res *resolution, now time.Time, spend bool) {
	if spend {
		res.left--
	}
	delete(r.pending, res.id)
	res.id = r.newQueryID()
	res.querying, res.lastQuery = true, now
	res.nbQueries, res.nbResponses, res.answered = 0, 0, map[*nameserver]bool{}
	msg, err := buildQuery(res.id, res.qname, res.qtype, r.cfg.AcceptedPayloadSize)
	if err != nil {
		return // a name that does not pack: the retry timer ends it
	}
	res.query = msg
	r.pending[res.id] = res
	for _, ns := range r.ns {
		ok := false
		if ns.tcp {
			ok = r.sendTCP(ns, msg)
		} else {
			ok = r.sendUDP(ns, msg)
		}
		if ok {
			res.nbQueries++
		}
	}
}

// retry handles a query whose `timeout retry` struck (mu held): send it
// again, fall back to the other address family, or give up.
func (r *Resolvers) retry(res *resolution, now time.Time, out *outbox) {
	for _, ns := range r.ns {
		if !res.answered[ns] {
			ns.c.timeout.Add(1)
		}
	}
	if res.left <= 0 {
		if res.nbResponses == 0 {
			res.status = statusTimeout
		}
		r.reportError(res, now, out)
		return
	}
	if res.nbResponses == 0 || res.qtype != res.preferred || res.qtype == dns.TypeSRV {
		res.qtype = res.preferred
		r.send(res, now, true)
		return
	}
	res.qtype = otherFamily(res.preferred)
	r.send(res, now, false)
}

// otherFamily is the address query type a resolution falls back to.
func otherFamily(t uint16) uint16 {
	if t == dns.TypeA {
		return dns.TypeAAAA
	}
	return dns.TypeA
}

// finish ends a resolution's queries (mu held).
func (r *Resolvers) finish(res *resolution, now time.Time) {
	delete(r.pending, res.id)
	res.querying, res.lastResolution = false, now
}

// reportError ends a resolution in error and lets its group apply the
// hold period of the status (mu held).
func (r *Resolvers) reportError(res *resolution, now time.Time, out *outbox) {
	r.finish(res, now)
	info, ok := statusInfo[res.status]
	if !ok {
		info = statusInfo[statusOther]
	}
	if !res.lastValid.IsZero() && now.Before(res.lastValid.Add(info.hold(r))) {
		return // a valid answer is recent enough: keep what it gave
	}
	res.records.purge()
	res.g.lose(res, info.reason, out)
}

// handlePacket checks one answer and applies it (mu held).
func (r *Resolvers) handlePacket(p packet) *outbox {
	out := &outbox{}
	c := &p.ns.c
	if !p.tcp && len(p.data) > r.cfg.AcceptedPayloadSize {
		c.tooBig.Add(1)
		return out
	}
	if len(p.data) < 2 {
		c.invalid.Add(1)
		return out
	}
	res := r.pending[binary.BigEndian.Uint16(p.data)]
	if res == nil || res.answered[p.ns] {
		c.outdated.Add(1)
		return out
	}
	if p.from != p.ns.addr {
		c.invalid.Add(1) // not from the nameserver asked: spoofed
		return out
	}
	ans, v := parseAnswer(p.data, res.qname, res.qtype)
	if v == vInvalid {
		c.invalid.Add(1)
		return out
	}
	info := verdictInfo[v]
	info.counter(c).Add(1)
	now := r.now()
	switch {
	case v == vTruncated && !p.tcp:
		r.sendTCP(p.ns, res.query)
		return out
	case v == vValid:
		if ans.cname {
			c.cname.Add(1)
		}
		res.status, res.lastValid = statusValid, now
		r.finish(res, now)
		if res.g.apply(res, ans, now, out) {
			c.update.Add(1)
		}
		return out
	}
	r.answerError(res, p.ns, info.status, now, out)
	return out
}

// answerError records an error answer; once every nameserver asked has
// answered in error, the query falls back to the other address family
// at once, or gives up when no query is left (mu held).
func (r *Resolvers) answerError(res *resolution, ns *nameserver, st status, now time.Time, out *outbox) {
	res.answered[ns] = true
	res.nbResponses++
	res.status = st
	if res.nbResponses < res.nbQueries {
		return
	}
	if res.qtype == res.preferred && res.qtype != dns.TypeSRV {
		res.qtype = otherFamily(res.preferred)
		r.send(res, now, false)
		return
	}
	if res.left <= 0 {
		r.reportError(res, now, out)
	}
}

// fqdn is a name as asked: lower case, with its final dot.
func fqdn(name string) string { return strings.ToLower(dns.Fqdn(name)) }
