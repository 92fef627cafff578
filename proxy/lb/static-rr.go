package lb

import (
	"net/netip"

	"github.com/goha/goha/config"
)

// staticRR is `balance static-rr`: each server is used in turn according
// to its weight, following a precomputed map. Weight changes rebuild the
// map (HAProxy's CLI only allows 0% or 100% of the initial weight for this
// algorithm, see Dynamic).
type staticRR struct {
	*staticMap
	rr
}

func newStaticRR(p *pool, _ config.Balance) (Balancer, error) {
	return &staticRR{staticMap: newStaticMap(p)}, nil
}

// Pick implements Balancer.
func (b *staticRR) Pick(_ netip.Addr, _ Request, avoid *Server) *Server {
	return b.walk(&b.rr, avoid)
}
