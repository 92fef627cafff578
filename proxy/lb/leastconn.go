package lb

import (
	"net/netip"

	"github.com/goha/goha/config"
)

// leastConn is `balance leastconn`: the server with the lowest number of
// connections per unit of weight receives the connection; servers with the
// same load are used in turn (the one whose load changed least recently
// first), as HAProxy's lb_fwlc does. Pick, Take and Release re-key the
// server in a heap, under the pool's lock: O(log n).
type leastConn struct {
	*pool
	h     *iheap
	w     []int64  // weight each server was keyed with
	seq   []uint64 // when each server was last re-keyed
	tick  uint64
	elig  []*Server
	in    []bool
	aside []*Server // servers set aside during a pick
}

func newLeastConn(p *pool, _ config.Balance) (Balancer, error) {
	n := len(p.servers)
	l := &leastConn{pool: p, w: make([]int64, n), seq: make([]uint64, n), in: make([]bool, n)}
	l.h = newIHeap(n, func(a, b *Server) bool {
		// conns(a)/w(a) < conns(b)/w(b)
		x := a.conns.Load() * l.w[b.idx]
		y := b.conns.Load() * l.w[a.idx]
		if x != y {
			return x < y
		}
		return l.seq[a.idx] < l.seq[b.idx]
	})
	for _, s := range p.servers {
		l.seq[s.idx] = uint64(s.idx)
	}
	l.tick = uint64(n)
	l.resync()
	return l, nil
}

// resync brings the heap in line with the eligible set. The caller holds mu.
func (l *leastConn) resync() {
	l.elig = l.eligibleSet(l.elig)
	clear(l.in)
	for _, s := range l.elig {
		l.in[s.idx] = true
	}
	for _, s := range l.servers {
		switch {
		case !l.in[s.idx]:
			l.h.remove(s)
		case !l.h.has(s):
			l.w[s.idx] = int64(s.weight.Load())
			l.touch(s)
			l.h.push(s)
		default:
			if w := int64(s.weight.Load()); w != l.w[s.idx] {
				l.w[s.idx] = w
				l.h.fixServer(s)
			}
		}
	}
}

func (l *leastConn) touch(s *Server) {
	l.tick++
	l.seq[s.idx] = l.tick
}

// Pick implements Balancer. As HAProxy's fwlc does, it walks the servers
// from the least loaded and takes the first one below its maxconn (avoid
// only when no other has room): full ones are set aside for the walk.
func (l *leastConn) Pick(_ netip.Addr, _ Request, avoid *Server) *Server {
	l.mu.Lock()
	defer l.mu.Unlock()
	var pick, avoided *Server
	l.aside = l.aside[:0]
	for l.h.len() > 0 {
		s := l.h.items[0]
		if s != avoid && s.tryTake() {
			pick = s
			break
		}
		if s == avoid {
			avoided = s
		}
		l.h.remove(s)
		l.aside = append(l.aside, s)
	}
	for _, s := range l.aside {
		l.h.push(s)
	}
	clear(l.aside)
	if pick == nil && avoided != nil && avoided.tryTake() {
		pick = avoided
	}
	if pick != nil {
		l.touch(pick)
		l.h.fixServer(pick)
	}
	return pick
}

// tryTake counts a connection on s if it is below its maxconn (TryTake),
// keeping the heap in order.
func (l *leastConn) tryTake(s *Server) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !s.tryTake() {
		return false
	}
	if l.owns(s) && l.h.has(s) {
		l.touch(s)
		l.h.fixServer(s)
	}
	return true
}

// Take implements Balancer.
func (l *leastConn) Take(s *Server) { l.add(s, 1) }

// Release implements Balancer.
func (l *leastConn) Release(s *Server) { l.add(s, -1) }

func (l *leastConn) add(s *Server, d int64) {
	if s == nil {
		return
	}
	l.mu.Lock()
	s.conns.Add(d)
	if l.owns(s) && l.h.has(s) {
		l.touch(s)
		l.h.fixServer(s)
	}
	l.mu.Unlock()
}

// SetUsable implements Balancer.
func (l *leastConn) SetUsable(s *Server, usable bool) {
	l.mu.Lock()
	if l.setUsable(s, usable) {
		l.resync()
	}
	l.mu.Unlock()
}

// SetWeight implements Balancer.
func (l *leastConn) SetWeight(s *Server, w int) {
	l.mu.Lock()
	if l.setWeight(s, w) {
		l.resync()
	}
	l.mu.Unlock()
}
