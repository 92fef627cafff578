package ssl

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/goha/goha/config"
)

// goneFiles is the file system of a worker after its chroot: what was
// readable at load time is gone once gone is set.
type goneFiles struct {
	OSFiles
	gone atomic.Bool
}

var errGone = errors.New("no such file (chrooted)")

func (g *goneFiles) ReadFile(n string) ([]byte, error) {
	if g.gone.Load() {
		return nil, errGone
	}
	return g.OSFiles.ReadFile(n)
}

func (g *goneFiles) ReadDir(n string) ([]fs.DirEntry, error) {
	if g.gone.Load() {
		return nil, errGone
	}
	return g.OSFiles.ReadDir(n)
}

func (g *goneFiles) Stat(n string) (fs.FileInfo, error) {
	if g.gone.Load() {
		return nil, errGone
	}
	return g.OSFiles.Stat(n)
}

// TestCommitAfterChroot: the CA file of a `verify required` bind is read
// at load time only. A commit (which rebuilds every bind's settings)
// and a client certificate's verify result (ConnInfo) must not read it
// again: the worker is chrooted by then ("Failed!" in the 9-tls check).
func TestCommitAfterChroot(t *testing.T) {
	ca := newCA(t, "test CA")
	dir := t.TempDir()
	hot := ca.writeCert(t, dir, "hot.pem", certSpec{subject: cn("hot-v1.test"), dns: []string{"hot.test"}})
	www := ca.writeCert(t, dir, "www.pem", certSpec{subject: cn("www.test"), dns: []string{"www.test"}})
	caFile := filepath.Join(dir, "ca.crt")
	writeFile(t, caFile, ca.pem)
	files := &goneFiles{}
	s := NewStore(files, config.GlobalTLS{})
	addr := serve(t, addBind(t, s, config.BindTLS{Certs: []config.CertSource{{Path: hot}}}).Config())
	mtls := addBind(t, s, config.BindTLS{Certs: []config.CertSource{{Path: www}}, CAFile: caFile, Verify: "required"})
	files.gone.Store(true)

	c2, k2 := ca.issue(t, certSpec{subject: cn("hot-v2.test"), dns: []string{"hot.test"}})
	if _, err := s.SetCert(hot, append(c2, k2...)); err != nil {
		t.Fatal(err)
	}
	if out, err := s.CommitCert(hot); err != nil {
		t.Fatalf("commit after the chroot: %v", err)
	} else if got := servedCN(t, addr, "hot.test", nil); got != "hot-v2.test" {
		t.Errorf("after commit (%q): served %s, want hot-v2.test", out, got)
	}
	if _, err := s.clientVerifier(mtls.opts, mtls.where); err != nil {
		t.Errorf("the verify result of a client certificate reads the CA file again: %v", err)
	}
}
