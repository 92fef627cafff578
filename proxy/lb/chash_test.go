package lb

import (
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha/goha/config"
)

// consistent is a Balance with `hash-type consistent` (sdbm, avalanche).
func consistent(algo, param string) config.Balance {
	return config.Balance{Algo: algo, Param: param, Hash: config.HashType{Consistent: true, Avalanche: true}}
}

func mustCHash(t testing.TB, b config.Balance, ss []*Server, weights []int) Balancer {
	t.Helper()
	bal, err := New(b, ss, weights)
	if err != nil {
		t.Fatalf("New(%+v) = %v", b, err)
	}
	if _, ok := bal.(*chash); !ok {
		t.Fatalf("New(%+v) = %T; want consistent hashing", b, bal)
	}
	return bal
}

// assign maps each of n URIs /obj/i to the name of the server picked.
func assign(b Balancer, n int) []string {
	out := make([]string, n)
	for i := range out {
		s := b.Pick(netip.Addr{}, &req{uri: fmt.Sprintf("/obj/%d", i)}, nil)
		if s == nil {
			out[i] = "<nil>"
			continue
		}
		out[i] = s.Name
		b.Release(s)
	}
	return out
}

// TestCHashRemovingServerMovesOnlyItsKeys is issue 22's case 12: with
// map-based hashing, putting one of 4 servers in maintenance moved keys
// between healthy servers; consistent hashing moves only that server's,
// and they come back when it does.
func TestCHashRemovingServerMovesOnlyItsKeys(t *testing.T) {
	ss := farm(4)
	b := mustCHash(t, consistent("uri", ""), ss, nil)
	before := assign(b, 1000)
	b.SetUsable(ss[1], false)
	after := assign(b, 1000)
	onS2 := 0
	for i := range before {
		if before[i] == "s2" {
			onS2++
			if after[i] == "s2" {
				t.Fatalf("key %d still on s2 in maintenance", i)
			}
			continue
		}
		if after[i] != before[i] {
			t.Errorf("key %d moved from healthy %s to %s", i, before[i], after[i])
		}
	}
	if onS2 == 0 {
		t.Fatal("no key on s2 to begin with")
	}
	b.SetUsable(ss[1], true)
	if back := assign(b, 1000); strings.Join(back, " ") != strings.Join(before, " ") {
		t.Error("keys did not return to their servers after s2 came back")
	}
}

// TestCHashWeightsProportional checks that the share of keys follows the
// weights, and that a weight change moves keys only to or from the server
// whose weight changed.
func TestCHashWeightsProportional(t *testing.T) {
	ss := farm(4)
	// With 16 points per unit of weight, shares only follow the weights
	// closely with many points, as in HAProxy.
	weights := []int{10, 20, 30, 40}
	b := mustCHash(t, consistent("uri", ""), ss, weights)
	const n = 20000
	got := map[string]int{}
	before := assign(b, n)
	for _, name := range before {
		got[name]++
	}
	for i, s := range ss {
		want := float64(n) * float64(weights[i]) / 100
		if d := math.Abs(float64(got[s.Name])-want) / want; d > 0.15 {
			t.Errorf("%s (weight %d): %d keys; want about %.0f", s.Name, weights[i], got[s.Name], want)
		}
	}
	b.SetWeight(ss[3], 80)
	after := assign(b, n)
	gained := 0
	for i := range before {
		if after[i] == before[i] {
			continue
		}
		if after[i] != "s4" {
			t.Fatalf("key %d moved from %s to %s; only s4 changed weight", i, before[i], after[i])
		}
		gained++
	}
	if gained == 0 {
		t.Error("doubling s4's weight moved no key to it")
	}
}

// TestCHashBalanceFactor checks hash-balance-factor: with every request
// hashing to the same server and connections held, no server serves more
// than ceil(factor% of its share), and the load spills over to others.
func TestCHashBalanceFactor(t *testing.T) {
	for _, factor := range []int{125, 150, 200} {
		t.Run(fmt.Sprint(factor), func(t *testing.T) {
			ss := farm(4)
			bc := consistent("uri", "")
			bc.Hash.BalanceFactor = factor
			b := mustCHash(t, bc, ss, nil)
			r := &req{uri: "/same/key"}
			var held []*Server
			for range 40 {
				s := b.Pick(netip.Addr{}, r, nil)
				if s == nil {
					t.Fatal("no server")
				}
				held = append(held, s)
				total := len(held)
				// Each of the 4 equal servers may hold up to
				// ceil(total*factor/100)/4, rounded up, at least 1.
				limit := int(math.Ceil(math.Ceil(float64(total*factor)/100) / 4))
				for _, x := range ss {
					if c := int(x.Conns()); c > max(limit, 1) {
						t.Fatalf("after %d picks %s holds %d connections; bound %d", total, x.Name, c, limit)
					}
				}
			}
			// The key's own server filled up to its bound before the
			// load spilled over to the others.
			// Its share of the slots is a quarter, rounded either way.
			slots := (len(held)*factor + 99) / 100
			limit := (slots + 3) / 4
			if c := int(held[0].Conns()); c < slots/4 || c > limit {
				t.Errorf("%s, the key's server, holds %d; want its bound %d or %d", held[0].Name, c, slots/4, limit)
			}
			used := 0
			for _, x := range ss {
				if x.Conns() > 0 {
					used++
				}
			}
			if want := (len(held) + limit - 1) / limit; used < want {
				t.Errorf("one hot key spread over %d servers; want at least %d", used, want)
			}
			for _, s := range held {
				b.Release(s)
			}
			// With nothing held, the key goes back to its own server.
			first := b.Pick(netip.Addr{}, r, nil)
			b.Release(first)
			if first != held[0] {
				t.Errorf("idle pick went to %s; want %s", first.Name, held[0].Name)
			}
		})
	}
}

