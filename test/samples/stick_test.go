package samples

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goha/goha/test/harness"
)

// TestStickFetchesInRuleValues: sc_* and src_* fetches and the table_*
// converters in header values give what HAProxy 2.6 sends for the same
// two requests (checked live): x-rate 1 then 2, x-cur 1, and
// table_trackers counting its own lookup (2).
func TestStickFetchesInRuleValues(t *testing.T) {
	be := echoHeaders(t)
	fe := harness.FreeAddr(t)
	startGoha(t, fmt.Sprintf(defaults+`
frontend fe
    bind %s
    stick-table type ip size 100 expire 1m store http_req_rate(10s),conn_cur,gpc0,http_req_cnt
    http-request track-sc0 src
    http-request set-header X-Rate %%[sc_http_req_rate(0)]
    http-request set-header X-Cur %%[src_conn_cur]
    http-request set-header X-T %%[src,table_http_req_rate(fe)]/%%[src,table_trackers(fe)]/%%[src,table_conn_cur(fe)]/%%[src,table_gpc0(fe)]
    default_backend be
backend be
    server s1 %s
`, fe, be.Addr), fe)
	for i, want := range []string{"x-rate: 1\n|x-cur: 1\n|x-t: 1/2/1/0\n", "x-rate: 2\n|x-cur: 1\n|x-t: 2/2/1/0\n"} {
		_, body, _ := get(t, "http://"+fe+"/")
		for _, w := range strings.Split(want, "|") {
			if !strings.Contains(body, w) {
				t.Errorf("request %d: the server got no %q; it got:\n%s", i+1, w, body)
			}
		}
	}
}
