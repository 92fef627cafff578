package lb

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/goha/goha/config"
)

// farm builds n active servers s1..sn with ids 1..n.
func farm(n int) []*Server {
	ss := make([]*Server, n)
	for i := range ss {
		ss[i] = &Server{Name: fmt.Sprintf("s%d", i+1), ID: i + 1}
	}
	return ss
}

func mustNew(t testing.TB, algo string, ss []*Server, weights []int) Balancer {
	t.Helper()
	b, err := New(config.Balance{Algo: algo}, ss, weights)
	if err != nil {
		t.Fatalf("New(%q) = %v", algo, err)
	}
	return b
}

// req is a test Request.
type req struct {
	uri string
	hdr map[string]string
}

func (r *req) URI() []byte { return []byte(r.uri) }
func (r *req) Header(name string) ([]byte, bool) {
	v, ok := r.hdr[name]
	return []byte(v), ok
}

// pickN picks n times (releasing each) and counts picks per server name.
func pickN(b Balancer, n int, src netip.Addr, r Request) map[string]int {
	got := map[string]int{}
	for range n {
		s := b.Pick(src, r, nil)
		if s == nil {
			got["<nil>"]++
			continue
		}
		got[s.Name]++
		b.Release(s)
	}
	return got
}

// seq returns the names of n successive picks, releasing each.
func seq(b Balancer, n int) string {
	var names []string
	for range n {
		s := b.Pick(netip.Addr{}, nil, nil)
		if s == nil {
			names = append(names, "-")
			continue
		}
		names = append(names, s.Name)
		b.Release(s)
	}
	return strings.Join(names, " ")
}

func eqCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %v; want %v", what, got, want)
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		b    config.Balance
		want string
	}{
		{config.Balance{Algo: "bogus"}, `unknown balance algorithm "bogus"`},
		{config.Balance{Algo: "url_param"}, "missing parameter"},
		{config.Balance{Algo: "hdr"}, "missing parameter"},
	} {
		t.Run(tc.b.Algo, func(t *testing.T) {
			_, err := New(tc.b, farm(2), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New(%+v) error = %v; want %q", tc.b, err, tc.want)
			}
		})
	}
	s := &Server{Name: "x"}
	if _, err := New(config.Balance{}, []*Server{s, s}, nil); err == nil {
		t.Error("New with a server given twice: no error")
	}
}

func TestWeightedDistribution(t *testing.T) {
	// Every weighted algorithm gives exact shares over whole rounds.
	for _, algo := range []string{"", "roundrobin", "static-rr"} {
		t.Run(algo, func(t *testing.T) {
			b := mustNew(t, algo, farm(3), []int{1, 2, 3})
			eqCounts(t, "600 picks", pickN(b, 600, netip.Addr{}, nil), map[string]int{"s1": 100, "s2": 200, "s3": 300})
		})
	}
}

func TestRoundRobinOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		weights []int
		n       int
		want    string
	}{
		{"equal", []int{1, 1, 1}, 6, "s1 s2 s3 s1 s2 s3"},
		{"smooth 1 2 3", []int{1, 2, 3}, 12, "s3 s2 s1 s3 s2 s3 s3 s2 s1 s3 s2 s3"},
		{"zero weight skipped", []int{1, 0, 1}, 4, "s1 s3 s1 s3"},
		{"all zero", []int{0, 0}, 2, "- -"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mustNew(t, "roundrobin", farm(len(tc.weights)), tc.weights)
			if got := seq(b, tc.n); got != tc.want {
				t.Errorf("picks = %q; want %q", got, tc.want)
			}
		})
	}
}

// TestRoundRobinRejoin: a server coming back (enable server, check UP)
// alternates with the others at once, whichever it is.
func TestRoundRobinRejoin(t *testing.T) {
	for i := range 2 {
		ss := farm(2)
		b := mustNew(t, "roundrobin", ss, nil)
		seq(b, 3)
		b.SetUsable(ss[i], false)
		seq(b, 5)
		b.SetUsable(ss[i], true)
		if got := seq(b, 4); got != "s1 s2 s1 s2" && got != "s2 s1 s2 s1" {
			t.Errorf("after s%d rejoins: %q; want alternation", i+1, got)
		}
	}
	// Three servers, one back mid-round: every server once per round.
	ss := farm(3)
	b := mustNew(t, "roundrobin", ss, nil)
	b.SetUsable(ss[1], false)
	seq(b, 3)
	b.SetUsable(ss[1], true)
	seq(b, 2)
	eqCounts(t, "rounds after rejoin", pickN(b, 300, netip.Addr{}, nil), map[string]int{"s1": 100, "s2": 100, "s3": 100})
}

func TestStaticRROrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		weights []int
		want    string
	}{
		{"equal", []int{1, 1, 1}, "s1 s2 s3 s1 s2 s3"},
		{"weighted", []int{1, 2}, "s2 s1 s2 s2 s1 s2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mustNew(t, "static-rr", farm(len(tc.weights)), tc.weights)
			if got := seq(b, 6); got != tc.want {
				t.Errorf("picks = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestRoundRobinDynamicWeight(t *testing.T) {
	ss := farm(2)
	b := mustNew(t, "roundrobin", ss, []int{1, 1})
	pickN(b, 3, netip.Addr{}, nil) // mid-round
	b.SetWeight(ss[0], 3)
	// Let the current round finish, then count whole rounds.
	got := pickN(b, 4000, netip.Addr{}, nil)
	if got["s1"] < 2990 || got["s1"] > 3010 {
		t.Errorf("after SetWeight(s1, 3): %v; want about 3000/1000", got)
	}
	b.SetWeight(ss[0], 0)
	eqCounts(t, "after SetWeight(s1, 0)", pickN(b, 10, netip.Addr{}, nil), map[string]int{"s2": 10})
	b.SetWeight(ss[0], 1000)
	if w := ss[0].Weight(); w != MaxWeight {
		t.Errorf("SetWeight(1000) gives weight %d; want %d", w, MaxWeight)
	}
}

func TestUsableAndBackup(t *testing.T) {
	for _, algo := range []string{"roundrobin", "static-rr", "leastconn", "first", "source", "uri", "random"} {
		t.Run(algo, func(t *testing.T) {
			ss := farm(4)
			ss[2].Backup, ss[3].Backup = true, true
			b := mustNew(t, algo, ss, nil)
			src := netip.MustParseAddr("192.0.2.7")
			r := &req{uri: "/x"}
			for range 20 {
				s := b.Pick(src, r, nil)
				if s == nil || s.Backup {
					t.Fatalf("with actives up, Pick = %v", s)
				}
				b.Release(s)
			}
			b.SetUsable(ss[0], false)
			eqCounts(t, "s1 down", pickN(b, 10, src, r), map[string]int{"s2": 10})
			b.SetUsable(ss[1], false)
			// Only the first usable backup takes over.
			eqCounts(t, "actives down", pickN(b, 10, src, r), map[string]int{"s3": 10})
			b.SetUsable(ss[2], false)
			eqCounts(t, "first backup down", pickN(b, 10, src, r), map[string]int{"s4": 10})
			b.SetUsable(ss[3], false)
			eqCounts(t, "all down", pickN(b, 3, src, r), map[string]int{"<nil>": 3})
			b.SetUsable(ss[1], true)
			eqCounts(t, "s2 back", pickN(b, 10, src, r), map[string]int{"s2": 10})
			for _, s := range ss {
				if c := s.Conns(); c != 0 {
					t.Errorf("%s has %d conns after release", s.Name, c)
				}
			}
		})
	}
}

func TestAvoid(t *testing.T) {
	for algo := range algos {
		t.Run(algo, func(t *testing.T) {
			ss := farm(3)
			b, err := New(config.Balance{Algo: algo, Param: "p"}, ss, nil)
			if err != nil {
				t.Fatal(err)
			}
			src := netip.MustParseAddr("198.51.100.1")
			r := &req{uri: "/a?p=1", hdr: map[string]string{"p": "v"}}
			for range 30 {
				s := b.Pick(src, r, ss[0])
				if s == nil || s == ss[0] {
					t.Fatalf("Pick(avoid s1) = %v", s)
				}
				b.Release(s)
			}
			// Avoid is still used when it is the only server.
			b.SetUsable(ss[1], false)
			b.SetUsable(ss[2], false)
			if s := b.Pick(src, r, ss[0]); s != ss[0] {
				t.Errorf("Pick(avoid only server) = %v; want s1", s)
			}
		})
	}
}

func TestLeastConn(t *testing.T) {
	ss := farm(3)
	b := mustNew(t, "leastconn", ss, nil)
	// Equal load: servers in turn.
	var held []*Server
	for range 3 {
		held = append(held, b.Pick(netip.Addr{}, nil, nil))
	}
	if got := fmt.Sprint(held[0].Name, held[1].Name, held[2].Name); got != "s1s2s3" {
		t.Errorf("first picks = %s; want s1s2s3", got)
	}
	// Load s1 and s2 more: s3 is chosen until it catches up.
	b.Take(ss[0])
	b.Take(ss[1])
	if s := b.Pick(netip.Addr{}, nil, nil); s != ss[2] {
		t.Errorf("Pick = %v; want s3 (least loaded)", s)
	}
	// Now 2,2,2: release one of s2 -> s2 is least loaded.
	b.Release(ss[1])
	if s := b.Pick(netip.Addr{}, nil, nil); s != ss[1] {
		t.Errorf("Pick = %v; want s2 after its release", s)
	}
	for _, s := range ss {
		if c := s.Conns(); c != 2 {
			t.Errorf("%s conns = %d; want 2", s.Name, c)
		}
	}
}

func TestLeastConnWeighted(t *testing.T) {
	ss := farm(2)
	b := mustNew(t, "leastconn", ss, []int{1, 3})
	got := map[string]int{}
	for range 400 { // never released: the load follows the weights
		got[b.Pick(netip.Addr{}, nil, nil).Name]++
	}
	eqCounts(t, "held picks", got, map[string]int{"s1": 100, "s2": 300})
}

func TestFirst(t *testing.T) {
	ss := farm(3)
	// ids decide the order, not the declaration order.
	ss[0].ID, ss[1].ID, ss[2].ID = 3, 1, 2
	for _, s := range ss {
		s.Maxconn = 2
	}
	b := mustNew(t, "first", ss, nil)
	var got []string
	var held []*Server
	for range 7 {
		s := b.Pick(netip.Addr{}, nil, nil)
		if s == nil {
			got = append(got, "-")
			continue
		}
		got = append(got, s.Name)
		held = append(held, s)
	}
	if g := strings.Join(got, " "); g != "s2 s2 s3 s3 s1 s1 -" {
		t.Errorf("picks = %q; want fill by id then nil when full", g)
	}
	b.Release(held[2]) // one slot on s3
	if s := b.Pick(netip.Addr{}, nil, nil); s != ss[2] {
		t.Errorf("Pick after release on s3 = %v; want s3", s)
	}
	// Unlimited maxconn keeps everything on the first server.
	ss2 := farm(2)
	b2 := mustNew(t, "first", ss2, nil)
	for range 5 {
		if s := b2.Pick(netip.Addr{}, nil, nil); s != ss2[0] {
			t.Fatalf("Pick = %v; want s1", s)
		}
	}
}

func TestSourceStickyAndSpread(t *testing.T) {
	ss := farm(3)
	b := mustNew(t, "source", ss, nil)
	got := map[string]int{}
	for i := range 3000 {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		s1 := b.Pick(a, nil, nil)
		s2 := b.Pick(a, nil, nil)
		if s1 != s2 {
			t.Fatalf("source %v: %s then %s", a, s1.Name, s2.Name)
		}
		b.Release(s1)
		b.Release(s2)
		got[s1.Name]++
	}
	for _, s := range ss {
		if got[s.Name] < 800 || got[s.Name] > 1200 {
			t.Errorf("spread %v; want about 1000 each", got)
		}
	}
	// IPv4-mapped IPv6 hashes as the IPv4 address.
	a4 := netip.MustParseAddr("192.0.2.1")
	a6 := netip.MustParseAddr("::ffff:192.0.2.1")
	if x, y := b.Pick(a4, nil, nil), b.Pick(a6, nil, nil); x != y {
		t.Errorf("mapped address goes to %s, plain to %s", y.Name, x.Name)
	}
	// No address: round robin.
	eqCounts(t, "invalid src", pickN(b, 30, netip.Addr{}, nil), map[string]int{"s1": 10, "s2": 10, "s3": 10})
}

func TestURIHash(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    config.Balance
		same [][2]string // URIs that must hash alike
	}{
		{"default ignores query", config.Balance{Algo: "uri"}, [][2]string{{"/a/b?x=1", "/a/b?y=2"}}},
		{"len", config.Balance{Algo: "uri", URILen: 3}, [][2]string{{"/abc", "/abd"}, {"/ab", "/ab?q"}}},
		{"depth", config.Balance{Algo: "uri", URIDepth: 2}, [][2]string{{"/a/b/c", "/a/b/d"}, {"/a/b", "/a/b/"}}},
		{"raw args", config.Balance{Algo: "uri", Args: []string{"depth", "1"}}, [][2]string{{"/a/b", "/a/c"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bb, err := New(tc.b, farm(3), nil)
			if err != nil {
				t.Fatal(err)
			}
			u := bb.(*uri)
			for _, p := range tc.same {
				if u.hash([]byte(p[0])) != u.hash([]byte(p[1])) {
					t.Errorf("hash(%q) != hash(%q)", p[0], p[1])
				}
			}
		})
	}
	whole, _ := New(config.Balance{Algo: "uri", URIWhole: true}, farm(3), nil)
	if w := whole.(*uri); w.hash([]byte("/a?x=1")) == w.hash([]byte("/a?x=2")) {
		t.Error("uri whole: query string not hashed")
	}
	// Stickiness and spread.
	ss := farm(3)
	b := mustNew(t, "uri", ss, nil)
	got := map[string]int{}
	for i := range 3000 {
		r := &req{uri: fmt.Sprintf("/img/%d.png", i)}
		s1 := b.Pick(netip.Addr{}, r, nil)
		s2 := b.Pick(netip.Addr{}, r, nil)
		if s1 != s2 {
			t.Fatalf("uri %q: %s then %s", r.uri, s1.Name, s2.Name)
		}
		b.Release(s1)
		b.Release(s2)
		got[s1.Name]++
	}
	for _, s := range ss {
		if got[s.Name] < 800 || got[s.Name] > 1200 {
			t.Errorf("spread %v; want about 1000 each", got)
		}
	}
	eqCounts(t, "tcp mode", pickN(b, 30, netip.Addr{}, nil), map[string]int{"s1": 10, "s2": 10, "s3": 10})
}

func TestURLParamAndHdr(t *testing.T) {
	for _, tc := range []struct {
		b          config.Balance
		same, miss Request
	}{
		{config.Balance{Algo: "url_param", Param: "user"}, &req{uri: "/x?a=1&user=bob"}, &req{uri: "/x?a=1&users=bob"}},
		{config.Balance{Algo: "url_param", Args: []string{"user"}}, &req{uri: "/y?user=bob"}, &req{uri: "/y?user="}},
		{config.Balance{Algo: "hdr", Param: "X-Key"}, &req{hdr: map[string]string{"x-key": "k1"}}, &req{}},
		{config.Balance{Algo: "hdr(host)", Args: []string{"use_domain_only"}}, &req{hdr: map[string]string{"host": "www.1wt.eu:80"}}, &req{hdr: map[string]string{"host": ""}}},
	} {
		t.Run(tc.b.Algo+tc.b.Param, func(t *testing.T) {
			b, err := New(tc.b, farm(3), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := pickN(b, 10, netip.Addr{}, tc.same); len(got) != 1 {
				t.Errorf("hashed picks spread over %v; want one server", got)
			}
			eqCounts(t, "missing input: round robin", pickN(b, 30, netip.Addr{}, tc.miss), map[string]int{"s1": 10, "s2": 10, "s3": 10})
		})
	}
	for _, tc := range []struct{ in, want string }{
		{"www.1wt.eu:80", "1wt"}, {"1wt.eu", "1wt"}, {"localhost", "localhost"}, {"[::1]:80", "[::1]"}, {"[::1]", "[::1]"},
	} {
		if got := string(mainDomain([]byte(tc.in))); got != tc.want {
			t.Errorf("mainDomain(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ uri, name, want string }{
		{"/a?x=1&y=2", "y", "2"}, {"/a?xy=1&x=2", "x", "2"}, {"/a", "x", ""}, {"/a?x=1#frag", "x", "1"},
	} {
		if got := string(queryParam([]byte(tc.uri), []byte(tc.name))); got != tc.want {
			t.Errorf("queryParam(%q, %q) = %q; want %q", tc.uri, tc.name, got, tc.want)
		}
	}
}

func TestRandom(t *testing.T) {
	ss := farm(4)
	b := mustNew(t, "random", ss, []int{1, 1, 1, 0})
	got := pickN(b, 3000, netip.Addr{}, nil)
	for _, s := range ss[:3] {
		if got[s.Name] < 700 {
			t.Errorf("random spread %v; want every weighted server used", got)
		}
	}
	if got["s4"] != 0 {
		t.Errorf("weight-0 server picked %d times", got["s4"])
	}
	// With held connections, two choices prefer the less loaded server.
	b2 := mustNew(t, "random(2)", farm(2), nil)
	held := map[string]int{}
	for range 1000 {
		held[b2.Pick(netip.Addr{}, nil, nil).Name]++
	}
	if d := held["s1"] - held["s2"]; d < -50 || d > 50 {
		t.Errorf("random(2) with held conns: %v; want nearly equal", held)
	}
	if r := b2.(*random); r.draws != 2 {
		t.Errorf("random(2) draws = %d", r.draws)
	}
	b3, _ := New(config.Balance{Algo: "random", Args: []string{"5"}}, farm(2), nil)
	if r := b3.(*random); r.draws != 5 {
		t.Errorf("random 5 draws = %d", r.draws)
	}
}

func TestDynamic(t *testing.T) {
	for _, tc := range []struct {
		algo string
		want bool
	}{{"", true}, {"roundrobin", true}, {"leastconn", true}, {"static-rr", false}, {"source", false}, {"hdr(host)", false}, {"random(3)", true}} {
		if got := Dynamic(tc.algo); got != tc.want {
			t.Errorf("Dynamic(%q) = %v; want %v", tc.algo, got, tc.want)
		}
	}
}

// TestConcurrent runs picks, releases and state changes at once; run it
// with -race.
func TestConcurrent(t *testing.T) {
	for algo := range algos {
		t.Run(algo, func(t *testing.T) {
			ss := farm(5)
			ss[4].Backup = true
			b, err := New(config.Balance{Algo: algo, Param: "p"}, ss, nil)
			if err != nil {
				t.Fatal(err)
			}
			hammer(t, b, ss, 500)
		})
	}
}

// benchReq is a Request that does not allocate.
type benchReq struct{ uri, user []byte }

func (r *benchReq) URI() []byte { return r.uri }
func (r *benchReq) Header(name string) ([]byte, bool) {
	if name == "user" {
		return r.user, true
	}
	return nil, false
}

func BenchmarkPick(b *testing.B) {
	for _, algo := range []string{"roundrobin", "static-rr", "leastconn", "first", "source", "uri", "url_param", "hdr", "random"} {
		b.Run(algo, func(b *testing.B) {
			ss := farm(16)
			bal, err := New(config.Balance{Algo: algo, Param: "user"}, ss, nil)
			if err != nil {
				b.Fatal(err)
			}
			r := &benchReq{uri: []byte("/static/img/logo.png?user=alice"), user: []byte("alice")}
			src := netip.MustParseAddr("203.0.113.9")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				s := bal.Pick(src, r, nil)
				bal.Release(s)
			}
		})
	}
}

// hammer runs picks and releases from four goroutines while another
// changes servers' state and weight rounds times, then checks every
// connection was given back; run it with -race.
func hammer(t *testing.T, b Balancer, ss []*Server, rounds int) {
	t.Helper()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &req{uri: fmt.Sprintf("/%d?p=%d", g, g), hdr: map[string]string{"p": "v"}}
			src := netip.AddrFrom4([4]byte{10, 0, 0, byte(g)})
			for i := range 2000 {
				if s := b.Pick(src, r, ss[i%5]); s != nil {
					b.Release(s)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range rounds {
			b.SetUsable(ss[i%4], i%3 != 0)
			b.SetWeight(ss[(i+1)%4], i%7)
		}
	}()
	wg.Wait()
	for _, s := range ss {
		if c := s.Conns(); c != 0 {
			t.Errorf("%s: %d conns left", s.Name, c)
		}
	}
}
