package lb

import (
	"math/rand/v2"
	"net/netip"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/goha/goha/config"
)

// random is `balance random[(N)]`: N servers (default 2: "power of two
// choices") are drawn at random, each with a probability proportional to
// its weight, and the least loaded of them (connections per unit of
// weight) receives the connection. Weights are dynamic. A draw is a binary
// search in the cumulative weights, published atomically on each event.
type random struct {
	*pool
	draws int
	cur   atomic.Pointer[cumul]
	elig  []*Server
}

// cumul is the eligible set with cumulative weights: servers[i] owns the
// draws in [sum[i-1], sum[i]).
type cumul struct {
	servers []*Server
	sum     []uint64
}

func newRandom(p *pool, b config.Balance) (Balancer, error) {
	arg := b.Param
	if arg == "" && len(b.Args) > 0 {
		if n, a := splitAlgo(b.Args[0]); n == "random" {
			arg = a
		} else if !strings.ContainsAny(b.Args[0], "()") {
			arg = b.Args[0]
		}
	}
	r := &random{pool: p, draws: atoiDefault(arg, 2)}
	r.resync()
	return r, nil
}

func (r *random) resync() {
	r.elig = r.eligibleSet(r.elig)
	c := &cumul{servers: append([]*Server(nil), r.elig...), sum: make([]uint64, len(r.elig))}
	var t uint64
	for i, s := range c.servers {
		t += uint64(s.weight.Load())
		c.sum[i] = t
	}
	r.cur.Store(c)
}

func (c *cumul) draw() *Server {
	total := c.sum[len(c.sum)-1]
	x := rand.Uint64N(total)
	i := sort.Search(len(c.sum), func(i int) bool { return c.sum[i] > x })
	return c.servers[i]
}

// Pick implements Balancer. Draws that land on a full server (or on
// avoid) do not count; when no draw found room, the servers are walked from
// a random one for the first with room (avoid last). HAProxy would queue
// the request when its draws landed on full servers; goha prefers a free
// server, the point of maxconn queueing being to wait only when all are
// full.
func (r *random) Pick(_ netip.Addr, _ Request, avoid *Server) *Server {
	c := r.cur.Load()
	n := len(c.servers)
	if n == 0 {
		return nil
	}
	for range 3 {
		var best *Server
		for range r.draws {
			s := c.draw()
			if s == avoid || s.Full() {
				continue
			}
			if best == nil || lessLoaded(s, best) {
				best = s
			}
		}
		if best == nil {
			break
		}
		if best.tryTake() {
			return best
		}
		// It filled up since the draw: draw again (a few times at most).
	}
	start := rand.IntN(n)
	for i := range n {
		if s := c.servers[(start+i)%n]; s != avoid && s.tryTake() {
			return s
		}
	}
	for _, s := range c.servers {
		if s == avoid && s.tryTake() {
			return s
		}
	}
	return nil
}

// lessLoaded reports whether a has fewer connections per unit of weight
// than b.
func lessLoaded(a, b *Server) bool {
	return a.conns.Load()*int64(b.weight.Load()) < b.conns.Load()*int64(a.weight.Load())
}

// Take implements Balancer.
func (r *random) Take(s *Server) { take(s) }

// Release implements Balancer.
func (r *random) Release(s *Server) { release(s) }

// SetUsable implements Balancer.
func (r *random) SetUsable(s *Server, usable bool) {
	r.mu.Lock()
	if r.setUsable(s, usable) {
		r.resync()
	}
	r.mu.Unlock()
}

// SetWeight implements Balancer.
func (r *random) SetWeight(s *Server, w int) {
	r.mu.Lock()
	if r.setWeight(s, w) {
		r.resync()
	}
	r.mu.Unlock()
}
