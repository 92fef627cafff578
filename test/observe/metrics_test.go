package observe

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/proxy/metrics/promtext"
	"github.com/goha/goha/test/harness"
)

// promEnv is goha with a traffic frontend (fe -> be) and a metrics
// frontend answering /metrics with the Prometheus exporter.
type promEnv struct {
	t           *testing.T
	port, mport int
	log         *harness.Datagrams
}

func setupProm(t *testing.T) *promEnv {
	t.Helper()
	dir := t.TempDir()
	e := &promEnv{t: t, port: harness.FreePort(t), mport: harness.FreePort(t), log: harness.ListenDatagrams(t, "udp", "127.0.0.1:0")}
	s1, s2 := harness.NewBackend(t, "s1", nil), harness.NewBackend(t, "s2", nil)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
frontend metrics
    bind 127.0.0.1:%d
    log 127.0.0.1:%d local0
    option httplog
    http-request use-service prometheus-exporter if { path /metrics }
    http-request return status 404 content-type text/plain string "not here"
backend be
    balance roundrobin
    server s1 %s
    server s2 %s
    server s3 127.0.0.1:1 disabled
`, e.port, e.mport, e.log.Addr().(*net.UDPAddr).Port, s1.Addr, s2.Addr))
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	p.WaitListening(t, 10*time.Second, fmt.Sprintf("127.0.0.1:%d", e.port), fmt.Sprintf("127.0.0.1:%d", e.mport))
	return e
}

// scrape gets /metrics with query q and checks the answer is a valid
// exposition; it returns the text.
func (e *promEnv) scrape(q string) string {
	e.t.Helper()
	r, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics%s", e.mport, q))
	if err != nil {
		e.t.Fatalf("scrape %q: %v", q, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil || r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/plain; version=0.0.4" {
		e.t.Fatalf("scrape %q: status %d, content-type %q, read error %v", q, r.StatusCode, r.Header.Get("Content-Type"), err)
	}
	if _, err := promtext.Validate(string(b)); err != nil {
		e.t.Fatalf("scrape %q: invalid exposition: %v", q, err)
	}
	return string(b)
}

// value returns the value of the sample named series (name and labels
// as written), or -1.
func value(text, series string) int64 {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// TestPrometheusExporter scrapes `use-service prometheus-exporter`
// under keep-alive load: every scrape is a valid exposition, the request
// counters match the traffic sent exactly, scope= and no-maint select
// as HAProxy's do, other paths fall through to the next rule, a bad
// query gets a 400, and the scrapes are logged with server <PROMEX>.
func TestPrometheusExporter(t *testing.T) {
	e := setupProm(t)
	const before = 25
	for i := 0; i < before; i++ {
		if code, _, err := harness.Get(fmt.Sprintf("http://127.0.0.1:%d/", e.port)); code != 200 {
			t.Fatalf("request %d: %d %v", i, code, err)
		}
	}
	text := e.scrape("")
	fe, be := `haproxy_frontend_http_requests_total{proxy="fe"}`, `haproxy_backend_http_responses_total{proxy="be",code="2xx"}`
	if f, b := value(text, fe), value(text, be); f != before || b != before {
		t.Errorf("after %d requests: %s %d, %s %d", before, fe, f, be, b)
	}

	stop := make(chan struct{})
	load := harness.Load(fmt.Sprintf("127.0.0.1:%d", e.port), 4, true, stop)
	var took time.Duration
	const scrapes = 20
	for i := 0; i < scrapes; i++ {
		t0 := time.Now()
		text = e.scrape("")
		took += time.Since(t0)
	}
	close(stop)
	ls := <-load
	if ls.Errors != 0 || ls.Requests == 0 {
		t.Fatalf("load while scraping: %v", ls)
	}
	t.Logf("%d scrapes of %d bytes under load: %v each; load %v", scrapes, len(text), took/scrapes, ls)
	text = e.scrape("")
	if f, b := value(text, fe), value(text, be); f != before+ls.Requests || b != before+ls.Requests {
		t.Errorf("after %d+%d requests: %s %d, %s %d", before, ls.Requests, fe, f, be, b)
	}
	checkScopes(t, e)
	r, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/other", e.mport))
	if err != nil || r.StatusCode != 404 {
		t.Errorf("/other: %v %v, want the next rule's 404", r, err)
	}
	if r, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics?scope=nope", e.mport)); err != nil || r.StatusCode != 400 {
		t.Errorf("/metrics?scope=nope: %v %v, want 400", r, err)
	}
	harness.WaitFor(t, 3*time.Second, "the log lines", e.log.Has(`"GET /metrics?scope=nope`))
	if l := e.log.Find(`"GET /metrics HTTP/1.1"`); !strings.Contains(l, " metrics metrics/<PROMEX> 0/0/0/0/") {
		t.Errorf("log of a scrape: %q", l)
	}
	if l := e.log.Find(`"GET /metrics?scope=nope`); !strings.Contains(l, " metrics/<PROMEX> ") || !strings.Contains(l, " 400 ") {
		t.Errorf("log of the bad query: %q", l)
	}
}

// checkScopes checks scope=frontend, scope=server with no-maint, and
// that a HEAD gets the head only.
func checkScopes(t *testing.T, e *promEnv) {
	for _, l := range strings.Split(strings.TrimSpace(e.scrape("?scope=frontend")), "\n") {
		if !strings.HasPrefix(l, "haproxy_frontend_") && !strings.HasPrefix(l, "# HELP haproxy_frontend_") && !strings.HasPrefix(l, "# TYPE haproxy_frontend_") {
			t.Fatalf("scope=frontend writes %q", l)
		}
	}
	all, nomaint := e.scrape("?scope=server"), e.scrape("?scope=server&no-maint")
	s3 := `haproxy_server_weight{proxy="be",server="s3"}`
	if value(all, s3) < 0 || value(nomaint, s3) >= 0 || value(nomaint, `haproxy_server_weight{proxy="be",server="s1"}`) < 0 {
		t.Errorf("no-maint: s3 (disabled) %d without it, %d with it; s1 with it %d", value(all, s3), value(nomaint, s3),
			value(nomaint, `haproxy_server_weight{proxy="be",server="s1"}`))
	}
	req, _ := http.NewRequest("HEAD", fmt.Sprintf("http://127.0.0.1:%d/metrics", e.mport), nil)
	r, err := http.DefaultClient.Do(req)
	if err != nil || r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/plain; version=0.0.4" {
		t.Errorf("HEAD /metrics: %v %v", r, err)
	}
}
