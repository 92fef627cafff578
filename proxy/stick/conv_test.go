package stick

import "testing"

// TestConverters: the table_* converters read an entry without making
// it younger, 0 for a key without an entry (the default of table_expire
// and table_idle, else nothing), nothing for a data type not stored;
// table_trackers counts its own lookup, as HAProxy 2.6's does (one
// tracker reads 2).
func TestConverters(t *testing.T) {
	c := &fakeClock{}
	c.set(1000)
	tb := table(t, "type ip size 1k expire 10s store http_req_cnt,gpc(2),bytes_in_cnt,conn_cur", c)
	set := NewSet(tb)
	k := mustKeyAddr(t, tb, "10.0.0.1")
	ctr := &Counters{Set: set, Own: tb}
	ctr.Track(0, tb, k, false)
	ctr.Count(EvHTTPReq, 3)
	tb.IncGPC(ctr.SC[0].E, true, 1)
	tb.Count(ctr.SC[0].E, EvBytesIn, 4096)
	c.advance(2500)
	missing := mustKeyAddr(t, tb, "10.0.0.2")
	for _, tt := range []struct {
		name string
		args []string
		k    Key
		want int64
		ok   bool
	}{
		{"table_http_req_cnt", []string{"b"}, k, 3, true},
		{"table_http_req_cnt", []string{"b"}, missing, 0, true},
		{"table_gpc", []string{"1", "b"}, k, 1, true},
		{"table_gpc1", []string{"b"}, k, 1, true},
		{"table_kbytes_in", []string{"b"}, k, 4, true},
		{"table_conn_cur", []string{"b"}, k, 1, true},
		{"table_trackers", []string{"b"}, k, 2, true},
		{"table_http_err_cnt", []string{"b"}, k, 0, false},
		{"table_http_err_cnt", []string{"b"}, missing, 0, true},
		{"table_expire", []string{"b"}, k, 7500, true},
		{"table_idle", []string{"b"}, k, 2500, true},
		{"table_expire", []string{"b"}, missing, 0, false},
		{"table_idle", []string{"b", "-1"}, missing, -1, true},
	} {
		cv, err := CompileConverter(tt.name, tt.args)
		if err != nil {
			t.Fatalf("%s(%v): %v", tt.name, tt.args, err)
		}
		if cv.Table() != "b" {
			t.Errorf("%s(%v) reads table %q", tt.name, tt.args, cv.Table())
		}
		v, ok := cv.Eval(tb, tt.k)
		if v != tt.want || ok != tt.ok {
			t.Errorf("%s(%v) on %v = %d, %v; want %d, %v", tt.name, tt.args, tt.k, v, ok, tt.want, tt.ok)
		}
	}
	if cv, _ := CompileConverter("table_expire", []string{"b"}); true {
		if v, _ := cv.Eval(tb, k); v != 7500 {
			t.Errorf("a converter made the entry younger: %d ms left, want 7500", v)
		}
	}
	for _, bad := range []struct {
		name string
		args []string
	}{{"table_gpc", []string{"b"}}, {"table_conn_cur", nil}, {"table_conn_cur", []string{"b", "c"}}, {"table_nope", []string{"b"}}} {
		if _, err := CompileConverter(bad.name, bad.args); err == nil {
			t.Errorf("%s(%v) compiled", bad.name, bad.args)
		}
	}
}
