package mworker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// buildVersion builds goha with a given version string.
func buildVersion(t *testing.T, out, version string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", out, "-ldflags", "-X github.com/goha/goha/internal/version.Version="+version, "./cmd/goha")
	cmd.Dir = harness.ModuleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", version, err, b)
	}
}

// A reload after a new binary was installed at the same path runs the
// new binary, in the same master PID; a broken binary fails the reload
// and changes nothing.
func TestReloadRunsNewlyInstalledBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "goha")
	buildVersion(t, bin, "9.9-old")
	buildVersion(t, filepath.Join(dir, "goha.new"), "9.9-new")
	b := harness.NewBackend(t, "s1", nil)
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "c.cfg", fmt.Sprintf("defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind 127.0.0.1:%d\n    default_backend be\nbackend be\n    server s1 %s\n", port, b.Addr))
	msock := filepath.Join(dir, "m.sock")
	t.Setenv("GOHA_BIN", bin)
	m := harness.Start(t, dir, nil, "-W", "-f", cfg, "-S", msock)
	harness.WaitFor(t, 10*time.Second, "serving", func() bool { return harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", port)) })
	if p := harness.Socat(t, msock, "show proc\n"); !strings.Contains(p, "9.9-old") {
		t.Fatalf("show proc = %q; want version 9.9-old", p)
	}
	// A broken binary installed: the preflight fails, nothing changes.
	os.WriteFile(bin+".tmp", []byte("#!/bin/sh\nexit 3\n"), 0o755)
	os.Rename(bin+".tmp", bin)
	if out := harness.Socat(t, msock, "reload\n"); !strings.HasPrefix(out, "Success=0") {
		t.Errorf("reload with a broken binary = %q; want Success=0", out)
	}
	if m.Exited() {
		t.Fatal("master died after a reload with a broken binary")
	}
	os.Rename(filepath.Join(dir, "goha.new"), bin)
	if out := harness.Socat(t, msock, "reload\n"); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload with the new binary = %q; want Success=1", out)
	}
	p := harness.Socat(t, msock, "show proc\n")
	lines := strings.Split(p, "\n")
	if !strings.Contains(lines[1], fmt.Sprintf("%d", m.Pid())) || !strings.Contains(lines[3], "9.9-new") {
		t.Errorf("show proc after the upgrade = %q; want the same master and a 9.9-new worker", p)
	}
	if v := harness.Socat(t, msock, "show version\n"); !strings.Contains(v, "9.9-new") {
		t.Errorf("master show version = %q; want 9.9-new (the master re-executed the new binary)", v)
	}
}
