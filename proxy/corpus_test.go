package proxy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/ssl"
	"github.com/goha/goha/proxy/tlog"
	"github.com/rs/zerolog"
)

// corpusDir holds the configuration corpus shared with the config tests.
const corpusDir = "../config/testdata/corpus"

// corpusParseOptions mirrors the config package's corpus environment:
// files relative to the corpus directory, no DNS except localhost, the
// usual Debian users and groups.
func corpusParseOptions(dir string) config.ParseOptions {
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	ids := map[string]int{"root": 0, "daemon": 1, "nobody": 65534, "nogroup": 65534, "www-data": 33, "haproxy": 108}
	lookup := func(n string) (int, error) {
		if id, ok := ids[n]; ok {
			return id, nil
		}
		return 0, fmt.Errorf("no such user or group %q", n)
	}
	return config.ParseOptions{
		Getenv:   func(string) (string, bool) { return "", false },
		ReadFile: func(p string) ([]byte, error) { return os.ReadFile(rel(p)) },
		Stat:     func(p string) error { _, err := os.Stat(rel(p)); return err },
		Resolve: func(h string) (string, error) {
			if h == "localhost" {
				return "127.0.0.1", nil
			}
			return "", errors.New("no DNS in tests")
		},
		LookupUser:  lookup,
		LookupGroup: lookup,
		LocalPeer:   "vm",
		AllowTLS:    true, // as the binary parses
	}
}

// corpusFiles is the corpus' file system for ssl.Build: names relative
// to the corpus directory, as corpusParseOptions reads them.
type corpusFiles struct{ dir string }

func (c corpusFiles) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

func (c corpusFiles) ReadFile(p string) ([]byte, error)       { return os.ReadFile(c.path(p)) }
func (c corpusFiles) ReadDir(p string) ([]fs.DirEntry, error) { return os.ReadDir(c.path(p)) }
func (c corpusFiles) Stat(p string) (fs.FileInfo, error)      { return os.Stat(c.path(p)) }

// TestCorpusValidStarts is the guard behind `goha -c`: every corpus
// configuration HAProxy finds valid and goha's parser accepts must also
// build a data plane (New opens no listening socket). A construct New
// cannot honour must be refused by the parser instead, so that -c and a
// start agree.
func TestCorpusValidStarts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.valid.cfg"))
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no corpus in %s", corpusDir)
	}
	built := 0
	for _, f := range files {
		name := filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Parse([]config.Source{{Name: name, Data: data}}, corpusParseOptions(corpusDir))
		if err != nil || !cfg.HasListener(false) {
			continue // refused by -c too
		}
		// -c loads the certificates too: the corpus' files/ hold test ones.
		tb, errs := ssl.Build(cfg, corpusFiles{corpusDir})
		if len(errs) > 0 {
			t.Errorf("%s: goha -c refuses its TLS: %v", name, errs[0])
			continue
		}
		hub := tlog.NewHub(tlog.HubOptions{Tag: cfg.Global.LogTag})
		rt, err := New(cfg, Options{Log: zerolog.Nop(), LogHub: hub, TLS: tb})
		if err != nil {
			t.Errorf("%s: goha -c accepts it but New fails: %v", name, err)
		} else {
			built++
			rt.HardStop()
		}
		hub.Close()
	}
	t.Logf("%d valid corpus configurations build a data plane", built)
}

var _ = strings.HasPrefix
