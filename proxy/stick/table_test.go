package stick

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/config"
)

// TestFreqExact checks rates against values computed by hand from
// HAProxy's freq_ctr: events of the current period plus the previous
// period's weighted by the part of the current one still to run.
func TestFreqExact(t *testing.T) {
	const p = 10000
	var f Freq
	f.Add(100000, p, 1) // first event: the period starts at 100000
	f.Add(100500, p, 1)
	f.Add(101000, p, 1)
	tests := []struct {
		now  uint32
		want uint32
	}{
		{101000, 3}, // curr 3
		{109999, 3}, // still the first period
		{110000, 3}, // past 3 * remain 10000 / 10000 (next period, nothing yet)
		{112500, 2}, // 3 * 7500 / 10000 = 2.25
		{117000, 0}, // 3 * 3000 / 10000 = 0.9
		{120000, 0}, // two periods later: nothing
	}
	for _, tt := range tests {
		if got := f.Rate(tt.now, p); got != tt.want {
			t.Errorf("Rate(%d) = %d; want %d", tt.now, got, tt.want)
		}
	}
	// an event in the second period: rotation keeps 3 as the past
	f.Add(112500, p, 1)
	if f.Tick != 110000 || f.Prev != 3 || f.Curr != 1 {
		t.Errorf("after rotation: %+v; want tick 110000 prev 3 curr 1", f)
	}
	if got := f.Rate(115000, p); got != 2 { // 3*5000/10000 + 1 = 2.5
		t.Errorf("Rate(115000) = %d; want 2", got)
	}
	// two periods missed: past forgotten, tick = now with the low bit clear
	f.Add(140001, p, 2)
	if f.Tick != 140000 || f.Prev != 0 || f.Curr != 2 {
		t.Errorf("after a long pause: %+v; want tick 140000 prev 0 curr 2", f)
	}
	// a lone past event counts whole (HAProxy's anti-flapping)
	g := Freq{Tick: 0, Curr: 1}
	if got := g.Rate(p+p/2, p); got != 1 {
		t.Errorf("one past event, half a period later: %d; want 1", got)
	}
	// the millisecond tick wraps at 32 bits as HAProxy's does
	var w Freq
	w.Add(0xffffff00, p, 5)
	if got := w.Rate(0x100, p); got != 5 {
		t.Errorf("across the wrap: %d; want 5", got)
	}
}

// TestRateLimitBurst is the acceptance check's burst: 30 requests in a
// row, each counted then read, over 'sc_http_req_rate(0) gt 10'.
func TestRateLimitBurst(t *testing.T) {
	c := &fakeClock{}
	c.set(7)
	tb := table(t, "type ip size 100k expire 30s store http_req_rate(10s)", c)
	k, _ := tb.KeyAddr(mustAddr("127.0.0.1"))
	var codes []string
	for range 30 {
		e, err := tb.Track(k)
		if err != nil {
			t.Fatal(err)
		}
		tb.Count(e, EvHTTPReq, 1)
		r, _ := tb.Read(e, HTTPReqRate, 0)
		codes = append(codes, map[bool]string{true: "429", false: "200"}[r > 10])
		tb.Untrack(e)
		c.advance(3)
	}
	if got := strings.Join(codes, ","); strings.Count(got, "200") != 10 || !strings.HasPrefix(got, strings.Repeat("200,", 10)) {
		t.Errorf("burst = %s; want 10 x 200 then 20 x 429", got)
	}
}

