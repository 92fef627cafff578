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

// Pick implements Balancer.
func (r *random) Pick(_ netip.Addr, _ Request, avoid *Server) *Server {
	c := r.cur.Load()
	if len(c.servers) == 0 {
		return nil
	}
	if len(c.servers) == 1 {
		s := c.servers[0]
		s.conns.Add(1)
		return s
	}
	var best *Server
	for range r.draws {
		s := c.draw()
		if s == avoid {
			continue
		}
		if best == nil || lessLoaded(s, best) {
			best = s
		}
	}
	if best == nil {
		// Every draw hit avoid: take its neighbour.
		for i, s := range c.servers {
			if s == avoid {
				best = c.servers[(i+1)%len(c.servers)]
				break
			}
		}
		if best == nil {
			best = c.servers[0]
		}
	}
	best.conns.Add(1)
	return best
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
