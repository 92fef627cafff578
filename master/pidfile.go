package master

import (
	"fmt"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// WritePidfile writes "<pid>\n" to path atomically (a temporary file in
// the same directory, fsync, rename), mode 0644 whatever the file was
// before, as HAProxy's pidfile is. Readers never see it empty or half
// written.
func WritePidfile(path string, pid int) error {
	t, err := renameio.NewPendingFile(path,
		renameio.WithTempDir(filepath.Dir(path)),
		renameio.WithStaticPermissions(0o644))
	if err != nil {
		return fmt.Errorf("cannot create pidfile %s: %w", path, err)
	}
	defer t.Cleanup()
	if _, err := fmt.Fprintf(t, "%d\n", pid); err != nil {
		return fmt.Errorf("cannot write pidfile %s: %w", path, err)
	}
	if err := t.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("cannot write pidfile %s: %w", path, err)
	}
	return nil
}
