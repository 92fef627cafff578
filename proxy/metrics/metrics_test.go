package metrics

import (
	"flag"
	"fmt"
	"io"
	"net/http/httputil"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/goha/goha/proxy/stats"
)

var update = flag.Bool("update", false, "rewrite testdata/goha.prom")

// moving matches the samples whose values may differ from HAProxy's
// capture, and why:
//   - the exporter's own frontend and listener ("metrics"): HAProxy
//     counted its scrape mid-request, the snapshot after it;
//   - process values that moved between the scrape and `show info`;
//   - *_time_average_seconds: HAProxy 2.6's exporter divides the sliding
//     sum by 1024 whatever the number of samples (rounded up to a
//     millisecond), where `show stat` (and goha) divide by the samples
//     seen, so the two agree only after 1024 requests.
var moving = regexp.MustCompile(`^haproxy_(frontend|listener)_[a-z_]+\{proxy="metrics"|` +
	`^haproxy_process_(current_connections|connections_total|requests_total|current_tasks|` +
	`bytes_out_total|bytes_out_rate|pool_allocated_bytes|pool_used_bytes) |` +
	`_time_average_seconds\{`)

// compareCapture checks got against HAProxy's output line by line: the
// same lines (HELP, TYPE, series) in the same order, and the same values
// except where moving matches.
func compareCapture(t *testing.T, got, want string) {
	t.Helper()
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(g) != len(w) {
		t.Errorf("%d lines, HAProxy wrote %d", len(g), len(w))
	}
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] == w[i] {
			continue
		}
		gs, _, _ := strings.Cut(g[i], " ")
		ws, _, _ := strings.Cut(w[i], " ")
		if strings.HasPrefix(g[i], "#") || gs != ws || !moving.MatchString(g[i]) {
			t.Errorf("line %d:\n got  %s\n want %s", i+1, g[i], w[i])
		}
	}
}

// TestHAProxyCapture: for the rows and info of HAProxy 2.6.12's `show
// stat`/`show info`, the exporter writes what HAProxy's exporter wrote
// (testdata/capture.sh), and that text passes the strict validator.
func TestHAProxyCapture(t *testing.T) {
	want, err := os.ReadFile("testdata/haproxy-2.6.12.prom")
	if err != nil {
		t.Fatal(err)
	}
	hfams := mustValidate(t, "HAProxy's capture", string(want))
	got := scrapeText(t, capture(t, ""), DefaultOptions)
	gfams := mustValidate(t, "goha's output", got)
	if familyNames(gfams) != familyNames(hfams) {
		t.Errorf("families differ:\n%s\nHAProxy:\n%s", familyNames(gfams), familyNames(hfams))
	}
	compareCapture(t, got, string(want))
}