// TestDataTypes runs every stored data type through its operation and
// reads it back, and checks the table against config's.
func TestDataTypes(t *testing.T) {
	if len(config.StickDataTypes) != int(numDataTypes) {
		t.Fatalf("config has %d data types, stick %d", len(config.StickDataTypes), numDataTypes)
	}
	for i, row := range config.StickDataTypes {
		if dataTypes[i].name != row.Name || dataTypes[i].arg != row.Arg {
			t.Errorf("data type %d: stick %q/%v, config %q/%v", i, dataTypes[i].name, dataTypes[i].arg, row.Name, row.Arg)
		}
	}
	c := &fakeClock{}
	c.set(1000)
	all := "server_id,gpt0,gpc0,gpc0_rate(10s),conn_cnt,conn_rate(10s),conn_cur,sess_cnt,sess_rate(10s),http_req_cnt,http_req_rate(10s)," +
		"http_err_cnt,http_err_rate(10s),bytes_in_cnt,bytes_in_rate(10s),bytes_out_cnt,bytes_out_rate(10s),gpc1,gpc1_rate(10s),server_key,http_fail_cnt,http_fail_rate(10s)"
	tb := table(t, "type integer size 10 store "+all, c)
	k, _ := tb.KeyInt(42)
	e, _ := tb.Track(k)
	tb.Count(e, EvSess, 1)
	tb.Count(e, EvHTTPReq, 2)
	tb.Count(e, EvHTTPErr, 3)
	tb.Count(e, EvHTTPFail, 4)
	tb.Count(e, EvBytesIn, 5_000_000_000)
	tb.Count(e, EvBytesOut, 6)
	tb.IncGPC(e, false, 0)
	tb.IncGPC(e, false, 1)
	tb.IncGPC(e, false, 1)
	tb.SetGPT(e, false, 0, 9)
	tests := []struct {
		d    DataType
		want int64
	}{
		{GPT0, 9}, {GPC0, 1}, {GPC0Rate, 1}, {ConnCnt, 1}, {ConnRate, 1}, {ConnCur, 1}, {SessCnt, 1}, {SessRate, 1},
		{HTTPReqCnt, 2}, {HTTPReqRate, 2}, {HTTPErrCnt, 3}, {HTTPErrRate, 3}, {BytesInCnt, 5_000_000_000}, {BytesInRate, 705032704},
		{BytesOutCnt, 6}, {BytesOutRate, 6}, {GPC1, 2}, {GPC1Rate, 2}, {HTTPFailCnt, 4}, {HTTPFailRate, 4}, {ServerID, 0},
	}
	for _, tt := range tests {
		if got, err := tb.Read(e, tt.d, 0); err != nil || got != tt.want {
			t.Errorf("Read(%s) = %d, %v; want %d", tt.d, got, err, tt.want)
		}
	}
	tb.Untrack(e)
	if got, _ := tb.ReadKey(k, ConnCur, 0); got != 0 {
		t.Errorf("conn_cur after Untrack = %d; want 0", got)
	}
	if err := tb.StoreServer(k, 3, "s3"); err != nil {
		t.Fatal(err)
	}
	if id, key, ok := tb.MatchServer(k); id != 3 || key != "s3" || !ok {
		t.Errorf("MatchServer = %d %q %v; want 3 s3 true", id, key, ok)
	}
	if _, err := tb.ReadKey(k, GPT, 0); err != ErrNotStored {
		t.Errorf("ReadKey(gpt) on a table without it: %v; want ErrNotStored", err)
	}
}

// TestArrays: gpc(n), gpc_rate(n), gpt(n), and gpc0/gpc1/gpt0 standing
// for their elements when only the arrays are stored.
func TestArrays(t *testing.T) {
	c := &fakeClock{}
	c.set(1000)
	tb := table(t, "type string len 8 size 10 store gpt(3),gpc(2),gpc_rate(2,10s)", c)
	e, _ := tb.Get(tb.KeyString("k"))
	tb.IncGPC(e, true, 1)
	tb.IncGPC(e, false, 0) // sc-inc-gpc0 goes to gpc[0]
	tb.SetGPT(e, true, 2, 7)
	tb.SetGPT(e, false, 0, 5) // sc-set-gpt0 goes to gpt[0]
	tests := []struct {
		d    DataType
		idx  int
		want int64
	}{{GPC, 0, 1}, {GPC, 1, 1}, {GPCRate, 1, 1}, {GPC0, 0, 1}, {GPC1Rate, 0, 1}, {GPT, 2, 7}, {GPT0, 0, 5}}
	for _, tt := range tests {
		if got, err := tb.Read(e, tt.d, tt.idx); err != nil || got != tt.want {
			t.Errorf("Read(%s, %d) = %d, %v; want %d", tt.d, tt.idx, got, err, tt.want)
		}
	}
	if _, ok := tb.IncGPC(e, true, 5); ok {
		t.Error("IncGPC past the array: ok")
	}
	tb.Release(e)
}

