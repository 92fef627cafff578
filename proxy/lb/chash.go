package lb

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync/atomic"

	"github.com/goha/goha/config"
)

// chash is `hash-type consistent` for the hash algorithms (source, uri,
// url_param, hdr), HAProxy's lb_chash: every usable server owns
// weight×16 points on a 32-bit ring, point j of the server with id N at
// fullHash(N×4096 + j), so a point depends only on its server and a farm
// change moves only the keys of the points added or removed. A request's
// input is hashed with the configured function (and the avalanche
// modifier) and goes to the server of the closest point, the one before it
// on a tie. The ring is rebuilt on each event and published atomically, so
// a pick takes no lock and allocates nothing.
//
// With `hash-balance-factor F` (bounded loads), a server is skipped while
// it serves F% of its weighted share of the backend's connections or more;
// the walk goes on to the next points clockwise. Without a hash input
// (TCP mode, a missing parameter or header) requests walk the ring's
// points in turn, HAProxy's round-robin fallback for consistent hashing.
type chash struct {
	*pool
	in     chashInput
	fn     hashFunc
	aval   bool
	factor uint64 // hash-balance-factor, 0 = off

	cur    atomic.Pointer[ring]
	served atomic.Int64  // connections counted on the backend (bounded loads)
	rr     atomic.Uint64 // position of the round-robin fallback
	elig   []*Server
}

// chashInput is a hash algorithm's input: chashOf returns the hash of the
// request's key with fn, before the avalanche modifier, or false when the
// key is missing and the pick falls back to round robin.
type chashInput interface {
	chashOf(src netip.Addr, r Request, fn hashFunc) (uint32, bool)
}

// chashAlgos maps the hash algorithms to the constructor of their input
// for consistent hashing.
var chashAlgos = map[string]func(config.Balance) (chashInput, error){
	"source":    func(config.Balance) (chashInput, error) { return sourceInput{}, nil },
	"uri":       func(b config.Balance) (chashInput, error) { return uriOptions(b), nil },
	"url_param": func(b config.Balance) (chashInput, error) { return urlParamOptions(b) },
	"hdr":       func(b config.Balance) (chashInput, error) { return hdrOptions(b) },
}

// chashPointsPerWeight is the number of ring points per unit of weight
// (HAProxy's BE_WEIGHT_SCALE), chashIDStride the spacing of the point
// numbers of consecutive server ids (SRV_EWGHT_RANGE).
const (
	chashPointsPerWeight = 16
	chashIDStride        = MaxWeight * chashPointsPerWeight
)

// ring is one published state of the consistent-hash ring.
type ring struct {
	keys  []uint32  // point positions, ascending
	owner []*Server // owner[i] owns keys[i]
	// For bounded loads, per server index in the pool: its ring weight
	// (points) and the total weight of the eligible servers before it;
	// total is the sum over the eligible servers.
	weight, cum []uint64
	total       uint64
}

// newCHash builds consistent hashing over p for b's algorithm name.
func newCHash(p *pool, b config.Balance, name string) (Balancer, error) {
	in, err := chashAlgos[name](b)
	if err != nil {
		return nil, err
	}
	c := &chash{pool: p, in: in, fn: hashFuncs[b.Hash.Func], aval: b.Hash.Avalanche}
	if c.fn == nil {
		return nil, errUnknownHashFunc(b.Hash.Func)
	}
	if b.Hash.BalanceFactor > 0 {
		c.factor = uint64(b.Hash.BalanceFactor)
	}
	for _, s := range p.servers {
		c.served.Add(s.conns.Load()) // rebuilt with connections open (Live.Add)
	}
	c.rebuild()
	return c, nil
}

// point is a ring point while the ring is built.
type point struct {
	key uint32
	s   *Server
}

// rebuild recomputes the ring from the eligible set. The caller holds mu
// (or is newCHash).
func (c *chash) rebuild() {
	c.elig = c.eligibleSet(c.elig)
	n := 0
	for _, s := range c.elig {
		n += int(s.weight.Load()) * chashPointsPerWeight
	}
	pts := make([]point, 0, n)
	g := &ring{weight: make([]uint64, len(c.servers)), cum: make([]uint64, len(c.servers))}
	for _, s := range c.elig {
		w := int(s.weight.Load()) * chashPointsPerWeight
		base := uint32(s.ID) * chashIDStride
		for j := range w {
			pts = append(pts, point{fullHash(base + uint32(j)), s})
		}
		g.weight[s.idx], g.cum[s.idx] = uint64(w), g.total
		g.total += uint64(w)
	}
	pts = sortPoints(pts, make([]point, len(pts)))
	g.keys, g.owner = make([]uint32, n), make([]*Server, n)
	for i, pt := range pts {
		g.keys[i], g.owner[i] = pt.key, pt.s
	}
	c.cur.Store(g)
}

