package check

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/config"
)

// recorder collects events.
type recorder struct {
	mu sync.Mutex
	ev []Event
	ch chan Event
}

func newRecorder() *recorder { return &recorder{ch: make(chan Event, 100)} }

func (r *recorder) report(e Event) {
	r.mu.Lock()
	r.ev = append(r.ev, e)
	r.mu.Unlock()
	r.ch <- e
}

// next waits for the next event of kind k.
func (r *recorder) next(t *testing.T, k EventKind) Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-r.ch:
			if e.Kind == k {
				return e
			}
		case <-deadline:
			t.Fatalf("no event of kind %d within 5s", k)
		}
	}
}

// start runs a checker for cfg until the test ends.
func start(t *testing.T, cfg Config) (*Checker, *recorder) {
	t.Helper()
	rec := newRecorder()
	c, err := New(cfg, rec.report)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx, 0) }()
	t.Cleanup(func() { cancel(); <-done })
	return c, rec
}

// waitFor polls cond until it holds or 5s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond) // polling a condition, with a deadline
	}
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// acceptor accepts and holds connections until the test ends.
func acceptor(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return l.Addr().String()
}

func base(addr string) Config {
	return Config{Backend: "be", Server: "s1", Addr: addr, Inter: 20 * time.Millisecond, Rise: 2, Fall: 3}
}

var durRE = regexp.MustCompile(`check duration: \d+ms`)

func normDur(s string) string { return durRE.ReplaceAllString(s, "check duration: Nms") }

func TestTCPCheckUp(t *testing.T) {
	c, _ := start(t, base(acceptor(t)))
	waitFor(t, "full health", func() bool { return c.Snapshot().Health == 4 })
	s := c.Snapshot()
	if !s.Up || s.Last.Status != StatusL4OK || s.StateString() != "UP" || s.Last.Status.Desc() != "Layer4 check passed" {
		t.Errorf("snapshot = %+v (%s)", s, s.StateString())
	}
}

func TestTCPCheckRefused(t *testing.T) {
	cfg := base(closedPort(t))
	_, rec := start(t, cfg)
	e := rec.next(t, EventState)
	if e.Up || e.Result.Status != StatusL4CON || e.Result.Info != "Connection refused" {
		t.Fatalf("event = %+v", e)
	}
	want := `Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`
	if got := normDur(e.StateMessage(0, 0, 0, 0, 0)); got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
}

func TestRecovery(t *testing.T) {
	// A server DOWN comes back after rise successes once something listens.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := base(addr)
	c, rec := start(t, cfg)
	rec.next(t, EventState)
	waitFor(t, "DOWN 0", func() bool { s := c.Snapshot(); return !s.Up && s.StateString() == "DOWN" })
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen again on %s: %v", addr, err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	e := rec.next(t, EventState)
	if !e.Up || e.Result.Status != StatusL4OK || e.Health != 4 {
		t.Fatalf("event = %+v", e)
	}
	want := "Server be/s1 is UP, reason: Layer4 check passed, check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue."
	if got := normDur(e.StateMessage(1, 0, 0, 0, 0)); got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
}

func TestHTTPCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			fmt.Fprint(w, "all good")
		case "/fail":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/redirect":
			w.Header().Set("Location", "/ok")
			w.WriteHeader(http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, tc := range []struct {
		name   string
		h      HTTPCheck
		status Status
		code   int
		info   string
	}{
		{"default 200", HTTPCheck{Method: "GET", URI: "/ok"}, StatusL7OK, 200, ""},
		{"default 302 passes", HTTPCheck{Method: "GET", URI: "/redirect"}, StatusL7OK, 302, ""},
		{"default OPTIONS 404", HTTPCheck{}, StatusL7STS, 404, "Not Found"},
		{"500", HTTPCheck{URI: "/fail"}, StatusL7STS, 500, "Internal Server Error"},
		{"expect status list", HTTPCheck{URI: "/x", Expect: Expect{Kind: "status", Value: "200,404"}}, StatusL7OK, 404, ""},
		{"expect status range", HTTPCheck{URI: "/fail", Expect: Expect{Kind: "status", Value: "200-299"}}, StatusL7STS, 500, "Internal Server Error"},
		{"expect ! status", HTTPCheck{URI: "/fail", Expect: Expect{Kind: "status", Value: "500", Neg: true}}, StatusL7STS, 500, "Internal Server Error"},
		{"expect rstatus", HTTPCheck{URI: "/fail", Expect: Expect{Kind: "rstatus", Value: "^5"}}, StatusL7OK, 500, ""},
		{"expect string", HTTPCheck{Method: "GET", URI: "/ok", Expect: Expect{Kind: "string", Value: "good"}}, StatusL7OK, 200, ""},
		{"expect string mismatch", HTTPCheck{Method: "GET", URI: "/ok", Expect: Expect{Kind: "string", Value: "bad"}}, StatusL7RSP, 200, "HTTP content check did not match"},
		{"expect ! string", HTTPCheck{Method: "GET", URI: "/ok", Expect: Expect{Kind: "string", Value: "good", Neg: true}}, StatusL7RSP, 200, "HTTP check matched unwanted content"},
		{"expect rstring", HTTPCheck{Method: "GET", URI: "/ok", Expect: Expect{Kind: "rstring", Value: "^all"}}, StatusL7OK, 200, ""},
		{"no body", HTTPCheck{Method: "HEAD", URI: "/ok", Expect: Expect{Kind: "string", Value: "x"}}, StatusL7RSP, 200, "HTTP content check could not find a response body"},
		{"http/1.1 with host", HTTPCheck{Method: "GET", URI: "/ok", Version: "HTTP/1.1", Headers: [][2]string{{"Host", "example.com"}}}, StatusL7OK, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base(addr)
			h := tc.h
			cfg.HTTP = &h
			if err := cfg.normalize(); err != nil {
				t.Fatal(err)
			}
			var d net.Dialer
			r := probe(context.Background(), &cfg, d.DialContext)
			if r.Status != tc.status || r.Code != tc.code || r.Info != tc.info {
				t.Errorf("probe = %+v; want %s code %d info %q", r, tc.status, tc.code, tc.info)
			}
		})
	}
}

func TestHTTPCheckDown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	cfg := base(strings.TrimPrefix(srv.URL, "http://"))
	cfg.HTTP = &HTTPCheck{Method: "GET", URI: "/health"}
	cfg.Backup = true
	_, rec := start(t, cfg)
	e := rec.next(t, EventState)
	want := `Backup Server be/s1 is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`
	if got := normDur(e.StateMessage(1, 0, 0, 0, 0)); got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
}

// rawServer answers each connection with handle, and records requests.
func rawServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); defer c.Close(); handle(c) }()
		}
	}()
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return l.Addr().String()
}

func TestHTTPCheckFailures(t *testing.T) {
	readHead := func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				return
			}
		}
	}
	for _, tc := range []struct {
		name   string
		handle func(net.Conn)
		check  time.Duration
		status Status
	}{
		{"garbage", func(c net.Conn) { readHead(c); c.Write([]byte("SSH-2.0-OpenSSH\r\n\r\n")) }, 0, StatusL7RSP},
		{"empty", func(c net.Conn) { readHead(c) }, 0, StatusL7RSP},
		{"silent", func(c net.Conn) { readHead(c); c.SetReadDeadline(time.Now().Add(time.Second)); c.Read(make([]byte, 1)) }, 50 * time.Millisecond, StatusL7TOUT},
		{"silent without timeout check", func(c net.Conn) { readHead(c); c.SetReadDeadline(time.Now().Add(time.Second)); c.Read(make([]byte, 1)) }, 0, StatusL7TOUT},
		{"no blank line", func(c net.Conn) { readHead(c); c.Write([]byte("HTTP/1.0 200 OK\r\nX: y")) }, 0, StatusL7OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base(rawServer(t, tc.handle))
			cfg.Inter = 100 * time.Millisecond
			cfg.TimeoutCheck = tc.check
			cfg.HTTP = &HTTPCheck{}
			if err := cfg.normalize(); err != nil {
				t.Fatal(err)
			}
			var d net.Dialer
			if r := probe(context.Background(), &cfg, d.DialContext); r.Status != tc.status {
				t.Errorf("probe = %+v; want %s", r, tc.status)
			}
		})
	}
}

