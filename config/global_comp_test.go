package config

import (
	"strings"
	"testing"
)

// TestGlobalCompLimits: maxcomprate and maxcompcpuusage parsed as
// HAProxy 2.6 does (checked against it: a missing rate and a usage
// outside 0..100 are refused; "abc" is atoi's 0).
func TestGlobalCompLimits(t *testing.T) {
	cases := []struct {
		line          string
		rate, minIdle int
		alert         string
	}{
		{"maxcomprate 100", 100, 0, ""},
		{"maxcomprate abc", 0, 0, ""},
		{"maxcomprate", 0, 0, "'maxcomprate' expects an integer argument in kb/s."},
		{"maxcompcpuusage 80", 0, 20, ""},
		{"maxcompcpuusage 100", 0, 0, ""},
		{"maxcompcpuusage 0", 0, 100, ""},
		{"maxcompcpuusage 150", 0, 0, "'maxcompcpuusage' expects an integer argument between 0 and 100."},
		{"maxcompcpuusage -1", 0, 0, "'maxcompcpuusage' expects an integer argument between 0 and 100."},
		{"maxcompcpuusage", 0, 0, "'maxcompcpuusage' expects an integer argument between 0 and 100."},
	}
	for _, c := range cases {
		cfg, alerts := parseText(t, "global\n    "+c.line+"\n")
		got := strings.Join(alerts, "\n")
		if c.alert != "" {
			if !strings.Contains(got, c.alert) {
				t.Errorf("%q: alerts %q, want %q", c.line, got, c.alert)
			}
			continue
		}
		if got != "" || cfg.Global.MaxCompRate != c.rate || cfg.Global.CompMinIdle != c.minIdle {
			t.Errorf("%q: rate %d minIdle %d alerts %q, want %d %d none", c.line,
				cfg.Global.MaxCompRate, cfg.Global.CompMinIdle, got, c.rate, c.minIdle)
		}
	}
}
