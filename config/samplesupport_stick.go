package config

import "strings"

// The stick counter fetches (sc_*, sc0_*..sc2_*, src_*) and the table_*
// converters goha evaluates in rule values and log-format lines
// (proxy/stick's fetch.go and conv.go hold the rows that implement
// them): those of HAProxy's names whose data goha's tables store.

// stickFetchData are the suffixes of the stick fetches goha reads.
var stickFetchData = set("get_gpc0", "get_gpc1", "get_gpc", "get_gpt0", "get_gpt", "gpc0_rate",
	"gpc1_rate", "gpc_rate", "inc_gpc0", "inc_gpc1", "inc_gpc", "clr_gpc0", "clr_gpc1", "clr_gpc",
	"conn_cnt", "conn_cur", "conn_rate", "sess_cnt", "sess_rate", "http_req_cnt", "http_req_rate",
	"http_err_cnt", "http_err_rate", "http_fail_cnt", "http_fail_rate", "bytes_in_rate",
	"bytes_out_rate", "kbytes_in", "kbytes_out", "tracked", "trackers")

// isStickFetch reports whether name is a stick fetch goha evaluates.
func isStickFetch(name string) bool {
	prefix, data, ok := strings.Cut(name, "_")
	if !ok || !stickFetchData[data] {
		return false
	}
	switch prefix {
	case "sc", "sc0", "sc1", "sc2":
		return true
	case "src":
		return data != "tracked" && data != "trackers"
	}
	return false
}

func init() {
	for n := range haproxyFetches {
		if isStickFetch(n) {
			SupportedSampleFetches[n] = true
		}
	}
	for n := range haproxyConverters {
		if strings.HasPrefix(n, "table_") {
			SupportedConverters[n] = true
		}
	}
}