func TestHTTPCheckRequest(t *testing.T) {
	got := make(chan string, 1)
	addr := rawServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		var b strings.Builder
		for {
			l, err := br.ReadString('\n')
			b.WriteString(l)
			if err != nil || l == "\r\n" {
				break
			}
		}
		body := make([]byte, 4)
		n, _ := br.Read(body)
		b.Write(body[:n])
		c.Write([]byte("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"))
		select {
		case got <- b.String():
		default:
		}
	})
	cfg := base(addr)
	cfg.HTTP = &HTTPCheck{Method: "POST", URI: "/health", Version: "HTTP/1.1", Headers: [][2]string{{"Host", "app.local"}, {"X-Check", "1"}}, Body: "ping"}
	if err := cfg.normalize(); err != nil {
		t.Fatal(err)
	}
	var d net.Dialer
	if r := probe(context.Background(), &cfg, d.DialContext); r.Status != StatusL7OK {
		t.Fatalf("probe = %+v", r)
	}
	want := "POST /health HTTP/1.1\r\nHost: app.local\r\nX-Check: 1\r\nconnection: close\r\ncontent-length: 4\r\n\r\nping"
	if g := <-got; g != want {
		t.Errorf("request:\n got %q\nwant %q", g, want)
	}
	def := &HTTPCheck{}
	c := Config{HTTP: def}
	c.normalize()
	if g := string(c.HTTP.request()); g != "OPTIONS / HTTP/1.0\r\nconnection: close\r\ncontent-length: 0\r\n\r\n" {
		t.Errorf("default request = %q", g)
	}
}

func TestConnectTimeout(t *testing.T) {
	cfg := base("127.0.0.1:1")
	cfg.Inter = 50 * time.Millisecond
	cfg.normalize()
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done() // a SYN that is never answered
		return nil, ctx.Err()
	}
	if r := probe(context.Background(), &cfg, dial); r.Status != StatusL4TOUT || r.Info != "" {
		t.Errorf("probe = %+v; want L4TOUT", r)
	}
}

// TestStateMachine drives apply with scripted results.
func TestStateMachine(t *testing.T) {
	ok := Result{Status: StatusL4OK}
	ko := Result{Status: StatusL4CON, Info: "Connection refused"}
	for _, tc := range []struct {
		name  string
		steps []Result
		want  []string // StateString after each step
		ev    int      // state events
	}{
		{"starts UP 1/3, first failure takes it down", []Result{ko}, []string{"DOWN"}, 1},
		{"first success gives full health", []Result{ok, ok}, []string{"UP", "UP"}, 0},
		{"fall failures from full health", []Result{ok, ko, ko, ko}, []string{"UP", "UP 2/3", "UP 1/3", "DOWN"}, 1},
		{"rise successes from down", []Result{ko, ok, ok}, []string{"DOWN", "DOWN 1/2", "UP"}, 2},
		{"flapping below fall stays up", []Result{ok, ko, ok, ko, ko, ok}, []string{"UP", "UP 2/3", "UP", "UP 2/3", "UP 1/3", "UP"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			c, err := New(Config{Backend: "be", Server: "s1", Addr: "x:1"}, rec.report)
			if err != nil {
				t.Fatal(err)
			}
			if s := c.Snapshot(); s.StateString() != "UP 1/3" || s.Last.Status != StatusInit {
				t.Fatalf("initial = %s %s", s.StateString(), s.Last.Status)
			}
			for i, r := range tc.steps {
				c.apply(r)
				if got := c.Snapshot().StateString(); got != tc.want[i] {
					t.Fatalf("after step %d: %s; want %s", i, got, tc.want[i])
				}
			}
			if len(rec.ev) != tc.ev {
				t.Errorf("%d events; want %d: %+v", len(rec.ev), tc.ev, rec.ev)
			}
		})
	}
}