// TestKeys: HAProxy's normalisation of keys of each type.
func TestKeys(t *testing.T) {
	c := &fakeClock{}
	tests := []struct {
		line, in string
		want     string // as show table prints it; "!" for an error
	}{
		{"type ip size 1", "::ffff:10.0.0.1", "10.0.0.1"},
		{"type ip size 1", "2001:db8::1", "!"},
		{"type ipv6 size 1", "10.0.0.1", "::ffff:10.0.0.1"},
		{"type string len 4 size 1", "abcdefgh", "abcd"},
		{"type binary len 4 size 1", "\x01\x02", "01020000"},
		{"type binary len 2 size 1", "\x01\x02\x03", "0102"},
	}
	for _, tt := range tests {
		tb := table(t, tt.line, c)
		var k Key
		var err error
		switch tb.keyType {
		case KeyIP, KeyIPv6:
			k, err = tb.KeyAddr(mustAddr(tt.in))
		case KeyString:
			k = tb.KeyString(tt.in)
		default:
			k = tb.KeyBytes([]byte(tt.in))
		}
		got := "!"
		if err == nil {
			got = string(tb.formatKey(nil, k))
		}
		if got != tt.want {
			t.Errorf("%s: key %q = %q; want %q", tt.line, tt.in, got, tt.want)
		}
	}
}

// TestEvictionInUse: a full table evicts the oldest entries nobody
// tracks, never one in use, and fails when all are in use; nopurge
// never evicts.
func TestEvictionInUse(t *testing.T) {
	c := &fakeClock{}
	c.set(1)
	tb := table(t, "type integer size 4 store conn_cur", c)
	var held []*Entry
	for i := range 4 {
		k, _ := tb.KeyInt(int64(i))
		e, err := tb.Track(k)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, e)
		c.advance(1)
	}
	k4, _ := tb.KeyInt(4)
	if _, err := tb.Track(k4); err != ErrFull {
		t.Fatalf("Track on a full table of tracked entries: %v; want ErrFull", err)
	}
	tb.Untrack(held[2]) // now the only one evictable, though not the oldest
	e4, err := tb.Track(k4)
	if err != nil {
		t.Fatalf("Track after one Untrack: %v", err)
	}
	k2, _ := tb.KeyInt(2)
	if tb.Lookup(k2) != nil {
		t.Error("entry 2 was not the one evicted")
	}
	for _, i := range []int64{0, 1, 3} {
		k, _ := tb.KeyInt(i)
		if e := tb.Lookup(k); e == nil {
			t.Errorf("tracked entry %d evicted", i)
		} else {
			tb.releaseQuiet(e)
		}
	}
	tb.Untrack(e4)
	if tb.Used() != 4 {
		t.Errorf("used = %d; want 4", tb.Used())
	}
	np := table(t, "type integer size 1 nopurge", c)
	k0, _ := np.KeyInt(0)
	e, _ := np.Get(k0)
	np.Release(e)
	k1, _ := np.KeyInt(1)
	if _, err := np.Get(k1); err != ErrFull {
		t.Errorf("nopurge full table: %v; want ErrFull", err)
	}
}

// TestEvictionOldest: with nothing in use, the oldest go first, by
// HAProxy's batch of size/256+1.
func TestEvictionOldest(t *testing.T) {
	c := &fakeClock{}
	c.set(1)
	tb := table(t, "type integer size 3 expire 1m", c)
	for i := range 4 {
		k, _ := tb.KeyInt(int64(i))
		e, err := tb.Get(k)
		if err != nil {
			t.Fatal(err)
		}
		tb.Release(e)
		c.advance(10)
	}
	var b strings.Builder
	NewSet(tb).Show(&b, []string{"show", "table", "b"}, true)
	if strings.Contains(b.String(), "key=0 ") || !strings.Contains(b.String(), "key=3 ") || tb.Used() != 3 {
		t.Errorf("after 4 entries in a table of 3:\n%s", b.String())
	}
}

