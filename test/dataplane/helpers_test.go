package dataplane

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
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
global
    maxconn 1000
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
`

// get does one request with a fresh connection and returns status and
// body.
func get(t *testing.T, url string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if strings.EqualFold(hdr[i], "host") {
			req.Host = hdr[i+1]
			continue
		}
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

// sequence does n GETs and returns the trimmed bodies joined by ",".
func sequence(t *testing.T, url string, n int) string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		_, body, _ := get(t, url)
		out = append(out, strings.TrimSpace(body))
	}
	return strings.Join(out, ",")
}

// raw sends bytes on a new connection and returns everything read until
// the server closes or wait expires.
func raw(t *testing.T, addr, req string, wait time.Duration) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	io.WriteString(c, req)
	b, _ := io.ReadAll(c)
	return string(b)
}

// readResp reads one response from br.
func readResp(br *bufio.Reader) (*http.Response, string, error) {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}
