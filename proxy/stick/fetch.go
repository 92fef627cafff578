package stick

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// The sc_*, sc0_*..sc2_* and src_* sample fetches, compiled once from
// their name and argument and evaluated on a connection's Counters.

// fetchOp is what a stick fetch does with the data it names.
type fetchOp uint8

const (
	opRead     fetchOp = iota // the value (a rate: events per period)
	opKBytes                  // a byte count in kilobytes
	opInc                     // increment a gpc, then read it
	opClear                   // zero a gpc, return the old value
	opTracked                 // whether the counter tracks an entry
	opTrackers                // sc_trackers
)

// fetchData is what follows the prefix of a stick fetch name.
type fetchData struct {
	op    fetchOp
	d     DataType
	idx   int
	array bool // the name takes a gpc/gpt index argument: get_gpc(IDX...)
}

// fetchDatas is the table of stick fetch suffixes.
var fetchDatas = map[string]fetchData{
	"get_gpc0": {opRead, GPC0, 0, false}, "get_gpc1": {opRead, GPC1, 0, false},
	"get_gpc": {opRead, GPC, 0, true}, "get_gpt0": {opRead, GPT0, 0, false}, "get_gpt": {opRead, GPT, 0, true},
	"gpc0_rate": {opRead, GPC0Rate, 0, false}, "gpc1_rate": {opRead, GPC1Rate, 0, false},
	"gpc_rate": {opRead, GPCRate, 0, true},
	"inc_gpc0": {opInc, GPC0, 0, false}, "inc_gpc1": {opInc, GPC1, 1, false}, "inc_gpc": {opInc, GPC, 0, true},
	"clr_gpc0": {opClear, GPC0, 0, false}, "clr_gpc1": {opClear, GPC1, 0, false}, "clr_gpc": {opClear, GPC, 0, true},
	"conn_cnt": {opRead, ConnCnt, 0, false}, "conn_cur": {opRead, ConnCur, 0, false},
	"conn_rate": {opRead, ConnRate, 0, false}, "sess_cnt": {opRead, SessCnt, 0, false},
	"sess_rate": {opRead, SessRate, 0, false}, "http_req_cnt": {opRead, HTTPReqCnt, 0, false},
	"http_req_rate": {opRead, HTTPReqRate, 0, false}, "http_err_cnt": {opRead, HTTPErrCnt, 0, false},
	"http_err_rate": {opRead, HTTPErrRate, 0, false}, "http_fail_cnt": {opRead, HTTPFailCnt, 0, false},
	"http_fail_rate": {opRead, HTTPFailRate, 0, false}, "bytes_in_rate": {opRead, BytesInRate, 0, false},
	"bytes_out_rate": {opRead, BytesOutRate, 0, false}, "kbytes_in": {opKBytes, BytesInCnt, 0, false},
	"kbytes_out": {opKBytes, BytesOutCnt, 0, false},
	"tracked":    {opTracked, 0, 0, false}, "trackers": {opTrackers, 0, 0, false},
}

// Fetch is a compiled stick fetch.
type Fetch struct {
	name string
	fd   fetchData
	// sc is the counter read (-1: src_*, keyed by the client address).
	sc    int
	table string // the table named ("" = the counter's, or Own)
}

// IsFetch reports whether name is a stick fetch this package evaluates.
func IsFetch(name string) bool {
	prefix, data, ok := strings.Cut(name, "_")
	if !ok {
		return false
	}
	fd, known := fetchDatas[data]
	switch prefix {
	case "sc", "sc0", "sc1", "sc2":
		return known
	case "src":
		return known && fd.op != opTracked && fd.op != opTrackers
	}
	return false
}

