// Package observe tests what goha notices and tells, end to end with the
// real binary under -W: health checks taking a dead server out and back,
// the stats page (auth, HTML, exports, admin form) opened in headless
// Chromium, and the state-change messages sent to syslog.
package observe

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// flaky is an HTTP server on a fixed port that can be stopped and
// started again (a server going down and coming back).
type flaky struct {
	t    *testing.T
	port int
	mu   sync.Mutex
	srv  *http.Server
}

func (f *flaky) start() {
	f.t.Helper()
	var ln net.Listener
	harness.WaitFor(f.t, 5*time.Second, "the flaky server's port", func() bool {
		var err error
		ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", f.port))
		return err == nil
	})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "s2\n")
	})}
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
	go srv.Serve(ln)
}

func (f *flaky) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv != nil {
		f.srv.Close()
		f.srv = nil
	}
}

type env struct {
	t          *testing.T
	dir        string
	port, stat int
	s1         *harness.Backend
	s2         *flaky
	log        *harness.Datagrams
	master     *harness.Proc
}

const (
	inter = 200 * time.Millisecond
	fall  = 2
	rise  = 2
)

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), log: harness.ListenDatagrams(t, "udp", "127.0.0.1:0")}
	e.s1 = harness.NewBackend(t, "s1", nil)
	e.s2 = &flaky{t: t, port: harness.FreePort(t)}
	e.s2.start()
	t.Cleanup(e.s2.stop)
	e.port, e.stat = harness.FreePort(t), harness.FreePort(t)
	cfg := harness.WriteFile(t, e.dir, "goha.cfg", fmt.Sprintf(`global
    log 127.0.0.1:%d local0
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout check 1s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    balance roundrobin
    option httpchk GET /
    server s1 %s check inter %d fall %d rise %d
    server s2 127.0.0.1:%d check inter %d fall %d rise %d
listen stats
    bind 127.0.0.1:%d
    stats enable
    stats uri /stats
    stats realm goha\ stats
    stats auth admin:pw
    stats auth ops:secret
    stats refresh 10s
    stats admin if LOCALHOST
`, e.log.Addr().(*net.UDPAddr).Port, e.port, e.s1.Addr, inter.Milliseconds(), fall, rise, e.s2.port, inter.Milliseconds(), fall, rise, e.stat))
	e.master = harness.Start(t, e.dir, nil, "-W", "-S", filepath.Join(e.dir, "master.sock"), "-f", cfg)
	harness.WaitFor(t, 10*time.Second, "goha serving", func() bool { return harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", e.port)) })
	return e
}

// get does a request with optional credentials and returns the response
// and its body.
func (e *env) get(path, user, pass string) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", e.stat, path), nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	c := &http.Client{Timeout: 3 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r, string(b)
}

// status returns a server's status column from the stats page's CSV.
func (e *env) status(sv string) string {
	_, csv := e.get("/stats;csv", "admin", "pw")
	for _, l := range strings.Split(csv, "\n") {
		f := strings.Split(l, ",")
		if len(f) > 17 && f[0] == "be" && f[1] == sv {
			return f[17]
		}
	}
	return ""
}

// servers does n requests and returns who answered.
func (e *env) servers(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		_, body, err := harness.Get(fmt.Sprintf("http://127.0.0.1:%d/", e.port))
		if err != nil {
			b.WriteString("ERR")
			continue
		}
		b.WriteString(strings.TrimSpace(body))
	}
	return b.String()
}

