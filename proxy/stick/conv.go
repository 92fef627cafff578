package stick

import (
	"fmt"
	"strconv"
	"strings"
)

// The table_* sample converters: the input sample, cast to a table's key
// type by the caller, names an entry whose data is read, as HAProxy 2.6's
// sample_conv_table_* do. A key without an entry reads 0 (table_expire
// and table_idle: their default argument, else nothing); an entry of a
// table that does not store the data reads nothing.

// convOp is what a table converter reads beyond stored data.
type convOp uint8

const (
	convRead     convOp = iota // a stored value (fetchOp opRead, opKBytes)
	convKBytes                 // a byte count in kilobytes
	convTrackers               // references to the entry, the lookup's own included
	convExpire                 // ms left before the entry expires
	convIdle                   // ms since the entry was last touched
)

// convData is what follows "table_" in a converter's name.
type convData struct {
	op    convOp
	d     DataType
	array bool // table_gpc(IDX,TABLE), table_gpt(...), table_gpc_rate(...)
}

// convDatas is the table of table_* converters, one row per HAProxy 2.6
// keyword (without its "table_" prefix).
var convDatas = map[string]convData{
	"bytes_in_rate": {convRead, BytesInRate, false}, "bytes_out_rate": {convRead, BytesOutRate, false},
	"conn_cnt": {convRead, ConnCnt, false}, "conn_cur": {convRead, ConnCur, false},
	"conn_rate": {convRead, ConnRate, false}, "expire": {convExpire, 0, false},
	"gpc": {convRead, GPC, true}, "gpc0": {convRead, GPC0, false}, "gpc0_rate": {convRead, GPC0Rate, false},
	"gpc1": {convRead, GPC1, false}, "gpc1_rate": {convRead, GPC1Rate, false},
	"gpc_rate": {convRead, GPCRate, true}, "gpt": {convRead, GPT, true}, "gpt0": {convRead, GPT0, false},
	"http_err_cnt": {convRead, HTTPErrCnt, false}, "http_err_rate": {convRead, HTTPErrRate, false},
	"http_fail_cnt": {convRead, HTTPFailCnt, false}, "http_fail_rate": {convRead, HTTPFailRate, false},
	"http_req_cnt": {convRead, HTTPReqCnt, false}, "http_req_rate": {convRead, HTTPReqRate, false},
	"idle": {convIdle, 0, false}, "kbytes_in": {convKBytes, BytesInCnt, false},
	"kbytes_out": {convKBytes, BytesOutCnt, false}, "server_id": {convRead, ServerID, false},
	"sess_cnt": {convRead, SessCnt, false}, "sess_rate": {convRead, SessRate, false},
	"trackers": {convTrackers, 0, false},
}

// ConverterNames returns the names of the table_* converters.
func ConverterNames() []string {
	out := make([]string, 0, len(convDatas))
	for n := range convDatas {
		out = append(out, "table_"+n)
	}
	return out
}

// IsConverter reports whether name is a table_* converter.
func IsConverter(name string) bool {
	s, ok := strings.CutPrefix(name, "table_")
	_, known := convDatas[s]
	return ok && known
}

// Conv is a compiled table_* converter.
type Conv struct {
	cd     convData
	idx    int
	table  string
	def    int64
	hasDef bool
}

// CompileConverter compiles table_X(TABLE), the array forms
// table_gpc(IDX,TABLE), and table_expire/table_idle(TABLE[,DEFAULT]).
func CompileConverter(name string, args []string) (*Conv, error) {
	if !IsConverter(name) {
		return nil, fmt.Errorf("unknown table converter %q", name)
	}
	c := &Conv{cd: convDatas[strings.TrimPrefix(name, "table_")]}
	if c.cd.array {
		if len(args) == 0 {
			return nil, fmt.Errorf("%s: missing the index argument", name)
		}
		n, err := strconv.Atoi(strings.TrimSpace(args[0]))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s: invalid index %q", name, args[0])
		}
		c.idx, args = n, args[1:]
	}
	if len(args) == 0 || strings.TrimSpace(args[0]) == "" {
		return nil, fmt.Errorf("%s: missing the table argument", name)
	}
	c.table, args = strings.TrimSpace(args[0]), args[1:]
	if len(args) > 0 && (c.cd.op == convExpire || c.cd.op == convIdle) {
		n, err := strconv.ParseInt(strings.TrimSpace(args[0]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid default value %q", name, args[0])
		}
		c.def, c.hasDef, args = n, true, args[1:]
	}
	if len(args) > 0 {
		return nil, fmt.Errorf("%s: too many arguments", name)
	}
	return c, nil
}

// Table is the name of the table the converter reads.
func (c *Conv) Table() string { return c.table }

// Eval reads k's entry of t; ok is false when there is nothing to
// return (see the file comment).
func (c *Conv) Eval(t *Table, k Key) (v int64, ok bool) {
	e := t.Lookup(k)
	if e == nil {
		if c.cd.op == convExpire || c.cd.op == convIdle {
			return c.def, c.hasDef
		}
		return 0, true
	}
	sh := e.shard
	sh.mu.Lock()
	defer sh.mu.Unlock()
	defer func() { e.refs-- }()
	now := t.clock()
	switch c.cd.op {
	case convTrackers:
		return int64(e.refs), true
	case convExpire:
		if t.expire == 0 {
			return 0, true
		}
		return max(e.order-now, 0), true
	case convIdle:
		return max(now-(e.order-t.expire), 0), true
	}
	rd, ri, stored := t.resolve(c.cd.d, c.idx)
	if !stored || dataTypes[rd].w == str {
		return 0, false
	}
	v = t.valueLocked(e, rd, ri, now)
	if c.cd.op == convKBytes {
		v >>= 10
	}
	return v, true
}
