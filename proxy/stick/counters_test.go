package stick

import (
	"net/netip"
	"sync"
	"testing"
)

// TestCountersLifecycle: a per-request counter is released by
// EndRequest, a connection's by Release; a busy counter is not
// re-tracked; Count reaches every tracked entry; conn_cur follows.
func TestCountersLifecycle(t *testing.T) {
	c := &fakeClock{}
	c.set(1)
	tb := table(t, "type ip size 1k expire 1m store conn_cur,http_req_cnt", c)
	k := mustKeyAddr(t, tb, "10.0.0.1")
	ctr := &Counters{Set: NewSet(tb), Own: tb}
	if !ctr.Track(0, tb, k, false) || !ctr.Track(1, tb, k, true) {
		t.Fatal("tracking two free counters failed")
	}
	if ctr.Track(0, tb, k, false) {
		t.Error("a busy counter was tracked again")
	}
	ctr.Count(EvHTTPReq, 1)
	if n, _ := tb.ReadKey(k, HTTPReqCnt, 0); n != 2 {
		t.Errorf("http_req_cnt = %d after one Count on two counters of one entry; want 2", n)
	}
	if n, _ := tb.ReadKey(k, ConnCur, 0); n != 2 {
		t.Errorf("conn_cur = %d with two trackers; want 2", n)
	}
	ctr.EndRequest()
	if ctr.SC[1].E != nil || ctr.SC[0].E == nil {
		t.Error("EndRequest must release only the per-request counter")
	}
	if n, _ := tb.ReadKey(k, ConnCur, 0); n != 1 {
		t.Errorf("conn_cur = %d after EndRequest; want 1", n)
	}
	ctr.Release()
	if ctr.Tracking() {
		t.Error("Release left a counter tracking")
	}
	if n, _ := tb.ReadKey(k, ConnCur, 0); n != 0 {
		t.Errorf("conn_cur = %d after Release; want 0", n)
	}
}

func mustKeyAddr(t *testing.T, tb *Table, a string) Key {
	t.Helper()
	k, err := tb.KeyAddr(netip.MustParseAddr(a))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestFetchEval: sc_*, scN_* and src_* fetches read through a counter,
// another table, or the source address; untracked counters find
// nothing, sc_tracked says so, inc/clr change gpc0.
func TestFetchEval(t *testing.T) {
	c := &fakeClock{}
	c.set(1)
	set := parseTables(t, "backend a\n  stick-table type ip size 1k expire 1m store gpc0,http_req_cnt\nbackend b\n  stick-table type ip size 1k expire 1m store http_req_cnt\n", c)
	a := set.Find("a")
	src := netip.MustParseAddr("10.0.0.2")
	ctr := &Counters{Set: set, Own: a}
	fetch := func(name, arg string) (int64, bool) {
		t.Helper()
		f, err := CompileFetch(name, arg)
		if err != nil {
			t.Fatalf("CompileFetch(%s, %q): %v", name, arg, err)
		}
		return f.Eval(ctr, src)
	}
	if _, ok := fetch("sc0_http_req_cnt", ""); ok {
		t.Error("sc0_http_req_cnt found a value on an untracked counter")
	}
	if v, ok := fetch("sc_tracked", "0"); !ok || v != 0 {
		t.Errorf("sc_tracked(0) = %d, %v; want 0, true", v, ok)
	}
	ctr.Track(0, a, mustKeyAddr(t, a, "10.0.0.2"), false)
	ctr.Count(EvHTTPReq, 3)
	for _, tc := range []struct {
		name, arg string
		want      int64
		ok        bool
	}{
		{"sc_http_req_cnt", "0", 3, true},
		{"sc0_http_req_cnt", "", 3, true},
		{"src_http_req_cnt", "", 3, true},
		{"src_http_req_cnt", "b", 0, true},
		{"sc0_http_req_cnt", "b", 0, true},
		{"sc1_http_req_cnt", "", 0, false},
		{"sc0_inc_gpc0", "", 1, true},
		{"sc0_get_gpc0", "", 1, true},
		{"sc0_clr_gpc0", "", 1, true},
		{"sc0_get_gpc0", "", 0, true},
		{"sc_trackers", "0", 1, true},
		{"src_http_req_cnt", "nosuch", 0, false},
	} {
		if v, ok := fetch(tc.name, tc.arg); v != tc.want || ok != tc.ok {
			t.Errorf("%s(%s) = %d, %v; want %d, %v", tc.name, tc.arg, v, ok, tc.want, tc.ok)
		}
	}
	ctr.Release()
}

// TestCountersConcurrent: many connections' counters tracking, counting
// and releasing the same entries at once (run with -race) leave the
// counts exact and conn_cur at 0.
func TestCountersConcurrent(t *testing.T) {
	c := &fakeClock{}
	c.set(1)
	tb := table(t, "type ip size 1k expire 1m store conn_cur,http_req_cnt", c)
	set := NewSet(tb)
	f, err := CompileFetch("sc0_http_req_cnt", "")
	if err != nil {
		t.Fatal(err)
	}
	const workers, per = 8, 300
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := netip.AddrFrom4([4]byte{10, 0, 0, byte(w % 3)})
			for range per {
				ctr := &Counters{Set: set, Own: tb}
				k, _ := tb.KeyAddr(src)
				ctr.Track(0, tb, k, true)
				ctr.Count(EvHTTPReq, 1)
				f.Eval(ctr, src)
				ctr.EndRequest()
				ctr.Release()
			}
		}()
	}
	wg.Wait()
	var total int64
	for i := range 3 {
		k, _ := tb.KeyAddr(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}))
		n, _ := tb.ReadKey(k, HTTPReqCnt, 0)
		cur, _ := tb.ReadKey(k, ConnCur, 0)
		total += n
		if cur != 0 {
			t.Errorf("conn_cur of 10.0.0.%d = %d after every release; want 0", i, cur)
		}
	}
	if total != workers*per {
		t.Errorf("http_req_cnt total = %d; want %d", total, workers*per)
	}
}