// TestHealthChecks kills a server under load: it must be out of rotation
// within fall×inter (plus one interval and a check's duration), logged to
// syslog in HAProxy's words, and back after rise×inter once it listens
// again.
func TestHealthChecks(t *testing.T) {
	e := setup(t)
	harness.WaitFor(t, 3*time.Second, "both servers UP", func() bool { return e.status("s1") == "UP" && e.status("s2") == "UP" })
	e.s2.stop()
	killed := time.Now()
	harness.WaitFor(t, 5*time.Second, "s2 DOWN", func() bool { return e.status("s2") == "DOWN" })
	took := time.Since(killed)
	if limit := fall*inter + inter + time.Second; took > limit {
		t.Errorf("s2 taken out after %v, more than %v", took, limit)
	}
	if s := e.servers(6); s != "s1s1s1s1s1s1" {
		t.Errorf("traffic with s2 down: %s", s)
	}
	harness.WaitFor(t, 2*time.Second, "the DOWN message on syslog", func() bool {
		return e.log.Find("Server be/s2 is DOWN, reason: Layer4 connection problem") != ""
	})
	if l := e.log.Find("Server be/s2 is DOWN"); !regexp.MustCompile(`^<129>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d haproxy\[\d+\]: Server be/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 1 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.$`).MatchString(l) {
		t.Errorf("DOWN message: %q", l)
	}
	e.s2.start()
	back := time.Now()
	harness.WaitFor(t, 5*time.Second, "s2 UP again", func() bool { return e.status("s2") == "UP" })
	if took := time.Since(back); took > rise*inter+inter+time.Second {
		t.Errorf("s2 back after %v", took)
	}
	if s := e.servers(4); s != "s1s2s1s2" && s != "s2s1s2s1" {
		t.Errorf("traffic with s2 back: %s", s)
	}
	harness.WaitFor(t, 2*time.Second, "the UP message on syslog", func() bool {
		return e.log.Find("Server be/s2 is UP, reason: Layer7 check passed, code: 200") != ""
	})
	if l := e.log.Find(`"GET / HTTP/1.1"`); !strings.Contains(l, " fe be/s") {
		t.Errorf("httplog line: %q", l)
	}
}

