package regulate

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

const defaults = `
global
    stats socket %s level admin
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    timeout tarpit 500ms
`

// start runs goha -db on the frontends body (after global and defaults)
// and returns the admin socket's path.
func start(t *testing.T, body string, fes ...string) string {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "admin.sock")
	cfg := fmt.Sprintf(defaults, sock) + body
	p := harness.Start(t, dir, nil, "-db", "-f", harness.WriteFile(t, dir, "goha.cfg", cfg))
	p.WaitListening(t, 10*time.Second, fes...)
	return sock
}

// status does one GET on a fresh connection and returns its status and
// body.
func status(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRequestRateLimit: 'sc_http_req_rate(0) gt 4' lets 4 requests
// through, then answers 429, and the table counts them all.
func TestRequestRateLimit(t *testing.T) {
	be := harness.NewBackend(t, "s1", nil)
	fe := harness.FreeAddr(t)
	sock := start(t, fmt.Sprintf(`frontend rl
    bind %s
    stick-table type ip size 1k expire 30s store http_req_rate(10s),http_req_cnt
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 4 }
    default_backend be
backend be
    server s1 %s
`, fe, be.Addr), fe)
	var got []string
	for i := 0; i < 7; i++ {
		st, _ := status(t, "http://"+fe+"/")
		got = append(got, fmt.Sprint(st))
	}
	if s := strings.Join(got, ","); s != "200,200,200,200,429,429,429" {
		t.Errorf("statuses = %s; want 4 times 200 then 429", s)
	}
	out := harness.Socat(t, sock, "show table rl\n")
	if !strings.Contains(out, "key=127.0.0.1 use=0") || !strings.Contains(out, "http_req_cnt=7 http_req_rate(10000)=7") {
		t.Errorf("show table rl:\n%s\nwant the entry of 127.0.0.1 with 7 requests", out)
	}
}

// TestConnCurCap: 'src_conn_cur ge 2' refuses a third concurrent
// connection and accepts again once one closed.
func TestConnCurCap(t *testing.T) {
	be := harness.NewBackend(t, "s1", nil)
	fe := harness.FreeAddr(t)
	sock := start(t, fmt.Sprintf(`frontend cc
    bind %s
    stick-table type ip size 1k expire 30s store conn_cur
    tcp-request connection reject if { src_conn_cur ge 2 }
    tcp-request connection track-sc0 src
    default_backend be
backend be
    server s1 %s
`, fe, be.Addr), fe)
	// The probes of WaitListening are tracked too: wait until they are
	// gone.
	harness.WaitFor(t, 5*time.Second, "conn_cur back to 0", func() bool {
		return !strings.Contains(harness.Socat(t, sock, "show table cc\n"), "conn_cur=") ||
			strings.Contains(harness.Socat(t, sock, "show table cc\n"), "conn_cur=0")
	})
	a, b := harness.Dial(t, fe), harness.Dial(t, fe)
	defer b.Close()
	// The two held connections are tracked once the proxy answers on them.
	for _, c := range []net.Conn{a, b} {
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 12)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "HTTP/1.1 200" {
			t.Fatalf("held connection: %q %v", buf, err)
		}
	}
	c := harness.Dial(t, fe)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 64)); err == nil {
		t.Errorf("third connection answered (%d bytes); want it refused", n)
	}
	c.Close()
	a.Close()
	if !harness.Eventually(5*time.Second, func() bool { st, _, err := harness.Get("http://" + fe + "/"); return err == nil && st == 200 }) {
		t.Error("not served again after a held connection closed")
	}
}

// TestGPC0AbuseFlag: a request to /abuse raises gpc0 with sc-inc-gpc0;
// later requests from the same source are denied.
func TestGPC0AbuseFlag(t *testing.T) {
	be := harness.NewBackend(t, "s1", nil)
	fe := harness.FreeAddr(t)
	sock := start(t, fmt.Sprintf(`frontend g
    bind %s
    stick-table type ip size 1k expire 30s store gpc0
    http-request track-sc0 src
    http-request deny if { sc0_get_gpc0 gt 0 }
    http-request sc-inc-gpc0(0) if { path /abuse }
    default_backend be
backend be
    server s1 %s
`, fe, be.Addr), fe)
	if st, _ := status(t, "http://"+fe+"/"); st != 200 {
		t.Fatalf("first request: %d; want 200", st)
	}
	if st, _ := status(t, "http://"+fe+"/abuse"); st != 200 {
		t.Fatalf("/abuse: %d; want 200 (the flag is raised after the deny rule)", st)
	}
	if st, _ := status(t, "http://"+fe+"/"); st != 403 {
		t.Errorf("after /abuse: %d; want 403", st)
	}
	harness.Socat(t, sock, "set table g key 127.0.0.1 data.gpc0 0\n")
	if st, _ := status(t, "http://"+fe+"/"); st != 200 {
		t.Errorf("after set table ... data.gpc0 0: %d; want 200", st)
	}
}

