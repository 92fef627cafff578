package smuggle

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// haproxyCfg is the configuration goha and HAProxy both run.
const haproxyCfg = `
global
    maxconn 2000
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
    timeout http-request 500ms
    timeout http-keep-alive 200ms
    timeout tunnel 500ms
frontend fe
    bind %s
    http-request deny if { path_beg /forbidden }
    default_backend be
backend be
    http-reuse never
    server s1 %s
`

// nginxCfg is the same setup for nginx.
const nginxCfg = `
daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    keepalive_timeout 200ms;
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    client_header_timeout 500ms;
    client_body_timeout 2s;
    send_timeout 2s;
    server {
        listen %[2]s;
        location ^~ /forbidden { return 403; }
        location / {
            proxy_pass http://%[3]s;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 2s;
            proxy_send_timeout 2s;
            proxy_connect_timeout 1s;
        }
    }
}
`

// proxyUnderTest is one proxy in front of its own strict server.
type proxyUnderTest struct {
	name string
	addr string
	srv  *strictServer
}

// startProxies starts goha, and HAProxy and nginx when installed.
func startProxies(t *testing.T) []*proxyUnderTest {
	var out []*proxyUnderTest
	start := func(name, bin string, args func(dir, fe, be string) []string) {
		srv := newStrictServer(t)
		dir := harness.TempDir(t)
		fe := harness.FreeAddr(t)
		p := harness.StartBin(t, bin, dir, nil, args(dir, fe, srv.addr())...)
		p.WaitListening(t, 10*time.Second, fe)
		out = append(out, &proxyUnderTest{name: name, addr: fe, srv: srv})
	}
	haArgs := func(dir, fe, be string) []string {
		return []string{"-db", "-f", harness.WriteFile(t, dir, "haproxy.cfg", fmt.Sprintf(haproxyCfg, fe, be))}
	}
	start("goha", harness.Bin(t), haArgs)
	if bin, err := exec.LookPath("haproxy"); err == nil {
		start("haproxy", bin, haArgs)
	} else {
		t.Logf("haproxy not installed: goha is compared with the strict server only")
	}
	if bin, err := exec.LookPath("nginx"); err == nil {
		start("nginx", bin, func(dir, fe, be string) []string {
			cfg := harness.WriteFile(t, dir, "nginx.conf", fmt.Sprintf(nginxCfg, dir, fe, be))
			return []string{"-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", cfg}
		})
	}
	return out
}

// clientResult is what the client got back from one exchange.
type clientResult struct {
	statuses []int
	err      error
}

var statusRE = regexp.MustCompile(`(?m)^HTTP/1\.[01] (\d{3})`)

// exchange sends parts to addr on a fresh connection and reads until
// the proxy closes it.
func exchange(addr string, parts []string, late time.Duration) clientResult {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return clientResult{err: err}
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(8 * time.Second))
	for i, p := range parts {
		if i > 0 {
			// The client's own protocol pause (Expect with a late
			// body), not a wait for the proxy.
			time.Sleep(late)
		}
		if _, err := io.WriteString(c, p); err != nil {
			break
		}
	}
	b, rerr := io.ReadAll(c)
	var r clientResult
	for _, m := range statusRE.FindAllStringSubmatch(string(b), -1) {
		st, _ := strconv.Atoi(m[1])
		r.statuses = append(r.statuses, st)
	}
	if rerr != nil && !strings.Contains(rerr.Error(), "reset") {
		r.err = rerr
	}
	return r
}

// Verdicts, from the safest.
const (
	rejected  = "rejected"
	forwarded = "forwarded"
	unsafe    = "UNSAFE"
	answered  = "ok"
	broken    = "BROKEN"
)

var markerRE = regexp.MustCompile(`case(\d{3})`)

