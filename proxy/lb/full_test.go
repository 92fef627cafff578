package lb

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/goha/goha/config"
)

// freeChoice lists the algorithms that choose a server freely (no key to
// hash, or a hash algorithm without its key): they must skip full servers.
var freeChoice = []string{"roundrobin", "static-rr", "leastconn", "first", "random", "uri", "url_param", "hdr", "source"}

// freeChoiceBalances is freeChoice as balance settings, with the hash
// algorithms also under hash-type consistent.
func freeChoiceBalances() map[string]config.Balance {
	m := map[string]config.Balance{}
	for _, a := range freeChoice {
		m[a] = config.Balance{Algo: a, Param: "p"}
		if _, ok := chashAlgos[a]; ok {
			m[a+"/consistent"] = config.Balance{Algo: a, Param: "p", Hash: config.HashType{Consistent: true}}
		}
	}
	return m
}

// TestPickSkipsFullServers: with every server at maxconn 1, a held pick
// per server fills the farm; the next pick finds no room (nil: the
// request waits in the backend queue) instead of returning a full server,
// and a released slot is found again.
func TestPickSkipsFullServers(t *testing.T) {
	for algo, bc := range freeChoiceBalances() {
		t.Run(algo, func(t *testing.T) {
			ss := farm(3)
			for _, s := range ss {
				s.Maxconn = 1
			}
			b, err := New(bc, ss, nil)
			if err != nil {
				t.Fatal(err)
			}
			// No source address and no request: the hash algorithms use
			// their round-robin fallback.
			seen := map[*Server]bool{}
			for i := range 3 {
				s := b.Pick(netip.Addr{}, nil, nil)
				if s == nil || seen[s] {
					t.Fatalf("pick %d = %s with %d servers held; want a free server", i+1, name(s), len(seen))
				}
				seen[s] = true
			}
			for range 5 {
				if s := b.Pick(netip.Addr{}, nil, nil); s != nil {
					t.Fatalf("Pick with every server full = %s (conns %d); want nil", s.Name, s.Conns())
				}
			}
			b.Release(ss[1])
			if s := b.Pick(netip.Addr{}, nil, nil); s != ss[1] {
				t.Fatalf("Pick after s2 freed a slot = %s; want s2", name(s))
			}
			for _, s := range ss {
				if c := s.Conns(); c != 1 {
					t.Errorf("%s conns = %d; want 1 (never over maxconn)", s.Name, c)
				}
			}
		})
	}
}

// TestPickSkipsFullWithAvoid: a full server is skipped, and so is avoid
// while another server has room; avoid is used when it is the only one.
func TestPickSkipsFullWithAvoid(t *testing.T) {
	for algo, bc := range freeChoiceBalances() {
		t.Run(algo, func(t *testing.T) {
			ss := farm(3)
			ss[0].Maxconn = 1
			b, err := New(bc, ss, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !TryTake(b, ss[0]) {
				t.Fatal("TryTake(s1) on an idle server failed")
			}
			if TryTake(b, ss[0]) {
				t.Fatal("TryTake(s1) at maxconn 1 succeeded")
			}
			for range 20 {
				s := b.Pick(netip.Addr{}, nil, ss[1])
				if s != ss[2] {
					t.Fatalf("Pick(avoid s2) with s1 full = %s; want s3", name(s))
				}
				b.Release(s)
			}
			b.SetUsable(ss[2], false)
			if s := b.Pick(netip.Addr{}, nil, ss[1]); s != ss[1] {
				t.Fatalf("Pick(avoid s2) with s1 full and s3 down = %s; want s2", name(s))
			}
		})
	}
}

// TestRoundRobinFullLosesTurn: a full server loses its turn (as in
// HAProxy's fwrr) instead of getting a burst of catch-up picks when it
// frees a slot.
func TestRoundRobinFullLosesTurn(t *testing.T) {
	ss := farm(3)
	ss[0].Maxconn = 1
	b := mustNew(t, "roundrobin", ss, nil)
	held := b.Pick(netip.Addr{}, nil, nil)
	if held != ss[0] {
		t.Fatalf("first pick = %s; want s1", name(held))
	}
	if got := seq(b, 8); got != "s2 s3 s2 s3 s2 s3 s2 s3" {
		t.Fatalf("picks with s1 full = %q", got)
	}
	b.Release(held)
	if got := seq(b, 6); got != "s1 s2 s3 s1 s2 s3" {
		t.Errorf("picks after s1 freed = %q; want plain turns", got)
	}
}

// TestHashBindsToFullServer: a hash algorithm with its key keeps the
// request on the server the key maps to, full or not (the caller then
// waits for that server), and reports it as overbooked.
func TestHashBindsToFullServer(t *testing.T) {
	for _, algo := range []string{"uri", "url_param", "hdr", "source"} {
		for _, consistent := range []bool{false, true} {
			bc := config.Balance{Algo: algo, Param: "p", Hash: config.HashType{Consistent: consistent}}
			t.Run(fmt.Sprintf("%s/consistent=%v", algo, consistent), func(t *testing.T) { testHashBinds(t, bc) })
		}
	}
}

func testHashBinds(t *testing.T, bc config.Balance) {
	ss := farm(3)
	for _, s := range ss {
		s.Maxconn = 1
	}
	b, err := New(bc, ss, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddr("198.51.100.7")
	r := &req{uri: "/k?p=1", hdr: map[string]string{"p": "v"}}
	s := b.Pick(src, r, nil)
	if s == nil || s.Overbooked() {
		t.Fatalf("first Pick = %s", name(s))
	}
	again := b.Pick(src, r, nil)
	if again != s || !s.Overbooked() {
		t.Fatalf("second Pick of the same key = %s (overbooked %v); want %s, overbooked", name(again), s.Overbooked(), s.Name)
	}
}

// TestSkipFullConcurrent: concurrent picks never count more connections
// on a server than its maxconn; run with -race.
func TestSkipFullConcurrent(t *testing.T) {
	for algo, bc := range freeChoiceBalances() {
		t.Run(algo, func(t *testing.T) {
			ss := farm(3)
			for _, s := range ss {
				s.Maxconn = 2
			}
			b, err := New(bc, ss, nil)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			var over []string
			for range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 3000 {
						s := b.Pick(netip.Addr{}, nil, nil)
						if s == nil {
							continue
						}
						if s.Conns() > 2 {
							mu.Lock()
							over = append(over, s.Name)
							mu.Unlock()
						}
						b.Release(s)
					}
				}()
			}
			wg.Wait()
			if len(over) > 0 {
				t.Errorf("%d picks saw a server over maxconn 2 (%v...)", len(over), over[0])
			}
		})
	}
}

// name is s's name, or "<nil>".
func name(s *Server) string {
	if s == nil {
		return "<nil>"
	}
	return s.Name
}
