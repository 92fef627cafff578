package observe

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestSocketStats runs a frontend with two binds and `option
// socket-stats`: `show stat` has a listener row (type 3) per bind, named
// by `name` or sock-N, counting its own sessions; the Prometheus
// exporter shows them as haproxy_listener_*; `show schema json` is
// HAProxy's schema.
func TestSocketStats(t *testing.T) {
	dir := t.TempDir()
	s1 := harness.NewBackend(t, "s1", nil)
	p1, p2, mport := harness.FreePort(t), harness.FreePort(t), harness.FreePort(t)
	sock := filepath.Join(dir, "stats.sock")
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:%d name main
    bind 127.0.0.1:%d
    option socket-stats
    default_backend be
frontend metrics
    bind 127.0.0.1:%d
    http-request use-service prometheus-exporter
backend be
    server s1 %s
`, sock, p1, p2, mport, s1.Addr))
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	// Not p1's port: a probe connection would count as a session.
	p.WaitListening(t, 10*time.Second, fmt.Sprintf("127.0.0.1:%d", mport))
	for i := 0; i < 3; i++ {
		if code, _, err := harness.Get(fmt.Sprintf("http://127.0.0.1:%d/", p1)); code != 200 {
			t.Fatalf("request %d: %d %v", i, code, err)
		}
	}
	var rows []string
	want := fmt.Sprintf("main:0:3:OPEN:1:127.0.0.1:%d sock-2:0:0:OPEN:2:127.0.0.1:%d", p1, p2)
	ok := harness.Eventually(3*time.Second, func() bool {
		rows = rows[:0]
		for _, l := range strings.Split(harness.Socat(t, sock, "show stat\n"), "\n") {
			f := strings.Split(l, ",")
			if len(f) > 73 && f[0] == "fe" && f[32] == "3" {
				rows = append(rows, strings.Join([]string{f[1], f[4], f[7], f[17], f[28], f[73]}, ":"))
			}
		}
		return strings.Join(rows, " ") == want
	})
	if !ok {
		t.Errorf("listener rows (name:scur:stot:status:sid:addr) %q, want %q", strings.Join(rows, " "), want)
	}
	r, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics?scope=listener", mport))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if text := string(body); value(text, `haproxy_listener_sessions_total{proxy="fe",listener="main"}`) != 3 ||
		value(text, `haproxy_listener_sessions_total{proxy="fe",listener="sock-2"}`) != 0 {
		t.Errorf("scope=listener:\n%s", text)
	}
	var schema struct {
		OneOf []struct {
			Title string `json:"title"`
		} `json:"oneOf"`
	}
	out := harness.Socat(t, sock, "show schema json\n")
	if err := json.Unmarshal([]byte(out), &schema); err != nil || len(schema.OneOf) != 3 || schema.OneOf[1].Title != "Stat" {
		t.Errorf("show schema json: %v %+v\n%.200s", err, schema, out)
	}
}
