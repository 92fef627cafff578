package config

import (
	"strings"
	"testing"
)

// TestCacheSection: the cache section's keywords, their defaults and
// HAProxy's refusals, and the rules that name a cache.
func TestCacheSection(t *testing.T) {
	const fe = "frontend f\n mode http\n bind :8080\n http-request cache-use c1\n http-response cache-store c1\n default_backend b\nbackend b\n mode http\n"
	cases := []struct {
		name, cfg, err string
		want           Cache
	}{
		{name: "defaults", cfg: "cache c1\n total-max-size 4\n" + fe,
			want: Cache{Name: "c1", TotalMaxSize: 4 << 20, MaxObjectSize: 4 << 12, MaxAge: 60, MaxSecondaryEntries: 10}},
		{name: "all keywords", cfg: "cache c1\n total-max-size 2\n max-object-size 10000\n max-age 5\n process-vary on\n max-secondary-entries 3\n" + fe,
			want: Cache{Name: "c1", TotalMaxSize: 2 << 20, MaxObjectSize: 10000, MaxAge: 5, ProcessVary: true, MaxSecondaryEntries: 3}},
		{name: "no size", cfg: "cache c1\n max-age 5\n" + fe, err: "Size not specified for cache 'c1'"},
		{name: "object too big", cfg: "cache c1\n total-max-size 1\n max-object-size 600000\n" + fe,
			err: `"max-object-size" is limited to an half of "total-max-size" => 524288`},
		{name: "bad size", cfg: "cache c1\n total-max-size x\n" + fe, err: "total-max-size wrong value 'x'"},
		{name: "unknown cache", cfg: "cache c2\n total-max-size 1\n" + fe,
			err: "config: frontend 'f': unable to find the cache 'c1' referenced by the filter 'cache'."},
		{name: "duplicate", cfg: "cache c1\n total-max-size 1\ncache c1\n total-max-size 1\n" + fe, err: "Duplicate cache name 'c1'."},
		{name: "no name", cfg: "cache c1\n total-max-size 1\nfrontend f\n mode http\n bind :8080\n http-request cache-use\n", err: "expects a cache name."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(c.cfg)}}, testOpts(nil))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("want error %q, got %v", c.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Caches) != 1 {
				t.Fatalf("want one cache, got %d", len(cfg.Caches))
			}
			got := *cfg.Caches[0]
			got.File, got.Line = "", 0
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			rules := cfg.Proxies[0].HTTPRequest
			if len(rules) != 1 || rules[0].Action != "cache-use" || rules[0].Name != "c1" {
				t.Fatalf("cache-use rule: %+v", rules)
			}
		})
	}
}
