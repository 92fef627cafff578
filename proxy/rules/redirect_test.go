package rules

import (
	"testing"

	"github.com/goha/goha/proxy/sample"
)

// TestLegacyRedirectAfterHTTPRequest: the `redirect` keyword's rules
// (redirect scheme https if !{ ssl_fc }) are compiled, after the
// http-request rules, instead of being dropped.
func TestLegacyRedirectAfterHTTPRequest(t *testing.T) {
	p := frontend(t, `    redirect scheme https code 301 if !{ ssl_fc }
    http-request set-header X-A a`)
	rs, err := CompileSet(p, nil, &sample.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Req) != 2 || rs.Req[0].Kind != SetHeader || rs.Req[1].Kind != Redirect {
		t.Fatalf("request rules %d, want set-header then the redirect", len(rs.Req))
	}
	if rs.Req[1].Status != 301 {
		t.Errorf("redirect status %d, want 301", rs.Req[1].Status)
	}
}
