package config

import (
	"sort"
	"strings"
)

// The stick counter fetches (sc_*, sc0_*..sc2_*, src_*) and the table_*
// converters goha evaluates in rule values and log-format lines
// (proxy/stick's fetch.go and conv.go hold the rows that implement
// them): those of HAProxy's names whose data goha's tables store
// (StickFetch), src_updt_conn_cnt excepted.

func init() {
	for n := range haproxyFetches {
		if _, data, ok := StickFetch(n); ok && data != "updt_conn_cnt" {
			SupportedSampleFetches[n] = true
		}
	}
	for n := range haproxyConverters {
		if strings.HasPrefix(n, "table_") {
			SupportedConverters[n] = true
		}
	}
}

// HAProxyFetches returns the names of the sample fetches HAProxy 2.6
// knows, sorted (the support list of fetches is built on it).
func HAProxyFetches() []string { return sortedKeys(haproxyFetches) }

// HAProxyConverters returns the names of HAProxy 2.6's converters,
// sorted.
func HAProxyConverters() []string { return sortedKeys(haproxyConverters) }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
