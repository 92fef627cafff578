package lb

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/goha/goha/config"
)

// hdr is `balance hdr(NAME) [use_domain_only]`: the value of header NAME
// is hashed. When the header is absent or empty (or in TCP mode) it falls
// back to round robin. With use_domain_only only the main domain label of
// a host name is hashed ("1wt" in "www.1wt.eu:80").
type hdr struct {
	*staticMap
	rr
	name       string
	domainOnly bool
}

func newHdr(p *pool, b config.Balance) (Balancer, error) {
	h, err := hdrOptions(b)
	if err != nil {
		return nil, err
	}
	h.staticMap = newStaticMap(p)
	return h, nil
}

// hdrOptions returns a hdr with b's header name and options and no map yet.
func hdrOptions(b config.Balance) (*hdr, error) {
	name := b.Param
	args := b.Args
	if name == "" && len(args) > 0 {
		if n, a := splitAlgo(args[0]); n == "hdr" && a != "" {
			name, args = a, args[1:]
		}
	}
	if name == "" {
		return nil, errMissingParam("hdr")
	}
	h := &hdr{name: strings.ToLower(name)}
	for _, a := range args {
		if a == "use_domain_only" {
			h.domainOnly = true
		}
	}
	return h, nil
}

func errMissingParam(algo string) error {
	return fmt.Errorf("balance %q: %w", algo, errNoParam)
}

var errNoParam = errors.New("missing parameter name")

// Pick implements Balancer.
func (b *hdr) Pick(_ netip.Addr, r Request, avoid *Server) *Server {
	if r != nil {
		if v, ok := r.Header(b.name); ok {
			if b.domainOnly {
				v = mainDomain(v)
			}
			if len(v) > 0 {
				return b.at(newHasher().bytes(v).sum(), avoid)
			}
		}
	}
	return b.walk(&b.rr, avoid)
}

// mainDomain returns the label before the top-level domain of a host
// value, without the port: "1wt" for "www.1wt.eu:8080"; a name without dot
// is returned whole.
func mainDomain(v []byte) []byte {
	if c := bytes.LastIndexByte(v, ':'); c >= 0 && bytes.IndexByte(v[c:], ']') < 0 {
		v = v[:c]
	}
	last := bytes.LastIndexByte(v, '.')
	if last < 0 {
		return v
	}
	prev := bytes.LastIndexByte(v[:last], '.')
	return v[prev+1 : last]
}