// TestGolden pins goha's whole output for the captured rows.
func TestGolden(t *testing.T) {
	got := scrapeText(t, capture(t, ""), DefaultOptions)
	if *update {
		if err := os.WriteFile("testdata/goha.prom", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/goha.prom")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("output differs from testdata/goha.prom (go test -run TestGolden -update rewrites it)")
		compareCapture(t, got, string(want))
	}
}

// TestScopeCaptures compares scoped scrapes with HAProxy's.
func TestScopeCaptures(t *testing.T) {
	for _, c := range []struct{ uri, file string }{
		{"/metrics?scope=frontend&scope=server&no-maint", "testdata/haproxy-2.6.12-frontend-server-nomaint.prom"},
		{"/metrics?scope=sticktable", "testdata/haproxy-2.6.12-sticktable.prom"},
	} {
		t.Run(c.uri, func(t *testing.T) {
			o, err := ParseURI(c.uri)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			got := scrapeText(t, capture(t, ""), o)
			mustValidate(t, "goha's output", got)
			compareCapture(t, got, string(want))
		})
	}
}

// TestScopes: each scope writes only its families, together the whole
// output, in the order HAProxy writes them; an empty scope writes nothing.
func TestScopes(t *testing.T) {
	src := capture(t, "")
	all := scrapeText(t, src, DefaultOptions)
	var joined string
	for _, sc := range []struct {
		scope  Scope
		prefix string
	}{
		{ScopeGlobal, "haproxy_process_"}, {ScopeFrontend, "haproxy_frontend_"},
		{ScopeListener, "haproxy_listener_"}, {ScopeBackend, "haproxy_backend_"},
		{ScopeServer, "haproxy_server_"}, {ScopeStickTable, "haproxy_sticktable_"},
	} {
		got := scrapeText(t, src, Options{Scope: sc.scope})
		fams := mustValidate(t, sc.prefix, got)
		if len(fams) == 0 {
			t.Errorf("scope %s: no family", sc.prefix)
		}
		for _, f := range fams {
			if !strings.HasPrefix(f.Name, sc.prefix) {
				t.Errorf("scope %s writes %s", sc.prefix, f.Name)
			}
		}
		joined += got
	}
	if joined != all {
		t.Errorf("the scopes one by one do not add up to the whole output")
	}
	if got := scrapeText(t, src, Options{}); got != "" {
		t.Errorf("no scope: want nothing, got %d bytes", len(got))
	}
}

// TestNoMaint: no-maint hides the servers in maintenance, and only them;
// the backend still counts them in its aggregates.
func TestNoMaint(t *testing.T) {
	src := capture(t, "")
	all := scrapeText(t, src, Options{Scope: ScopeServer | ScopeBackend})
	nm := scrapeText(t, src, Options{Scope: ScopeServer | ScopeBackend, NoMaint: true})
	mustValidate(t, "no-maint", nm)
	for _, line := range strings.Split(all, "\n") {
		hidden := strings.Contains(line, `server="s3"`) // s3 is disabled: MAINT
		if in := strings.Contains(nm, line+"\n"); in == hidden && line != "" {
			t.Errorf("no-maint: %q present=%v, want %v", line, in, !hidden)
		}
	}
	if !strings.Contains(nm, `haproxy_backend_agg_server_status{proxy="be",state="MAINT"} 1`+"\n") {
		t.Errorf("no-maint: the backend no longer counts its server in maintenance")
	}
}

func TestParseURI(t *testing.T) {
	for _, c := range []struct {
		uri     string
		scope   Scope
		noMaint bool
		bad     bool
	}{
		{uri: "/metrics", scope: ScopeAll},
		{uri: "/metrics?", scope: ScopeAll},
		{uri: "/metrics?foo=bar&x", scope: ScopeAll},
		{uri: "/metrics?no-maint", scope: ScopeAll, noMaint: true},
		{uri: "/metrics?no-maint=1&scope=server", scope: ScopeServer, noMaint: true},
		{uri: "/metrics?scope=frontend&scope=backend", scope: ScopeFrontend | ScopeBackend},
		{uri: "/metrics?scope=*", scope: ScopeAll},
		{uri: "/metrics?scope=", scope: 0},
		{uri: "/metrics?scope=global&scope=&scope=listener", scope: ScopeListener},
		{uri: "/metrics?scope=frontend&scope=", scope: 0},
		{uri: "/metrics?scope=sticktable", scope: ScopeStickTable},
		{uri: "/metrics?sc%6Fpe=glob%61l", scope: ScopeGlobal},
		{uri: "/metrics?scope=server#scope=global", scope: ScopeServer},
		{uri: "/metrics?scope=server&&", scope: ScopeServer},
		{uri: "/metrics?scope", bad: true},
		{uri: "/metrics?scope=bogus", bad: true},
		{uri: "/metrics?scope=Frontend", bad: true},
		{uri: "/metrics?scope=a=b", bad: true},
		{uri: "/metrics?scope=%zz", bad: true},
		{uri: "/metrics?scope=%4", bad: true},
		{uri: "/metrics?x=%", bad: true},
	} {
		o, err := ParseURI(c.uri)
		if c.bad {
			if err == nil {
				t.Errorf("%s: no error (options %+v)", c.uri, o)
			}
			continue
		}
		if err != nil || o.Scope != c.scope || o.NoMaint != c.noMaint {
			t.Errorf("%s: %+v, %v; want scope %b no-maint %v", c.uri, o, err, c.scope, c.noMaint)
		}
	}
}

// TestValidatorRejects: the validator is strict (it must fail on these).
func TestValidatorRejects(t *testing.T) {
	head := "# HELP m h\n# TYPE m gauge\n"
	for _, text := range []string{
		"m 1\n",                                              // no HELP/TYPE
		head + "m 1",                                         // no final newline
		head + "m 1\n\n",                                     // empty line
		head + "m{a=\"1\"} 1\nm{a=\"1\"} 2\n",                // series twice
		head + "m{a=\"1\",a=\"2\"} 1\n",                      // label twice
		head + "m{a=\"x\\q\"} 1\n",                           // bad escape
		head + "m nan\n",                                     // NaN misspelled
		head + "m one\n",                                     // not a number
		head + "m{a=\"1\",} 1\n",                             // trailing comma (HAProxy never writes it)
		"# TYPE m gauge\n# HELP m h\nm 1\n",                  // TYPE before HELP
		head + "# TYPE m gauge\nm 1\n",                       // second TYPE
		"# HELP m h\n# TYPE m summary\nm 1\n",                // not counter/gauge
		head + "m 1\n# HELP n h\n# TYPE n gauge\nn 1\nm 2\n", // split group
		head,                                  // family without samples
		head + "m 1 1700000000\n",             // timestamp
		"# random comment\n" + head + "m 1\n", // other comment
	} {
		if _, err := validate(text); err == nil {
			t.Errorf("validator accepts %q", text)
		}
	}
}

// TestStickTableHook: a source with stick tables gets
// haproxy_sticktable_*; tables of size 0 are left out; a source without
// them gets nothing in that scope.
func TestStickTableHook(t *testing.T) {
	src := &Snapshot{Tables: []StickTable{{"be", "ip", 100, 3}, {"empty", "string", 0, 0}, {"t2", "integer", 5, 5}}}
	got := scrapeText(t, src, Options{Scope: ScopeStickTable})
	want := `# HELP haproxy_sticktable_size Stick table size.
# TYPE haproxy_sticktable_size gauge
haproxy_sticktable_size{name="be",type="ip"} 100
haproxy_sticktable_size{name="t2",type="integer"} 5
# HELP haproxy_sticktable_used Number of entries used in this stick table.
# TYPE haproxy_sticktable_used gauge
haproxy_sticktable_used{name="be",type="ip"} 3
haproxy_sticktable_used{name="t2",type="integer"} 5
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := scrapeText(t, rowsOnly{src}, Options{Scope: ScopeStickTable}); got != "" {
		t.Errorf("a source without stick tables: %q", got)
	}
}

// rowsOnly hides a Snapshot's stick tables.
type rowsOnly struct{ s *Snapshot }

func (r rowsOnly) Info(in *stats.Info)                              { r.s.Info(in) }
func (r rowsOnly) Rows(types int, row *stats.Row, emit func() bool) { r.s.Rows(types, row, emit) }

// TestEscaping: odd names stay valid exposition text.
func TestEscaping(t *testing.T) {
	r := stats.NewRow(stats.ObjBackend, "be\"x\\y\nz", "BACKEND", 2, 0, true)
	r.SetStr(stats.ColStatus, "UP")
	got := scrapeText(t, &Snapshot{Stat: []stats.Row{r}}, Options{Scope: ScopeBackend})
	mustValidate(t, "escaped names", got)
	if !strings.Contains(got, `{proxy="be\"x\\y\nz"}`) {
		t.Errorf("proxy label not escaped:\n%s", got[:min(len(got), 400)])
	}
}

// errWriter fails every write.
type errWriter struct{ n int }

func (w *errWriter) Write(p []byte) (int, error) { w.n++; return 0, io.ErrClosedPipe }

// TestWriteError: Write reports the client's error and stops writing.
func TestWriteError(t *testing.T) {
	w := &errWriter{}
	if err := Write(w, benchSource(100), DefaultOptions); err != io.ErrClosedPipe {
		t.Errorf("Write: %v, want %v", err, io.ErrClosedPipe)
	}
	if w.n != 1 {
		t.Errorf("%d writes after the first failed, want none", w.n-1)
	}
}

// TestChunked: WriteChunked frames the same text as HTTP/1.1 chunks of
// about 16 kB, ending with the last chunk.
func TestChunked(t *testing.T) {
	src := benchSource(100)
	plain := scrapeText(t, src, DefaultOptions)
	var b strings.Builder
	if err := WriteChunked(&b, src, DefaultOptions); err != nil {
		t.Fatal(err)
	}
	wire := b.String()
	if !strings.HasSuffix(wire, "\r\n0\r\n\r\n") {
		t.Errorf("does not end with the last chunk: %q", wire[max(0, len(wire)-20):])
	}
	body, err := io.ReadAll(httputil.NewChunkedReader(strings.NewReader(wire)))
	if err != nil {
		t.Fatalf("chunked body: %v", err)
	}
	if string(body) != plain {
		t.Errorf("chunked body (%d bytes) differs from Write's text (%d bytes)", len(body), len(plain))
	}
	if n := strings.Count(wire, "\r\n") - strings.Count(plain, "\r\n"); n < 2*(len(plain)/(20<<10)) {
		t.Errorf("%d CRLFs for %d bytes: chunks larger than expected", n, len(plain))
	}
	if got := scrapeChunked(t, &Snapshot{}, Options{}); got != "0\r\n\r\n" {
		t.Errorf("empty scrape: %q, want only the last chunk", got)
	}
}

func scrapeChunked(t *testing.T, src Source, o Options) string {
	t.Helper()
	var b strings.Builder
	if err := WriteChunked(&b, src, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestConcurrentScrapes: scrapes at once share nothing but the pool (run
// with -race).
func TestConcurrentScrapes(t *testing.T) {
	src := capture(t, "")
	want := scrapeText(t, src, DefaultOptions)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				var b strings.Builder
				if err := Write(&b, src, DefaultOptions); err != nil || b.String() != want {
					errs <- fmt.Sprintf("scrape %d: err %v, %d bytes, want %d", i, err, b.Len(), len(want))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
