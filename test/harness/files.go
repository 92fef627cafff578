package harness

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes content to dir/name (mode 0644) and returns the path.
func WriteFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TempDir returns a short temporary directory readable by everyone (mode
// 0755), removed when the test ends: unix socket paths must stay under
// 108 bytes, and a process that dropped its privileges must still reach
// its files. t.TempDir's is long and its parent private.
func TempDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "goha-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// ModuleFile returns the content of a file of goha's source tree, named
// by its path from the module root (e.g. "deploy/init.d/goha").
func ModuleFile(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ModuleRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
