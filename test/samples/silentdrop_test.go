package samples

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestResponseSilentDrop: http-response silent-drop ends the client's
// connection without an answer when the server's response matches, and
// logs the server's status with termination state PR as HAProxy 2.6.12
// does ("200 115 - - PR--" in the same configuration, checked live);
// other responses pass.
func TestResponseSilentDrop(t *testing.T) {
	be := harness.NewBackend(t, "s", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gone" {
			w.WriteHeader(404)
		}
		io.WriteString(w, "ok\n")
	}))
	fe := harness.FreeAddr(t)
	logs := harness.ListenDatagrams(t, "udp4", "127.0.0.1:0")
	startGoha(t, fmt.Sprintf(`global
    log %s local0
`+defaults+`
    log global
    option httplog
frontend fe
    bind %s
    http-response silent-drop if { status 404 }
    default_backend be
backend be
    server s1 %s
`, logs.Addr(), fe, be.Addr), fe)
	if code, body, _ := get(t, "http://"+fe+"/ok"); code != 200 || body != "ok\n" {
		t.Errorf("GET /ok = %d %q; want 200 \"ok\\n\"", code, body)
	}
	c := harness.Dial(t, fe)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /gone HTTP/1.1\r\nHost: x\r\n\r\n")
	got, err := io.ReadAll(c)
	if len(got) != 0 || err != nil && strings.Contains(err.Error(), "timeout") {
		t.Errorf("after a silent-drop the client read %q, %v; want nothing and the connection ended", got, err)
	}
	harness.WaitForf(t, 5*time.Second, logs.Has(" 404 "), "a log line for /gone; got:\n%s", logs)
	if l := logs.Find("GET /gone"); !strings.Contains(l, "fe be/s1 ") || !strings.Contains(l, "/-1/") || !strings.Contains(l, " - - PR-- ") {
		t.Errorf("log line %q; want be/s1, Tr -1, status 404 and PR--", l)
	}
}
