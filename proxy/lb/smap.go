package lb

import "sync/atomic"

// smap is HAProxy's map (lb_map.c) used by the static algorithms: a table
// with one slot per unit of weight of the eligible servers, where each
// server's slots are spread evenly. static-rr walks it in order; the hash
// algorithms index it with hash % len. It is rebuilt on each event and
// published atomically, so picks take no lock.
type smap struct {
	slots []*Server
}

// staticMap holds the current map and the rebuild state.
type staticMap struct {
	*pool
	cur   atomic.Pointer[smap]
	elig  []*Server
	score []int // per eligible server, while building
}

func newStaticMap(p *pool) *staticMap {
	m := &staticMap{pool: p}
	m.rebuild()
	return m
}

// rebuild recomputes the map from the eligible set. Servers are spread as
// smooth weighted round robin would pick them: for each slot every server
// gains its weight, the highest score takes the slot (the earlier declared
// on ties) and pays the total weight. The caller holds mu (or is New).
func (m *staticMap) rebuild() {
	m.elig = m.eligibleSet(m.elig)
	total := 0
	for _, s := range m.elig {
		total += int(s.weight.Load())
	}
	nm := &smap{slots: make([]*Server, total)}
	m.score = append(m.score[:0], make([]int, len(m.elig))...)
	for o := range nm.slots {
		best := -1
		for i, s := range m.elig {
			m.score[i] += int(s.weight.Load())
			if best < 0 || m.score[i] > m.score[best] {
				best = i
			}
		}
		m.score[best] -= total
		nm.slots[o] = m.elig[best]
	}
	m.cur.Store(nm)
}

// at returns the server at slot h % len, or the next different one when
// that is avoid and another server exists; nil if the map is empty. It
// counts a connection on the server returned, full or not: the hash
// algorithms bind a key to its server.
func (m *staticMap) at(h uint64, avoid *Server) *Server {
	slots := m.cur.Load().slots
	n := uint64(len(slots))
	if n == 0 {
		return nil
	}
	i := h % n
	s := slots[i]
	if s == avoid {
		for j := uint64(1); j < n; j++ {
			if c := slots[(i+j)%n]; c != avoid {
				s = c
				break
			}
		}
	}
	s.conns.Add(1)
	return s
}

// walk is the round-robin use of the map (static-rr, and the hash
// algorithms without their key): from r's next slot, the first server below
// its maxconn other than avoid, or avoid when no other has room; nil when
// every server is full. The slots walked past are used up, as in HAProxy's
// map_get_server_rr, so a full server loses its turns. It counts a
// connection on the server returned.
func (m *staticMap) walk(r *rr, avoid *Server) *Server {
	slots := m.cur.Load().slots
	n := uint64(len(slots))
	i := r.next()
	avoided := false
	for j := uint64(0); j < n; j++ {
		s := slots[(i+j)%n]
		if s == avoid {
			avoided = true
			continue
		}
		if s.tryTake() {
			if j > 0 {
				r.ctr.Add(j)
			}
			return s
		}
	}
	if avoided && avoid.tryTake() {
		return avoid
	}
	return nil
}

// Take implements Balancer.
func (m *staticMap) Take(s *Server) { take(s) }

// Release implements Balancer.
func (m *staticMap) Release(s *Server) { release(s) }

// SetUsable implements Balancer.
func (m *staticMap) SetUsable(s *Server, usable bool) {
	m.mu.Lock()
	if m.setUsable(s, usable) {
		m.rebuild()
	}
	m.mu.Unlock()
}

// SetWeight implements Balancer.
func (m *staticMap) SetWeight(s *Server, w int) {
	m.mu.Lock()
	if m.setWeight(s, w) {
		m.rebuild()
	}
	m.mu.Unlock()
}

// rr is a round-robin walk over a static map: the fallback of the hash
// algorithms when their input is missing.
type rr struct {
	ctr atomic.Uint64
}

func (r *rr) next() uint64 { return r.ctr.Add(1) - 1 }
