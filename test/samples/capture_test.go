package samples

import (
	"fmt"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestResponseCaptures: `capture response header` and `http-response
// capture ... id N` (a `declare capture response` slot) fill %hs in
// httplog, cut to their length, from the server's response; a request
// answered by goha itself logs empty slots, as HAProxy 2.6.12 does
// ("{Base|}" then "{|}" in the same configuration against a Python
// server, checked live).
func TestResponseCaptures(t *testing.T) {
	be := echoHeaders(t)
	fe := harness.FreeAddr(t)
	logs := harness.ListenDatagrams(t, "udp4", "127.0.0.1:0")
	startGoha(t, fmt.Sprintf(`global
    log %s local0
`+defaults+`
    log global
frontend fe
    bind %s
    capture request header Host len 20
    capture response header Server len 3
    declare capture response len 4
    http-response capture res.hdr(content-type) id 1
    http-request deny if { path /deny }
    option httplog
    default_backend be
backend be
    server s1 %s
`, logs.Addr(), fe, be.Addr), fe)
	get(t, "http://"+fe+"/a")
	get(t, "http://"+fe+"/deny")
	for _, want := range []string{
		"{" + fe + "} {ech|text} \"GET /a HTTP/1.1\"",
		"{" + fe + "} {|} \"GET /deny HTTP/1.1\"",
	} {
		harness.WaitForf(t, 5*time.Second, logs.Has(want), "a log line with %q; got:\n%s", want, logs)
	}
}