// TestCHashWithoutFactorIgnoresLoad checks that without a balance factor
// a hot key stays on its server whatever its load.
func TestCHashWithoutFactorIgnoresLoad(t *testing.T) {
	ss := farm(4)
	b := mustCHash(t, consistent("uri", ""), ss, nil)
	r := &req{uri: "/same/key"}
	first := b.Pick(netip.Addr{}, r, nil)
	for range 20 {
		if s := b.Pick(netip.Addr{}, r, nil); s != first {
			t.Fatalf("pick went to %s; want %s", s.Name, first.Name)
		}
	}
}

// TestCHashAvoidAndFallback checks redispatch (avoid is skipped while
// another server is usable), the round-robin fallback without a hash
// input, backups, and an empty farm.
func TestCHashAvoidAndFallback(t *testing.T) {
	ss := farm(3)
	b := mustCHash(t, consistent("url_param", "id"), ss, nil)
	r := &req{uri: "/x?id=42"}
	home := b.Pick(netip.Addr{}, r, nil)
	b.Release(home)
	for range 10 {
		s := b.Pick(netip.Addr{}, r, home)
		if s == nil || s == home {
			t.Fatalf("pick avoiding %s = %v", home.Name, s)
		}
		b.Release(s)
	}
	got := pickN(b, 3000, netip.Addr{}, &req{uri: "/x?other=1"})
	for _, s := range ss {
		if got[s.Name] < 700 {
			t.Errorf("round-robin fallback: %v; want about 1000 each", got)
			break
		}
	}
	// A lone server is returned even when it is the one to avoid.
	b.SetUsable(ss[1], false)
	b.SetUsable(ss[2], false)
	if s := b.Pick(netip.Addr{}, r, ss[0]); s != ss[0] {
		t.Errorf("lone server avoided: got %v", s)
	} else {
		b.Release(s)
	}
	b.SetUsable(ss[0], false)
	if s := b.Pick(netip.Addr{}, r, nil); s != nil {
		t.Errorf("no usable server: got %s", s.Name)
	}
	bk := farm(5)
	bk[3].Backup, bk[4].Backup = true, true
	b = mustCHash(t, consistent("uri", ""), bk, nil)
	for i := range 3 {
		b.SetUsable(bk[i], false)
	}
	if got := pickN(b, 50, netip.Addr{}, r); got["s4"] != 50 {
		t.Errorf("all actives down: %v; want all on the first backup s4", got)
	}
}

// TestCHashMatchesHAProxy replays the assignments recorded from HAProxy
// 2.6 by testdata/chash/gen.py: each file's backend is parsed with goha's
// config package and every key must reach the server HAProxy chose.
func TestCHashMatchesHAProxy(t *testing.T) {
	files, err := filepath.Glob("testdata/chash/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no reference files: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cfgText, keys, ok := strings.Cut(string(data), "----\n")
			if !ok {
				t.Fatalf("%s: no ---- line", f)
			}
			b, byName := backendFromConfig(t, cfgText)
			kind := map[string]string{"source": "source", "hdr": "host"}[strings.SplitN(b.algo, "(", 2)[0]]
			n, bad := 0, 0
			for line := range strings.Lines(keys) {
				key, want, _ := strings.Cut(strings.TrimSpace(line), " ")
				if byName[want] == nil {
					t.Fatalf("%s: unknown server %q", f, want)
				}
				var src netip.Addr
				r := &req{uri: "/", hdr: map[string]string{"host": "x"}}
				switch kind {
				case "source":
					src = netip.MustParseAddr(key)
				case "host":
					r.hdr["host"] = key
				default:
					r.uri = key
				}
				s := b.bal.Pick(src, r, nil)
				n++
				if s == nil || s.Name != want {
					if bad++; bad <= 5 {
						t.Errorf("key %q: goha picks %v; HAProxy picked %s", key, s, want)
					}
				}
				if s != nil {
					b.bal.Release(s)
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d keys elsewhere than HAProxy", bad, n)
			}
		})
	}
}

// refBackend is a balancer built from a reference file's backend.
type refBackend struct {
	algo string
	bal  Balancer
}

