package config

import (
	"strings"
	"testing"
)

// TestHashType checks that `hash-type` and `hash-balance-factor` are
// parsed into Balance.Hash (they used to be accepted and ignored), with
// HAProxy 2.6's defaults and errors, whatever their order with `balance`,
// and inherited from defaults.
func TestHashType(t *testing.T) {
	for _, tc := range []struct {
		lines string
		want  HashType
		alert string
	}{
		{"hash-type consistent", HashType{Consistent: true, Avalanche: true}, ""},
		{"hash-type consistent sdbm", HashType{Consistent: true, Func: "sdbm"}, ""},
		{"hash-type consistent djb2 avalanche", HashType{Consistent: true, Func: "djb2", Avalanche: true}, ""},
		{"hash-type map-based", HashType{}, ""},
		{"hash-type map-based crc32 avalanche", HashType{Func: "crc32", Avalanche: true}, ""},
		{"hash-type consistent wt6\n    hash-balance-factor 150", HashType{Consistent: true, Func: "wt6", BalanceFactor: 150}, ""},
		{"hash-balance-factor 150\n    hash-type consistent", HashType{Consistent: true, Avalanche: true, BalanceFactor: 150}, ""},
		{"hash-balance-factor 0", HashType{}, ""},
		{"hash-balance-factor 100", HashType{}, "'hash-balance-factor' must be 0 or greater than 100."},
		{"hash-balance-factor", HashType{}, "'hash-balance-factor' expects an integer argument."},
		{"hash-type bogus", HashType{}, "'hash-type' only supports 'consistent' and 'map-based'."},
		{"hash-type avalanche", HashType{}, "experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead."},
		{"hash-type consistent none", HashType{}, "'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions."},
		{"hash-type consistent sdbm x", HashType{}, "'hash-type' only supports 'avalanche' as a modifier for hash functions."},
	} {
		for _, before := range []bool{true, false} {
			body := "    balance uri\n    " + tc.lines + "\n"
			if before {
				body = "    " + tc.lines + "\n    balance uri\n"
			}
			cfg, alerts := parseText(t, "backend be\n"+body+"    server s1 127.0.0.1:80\n")
			if tc.alert != "" {
				if len(alerts) == 0 || !strings.HasSuffix(alerts[0], tc.alert) {
					t.Errorf("%q: alerts %q; want one ending %q", tc.lines, alerts, tc.alert)
				}
				continue
			}
			if len(alerts) > 0 {
				t.Fatalf("%q: %q", tc.lines, alerts)
			}
			be := proxyNamed(cfg, "be")
			if be.Balance.Algo != "uri" || be.Balance.Hash != tc.want {
				t.Errorf("%q (before balance: %v): %+v; want uri with %+v", tc.lines, before, be.Balance, tc.want)
			}
		}
	}
	cfg, alerts := parseText(t, "defaults\n    hash-type consistent crc32\n    hash-balance-factor 200\nbackend be\n    balance source\n    server s1 127.0.0.1:80\n")
	if len(alerts) > 0 {
		t.Fatal(alerts)
	}
	if got, want := proxyNamed(cfg, "be").Balance.Hash, (HashType{Consistent: true, Func: "crc32", BalanceFactor: 200}); got != want {
		t.Errorf("inherited from defaults: %+v; want %+v", got, want)
	}
}