// CompileFetch compiles stick fetch name with the words between its
// parentheses (arg, "" for none): sc_X(SC[,TABLE]), scN_X([TABLE]),
// src_X([TABLE]), with a leading gpc/gpt index for the array forms.
func CompileFetch(name, arg string) (*Fetch, error) {
	if !IsFetch(name) {
		return nil, fmt.Errorf("unknown stick fetch %q", name)
	}
	prefix, data, _ := strings.Cut(name, "_")
	f := &Fetch{name: name, fd: fetchDatas[data], sc: -1}
	var args []string
	if arg != "" {
		args = strings.Split(arg, ",")
	}
	if f.fd.array {
		if len(args) == 0 {
			return nil, fmt.Errorf("%s: missing the index argument", name)
		}
		n, err := strconv.Atoi(strings.TrimSpace(args[0]))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s: invalid index %q", name, args[0])
		}
		f.fd.idx, args = n, args[1:]
	}
	switch prefix {
	case "sc":
		if len(args) == 0 {
			return nil, fmt.Errorf("%s: missing the stick counter argument", name)
		}
		n, err := strconv.Atoi(strings.TrimSpace(args[0]))
		if err != nil || n < 0 || n >= NumCounters {
			return nil, fmt.Errorf("%s: invalid stick counter %q", name, args[0])
		}
		f.sc, args = n, args[1:]
	case "sc0", "sc1", "sc2":
		f.sc = int(prefix[2] - '0')
	}
	if len(args) > 1 {
		return nil, fmt.Errorf("%s: too many arguments", name)
	}
	if len(args) == 1 {
		f.table = strings.TrimSpace(args[0])
	}
	return f, nil
}

// Bool reports whether the fetch returns a boolean (sc_tracked).
func (f *Fetch) Bool() bool { return f.fd.op == opTracked }

// Eval evaluates the fetch for a connection from src; ok is false when
// there is nothing to read (an untracked counter, a table not storing
// the data, an unknown table), as HAProxy's fetch then fails.
func (f *Fetch) Eval(c *Counters, src netip.Addr) (v int64, ok bool) {
	if c == nil {
		return 0, false
	}
	if f.sc >= 0 {
		return f.evalCounter(c)
	}
	t := c.Own
	if f.table != "" && c.Set != nil {
		t = c.Set.Find(f.table)
	}
	if t == nil {
		return 0, false
	}
	k, err := t.KeyAddr(src)
	if err != nil {
		return 0, false
	}
	return f.evalKey(t, k)
}

// evalCounter reads through stick counter f.sc; with a table argument
// naming another table, the counter's key is looked up there.
func (f *Fetch) evalCounter(c *Counters) (int64, bool) {
	sc := c.SC[f.sc]
	if f.fd.op == opTracked {
		return b2i(sc.E != nil), true
	}
	if sc.E == nil {
		return 0, false
	}
	if f.table != "" && f.table != sc.T.name {
		var t *Table
		if c.Set != nil {
			t = c.Set.Find(f.table)
		}
		if t == nil {
			return 0, false
		}
		return f.evalKey(t, sc.E.key)
	}
	return f.evalEntry(sc.T, sc.E)
}

// evalKey evaluates on k's entry of t: reads find 0 without an entry,
// increments make it.
func (f *Fetch) evalKey(t *Table, k Key) (int64, bool) {
	switch f.fd.op {
	case opInc, opClear:
		e, err := t.Get(k)
		if err != nil {
			return 0, false
		}
		defer t.Release(e)
		return f.evalEntry(t, e)
	case opTrackers:
		e := t.Lookup(k)
		if e == nil {
			return 0, true
		}
		n := t.Trackers(e) - 1
		t.releaseQuiet(e)
		return int64(n), true
	}
	v, err := t.ReadKey(k, f.fd.d, f.fd.idx)
	if err != nil {
		return 0, false
	}
	if f.fd.op == opKBytes {
		v >>= 10
	}
	return v, true
}

// evalEntry evaluates on a referenced entry.
func (f *Fetch) evalEntry(t *Table, e *Entry) (int64, bool) {
	switch f.fd.op {
	case opTrackers:
		return int64(t.Trackers(e)), true
	case opInc:
		v, ok := t.IncGPC(e, f.fd.array, f.fd.idx)
		return int64(v), ok
	case opClear:
		v, err := t.ClearGPC(e, f.fd.d, f.fd.idx)
		return int64(v), err == nil
	}
	v, err := t.Read(e, f.fd.d, f.fd.idx)
	if err != nil {
		return 0, false
	}
	if f.fd.op == opKBytes {
		v >>= 10
	}
	return v, true
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
