package lb

import (
	"net/netip"

	"github.com/goha/goha/config"
)

// source is `balance source`: the client's IP address is hashed and
// divided by the total weight of the running servers, so one client
// address always reaches the same server while the farm does not change.
// It works in TCP and HTTP modes. Without a usable address (a UNIX socket
// client) it falls back to round robin over the same map, as HAProxy does.
type source struct {
	*staticMap
	rr
}

func newSource(p *pool, _ config.Balance) (Balancer, error) {
	return &source{staticMap: newStaticMap(p)}, nil
}

// Pick implements Balancer.
func (b *source) Pick(src netip.Addr, _ Request, avoid *Server) *Server {
	if !src.IsValid() {
		return b.walk(&b.rr, avoid)
	}
	return b.at(hashAddr(src), avoid)
}

// hashAddr hashes an address; an IPv4-mapped IPv6 address hashes as the
// IPv4 address.
func hashAddr(a netip.Addr) uint64 {
	h := newHasher()
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		h = h.bytes(b[:])
	} else {
		b := a.As16()
		h = h.bytes(b[:])
	}
	return h.sum()
}
