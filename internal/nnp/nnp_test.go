package nnp

import (
	"os/exec"
	"strings"
	"testing"
)

// A process started from the spawner's thread has no_new_privs; one
// started from an ordinary goroutine of this (unflagged) test does not.
func TestSpawnerChildrenInheritTheFlag(t *testing.T) {
	run := func() string {
		out, err := exec.Command("grep", "NoNewPrivs", "/proc/self/status").Output()
		if err != nil {
			t.Fatalf("grep: %v", err)
		}
		return strings.Join(strings.Fields(string(out)), " ")
	}
	if AllThreads() {
		t.Skip("the test process already has no_new_privs")
	}
	if got := run(); got != "NoNewPrivs: 0" {
		t.Fatalf("ordinary child: %q; want NoNewPrivs: 0", got)
	}
	s, err := NewSpawner()
	if err != nil {
		t.Fatal(err)
	}
	var got string
	s.Do(func() { got = run() })
	if got != "NoNewPrivs: 1" {
		t.Errorf("child of the spawner: %q; want NoNewPrivs: 1", got)
	}
}
