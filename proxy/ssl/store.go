package ssl

import (
	"crypto/x509"
	"fmt"
	"sync"

	"github.com/goha/goha/config"
)

// Store holds every certificate and crt-list (or directory) the
// configuration loads, by file name, and the binds that serve them. The
// runtime API changes it through transactions (runtime.go); every
// change is built aside, then published to the binds atomically, so a
// handshake sees the old set or the new one, never a mix.
type Store struct {
	files  Files
	global config.GlobalTLS

	mu sync.Mutex
	// certs are the certificate stores by name; a nil *Cert is an empty
	// store made by `new ssl cert`. order is their load order.
	certs map[string]*Cert
	order []string
	// direct are the certificates named by a `crt` file argument (they
	// cannot be deleted at run time).
	direct map[string]bool
	// lists are the crt-lists and directories by name, in lorder.
	lists  map[string]*crtList
	lorder []string
	binds  []*boundBind
	tx     *certTx

	// kept are the CA and CRL files read at load time (readKept).
	keptMu sync.Mutex
	kept   map[string][]byte
	pools  map[string]*x509.CertPool
}

// crtList is a crt-list file or a directory loaded like one.
type crtList struct {
	path    string
	dir     bool
	entries []CrtListEntry
	// paths are the entries' store names (crt-base applied).
	paths []string
}

// source is one `crt` or `crt-list` argument of a bind.
type source struct {
	path string
	list bool // a crt-list or a directory, in Store.lists
}

// boundBind is a bind and its sources, for reindexing.
type boundBind struct {
	b    *Bind
	srcs []source
}

// storeEntry is one certificate of a source, with its crt-list line.
type storeEntry struct {
	path string
	line CrtListEntry
}

// NewStore returns an empty store reading files through files (nil:
// the real file system), with the global TLS settings (crt-base...).
func NewStore(files Files, global config.GlobalTLS) *Store {
	if files == nil {
		files = OSFiles{}
	}
	return &Store{files: files, global: global, certs: map[string]*Cert{}, direct: map[string]bool{}, lists: map[string]*crtList{}}
}

// AddBind loads what a bind line names (certificates, crt-lists,
// directories: each file once for the whole store) and returns its TLS
// side. where names the bind in errors, e.g. "bind '127.0.0.1:443' at
// [app.cfg:7]".
func (s *Store) AddBind(opts config.BindTLS, where string) (*Bind, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &Bind{store: s, opts: opts, where: where}
	var srcs []source
	for _, c := range opts.Certs {
		src, err := s.loadSourceLocked(c)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, src)
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no certificate specified for %s (use 'crt' or 'crt-list')", where)
	}
	base, err := s.serverConfig(opts, where)
	if err != nil {
		return nil, err
	}
	base.GetConfigForClient = b.getConfigForClient
	b.base = base
	if opts.TicketKeys != "" {
		keys, err := LoadTicketKeys(s.files, opts.TicketKeys)
		if err != nil {
			return nil, err
		}
		base.SetSessionTicketKeys(keys)
	}
	if err := b.reindex(srcs); err != nil {
		return nil, err
	}
	s.binds = append(s.binds, &boundBind{b: b, srcs: srcs})
	return b, nil
}

// loadSourceLocked loads a `crt` argument (a file or a directory) or a
// `crt-list`.
func (s *Store) loadSourceLocked(c config.CertSource) (source, error) {
	if c.List {
		return source{path: c.Path, list: true}, s.loadListLocked(c.Path)
	}
	st, err := s.files.Stat(c.Path)
	if err != nil {
		return source{}, fmt.Errorf("unable to stat SSL certificate from file '%s' : %s", c.Path, errText(err))
	}
	if st.IsDir() {
		return source{path: c.Path, list: true}, s.loadDirLocked(c.Path)
	}
	if err := s.loadCertLocked(c.Path); err != nil {
		return source{}, err
	}
	s.direct[c.Path] = true
	return source{path: c.Path}, nil
}

// loadCertLocked loads a certificate file unless the store has it.
func (s *Store) loadCertLocked(path string) error {
	if _, ok := s.certs[path]; ok {
		return nil
	}
	c, err := LoadCert(s.files, path)
	if err != nil {
		return err
	}
	s.certs[path] = c
	s.order = append(s.order, path)
	return nil
}

// loadDirLocked loads every certificate of a directory as a crt-list
// without options or filters.
func (s *Store) loadDirLocked(dir string) error {
	if _, ok := s.lists[dir]; ok {
		return nil
	}
	names, err := dirCerts(s.files, dir)
	if err != nil {
		return err
	}
	l := &crtList{path: dir, dir: true}
	for i, p := range names {
		if err := s.loadCertLocked(p); err != nil {
			return err
		}
		l.entries = append(l.entries, CrtListEntry{Cert: p, Line: i + 1})
		l.paths = append(l.paths, p)
	}
	s.lists[dir] = l
	s.lorder = append(s.lorder, dir)
	return nil
}

// loadListLocked reads a crt-list and loads its certificates.
func (s *Store) loadListLocked(path string) error {
	if _, ok := s.lists[path]; ok {
		return nil
	}
	data, err := s.files.ReadFile(path)
	if err != nil {
		return fmt.Errorf("'crt-list' : cannot open file '%s' : %s", path, errText(err))
	}
	entries, err := ParseCrtList(path, data)
	if err != nil {
		return err
	}
	l := &crtList{path: path}
	for _, e := range entries {
		p := s.certPath(e.Cert)
		if err := s.loadCertLocked(p); err != nil {
			return fmt.Errorf("parsing [%s:%d]: %v", path, e.Line, err)
		}
		l.entries = append(l.entries, e)
		l.paths = append(l.paths, p)
	}
	s.lists[path] = l
	s.lorder = append(s.lorder, path)
	return nil
}

// certPath applies crt-base to a relative certificate name.
func (s *Store) certPath(name string) string {
	if s.global.CrtBase != "" && name != "" && name[0] != '/' {
		return s.global.CrtBase + "/" + name
	}
	return name
}

// entriesLocked returns a source's certificates with their lines.
func (s *Store) entriesLocked(src source) []storeEntry {
	if !src.list {
		return []storeEntry{{path: src.path}}
	}
	l := s.lists[src.path]
	out := make([]storeEntry, len(l.entries))
	for i, e := range l.entries {
		out[i] = storeEntry{path: l.paths[i], line: e}
	}
	return out
}

// certLocked returns the current certificate of a store name.
func (s *Store) certLocked(path string) *Cert { return s.certs[path] }

// reindexLocked rebuilds every bind's SNI index from the store's
// current state and publishes them only if all could be built.
func (s *Store) reindexLocked() error {
	idx := make([]*sniIndex, len(s.binds))
	for i, bb := range s.binds {
		var err error
		if idx[i], err = bb.b.buildIndex(bb.srcs); err != nil {
			return err
		}
	}
	for i, bb := range s.binds {
		bb.b.index.Store(idx[i])
	}
	return nil
}

// usesLocked counts the binds' uses of a certificate (HAProxy's
// instances), for "Committing NAME...".
func (s *Store) usesLocked(path string) int {
	n := 0
	for _, bb := range s.binds {
		for _, src := range bb.srcs {
			for _, e := range s.entriesLocked(src) {
				if e.path == path {
					n++
				}
			}
		}
	}
	return n
}

// Cert returns the current certificate of a store name (nil if unknown
// or empty).
func (s *Store) Cert(path string) *Cert {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.certs[path]
}
