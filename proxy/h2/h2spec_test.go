package h2

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// h2specBinary finds h2spec on PATH or in ~/go/bin ($H2SPEC overrides).
func h2specBinary() string {
	if p := os.Getenv("H2SPEC"); p != "" {
		return p
	}
	if p, err := exec.LookPath("h2spec"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, "go", "bin", "h2spec")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// TestH2Spec runs the public HTTP/2 conformance suite (h2spec, strict
// mode) against ServeConn in front of an HTTP/1.1 answerer; it is
// skipped when h2spec is not installed
// (go install github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible).
func TestH2Spec(t *testing.T) {
	bin := h2specBinary()
	if bin == "" {
		t.Skip("h2spec not installed")
	}
	if testing.Short() {
		t.Skip("h2spec takes seconds")
	}
	ts := startServer(t, Options{IdleTimeout: 5 * time.Second}, echoH1)
	host, port, _ := strings.Cut(ts.addr, ":")
	cmd := exec.Command(bin, "-S", "-h", host, "-p", port, "-o", "2")
	out, _ := cmd.CombinedOutput()
	sum := regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`).FindStringSubmatch(string(out))
	if sum == nil {
		t.Fatalf("h2spec gave no summary:\n%s", out)
	}
	t.Logf("h2spec: %s", sum[0])
	if sum[4] != "0" || sum[3] != "0" {
		t.Errorf("h2spec failures:\n%s", failures(string(out)))
	}
}

// failures keeps the "Failures:" part of h2spec's report.
func failures(out string) string {
	if i := strings.Index(out, "Failures:"); i >= 0 {
		return out[i:]
	}
	return out
}