// backendFromConfig parses a backend section "be" and builds its balancer
// the way the proxy does: ids and weights from the config, disabled
// servers put in maintenance.
func backendFromConfig(t *testing.T, text string) (refBackend, map[string]*Server) {
	t.Helper()
	cfg, err := config.Parse([]config.Source{{Name: "ref.cfg", Data: []byte(text)}}, config.ParseOptions{})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var be *config.Proxy
	for _, p := range cfg.Proxies {
		if p.Name == "be" {
			be = p
		}
	}
	if be == nil {
		t.Fatal("no backend be")
	}
	var ss []*Server
	var weights []int
	byName := map[string]*Server{}
	for _, sc := range be.Servers {
		s := &Server{Name: sc.Name, ID: sc.ID, Backup: sc.Backup}
		ss = append(ss, s)
		byName[sc.Name] = s
		w := sc.Weight
		if w < 0 {
			w = 1
		}
		weights = append(weights, w)
	}
	bal := mustCHash(t, be.Balance, ss, weights)
	for i, sc := range be.Servers {
		if sc.Disabled {
			bal.SetUsable(ss[i], false)
		}
	}
	return refBackend{algo: be.Balance.Algo, bal: bal}, byName
}

// TestCHashHashFunctions pins HAProxy's hash functions on known values
// (computed with HAProxy 2.6's hash.c and tools.h).
func TestCHashHashFunctions(t *testing.T) {
	for _, tc := range []struct {
		fn   string
		in   string
		want uint32
	}{
		{"sdbm", "", 0},
		{"djb2", "", 5381},
		{"crc32", "123456789", 0xcbf43926},
		{"wt6", "", 0xa53c965a ^ 0x5ca6953a},
	} {
		if got := hashFuncs[tc.fn]([]byte(tc.in)); got != tc.want {
			t.Errorf("%s(%q) = %#x; want %#x", tc.fn, tc.in, got, tc.want)
		}
	}
	// fullHash is a bijection: no two of the first million inputs collide
	// (server points never share a position).
	seen := make(map[uint32]bool, 1<<20)
	for i := range uint32(1 << 20) {
		h := fullHash(i)
		if seen[h] {
			t.Fatalf("fullHash collision at %d", i)
		}
		seen[h] = true
	}
}

// TestCHashConcurrent runs picks, releases and state changes at once for
// every consistent-hash algorithm and bounded loads; run it with -race.
func TestCHashConcurrent(t *testing.T) {
	for algo := range chashAlgos {
		t.Run(algo, func(t *testing.T) {
			ss := farm(5)
			ss[4].Backup = true
			bc := consistent(algo, "p")
			bc.Hash.BalanceFactor = 150
			b := mustCHash(t, bc, ss, nil)
			hammer(t, b, ss, 300)
			if c := b.(*chash).served.Load(); c != 0 {
				t.Errorf("backend: %d conns left", c)
			}
		})
	}
}

// TestDynamicBalance: consistent hashing makes the hash algorithms'
// weights dynamic, as in HAProxy; map-based ones stay static.
func TestDynamicBalance(t *testing.T) {
	for _, tc := range []struct {
		b    config.Balance
		want bool
	}{
		{config.Balance{Algo: "uri"}, false},
		{consistent("uri", ""), true},
		{consistent("hdr(host)", ""), true},
		{consistent("static-rr", ""), false},
		{config.Balance{Algo: "leastconn"}, true},
	} {
		if got := DynamicBalance(tc.b); got != tc.want {
			t.Errorf("DynamicBalance(%+v) = %v; want %v", tc.b, got, tc.want)
		}
	}
}

func TestCHashPickAllocs(t *testing.T) {
	ss := farm(8)
	for algo := range chashAlgos {
		bc := consistent(algo, "user")
		bc.Hash.BalanceFactor = 150
		b := mustCHash(t, bc, ss, nil)
		r := &benchReq{uri: []byte("/static/img/logo.png?user=alice"), user: []byte("alice")}
		src := netip.MustParseAddr("203.0.113.9")
		if n := testing.AllocsPerRun(200, func() { b.Release(b.Pick(src, r, nil)) }); n != 0 {
			t.Errorf("%s: %v allocations per pick", algo, n)
		}
	}
}

func BenchmarkCHash(b *testing.B) {
	ss := farm(16)
	bal := mustCHash(b, consistent("uri", ""), ss, nil)
	r := &benchReq{uri: []byte("/static/img/logo.png?user=alice")}
	b.Run("pick", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bal.Release(bal.Pick(netip.Addr{}, r, nil))
		}
	})
	// A state change on a large farm: 100 servers of weight 256 are
	// 409,600 ring points.
	big := farm(100)
	w := make([]int, len(big))
	for i := range w {
		w[i] = MaxWeight
	}
	bb := mustCHash(b, consistent("uri", ""), big, w)
	b.Run("rebuild-100x256", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			bb.SetUsable(big[0], i%2 == 1)
		}
	})
}
