package samples

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestLogFormatSampleExpressions: %[...] in a log-format line is
// evaluated when the request is logged, with what HAProxy 2.6 prints for
// the same traffic (checked live): variables set by the request rules,
// the stick counters and table converters, the response status (a
// server's and goha's own deny), the method and captures, constants and
// converters, "-" for an absent value and "" under +Q.
func TestLogFormatSampleExpressions(t *testing.T) {
	be := echoHeaders(t)
	fe := harness.FreeAddr(t)
	logs := harness.ListenDatagrams(t, "udp4", "127.0.0.1:0")
	startGoha(t, fmt.Sprintf(`global
    log %s local0
`+defaults+`
    log global
frontend fe
    bind %s
    stick-table type ip size 100 expire 1m store http_req_rate(10s),conn_cur,gpc0,http_req_cnt
    http-request track-sc0 src
    http-request set-var(txn.who) req.hdr(x-user)
    http-request deny deny_status 403 if { path /deny }
    log-format "P=%%[method] Q=%%[capture.req.method] C=%%[var(txn.who)] D=%%[sc_http_req_rate(0)] E=%%[status] G=%%{+Q}[var(txn.none)] H=%%[int(5),add(2)] I=%%[src] J=%%[capture.req.uri] K=%%[str()] L=%%[src,table_http_req_rate(fe)] N=%%[str(AB),hex] T=%%[be_name]"
    default_backend be
backend be
    server s1 %s
`, logs.Addr(), fe, be.Addr), fe)
	url := "http://" + fe
	get(t, url+"/p/q?x=1", "X-User", "bob")
	get(t, url+"/p/q?x=1", "X-User", "bob")
	get(t, url+"/deny")
	for _, want := range []string{
		"P=GET Q=GET C=bob D=1 E=200 G=\"\" H=7 I=127.0.0.1 J=/p/q?x=1 K=- L=1 N=4142 T=be",
		"P=GET Q=GET C=bob D=2 E=200 G=\"\" H=7 I=127.0.0.1 J=/p/q?x=1 K=- L=2 N=4142 T=be",
		"P=GET Q=GET C=- D=3 E=- G=\"\" H=7 I=127.0.0.1 J=/deny K=- L=3 N=4142 T=fe",
	} {
		harness.WaitForf(t, 5*time.Second, logs.Has(want), "a log line %q; got:\n%s", want, logs)
	}
}

// TestLogFormatRefusesRequestHeaders: fetches of headers and buffers,
// gone when HAProxy logs, are refused in log-format with HAProxy's
// message, as `haproxy -c` does.
func TestLogFormatRefusesRequestHeaders(t *testing.T) {
	dir := t.TempDir()
	cfg := harness.WriteFile(t, dir, "goha.cfg", defaults+`
frontend fe
    bind 127.0.0.1:0
    log-format "A=%[req.hdr(host)] B=%[status]"
    default_backend be
backend be
    server s1 127.0.0.1:1
`)
	out, code := harness.Run(t, dir, nil, "-c", "-f", cfg)
	want := "failed to parse log-format : sample fetch <req.hdr(host)] B=%[status]> may not be reliably used here because it needs 'HTTP request headers' which is not available here."
	if code == 0 || !strings.Contains(out, want) {
		t.Errorf("goha -c exited %d with:\n%s\nwant a failure with %q", code, out, want)
	}
}
