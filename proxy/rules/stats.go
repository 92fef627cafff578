package rules

import (
	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/sample"
)

// statsRealm is the realm of a `stats http-request auth` rule without
// one: the stats page's default, not the http-request rules' "HAProxy".
const statsRealm = "HAProxy Statistics"

// CompileStats compiles a proxy's `stats http-request` rules: http-request
// rules run only on the stats page's requests, after the frontend's own.
func CompileStats(p *config.Proxy, errs map[int][]byte, o *sample.Options) ([]*HTTPRule, error) {
	var out []*HTTPRule
	for _, r := range p.Stats.HTTPRequest {
		if r.Action == "auth" && r.Realm == "" {
			c := *r
			c.Realm = statsRealm
			r = &c
		}
		hr, err := compileHTTP(r, "http-request", errs, o)
		if err != nil {
			return nil, err
		}
		out = append(out, hr)
	}
	return out, nil
}
