package config

import (
	"strings"
	"testing"
)

// TestStatsHTTPRequest: `stats http-request` rules are parsed as
// http-request rules, refused in defaults sections and next to `stats
// auth` or `stats realm`, with HAProxy 2.6's messages.
func TestStatsHTTPRequest(t *testing.T) {
	const head = "defaults\n  mode http\nlisten s\n  bind :80\n  stats uri /st\n"
	tests := []struct{ src, want string }{
		{head + "  stats http-request deny deny_status 404 if { src 10.0.0.1 }\n  stats http-request auth realm R\n", ""},
		{"defaults\n  mode http\n  stats http-request allow\n", "parsing [t.cfg:3]: 'stats' not allowed in 'defaults' section."},
		{head + "  stats auth a:b\n  stats http-request allow\n", "proxy 's': stats 'auth'/'realm' and 'http-request' can't be used at the same time."},
		{head + "  stats realm R\n  stats http-request allow\n", "proxy 's': stats 'auth'/'realm' and 'http-request' can't be used at the same time."},
		{head + "  stats http-request\n", "but got '' (missing argument)."},
		{head + "  stats http-request auth bogus\n", "expects only 'realm' option."},
	}
	for _, tt := range tests {
		cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(tt.src)}}, testOpts(nil))
		var out []string
		if l, ok := err.(*ErrorList); ok {
			for _, m := range l.Messages {
				out = append(out, m.Text)
			}
		}
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tt.src, err)
				continue
			}
			rs := cfg.Proxies[0].Stats.HTTPRequest
			if len(rs) != 2 || rs[0].Action != "deny" || rs[0].Status != 404 || rs[0].Cond == nil || rs[1].Realm != "R" {
				t.Errorf("%q: rules %+v", tt.src, rs)
			}
			continue
		}
		if !strings.Contains(strings.Join(out, "\n"), tt.want) {
			t.Errorf("%q: got %q, want a message with %q", tt.src, out, tt.want)
		}
	}
}