// judge returns the verdict of case i through a proxy, with the reason.
func judge(c *tcase, i int, recs []connRecord, cr clientResult) (string, string) {
	accepted := 0
	for _, r := range recs {
		m := markerRE.FindSubmatch(r.raw)
		if m == nil || string(m[1]) != fmt.Sprintf("%03d", i) {
			continue
		}
		if r.refused != "" {
			return unsafe, "server refused: " + r.refused
		}
		for _, tg := range r.targets {
			if strings.Contains(tg, "/forbidden") || strings.Contains(tg, "/smuggled") {
				return unsafe, "server accepted " + tg
			}
		}
		accepted += len(r.targets)
	}
	if c.legit {
		want, status := max(c.want, 1), c.status
		if status == 0 {
			status = 200
		}
		n := len(cr.statuses)
		if accepted != want || n < want || cr.statuses[n-1] != status {
			return broken, fmt.Sprintf("server accepted %d, client got %v (%v)", accepted, cr.statuses, cr.err)
		}
		return answered, ""
	}
	if accepted > 0 {
		return forwarded, fmt.Sprintf("client got %v", cr.statuses)
	}
	return rejected, fmt.Sprintf("client got %v", cr.statuses)
}

// TestSmuggling runs every case through every proxy in parallel and
// requires goha to be safe on each hostile exchange and to answer each
// legitimate one.
func TestSmuggling(t *testing.T) {
	proxies := startProxies(t)
	res := make([][]clientResult, len(proxies))
	var wg sync.WaitGroup
	for p, px := range proxies {
		res[p] = make([]clientResult, len(cases))
		for i := range cases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[p][i] = exchange(px.addr, cases[i].raw(i), cases[i].late)
			}()
		}
	}
	wg.Wait()
	for _, px := range proxies {
		harness.WaitForf(t, 10*time.Second, px.srv.idle, "%s's server connections to end", px.name)
	}
	verdicts := make([][]string, len(proxies))
	reasons := make([][]string, len(proxies))
	for p, px := range proxies {
		recs := px.srv.records()
		for i := range cases {
			v, why := judge(&cases[i], i, recs, res[p][i])
			verdicts[p] = append(verdicts[p], v)
			reasons[p] = append(reasons[p], why)
		}
	}
	report(t, proxies, verdicts, reasons)
	for i := range cases {
		c := &cases[i]
		t.Run(c.name, func(t *testing.T) {
			v := verdicts[0][i]
			if v == unsafe || v == broken {
				t.Errorf("goha: %s (%s)\n%q", v, reasons[0][i], c.raw(i))
				for p := 1; p < len(proxies); p++ {
					t.Logf("%s: %s (%s)", proxies[p].name, verdicts[p][i], reasons[p][i])
				}
			}
		})
	}
}

// report logs the verdict table and counts (SMUGGLE_REPORT=1 prints it
// even when the test passes, with -v; SMUGGLE_REPORT=reasons adds why).
func report(t *testing.T, proxies []*proxyUnderTest, verdicts, reasons [][]string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-40s", "case")
	for _, px := range proxies {
		fmt.Fprintf(&b, " %-10s", px.name)
	}
	b.WriteString("\n")
	for i := range cases {
		fmt.Fprintf(&b, "%-40s", cases[i].name)
		for p := range proxies {
			fmt.Fprintf(&b, " %-10s", verdicts[p][i])
		}
		if os.Getenv("SMUGGLE_REPORT") == "reasons" {
			for p := range proxies {
				fmt.Fprintf(&b, "\n    %s: %s", proxies[p].name, reasons[p][i])
			}
		}
		b.WriteString("\n")
	}
	nl := 0
	for i := range cases {
		if cases[i].legit {
			nl++
		}
	}
	fmt.Fprintf(&b, "%d exchanges (%d legitimate, %d hostile)\n", len(cases), nl, len(cases)-nl)
	for p, px := range proxies {
		count := map[string]int{}
		for _, v := range verdicts[p] {
			count[v]++
		}
		fmt.Fprintf(&b, "%-8s %v\n", px.name, count)
	}
	if os.Getenv("SMUGGLE_REPORT") != "" {
		t.Log("\n" + b.String())
	} else {
		t.Logf("%d exchanges through %d proxies (SMUGGLE_REPORT=1 for the table)", len(cases), len(proxies))
	}
}
