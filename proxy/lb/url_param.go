package lb

import (
	"bytes"
	"net/netip"

	"github.com/goha/goha/config"
)

// urlParam is `balance url_param NAME`: the value of the query-string
// parameter NAME is hashed. When the parameter is absent or empty (or in
// TCP mode) it falls back to round robin, as HAProxy does. `check_post`
// (looking into a POST body) is not supported: the parameter is only
// searched in the query string.
type urlParam struct {
	*staticMap
	rr
	name []byte
}

func newURLParam(p *pool, b config.Balance) (Balancer, error) {
	u, err := urlParamOptions(b)
	if err != nil {
		return nil, err
	}
	u.staticMap = newStaticMap(p)
	return u, nil
}

// urlParamOptions returns a urlParam with b's parameter name and no map yet.
func urlParamOptions(b config.Balance) (*urlParam, error) {
	name := b.Param
	if name == "" && len(b.Args) > 0 {
		name = b.Args[0]
	}
	if name == "" {
		return nil, errMissingParam("url_param")
	}
	return &urlParam{name: []byte(name)}, nil
}

// Pick implements Balancer.
func (b *urlParam) Pick(_ netip.Addr, r Request, avoid *Server) *Server {
	if r != nil {
		if v := queryParam(r.URI(), b.name); len(v) > 0 {
			return b.at(newHasher().bytes(v).sum(), avoid)
		}
	}
	return b.walk(&b.rr, avoid)
}

// queryParam returns the value of the first parameter called name in the
// query string of uri, or nil.
func queryParam(uri, name []byte) []byte {
	q := bytes.IndexByte(uri, '?')
	if q < 0 {
		return nil
	}
	rest := uri[q+1:]
	if f := bytes.IndexByte(rest, '#'); f >= 0 {
		rest = rest[:f]
	}
	for len(rest) > 0 {
		var kv []byte
		if a := bytes.IndexByte(rest, '&'); a >= 0 {
			kv, rest = rest[:a], rest[a+1:]
		} else {
			kv, rest = rest, nil
		}
		if len(kv) > len(name) && kv[len(name)] == '=' && bytes.Equal(kv[:len(name)], name) {
			return kv[len(name)+1:]
		}
	}
	return nil
}