// sortPoints sorts pts by key with an LSD radix sort (four stable passes
// of 8 bits, tmp as scratch of the same length) and returns the sorted
// slice, pts or tmp. Points of distinct ids never collide (fullHash is a
// bijection); equal ids keep declaration order. A comparison sort took
// 170 ms for 100 servers of weight 256 (409,600 points), this about 25
// (BenchmarkCHash on the 2-core test machine).
func sortPoints(pts, tmp []point) []point {
	for shift := uint(0); shift < 32; shift += 8 {
		var count [257]int
		for _, p := range pts {
			count[(p.key>>shift)&0xff+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, p := range pts {
			d := (p.key >> shift) & 0xff
			tmp[count[d]] = p
			count[d]++
		}
		pts, tmp = tmp, pts
	}
	return pts
}

// Pick implements Balancer.
func (c *chash) Pick(src netip.Addr, r Request, avoid *Server) *Server {
	g := c.cur.Load()
	if len(g.keys) == 0 {
		return nil
	}
	var s *Server
	if h, ok := c.in.chashOf(src, r, c.fn); ok {
		if c.aval {
			h = fullHash(h)
		}
		s = c.lookup(g, h, avoid)
		c.take(s) // bound to its key's server, full or not
		return s
	}
	return c.next(g, avoid)
}

// lookup returns the server of the point closest to h (the earlier one on
// a tie), or of the next points clockwise while that server is avoid or,
// with bounded loads, full. After two turns it gives up and returns the
// last server seen, as HAProxy does.
func (c *chash) lookup(g *ring, h uint32, avoid *Server) *Server {
	n := len(g.keys)
	next := searchKeys(g.keys, h)
	if next == n {
		next = 0
	}
	prev := next - 1
	if prev < 0 {
		prev = n - 1
	}
	i := next
	if h-g.keys[prev] <= g.keys[next]-h {
		i = prev
	}
	s := g.owner[i]
	for turns := 0; s == avoid || (c.factor > 0 && !c.underBound(g, s)); {
		if i++; i == n {
			if i, turns = 0, turns+1; turns > 1 {
				break
			}
		}
		s = g.owner[i]
	}
	return s
}

// searchKeys returns the index of the first key >= h, len(keys) if none.
func searchKeys(keys []uint32, h uint32) int {
	lo, hi := 0, len(keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if keys[m] < h {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// underBound reports whether s may take one more connection under
// `hash-balance-factor` (consistent hashing with bounded loads): the
// backend's connections plus this one, times the factor, are shared out
// in proportion to the weights, every server getting at least one.
func (c *chash) underBound(g *ring, s *Server) bool {
	if g.total == 0 {
		return true
	}
	slots := (uint64(max(c.served.Load(), 0)+1)*c.factor + 99) / 100
	per, rem := slots/g.total, slots%g.total
	w, cum := g.weight[s.idx], g.cum[s.idx]
	mine := w*per + (cum+w)*rem/g.total - cum*rem/g.total
	return uint64(max(s.conns.Load(), 0)) < max(mine, 1)
}

// next is the round-robin fallback: the servers of the ring's points in
// turn, skipping full servers and avoid while another server has room
// (nil when all are full). It counts the connection on the server it
// returns.
func (c *chash) next(g *ring, avoid *Server) *Server {
	n := uint64(len(g.keys))
	start := c.rr.Add(1) - 1
	avoided := false
	for k := range n {
		s := g.owner[(start+k)%n]
		if s == avoid {
			avoided = true
			continue
		}
		if c.tryTake(s) {
			return s
		}
	}
	if avoided && c.tryTake(avoid) {
		return avoid
	}
	return nil
}

// tryTake counts a connection on s if it is below its maxconn (TryTake).
func (c *chash) tryTake(s *Server) bool {
	if !s.tryTake() {
		return false
	}
	c.served.Add(1)
	return true
}

func (c *chash) take(s *Server) {
	if s != nil {
		s.conns.Add(1)
		c.served.Add(1)
	}
}

// Take implements Balancer.
func (c *chash) Take(s *Server) { c.take(s) }

// Release implements Balancer.
func (c *chash) Release(s *Server) {
	if s != nil {
		s.conns.Add(-1)
		c.served.Add(-1)
	}
}

// SetUsable implements Balancer.
func (c *chash) SetUsable(s *Server, usable bool) {
	c.mu.Lock()
	if c.setUsable(s, usable) {
		c.rebuild()
	}
	c.mu.Unlock()
}

// SetWeight implements Balancer.
func (c *chash) SetWeight(s *Server, w int) {
	c.mu.Lock()
	if c.setWeight(s, w) {
		c.rebuild()
	}
	c.mu.Unlock()
}

// sourceInput is `balance source`'s key: the client address as 32-bit
// big-endian words XORed together (HAProxy hashes addresses this way, not
// with the hash function). There is none for a client without an IP
// address (a UNIX socket).
type sourceInput struct{}

func (sourceInput) chashOf(src netip.Addr, _ Request, _ hashFunc) (uint32, bool) {
	if !src.IsValid() {
		return 0, false
	}
	src = src.Unmap()
	if src.Is4() {
		a := src.As4()
		return binary.BigEndian.Uint32(a[:]), true
	}
	a := src.As16()
	var h uint32
	for i := 0; i < 16; i += 4 {
		h ^= binary.BigEndian.Uint32(a[i:])
	}
	return h, true
}

func (b *uri) chashOf(_ netip.Addr, r Request, fn hashFunc) (uint32, bool) {
	if r == nil {
		return 0, false
	}
	return fn(b.key(r.URI())), true
}

// chashOf hashes the parameter's value; an empty value is hashed too, as
// HAProxy does, only a missing parameter falls back to round robin.
func (b *urlParam) chashOf(_ netip.Addr, r Request, fn hashFunc) (uint32, bool) {
	if r == nil {
		return 0, false
	}
	v := queryParam(r.URI(), b.name)
	if v == nil {
		return 0, false
	}
	return fn(v), true
}

func (b *hdr) chashOf(_ netip.Addr, r Request, fn hashFunc) (uint32, bool) {
	if r == nil {
		return 0, false
	}
	v, ok := r.Header(b.name)
	if !ok || len(v) == 0 {
		return 0, false
	}
	if b.domainOnly {
		v = mainDomain(v)
	}
	return fn(v), true
}

// errUnknownHashFunc reports a hash function hash-type does not know.
func errUnknownHashFunc(name string) error {
	return fmt.Errorf("hash-type: unknown hash function %q (sdbm, djb2, wt6 or crc32)", name)
}