// TestStatsPage checks authentication, the HTML page, the exports and
// the admin form through plain HTTP.
func TestStatsPage(t *testing.T) {
	e := setup(t)
	for _, tc := range []struct {
		name, user, pass string
	}{{"no credentials", "", ""}, {"wrong password", "admin", "nope"}, {"unknown user", "root", "pw"}} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := e.get("/stats", tc.user, tc.pass)
			if r.StatusCode != 401 || r.Header.Get("WWW-Authenticate") != `Basic realm="goha stats"` {
				t.Errorf("got %d %q", r.StatusCode, r.Header.Get("WWW-Authenticate"))
			}
		})
	}
	r, page := e.get("/stats", "ops", "secret")
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") || r.Header.Get("Refresh") != "10" {
		t.Errorf("page: %d %q refresh %q", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Refresh"))
	}
	for _, want := range []string{"<html", `href="#fe"`, `>s1</a>`, `>s2</a>`, `<form method="post">`, `<select name=action>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	_, csv := e.get("/stats;csv", "admin", "pw")
	if !strings.HasPrefix(csv, "# pxname,svname,qcur,") || !strings.Contains(csv, "\nbe,s1,") {
		t.Errorf("csv: %.200q", csv)
	}
	r, js := e.get("/stats;json", "admin", "pw")
	if r.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(js, "[[") {
		t.Errorf("json: %q %.100q", r.Header.Get("Content-Type"), js)
	}
	// The admin form, posted as the page's form would post it.
	form := url.Values{"s": {"s1"}, "action": {"maint"}, "b": {"#3"}}
	pr := e.post(form)
	if pr.StatusCode != 303 || pr.Header.Get("Location") != "/stats;st=DONE" {
		t.Fatalf("POST: %d %q", pr.StatusCode, pr.Header.Get("Location"))
	}
	if st := e.status("s1"); st != "MAINT" {
		t.Errorf("after maint: s1 %q", st)
	}
	if s := e.servers(4); s != "s2s2s2s2" {
		t.Errorf("traffic with s1 in maintenance: %s", s)
	}
	e.post(url.Values{"s": {"s1"}, "action": {"ready"}, "b": {"be"}})
	harness.WaitFor(t, 3*time.Second, "s1 UP after ready", func() bool { return e.status("s1") == "UP" })
}

func (e *env) post(form url.Values) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/stats", e.stat), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("admin", "pw")
	c := &http.Client{Timeout: 3 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("POST: %v", err)
	}
	r.Body.Close()
	return r
}

// chromium returns the browser's path, or skips the test.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// browse runs headless Chromium on url with extra arguments and returns
// its standard output.
func browse(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "chromium"), "--window-size=1280,900"}
	cmd := exec.Command(bin, append(base, args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("chromium %v: no answer in 60s", args)
	}
	return out.String()
}

// TestStatsPageInChromium opens the page in headless Chromium: a
// screenshot is taken, the rendered DOM shows the servers with the dead
// one in HAProxy's red class, and the admin form is submitted with the
// fields the rendered page carries (parsed from the DOM), changing the
// server's state.
func TestStatsPageInChromium(t *testing.T) {
	bin := chromium(t)
	e := setup(t)
	e.s2.stop()
	harness.WaitFor(t, 5*time.Second, "s2 DOWN", func() bool { return e.status("s2") == "DOWN" })
	u := fmt.Sprintf("http://admin:pw@127.0.0.1:%d/stats", e.stat)
	shot := filepath.Join(e.dir, "stats.png")
	browse(t, bin, e.dir, "--screenshot="+shot, u)
	st, err := os.Stat(shot)
	if err != nil || st.Size() < 10000 {
		t.Fatalf("screenshot: %v (%v bytes)", err, st)
	}
	if keep := os.Getenv("GOHA_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(keep, b, 0o644)
	}
	dom := browse(t, bin, e.dir, "--dump-dom", u)
	for _, re := range []string{
		`<tr class="active_up">.*>s1</a>`,
		`<tr class="active_down">.*>s2</a>.*DOWN`,
		`Statistics Report for pid \d+`,
	} {
		if !regexp.MustCompile(re).MatchString(dom) {
			t.Errorf("rendered page does not match %q", re)
		}
	}
	// The form of proxy be as rendered: checkbox values, action options
	// and the hidden b field.
	fields, err := formFields(dom, "be")
	if err != nil {
		t.Fatal(err)
	}
	if !contains(fields["s"], "s1") || !contains(fields["action"], "drain") || len(fields["b"]) != 1 {
		t.Fatalf("form fields: %v", fields)
	}
	pr := e.post(url.Values{"s": {"s1"}, "action": {"drain"}, "b": fields["b"]})
	if pr.StatusCode != 303 {
		t.Fatalf("POST: %d", pr.StatusCode)
	}
	after := browse(t, bin, e.dir, "--dump-dom", u+";st=DONE")
	if !strings.Contains(after, "Action processed successfully.") || !regexp.MustCompile(`<tr class="active_draining">.*>s1</a>`).MatchString(after) {
		t.Errorf("after the form: no success banner or s1 not draining")
	}
	if st := e.status("s1"); st != "DRAIN" {
		t.Errorf("s1 status %q", st)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// formFields extracts, from the rendered DOM, the admin form that holds
// the checkboxes of proxy px: name -> values (checkbox values, option
// values, hidden inputs).
func formFields(dom, px string) (map[string][]string, error) {
	for _, f := range regexp.MustCompile(`(?s)<form method="post">(.*?)</form>`).FindAllStringSubmatch(dom, -1) {
		body := f[1]
		if !strings.Contains(body, px+"-checkbox") {
			continue
		}
		out := map[string][]string{}
		for _, m := range regexp.MustCompile(`<input[^>]*name="(s|b)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
			out[m[1]] = append(out[m[1]], m[2])
		}
		for _, m := range regexp.MustCompile(`<option value="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			out["action"] = append(out["action"], m[1])
		}
		return out, nil
	}
	return nil, errors.New("no admin form for proxy " + px + " in the rendered page")
}
