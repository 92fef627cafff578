package lb

import (
	"net/netip"

	"github.com/goha/goha/config"
)

// roundRobin is `balance roundrobin`: HAProxy's dynamic weighted round
// robin (lb_fwrr.c). Within a round every eligible server is picked
// exactly as many times as its weight, spread smoothly: a server of
// weight w sits at positions (2k+1)/(2w), k = 0..w-1, of the round, and
// the picks follow those positions (ties go to the earlier declared
// server). A server that used its share waits for the next round, like
// fwrr's "next" tree. Weight changes and servers coming back keep the
// progress of the round proportional, so the change is smooth.
type roundRobin struct {
	*pool
	h  *iheap
	st []rrState
	// nowNum/nowDen is the position in round now.round of the last pick
	// (0 before the first).
	now            rrState
	nowNum, nowDen int64
	elig           []*Server
	inSet          []bool
	aside          []*Server // servers set aside during a pick
}

// rrState is a server's position: in round `round`, k picks done, weight w
// (the weight its position was computed with).
type rrState struct {
	round int64
	k, w  int64
}

// before reports whether position a comes strictly before b.
func (a rrState) before(b rrState) bool {
	if a.round != b.round {
		return a.round < b.round
	}
	// (2ka+1)/(2wa) < (2kb+1)/(2wb)
	return (2*a.k+1)*b.w < (2*b.k+1)*a.w
}

func newRoundRobin(p *pool, _ config.Balance) (Balancer, error) {
	r := &roundRobin{pool: p, st: make([]rrState, len(p.servers)), inSet: make([]bool, len(p.servers))}
	r.h = newIHeap(len(p.servers), func(a, b *Server) bool {
		sa, sb := r.st[a.idx], r.st[b.idx]
		if sa.before(sb) {
			return true
		}
		if sb.before(sa) {
			return false
		}
		return a.idx < b.idx
	})
	r.nowDen = 1
	r.resync()
	return r, nil
}

// resync brings the heap in line with the eligible set and weights.
// The caller holds mu.
func (r *roundRobin) resync() {
	r.elig = r.eligibleSet(r.elig)
	clear(r.inSet)
	for _, s := range r.elig {
		r.inSet[s.idx] = true
	}
	for _, s := range r.servers {
		st := &r.st[s.idx]
		switch {
		case !r.inSet[s.idx]:
			r.h.remove(s)
		case !r.h.has(s):
			w := int64(s.weight.Load())
			// Join the current round at the first of its slots after
			// the current position (or the next round if none is left),
			// so it neither jumps ahead of nor doubles up with the others.
			k := r.nowNum * w / r.nowDen
			if (2*k+1)*r.nowDen <= 2*w*r.nowNum {
				k++
			}
			*st = rrState{round: r.now.round, k: k, w: w}
			if k >= w {
				*st = rrState{round: r.now.round + 1, k: 0, w: w}
			}
			r.h.push(s)
		default:
			if w := int64(s.weight.Load()); w != st.w {
				st.k = st.k * w / st.w
				st.w = w
				r.h.fixServer(s)
			}
		}
	}
}

// Pick implements Balancer.
func (r *roundRobin) Pick(_ netip.Addr, _ Request, avoid *Server) *Server {
	r.mu.Lock()
	s := r.pickLocked(avoid)
	r.mu.Unlock()
	return s
}

// pickLocked is the pick itself; hash algorithms reuse it as fallback.
// As HAProxy's fwrr does, every server that comes up in turn has its turn
// consumed; a full one (or avoid, while another server has room) is set
// aside for the rest of this pick and put back afterwards, so that it
// neither blocks the others nor gets a burst of catch-up picks later.
func (r *roundRobin) pickLocked(avoid *Server) *Server {
	var pick, avoided *Server
	r.aside = r.aside[:0]
	for r.h.len() > 0 {
		s := r.h.items[0]
		r.advance(s)
		if s != avoid && s.tryTake() {
			r.h.fix(0)
			pick = s
			break
		}
		if s == avoid {
			avoided = s
		}
		r.h.remove(s)
		r.aside = append(r.aside, s)
	}
	for _, s := range r.aside {
		r.h.push(s)
	}
	clear(r.aside)
	if pick == nil && avoided != nil && avoided.tryTake() {
		pick = avoided
	}
	return pick
}

// advance consumes s's turn: the round's position moves to s's slot and s
// moves to its next one. The caller restores s's place in the heap.
func (r *roundRobin) advance(s *Server) {
	st := &r.st[s.idx]
	r.now = *st
	r.nowNum, r.nowDen = 2*st.k+1, 2*st.w
	st.k++
	if st.k >= st.w {
		st.k = 0
		st.round++
	}
}

// Take implements Balancer.
func (r *roundRobin) Take(s *Server) { take(s) }

// Release implements Balancer.
func (r *roundRobin) Release(s *Server) { release(s) }

// SetUsable implements Balancer.
func (r *roundRobin) SetUsable(s *Server, usable bool) {
	r.mu.Lock()
	if r.setUsable(s, usable) {
		r.resync()
	}
	r.mu.Unlock()
}

// SetWeight implements Balancer.
func (r *roundRobin) SetWeight(s *Server, w int) {
	r.mu.Lock()
	if r.setWeight(s, w) {
		r.resync()
	}
	r.mu.Unlock()
}
