package dataplane

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestConsistentHashMaintMovesOnlyThatServersKeys is issue 22's case 12
// against the real binary: `balance uri` with `hash-type consistent` over
// 4 servers, 300 keys, then s2 put in maintenance through the CLI. Only
// s2's keys may move (goha used to move 231 keys, 161 of them between
// healthy servers; HAProxy 2.6 moves 48, all from s2), and every key must
// land where HAProxy 2.6 puts it, before and after (the references in
// proxy/lb/testdata/chash were recorded from HAProxy on the same backend).
func TestConsistentHashMaintMovesOnlyThatServersKeys(t *testing.T) {
	var addrs []any
	for i := 1; i <= 4; i++ {
		addrs = append(addrs, harness.NewBackend(t, fmt.Sprintf("s%d", i), nil).Addr)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "admin.sock")
	fe := harness.FreeAddr(t)
	cfg := fmt.Sprintf("global\n    stats socket %s level admin\n", sock) + strings.TrimPrefix(defaults, "\nglobal\n") +
		fmt.Sprintf("frontend fe\n    bind %s\n    default_backend be\n", fe) +
		fmt.Sprintf("backend be\n    balance uri\n    hash-type consistent\n"+
			"    server s1 %s\n    server s2 %s\n    server s3 %s\n    server s4 %s\n", addrs...)
	p := startGoha(t, cfg, fe)
	if strings.Contains(p.Output(), "hash-type") {
		t.Errorf("hash-type still reported as ignored:\n%s", p.Output())
	}
	c := &http.Client{Timeout: 5 * time.Second}
	before := mapKeys(t, c, fe)
	matchReference(t, "before", before, "proxy/lb/testdata/chash/uri.txt")

	if out := harness.Socat(t, sock, "set server be/s2 state maint\n"); strings.TrimSpace(out) != "" {
		t.Fatalf("set server be/s2 state maint: %q", out)
	}
	after := mapKeys(t, c, fe)
	onS2, moved := 0, 0
	for k, was := range before {
		switch {
		case was == "s2":
			onS2++
			if after[k] == "s2" {
				t.Errorf("%s still on s2 in maintenance", k)
			}
		case after[k] != was:
			moved++
			t.Errorf("%s moved from healthy %s to %s", k, was, after[k])
		}
	}
	if onS2 == 0 {
		t.Error("no key on s2 before maintenance")
	}
	t.Logf("%d keys on s2 moved, %d from healthy servers", onS2, moved)
	matchReference(t, "s2 in maintenance", after, "proxy/lb/testdata/chash/uri-maint.txt")

	// Consistent hashing is a dynamic algorithm: any weight is taken.
	if out := harness.Socat(t, sock, "set server be/s1 weight 7\n"); strings.TrimSpace(out) != "" {
		t.Errorf("set server be/s1 weight 7: %q; want it accepted", out)
	}
}

// mapKeys requests /obj/0../obj/299 on one keep-alive connection and
// returns the server that answered each.
func mapKeys(t *testing.T, c *http.Client, fe string) map[string]string {
	t.Helper()
	m := make(map[string]string, 300)
	for i := range 300 {
		k := fmt.Sprintf("/obj/%d", i)
		resp, err := c.Get("http://" + fe + k)
		if err != nil {
			t.Fatalf("GET %s: %v", k, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %q", k, resp.StatusCode, b)
		}
		m[k] = strings.TrimSpace(string(b))
	}
	return m
}

// matchReference checks got against a reference file's "KEY SERVER" lines.
func matchReference(t *testing.T, what string, got map[string]string, ref string) {
	t.Helper()
	_, lines, _ := strings.Cut(harness.ModuleFile(t, ref), "----\n")
	bad := 0
	for line := range strings.Lines(lines) {
		k, want, _ := strings.Cut(strings.TrimSpace(line), " ")
		if got[k] != want {
			if bad++; bad <= 5 {
				t.Errorf("%s: %s went to %s; HAProxy 2.6 sends it to %s", what, k, got[k], want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d keys elsewhere than HAProxy", what, bad, len(got))
	}
}
