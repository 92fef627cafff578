package dataplane

import (
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/goha/goha/test/harness"
)

// TestCompressionCurl runs the binary with `compression` and fetches
// through curl --compressed: gzip and deflate answers decode to the
// server's exact body, with Vary: Accept-Encoding, and offload hides
// Accept-Encoding from the server.
func TestCompressionCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}
	body := strings.Repeat("goha compresses what HAProxy compresses, ", 5000)
	srv := harness.NewBackend(t, "s", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	fe := harness.FreeAddr(t)
	startGoha(t, defaults+fmt.Sprintf(`
frontend fe
    bind %s
    compression algo gzip deflate
    compression type text/plain text/html
    compression offload
    default_backend be
backend be
    server s %s
`, fe, srv.Addr), fe)
	for _, enc := range []string{"gzip", "deflate"} {
		cmd := exec.Command(curl, "-sS", "--compressed", "-D", "-", "-H", "Accept-Encoding: "+enc, "http://"+fe+"/")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("curl %s: %v", enc, err)
		}
		head, got, _ := bytes.Cut(out, []byte("\r\n\r\n"))
		h := strings.ToLower(string(head))
		if !strings.Contains(h, "content-encoding: "+enc) || !strings.Contains(h, "vary: accept-encoding") {
			t.Errorf("%s: head %q, want Content-Encoding %s and Vary", enc, head, enc)
		}
		if string(got) != body {
			t.Errorf("%s: curl decoded %d bytes, want the server's %d", enc, len(got), len(body))
		}
		if ae := srv.LastRequest().Header.Get("Accept-Encoding"); ae != "" {
			t.Errorf("%s: the server saw Accept-Encoding %q despite offload", enc, ae)
		}
	}
}
