package stick

import "github.com/goha/goha/config"

// DataType is a stored data type, in HAProxy 2.6's enum order (the order
// `show table` prints them).
type DataType int

// The stored data types.
const (
	ServerID DataType = iota
	GPT0
	GPC0
	GPC0Rate
	ConnCnt
	ConnRate
	ConnCur
	SessCnt
	SessRate
	HTTPReqCnt
	HTTPReqRate
	HTTPErrCnt
	HTTPErrRate
	BytesInCnt
	BytesInRate
	BytesOutCnt
	BytesOutRate
	GPC1
	GPC1Rate
	ServerKey
	HTTPFailCnt
	HTTPFailRate
	GPT
	GPC
	GPCRate
	numDataTypes
)

// Kind says how a data type is counted.
type Kind int

// Kinds of data types.
const (
	Counter Kind = iota // only grows: conn_cnt, gpc0
	Gauge               // set or goes up and down: conn_cur, gpt0, server_id
	Rate                // events over a period: conn_rate(10s)
	Dict                // a string: server_key
)

// width is how HAProxy stores a value, which decides its wrap-around
// and how it prints.
type width int

const (
	u32 width = iota // unsigned 32 bits
	s32              // signed 32 bits (server_id)
	u64              // unsigned 64 bits (byte counts)
	frq              // a Freq
	str              // a string (server_key)
)

// dataRow describes one data type: its name, kind, storage, whether it
// is an array, and the argument `store` gives it (parsed by config).
type dataRow struct {
	name  string
	kind  Kind
	w     width
	array bool
	arg   config.StickArg
}

// dataTypes is the table of stored data types, indexed by DataType.
var dataTypes = [numDataTypes]dataRow{
	ServerID:     {"server_id", Gauge, s32, false, config.StickArgNone},
	GPT0:         {"gpt0", Gauge, u32, false, config.StickArgNone},
	GPC0:         {"gpc0", Counter, u32, false, config.StickArgNone},
	GPC0Rate:     {"gpc0_rate", Rate, frq, false, config.StickArgDelay},
	ConnCnt:      {"conn_cnt", Counter, u32, false, config.StickArgNone},
	ConnRate:     {"conn_rate", Rate, frq, false, config.StickArgDelay},
	ConnCur:      {"conn_cur", Gauge, u32, false, config.StickArgNone},
	SessCnt:      {"sess_cnt", Counter, u32, false, config.StickArgNone},
	SessRate:     {"sess_rate", Rate, frq, false, config.StickArgDelay},
	HTTPReqCnt:   {"http_req_cnt", Counter, u32, false, config.StickArgNone},
	HTTPReqRate:  {"http_req_rate", Rate, frq, false, config.StickArgDelay},
	HTTPErrCnt:   {"http_err_cnt", Counter, u32, false, config.StickArgNone},
	HTTPErrRate:  {"http_err_rate", Rate, frq, false, config.StickArgDelay},
	BytesInCnt:   {"bytes_in_cnt", Counter, u64, false, config.StickArgNone},
	BytesInRate:  {"bytes_in_rate", Rate, frq, false, config.StickArgDelay},
	BytesOutCnt:  {"bytes_out_cnt", Counter, u64, false, config.StickArgNone},
	BytesOutRate: {"bytes_out_rate", Rate, frq, false, config.StickArgDelay},
	GPC1:         {"gpc1", Counter, u32, false, config.StickArgNone},
	GPC1Rate:     {"gpc1_rate", Rate, frq, false, config.StickArgDelay},
	ServerKey:    {"server_key", Dict, str, false, config.StickArgNone},
	HTTPFailCnt:  {"http_fail_cnt", Counter, u32, false, config.StickArgNone},
	HTTPFailRate: {"http_fail_rate", Rate, frq, false, config.StickArgDelay},
	GPT:          {"gpt", Gauge, u32, true, config.StickArgArray},
	GPC:          {"gpc", Counter, u32, true, config.StickArgArray},
	GPCRate:      {"gpc_rate", Rate, frq, true, config.StickArgArrayDelay},
}

// String is the data type's name in `store` and `data.<type>`.
func (d DataType) String() string {
	if d < 0 || d >= numDataTypes {
		return "unknown"
	}
	return dataTypes[d].name
}

// Kind says how the data type is counted.
func (d DataType) Kind() Kind { return dataTypes[d].kind }

// ParseDataType returns the data type called name (HAProxy's
// stktable_get_data_type(), which also knows "server_name").
func ParseDataType(name string) (DataType, bool) {
	if name == "server_name" {
		return ServerKey, true
	}
	for d := range dataTypes {
		if dataTypes[d].name == name {
			return DataType(d), true
		}
	}
	return 0, false
}

// Event is something counted on a tracked entry: a counter and the rate
// that goes with it.
type Event int

// Events the data plane counts.
const (
	EvSess     Event = iota // a session accepted: sess_cnt, sess_rate
	EvHTTPReq               // an HTTP request: http_req_cnt, http_req_rate
	EvHTTPErr               // a 4xx: http_err_cnt, http_err_rate
	EvHTTPFail              // a server failure (5xx but 501/505): http_fail_cnt, http_fail_rate
	EvBytesIn               // bytes from the client: bytes_in_cnt, bytes_in_rate
	EvBytesOut              // bytes to the client: bytes_out_cnt, bytes_out_rate
	EvConn                  // a connection: conn_cnt, conn_rate (Track counts it)
)

// events maps each Event to its counter and rate.
var events = [...][2]DataType{
	EvSess:     {SessCnt, SessRate},
	EvHTTPReq:  {HTTPReqCnt, HTTPReqRate},
	EvHTTPErr:  {HTTPErrCnt, HTTPErrRate},
	EvHTTPFail: {HTTPFailCnt, HTTPFailRate},
	EvBytesIn:  {BytesInCnt, BytesInRate},
	EvBytesOut: {BytesOutCnt, BytesOutRate},
	EvConn:     {ConnCnt, ConnRate},
}
