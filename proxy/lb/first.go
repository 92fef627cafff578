package lb

import (
	"net/netip"
	"sync/atomic"

	"github.com/goha/goha/config"
)

// first is `balance first`: the first server, by increasing id, with a
// free connection slot (connections < maxconn; maxconn 0 = unlimited)
// receives the connection, so the farm fills up server after server and
// idle ones can be powered off. Pick counts the connection with a
// compare-and-swap, so concurrent picks never exceed a server's maxconn.
// When every eligible server is full, Pick returns nil and the request
// waits in the backend's queue until a slot frees, as in HAProxy.
//
// A pick walks the eligible servers in id order until one has room: O(k)
// for k full servers, which is the nature of the algorithm (HAProxy's
// lb_fas walks its tree the same way).
type first struct {
	*pool
	order atomic.Pointer[[]*Server] // eligible servers by id
	elig  []*Server
}

func newFirst(p *pool, _ config.Balance) (Balancer, error) {
	f := &first{pool: p}
	f.resync()
	return f, nil
}

func (f *first) resync() {
	f.elig = f.eligibleSet(f.elig)
	o := append([]*Server(nil), f.elig...)
	sortByID(o)
	f.order.Store(&o)
}

// Pick implements Balancer.
func (f *first) Pick(_ netip.Addr, _ Request, avoid *Server) *Server {
	order := *f.order.Load()
	var skipped *Server
	for _, s := range order {
		if s == avoid {
			skipped = s
			continue
		}
		if s.tryTake() {
			return s
		}
	}
	if skipped != nil && skipped.tryTake() {
		return skipped
	}
	return nil
}

// Take implements Balancer.
func (f *first) Take(s *Server) { take(s) }

// Release implements Balancer.
func (f *first) Release(s *Server) { release(s) }

// SetUsable implements Balancer.
func (f *first) SetUsable(s *Server, usable bool) {
	f.mu.Lock()
	if f.setUsable(s, usable) {
		f.resync()
	}
	f.mu.Unlock()
}

// SetWeight implements Balancer.
func (f *first) SetWeight(s *Server, w int) {
	f.mu.Lock()
	if f.setWeight(s, w) {
		f.resync()
	}
	f.mu.Unlock()
}
