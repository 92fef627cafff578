package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusOpts is the environment the corpus verdicts were recorded in:
// files relative to the corpus directory, no DNS except localhost, the
// usual Debian users and groups.
func corpusOpts(dir string) ParseOptions {
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
	return ParseOptions{
		Getenv:   func(n string) (string, bool) { return "", false },
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

// corpusVerdict is what `goha -c` decides for one corpus file: valid
// means exit status 0 (no error and something to listen on).
func corpusVerdict(dir, name string) (bool, string, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return false, "", err
	}
	cfg, perr := Parse([]Source{{Name: name, Data: data}}, corpusOpts(dir))
	if perr != nil {
		var l *ErrorList
		if errors.As(perr, &l) && len(l.Alerts()) > 0 {
			return false, l.Alerts()[0], nil
		}
		return false, perr.Error(), nil
	}
	if !cfg.HasListener(false) {
		return false, "no listener (exit 2)", nil
	}
	return true, "", nil
}

// TestCorpus checks goha reaches HAProxy 2.6.12's verdict on every
// configuration of testdata/corpus (NAME.valid.cfg / NAME.invalid.cfg).
// Disagreements listed in testdata/corpus/KNOWN-MISMATCHES (one file
// name and its reason per line) are reported but tolerated; any other
// one fails the test. GOHA_CORPUS_DIR points it at another directory.
func TestCorpus(t *testing.T) {
	dir := os.Getenv("GOHA_CORPUS_DIR")
	if dir == "" {
		dir = "testdata/corpus"
	}
	known := map[string]string{}
	if data, err := os.ReadFile(filepath.Join(dir, "KNOWN-MISMATCHES")); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l == "" || l[0] == '#' {
				continue
			}
			name, why, _ := strings.Cut(l, " ")
			known[name] = strings.TrimSpace(why)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.cfg"))
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no corpus in %s", dir)
	}
	agree := 0
	var report []string
	for _, f := range files {
		name := filepath.Base(f)
		wantValid := strings.HasSuffix(name, ".valid.cfg")
		if !wantValid && !strings.HasSuffix(name, ".invalid.cfg") {
			t.Errorf("%s: name must end in .valid.cfg or .invalid.cfg", name)
			continue
		}
		got, msg, err := corpusVerdict(dir, name)
		if err != nil {
			t.Fatal(err)
		}
		if got == wantValid {
			agree++
			if _, ok := known[name]; ok {
				t.Errorf("%s now agrees with HAProxy: remove it from KNOWN-MISMATCHES", name)
			}
			continue
		}
		line := fmt.Sprintf("%s: HAProxy valid=%v, goha valid=%v: %s", name, wantValid, got, msg)
		report = append(report, line)
		if why, ok := known[name]; ok {
			t.Logf("known mismatch (%s) %s", why, line)
		} else {
			t.Errorf("mismatch %s", line)
		}
	}
	t.Logf("corpus agreement: %d of %d (%.1f%%)", agree, len(files), 100*float64(agree)/float64(len(files)))
	if os.Getenv("GOHA_CORPUS_REPORT") != "" {
		fmt.Println(strings.Join(report, "\n"))
		fmt.Printf("corpus agreement: %d of %d\n", agree, len(files))
	}
}
