package config

import (
	"os"
	"strings"
	"testing"
)

// TestManualCheck prints what `goha -c` would say about the files in
// $GOHA_CHECK_FILES (space separated); it is a tool for comparing with
// `haproxy -c` by hand and is skipped otherwise.
func TestManualCheck(t *testing.T) {
	files := os.Getenv("GOHA_CHECK_FILES")
	if files == "" {
		t.Skip("GOHA_CHECK_FILES not set")
	}
	srcs, err := ReadSources(strings.Fields(files))
	if err != nil {
		t.Logf("[ALERT] %v", err)
		return
	}
	cfg, err := Parse(srcs, ParseOptions{})
	for _, m := range Report(cfg, err) {
		t.Logf("[%s] %s", m.Level, m.Text)
	}
	if err == nil {
		t.Logf("Configuration file is valid")
	}
}