func TestIntervals(t *testing.T) {
	c, _ := New(Config{Addr: "x:1", Inter: time.Second, FastInter: 100 * time.Millisecond, DownInter: 5 * time.Second}, nil)
	ok := Result{Status: StatusL4OK}
	ko := Result{Status: StatusL4CON}
	for _, step := range []struct {
		r    *Result
		want time.Duration
	}{
		{nil, 100 * time.Millisecond}, // UP 1/3: transitional
		{&ok, time.Second},            // full health
		{&ko, 100 * time.Millisecond}, // going down
		{&ko, 100 * time.Millisecond},
		{&ko, 5 * time.Second}, // down
		{&ok, 100 * time.Millisecond},
	} {
		if step.r != nil {
			c.apply(*step.r)
		}
		if got := c.interval(); got != step.want {
			t.Errorf("interval in %s = %v; want %v", c.Snapshot().StateString(), got, step.want)
		}
	}
}

func TestLogHealthChecks(t *testing.T) {
	rec := newRecorder()
	c, _ := New(Config{Backend: "be", Server: "s1", Addr: "x:1", LogHealthChecks: true}, rec.report)
	c.apply(Result{Status: StatusL4OK, Duration: 0})
	c.apply(Result{Status: StatusL7STS, Code: 500, Info: "Internal Server Error", Duration: 3 * time.Millisecond})
	c.apply(Result{Status: StatusL4CON, Info: "Connection refused", Duration: 0})
	c.apply(Result{Status: StatusL4CON, Info: "Connection refused", Duration: 0})
	var got []string
	for _, e := range rec.ev {
		if e.Kind == EventState {
			got = append(got, e.StateMessage(0, 0, 0, 0, 0))
		} else {
			got = append(got, e.Message)
		}
	}
	want := []string{
		"Health check for server be/s1 succeeded, reason: Layer4 check passed, check duration: 0ms, status: 3/3 UP.",
		`Health check for server be/s1 failed, reason: Layer7 wrong status, code: 500, info: "Internal Server Error", check duration: 3ms, status: 2/3 UP.`,
		`Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 1/3 UP.`,
		`Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/2 DOWN.`,
		"Server be/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPauseResumeSetHealth(t *testing.T) {
	c, rec := start(t, base(closedPort(t)))
	rec.next(t, EventState)
	c.Pause()
	waitFor(t, "paused", func() bool { return c.Snapshot().Paused })
	c.Resume()
	if s := c.Snapshot(); !s.Up || s.StateString() != "UP 1/3" {
		t.Errorf("after Resume: %s", s.StateString())
	}
	// The immediate check after Resume takes it down again.
	if e := rec.next(t, EventState); e.Up {
		t.Errorf("after Resume on a closed port: %+v", e)
	}
	if !c.SetHealth(true) || !c.Snapshot().Up || c.Snapshot().StateString() != "UP" {
		t.Errorf("SetHealth(true): %+v", c.Snapshot())
	}
	if c.SetHealth(true) {
		t.Error("SetHealth(true) twice reports a change")
	}
}

func TestFromConfig(t *testing.T) {
	px := &config.Proxy{Name: "be", Timeouts: config.Timeouts{Connect: time.Second, Check: 500 * time.Millisecond}}
	px.Options.HTTPChk = true
	px.Options.LogHealthChecks = true
	px.HealthChk = config.HealthCheck{URI: "/hc", ExpectKind: "status", ExpectValue: "200"}
	s := &config.Server{Name: "s1", Addr: "127.0.0.1", Port: 8080, CheckPort: 9090, Check: true, Backup: true}
	c, err := FromConfig(px, s)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9090" || c.Inter != 2*time.Second || c.FastInter != 2*time.Second || c.Rise != 2 || c.Fall != 3 ||
		c.HTTP.Method != "OPTIONS" || c.HTTP.URI != "/hc" || c.HTTP.Version != "HTTP/1.0" || !c.Backup || !c.LogHealthChecks ||
		c.TimeoutCheck != 500*time.Millisecond {
		t.Errorf("FromConfig = %+v", c)
	}
	s6 := &config.Server{Name: "s6", Addr: "::1", Port: 80, CheckAddr: "::2", Inter: time.Second, Rise: 1, Fall: 1}
	if c, _ := FromConfig(&config.Proxy{Name: "b"}, s6); c.Addr != "[::2]:80" || c.HTTP != nil || c.Rise != 1 {
		t.Errorf("FromConfig(v6) = %+v", c)
	}
	if c, _ := FromConfig(&config.Proxy{Name: "b"}, &config.Server{Name: "u", Unix: "/run/app.sock"}); c.Network != "unix" || c.Addr != "/run/app.sock" {
		t.Errorf("FromConfig(unix) = %+v", c)
	}
	_, err = FromConfig(&config.Proxy{Name: "b"}, &config.Server{Name: "np", Addr: "10.0.0.1"})
	if !errors.Is(err, ErrNoPort) || err.Error() != "server 'b/np' has neither service port nor check port" {
		t.Errorf("no port: %v", err)
	}
	for _, e := range []Expect{{Kind: "status", Value: "abc"}, {Kind: "rstatus", Value: "("}, {Kind: "string"}, {Kind: "header"}} {
		px.HealthChk.ExpectKind, px.HealthChk.ExpectValue = e.Kind, e.Value
		if _, err := FromConfig(px, s); err == nil {
			t.Errorf("FromConfig with expect %+v: no error", e)
		}
	}
}

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		s          Status
		name, desc string
	}{
		{StatusL4OK, "L4OK", "Layer4 check passed"}, {StatusL4CON, "L4CON", "Layer4 connection problem"},
		{StatusL4TOUT, "L4TOUT", "Layer4 timeout"}, {StatusL7OK, "L7OK", "Layer7 check passed"},
		{StatusL7STS, "L7STS", "Layer7 wrong status"}, {StatusL7RSP, "L7RSP", "Layer7 invalid response"},
		{StatusL7TOUT, "L7TOUT", "Layer7 timeout"}, {StatusInit, "INI", "Initializing"}, {Status(99), "UNK", "Unknown"},
	} {
		if tc.s.String() != tc.name || tc.s.Desc() != tc.desc {
			t.Errorf("%d: %s %q", tc.s, tc.s, tc.s.Desc())
		}
		if p, err := ParseStatus(tc.name); tc.s != Status(99) && (err != nil || p != tc.s) {
			t.Errorf("ParseStatus(%q) = %v, %v", tc.name, p, err)
		}
	}
	s := Snapshot{InProgress: true, Last: Result{Status: StatusL4OK}}
	if s.CheckStatus() != "* L4OK" {
		t.Errorf("CheckStatus = %q", s.CheckStatus())
	}
	if got := asciiEncode("a\"b\n\x01é"); got != `a\x22b\n\x01\xc3\xa9` {
		t.Errorf("asciiEncode = %q", got)
	}
}

func TestSpreadAndRunAll(t *testing.T) {
	if got := Spread(1, 4, 2*time.Second); got != 500*time.Millisecond {
		t.Errorf("Spread(1,4,2s) = %v", got)
	}
	if Spread(0, 4, time.Second) != 0 || Spread(3, 0, time.Second) != 0 {
		t.Error("Spread edge cases")
	}
	addr := acceptor(t)
	var cs []*Checker
	for i := range 3 {
		cfg := base(addr)
		cfg.Server = fmt.Sprint("s", i)
		c, _ := New(cfg, nil)
		cs = append(cs, c)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := RunAll(ctx, cs)
	waitFor(t, "all checked", func() bool {
		for _, c := range cs {
			if c.Snapshot().Last.Status != StatusL4OK {
				return false
			}
		}
		return true
	})
	cancel()
	wait()
}