// TestTarpit: tarpit holds the request for timeout tarpit, then answers
// 500.
func TestTarpit(t *testing.T) {
	be := harness.NewBackend(t, "s1", nil)
	fe := harness.FreeAddr(t)
	start(t, fmt.Sprintf(`frontend tp
    bind %s
    http-request tarpit if { path /slow }
    default_backend be
backend be
    server s1 %s
`, fe, be.Addr), fe)
	t0 := time.Now()
	st, _ := status(t, "http://"+fe+"/slow")
	if d := time.Since(t0); st != 500 || d < 450*time.Millisecond {
		t.Errorf("tarpit: %d after %v; want 500 after timeout tarpit 500ms", st, d)
	}
	if st, _ := status(t, "http://"+fe+"/"); st != 200 {
		t.Errorf("other path: %d; want 200", st)
	}
}

// TestStickOnSrc: stick on src keeps a client on one server, and moves
// it when that server is disabled.
func TestStickOnSrc(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", nil)
	s2 := harness.NewBackend(t, "s2", nil)
	fe := harness.FreeAddr(t)
	sock := start(t, fmt.Sprintf(`frontend so
    bind %s
    default_backend bs
backend bs
    balance roundrobin
    stick-table type ip size 1k expire 30s
    stick on src
    server s1 %s
    server s2 %s
`, fe, s1.Addr, s2.Addr), fe)
	_, first := status(t, "http://"+fe+"/")
	for i := 0; i < 4; i++ {
		if _, b := status(t, "http://"+fe+"/"); b != first {
			t.Fatalf("request %d went to %s; want %s like the first", i+2, b, first)
		}
	}
	out := harness.Socat(t, sock, "show table bs\n")
	if !strings.Contains(out, "server_key="+first) {
		t.Errorf("show table bs:\n%s\nwant server_key=%s", out, first)
	}
	harness.Socat(t, sock, "disable server bs/"+first+"\n")
	_, moved := status(t, "http://"+fe+"/")
	if moved == first {
		t.Fatalf("after disable server bs/%s: still served by it", first)
	}
	for i := 0; i < 3; i++ {
		if _, b := status(t, "http://"+fe+"/"); b != moved {
			t.Errorf("after failover: %s; want it to stick to %s", b, moved)
		}
	}
}

// TestTableCommands: show, set and clear table in HAProxy's text.
func TestTableCommands(t *testing.T) {
	be := harness.NewBackend(t, "s1", nil)
	fe := harness.FreeAddr(t)
	sock := start(t, fmt.Sprintf(`frontend f
    bind %s
    default_backend be
backend be
    server s1 %s
backend st
    stick-table type ip size 10 expire 30s store gpc0,conn_cnt
`, fe, be.Addr), fe)
	if out := harness.Socat(t, sock, "show table\n"); !strings.Contains(out, "# table: st, type: ip, size:10, used:0") {
		t.Errorf("show table:\n%s", out)
	}
	harness.Socat(t, sock, "set table st key 10.1.2.3 data.gpc0 7\n")
	out := harness.Socat(t, sock, "show table st data.gpc0 gt 5\n")
	if !strings.Contains(out, "# table: st, type: ip, size:10, used:1") || !strings.Contains(out, ": key=10.1.2.3 use=0 exp=") || !strings.Contains(out, " gpc0=7 conn_cnt=0") {
		t.Errorf("show table st data.gpc0 gt 5:\n%s", out)
	}
	harness.Socat(t, sock, "clear table st key 10.1.2.3\n")
	if out := harness.Socat(t, sock, "show table st\n"); strings.Contains(out, "key=") || !strings.Contains(out, "used:0") {
		t.Errorf("after clear table:\n%s", out)
	}
	if out := harness.Socat(t, sock, "show table nope\n"); !strings.Contains(out, "No such table") {
		t.Errorf("show table nope: %q", out)
	}
}
