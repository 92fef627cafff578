package samples

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// startGoha runs the binary with `-db -f` on cfg and waits until it
// listens on every frontend address in fes.
func startGoha(t *testing.T, cfg string, fes ...string) *harness.Proc {
	t.Helper()
	dir := t.TempDir()
	p := harness.Start(t, dir, nil, "-db", "-f", harness.WriteFile(t, dir, "goha.cfg", cfg))
	p.WaitListening(t, 10*time.Second, fes...)
	return p
}

const defaults = `
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
`

// get does one request on a fresh connection with the headers given as
// name, value pairs; it returns the status, body and response headers.
func get(t *testing.T, url string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// echoHeaders is a backend answering with the request headers it got,
// one "name: value" a line (names lowercase), and Server: echo.
func echoHeaders(t *testing.T) *harness.Backend {
	return harness.NewBackend(t, "echo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "echo")
		for k, vs := range r.Header {
			for _, v := range vs {
				io.WriteString(w, lower(k)+": "+v+"\n")
			}
		}
	}))
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
