package lb

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/goha/goha/config"
)

// Live is a Balancer whose server list grows at run time (`add server`
// on the runtime API). It holds the current algorithm behind an atomic
// pointer: picks, takes and releases go to whichever is current, without
// a lock of their own. Add builds a new instance of the algorithm over
// the same Server values plus the new one and swaps it in; connection
// counts, weights and usable states live in the Servers, so they carry
// over, and state changes are serialised with the swap (mu) so that none
// is applied to an instance being replaced.
//
// A server is never removed from the list: one deleted at run time stays
// as an unusable entry (it was in maintenance, with no connection), so
// that every server keeps its position (Server.idx) in every instance.
type Live struct {
	mu   sync.Mutex
	cur  atomic.Pointer[liveBox]
	bal  config.Balance
	list []*Server // every server ever added, in order (under mu)
}

type liveBox struct{ b Balancer }

// NewLive is New, returning a balancer that can grow with Add.
func NewLive(b config.Balance, servers []*Server, weights []int) (*Live, error) {
	inner, err := New(b, servers, weights)
	if err != nil {
		return nil, err
	}
	l := &Live{bal: b, list: append([]*Server(nil), servers...)}
	l.cur.Store(&liveBox{inner})
	return l, nil
}

func (l *Live) inner() Balancer { return l.cur.Load().b }

// Add appends s to the balancer with weight w, usable or not, and
// returns once picks may choose it. s must be new to this balancer.
func (l *Live) Add(s *Server, w int, usable bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.list {
		if x == s {
			return fmt.Errorf("balance %q: server %q added twice", l.bal.Algo, s.Name)
		}
	}
	s.weight.Store(int32(clampWeight(w)))
	s.usable.Store(usable)
	s.SetMaxconn(s.Maxconn)
	s.idx = len(l.list)
	list := append(append([]*Server(nil), l.list...), s)
	name, _ := splitAlgo(l.bal.Algo)
	if name == "" {
		name = "roundrobin"
	}
	mk, ok := algos[name]
	if !ok {
		return fmt.Errorf("unknown balance algorithm %q", l.bal.Algo)
	}
	if _, hashed := chashAlgos[name]; hashed && l.bal.Hash.Consistent {
		mk = func(p *pool, b config.Balance) (Balancer, error) { return newCHash(p, b, name) }
	}
	b := l.bal
	if _, a := splitAlgo(b.Algo); a != "" && b.Param == "" {
		b.Param = a
	}
	inner, err := mk(&pool{servers: list}, b)
	if err != nil {
		return err
	}
	l.list = list
	l.cur.Store(&liveBox{inner})
	return nil
}

// Pick implements Balancer.
func (l *Live) Pick(src netip.Addr, r Request, avoid *Server) *Server {
	return l.inner().Pick(src, r, avoid)
}

// Take implements Balancer.
func (l *Live) Take(s *Server) { l.inner().Take(s) }

// Release implements Balancer.
func (l *Live) Release(s *Server) { l.inner().Release(s) }

// SetUsable implements Balancer.
func (l *Live) SetUsable(s *Server, usable bool) {
	l.mu.Lock()
	l.inner().SetUsable(s, usable)
	l.mu.Unlock()
}

// SetWeight implements Balancer.
func (l *Live) SetWeight(s *Server, w int) {
	l.mu.Lock()
	l.inner().SetWeight(s, w)
	l.mu.Unlock()
}

// tryTake lets TryTake reach the current algorithm's own rule.
func (l *Live) tryTake(s *Server) bool { return TryTake(l.inner(), s) }
