package lb

import (
	"net/netip"

	"github.com/goha/goha/config"
)

// uri is `balance uri [len N] [depth N] [whole]`: the request URI is
// hashed, by default the part before the question mark (`whole` keeps the
// query string too). `len N` hashes only the first N characters, `depth
// N` stops at the Nth directory level (each slash counts one level); when
// both are set the first limit met wins. In TCP mode (no request) it falls
// back to round robin.
type uri struct {
	*staticMap
	rr
	whole bool
	len   int // 0 = unlimited
	depth int // 0 = unlimited
}

func newURI(p *pool, b config.Balance) (Balancer, error) {
	u := uriOptions(b)
	u.staticMap = newStaticMap(p)
	return u, nil
}

// uriOptions returns a uri with b's options and no map yet.
func uriOptions(b config.Balance) *uri {
	u := &uri{whole: b.URIWhole, len: b.URILen, depth: b.URIDepth}
	// Accept the raw words too, in case the parser only kept them.
	for i := 0; i < len(b.Args); i++ {
		switch b.Args[i] {
		case "whole":
			u.whole = true
		case "len", "depth":
			if i+1 < len(b.Args) {
				n := atoiDefault(b.Args[i+1], 0)
				if b.Args[i] == "len" && u.len == 0 {
					u.len = n
				} else if b.Args[i] == "depth" && u.depth == 0 {
					u.depth = n
				}
				i++
			}
		}
	}
	return u
}

// Pick implements Balancer.
func (b *uri) Pick(_ netip.Addr, r Request, avoid *Server) *Server {
	if r == nil {
		return b.walk(&b.rr, avoid)
	}
	return b.at(b.hash(r.URI()), avoid)
}

// hash hashes the part of u selected by the options.
func (b *uri) hash(u []byte) uint64 {
	return newHasher().bytes(b.key(u)).sum()
}

// key returns the part of u selected by the options.
func (b *uri) key(u []byte) []byte {
	slashes := 0
	for i, c := range u {
		if b.len > 0 && i >= b.len {
			return u[:i]
		}
		if c == '?' && !b.whole {
			return u[:i]
		}
		if c == '/' {
			slashes++
			if b.depth > 0 && slashes > b.depth {
				return u[:i]
			}
		}
	}
	return u
}
