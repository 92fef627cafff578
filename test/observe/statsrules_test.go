package observe

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// statsGet requests url from local address src with optional Basic
// credentials; it returns the status and WWW-Authenticate header.
func statsGet(t *testing.T, src, url, user, pass string) (int, string) {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 2 * time.Second}
	c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, n, a string) (net.Conn, error) { return d.DialContext(ctx, n, a) },
	}}
	req, _ := http.NewRequest("GET", url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s from %s: %v", url, src, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

// TestStatsHTTPRequestRules runs the stats page behind `stats
// http-request` rules as HAProxy 2.6 does: the first matching rule
// decides; deny answers 403 (or its deny_status) whatever the
// credentials; auth answers 401 with the stats realm unless
// http_auth(LIST) accepts the credentials (plain and SHA-crypt
// passwords); no matching rule shows the page.
func TestStatsHTTPRequestRules(t *testing.T) {
	dir := t.TempDir()
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
userlist admins
    user admin insecure-password pw
    user ops password $6$abcdefgh$KQeXafAQAaOoKTevphVU215RvJdgzyfASRasIOuh12hO8u0r1bGW92ZnTmC9IjsiQ8VPiTXBiZF49dFL1U4wX/
listen stats
    bind 127.0.0.1:%d
    stats uri /stats
    stats http-request deny deny_status 404 if { path_end /hidden }
    stats http-request deny if !{ src 127.0.0.1 }
    stats http-request allow if { path_end /open }
    stats http-request auth realm goha-stats unless { http_auth(admins) }
`, filepath.Join(dir, "stats.sock"), port))
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	p.WaitListening(t, 10*time.Second, fmt.Sprintf("127.0.0.1:%d", port))
	base := fmt.Sprintf("http://127.0.0.1:%d/stats", port)
	for _, c := range []struct {
		src, path, user, pass string
		status                int
		realm                 string
	}{
		{"127.0.0.2", "", "", "", 403, ""},
		{"127.0.0.2", "", "admin", "pw", 403, ""},
		{"127.0.0.1", "", "", "", 401, `Basic realm="goha-stats"`},
		{"127.0.0.1", ";csv", "admin", "pw", 200, ""},
		{"127.0.0.1", ";csv", "admin", "bad", 401, `Basic realm="goha-stats"`},
		{"127.0.0.1", ";csv", "ops", "pw", 200, ""},
		{"127.0.0.1", ";csv", "ops", "bad", 401, `Basic realm="goha-stats"`},
		{"127.0.0.1", "/hidden", "admin", "pw", 404, ""},
		{"127.0.0.1", "/open", "", "", 200, ""},
	} {
		status, realm := statsGet(t, c.src, base+c.path, c.user, c.pass)
		if status != c.status || realm != c.realm {
			t.Errorf("GET /stats%s from %s as %q:%q: %d %q, want %d %q", c.path, c.src, c.user, c.pass, status, realm, c.status, c.realm)
		}
	}
}

// TestStatsHTTPRequestDefaultRealm checks the realm of `stats
// http-request auth` without one: the stats page's "HAProxy
// Statistics", not the "HAProxy" of http-request auth.
func TestStatsHTTPRequestDefaultRealm(t *testing.T) {
	dir := t.TempDir()
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`defaults
    mode http
    timeout client 5s
listen stats
    bind 127.0.0.1:%d
    stats uri /
    stats http-request auth
`, port))
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	p.WaitListening(t, 10*time.Second, fmt.Sprintf("127.0.0.1:%d", port))
	status, realm := statsGet(t, "127.0.0.1", fmt.Sprintf("http://127.0.0.1:%d/", port), "", "")
	if status != 401 || realm != `Basic realm="HAProxy Statistics"` {
		t.Errorf("stats http-request auth: %d %q, want 401 with the stats realm", status, realm)
	}
}
