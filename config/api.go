package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"syscall"
)

// Source is one configuration file's bytes and the name used in messages
// (the path as given on the command line).
type Source struct {
	Name string
	Data []byte
}

// ParseOptions are the environment of a parse.
//
// Zero values: Getenv nil means os.LookupEnv; ReadFile nil means
// os.ReadFile (used for `acl -f` pattern files and errorfiles).
type ParseOptions struct {
	Getenv   func(name string) (string, bool)
	ReadFile func(path string) ([]byte, error)
	// Resolve turns a host name into an IP address; nil means the
	// system resolver. Tests pass a fake.
	Resolve func(host string) (string, error)
	// MasterWorker is true when -W was given (sets HAPROXY_MWORKER for
	// `.if defined(HAPROXY_MWORKER)`).
	MasterWorker bool
	// DefaultMaxconn is -N (per-proxy default maxconn), 0 = unset.
	DefaultMaxconn int
	// Stat reports whether a file exists (certificates named by `ssl
	// crt`); nil means os.Stat.
	Stat func(path string) error
	// LookupUser and LookupGroup turn `user`/`group` names into numeric
	// ids; nil means reading /etc/passwd and /etc/group.
	LookupUser  func(name string) (int, error)
	LookupGroup func(name string) (int, error)
	// LocalPeer is -L, the name of the local peer in `peers` sections;
	// "" means the host name, as in HAProxy.
	LocalPeer string
	// AllowTLS accepts `ssl` on bind and server lines (with their TLS
	// options) into the model instead of refusing them; set it once the
	// data plane terminates and originates TLS. Certificates, CA files
	// and verify settings are checked either way.
	AllowTLS bool
}

// ReadSources reads the configuration files named on the command line, in
// order, the way HAProxy does: a directory contributes its regular,
// non-hidden files whose name ends in ".cfg", sorted bytewise. Errors use
// HAProxy's words, e.g. `Cannot open configuration file/directory
// /nonexistent/x.cfg : No such file or directory`.
func ReadSources(paths []string) ([]Source, error) {
	var out []Source
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("Cannot open configuration file/directory %s : %s", p, errnoText(err))
		}
		if !st.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("Could not open configuration file %s : %s", p, errnoText(err))
			}
			out = append(out, Source{Name: p, Data: data})
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("Cannot open configuration directory %s : %s", p, errnoText(err))
		}
		names := make([]string, 0, len(ents))
		for _, e := range ents {
			n := e.Name()
			i := strings.Index(n, ".cfg")
			if n[0] == '.' || i < 0 || i+4 != len(n) {
				continue
			}
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			full := p + "/" + n
			fst, err := os.Stat(full)
			if err != nil {
				return nil, fmt.Errorf("Cannot open configuration file %s : %s", p, errnoText(err))
			}
			if !fst.Mode().IsRegular() {
				continue
			}
			data, err := os.ReadFile(full)
			if err != nil {
				return nil, fmt.Errorf("Could not open configuration file %s : %s", full, errnoText(err))
			}
			out = append(out, Source{Name: full, Data: data})
		}
	}
	return out, nil
}

// errnoText returns strerror()'s text for an error from the os package.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