// TestExpirySweep: Sweep removes expired entries nobody holds; Run
// sweeps until its context ends.
func TestExpirySweep(t *testing.T) {
	c := &fakeClock{}
	c.set(1)
	tb := table(t, "type integer size 100 expire 10s", c)
	for i := range 50 {
		k, _ := tb.KeyInt(int64(i))
		e, _ := tb.Get(k)
		tb.Release(e)
		c.advance(100)
	}
	c.advance(10000 - 2500 - 1) // now 12500: entries touched at 1..2401 (order <= 12500) are over
	if n := tb.Sweep(); n != 25 || tb.Used() != 25 {
		t.Errorf("Sweep = %d, used %d; want 25, 25", n, tb.Used())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tb.Run(ctx, time.Millisecond); close(done) }()
	c.advance(100000)
	deadline := time.Now().Add(5 * time.Second)
	for tb.Used() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if tb.Used() != 0 {
		t.Errorf("Run did not sweep: used %d", tb.Used())
	}
}

// TestConcurrentTrackers: many goroutines tracking a few keys, counting
// and reading; with -race. Counts must add up exactly.
func TestConcurrentTrackers(t *testing.T) {
	c := &fakeClock{}
	c.set(1)
	tb := table(t, "type integer size 1k expire 1m store conn_cur,conn_cnt,http_req_cnt,http_req_rate(10s),gpc0", c)
	const workers, per, keys = 8, 500, 5
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				k, _ := tb.KeyInt(int64((w + i) % keys))
				e, err := tb.Track(k)
				if err != nil {
					t.Error(err)
					return
				}
				tb.Count(e, EvHTTPReq, 1)
				tb.IncGPC(e, false, 0)
				tb.Read(e, HTTPReqRate, 0)
				tb.Untrack(e)
				if i%100 == 0 {
					tb.Sweep()
					NewSet(tb).Show(&strings.Builder{}, []string{"show", "table", "b"}, true)
				}
			}
		}()
	}
	wg.Wait()
	var total, cur int64
	for i := range keys {
		k, _ := tb.KeyInt(int64(i))
		n, _ := tb.ReadKey(k, HTTPReqCnt, 0)
		cc, _ := tb.ReadKey(k, ConnCur, 0)
		total += n
		cur += cc
	}
	if total != workers*per || cur != 0 {
		t.Errorf("http_req_cnt total %d, conn_cur %d; want %d, 0", total, cur, workers*per)
	}
}

// TestUpdates: the peers hooks number local changes, list them since a
// number in order, and apply remote states without renumbering.
func TestUpdates(t *testing.T) {
	c := &fakeClock{}
	c.set(1)
	tb := table(t, "type string size 10 expire 30s store gpc0,http_req_rate(10s)", c)
	tb.EnableUpdates()
	for _, s := range []string{"a", "b", "c", "a"} {
		e, _ := tb.Track(tb.KeyString(s))
		tb.Untrack(e)
	}
	ups := tb.Updates(0, 10)
	var keys []string
	for _, u := range ups {
		keys = append(keys, string(u.Key))
	}
	if got := strings.Join(keys, ","); got != "b,c,a" {
		t.Errorf("updates since 0: %s; want b,c,a (a's latest change is last)", got)
	}
	last := tb.LastUpdate()
	other := table(t, "type string size 10 expire 30s store gpc0,http_req_rate(10s)", c)
	other.EnableUpdates()
	for _, u := range tb.Snapshot() {
		u.Values = append(u.Values, Value{Type: GPC0, Num: 4})
		if err := other.Apply(u); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := other.ReadKey("a", GPC0, 0); got != 4 || other.LastUpdate() != 0 {
		t.Errorf("applied gpc0 = %d, last update %d; want 4, 0", got, other.LastUpdate())
	}
	if len(tb.Updates(last, 10)) != 0 {
		t.Error("updates after the last one: not empty")
	}
}

func BenchmarkTrackCount(b *testing.B) {
	c := &fakeClock{}
	c.set(1)
	tb := table(b, "type ip size 100k expire 30s store conn_cur,conn_rate(10s),http_req_rate(10s)", c)
	keys := make([]Key, 1024)
	for i := range keys {
		keys[i], _ = tb.KeyAddr(mustAddr(fmt.Sprintf("10.0.%d.%d", i/256, i%256)))
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			e, _ := tb.Track(keys[i&1023])
			tb.Count(e, EvHTTPReq, 1)
			tb.Read(e, HTTPReqRate, 0)
			tb.Untrack(e)
			i++
		}
	})
}
