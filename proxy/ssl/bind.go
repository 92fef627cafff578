package ssl

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/goha/goha/config"
)

// Bind is the TLS side of one `bind ... ssl` line: its certificates
// (from the store, so runtime updates reach it) chosen by SNI, and the
// *tls.Config its listener hands to tls.Server.
type Bind struct {
	store *Store
	opts  config.BindTLS
	// where names the bind in errors: "bind '127.0.0.1:443' at [f.cfg:7]".
	where string
	base  *tls.Config
	index atomic.Pointer[sniIndex]
}

// sniIndex is a bind's certificates by name, rebuilt and swapped when
// the store changes.
type sniIndex struct {
	exact map[string][]*sniEntry
	// wild is keyed by the part after "*" (".example.com").
	wild map[string][]*sniEntry
	def  *sniEntry
}

// sniEntry is one certificate of a bind with the settings it is served
// with (a crt-list line may change them).
type sniEntry struct {
	cert *Cert
	conf *tls.Config
	// neg are the "!name" filters of its crt-list line.
	neg []string
}

// ErrNoCertificate is why a handshake fails under strict-sni when no
// certificate matches (or no SNI is sent).
var ErrNoCertificate = errors.New("no certificate for the SNI (strict-sni)")

// Config returns the *tls.Config to give tls.Server for this bind. It
// stays the same for the bind's life: certificate changes go through
// its GetConfigForClient.
func (b *Bind) Config() *tls.Config { return b.base }

// SetTicketKeys sets the session-ticket keys (the first encrypts, all
// decrypt): the master hands the same keys to every worker, so any of
// them resumes any session. Without a call, a `tls-ticket-keys` file's
// keys or Go's random rotating keys are used.
func (b *Bind) SetTicketKeys(keys [][32]byte) { b.base.SetSessionTicketKeys(keys) }

// getConfigForClient chooses the certificate by SNI, as HAProxy does:
// exact names, then the wildcard one level up (unless the line excludes
// the name with "!name"); among matches an ECDSA certificate the
// client can use, then any it can use, then the first; no match gives
// the default certificate (the first loaded), or fails under
// strict-sni.
func (b *Bind) getConfigForClient(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	idx := b.index.Load()
	name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	var cands []*sniEntry
	if name != "" {
		cands = append(cands, idx.exact[name]...)
		if dot := strings.IndexByte(name, '.'); dot >= 0 {
			for _, e := range idx.wild[name[dot:]] {
				if !contains(e.neg, name) {
					cands = append(cands, e)
				}
			}
		}
	}
	if len(cands) == 0 {
		if b.opts.StrictSNI || idx.def == nil {
			return nil, ErrNoCertificate
		}
		return idx.def.conf, nil
	}
	return pickEntry(hello, cands).conf, nil
}

// pickEntry prefers an ECDSA certificate the client supports, then any
// certificate it supports, then the first.
func pickEntry(hello *tls.ClientHelloInfo, cands []*sniEntry) *sniEntry {
	var usable *sniEntry
	for _, e := range cands {
		if hello.SupportsCertificate(&e.cert.TLS) != nil {
			continue
		}
		if isECDSA(e.cert) {
			return e
		}
		if usable == nil {
			usable = e
		}
	}
	if usable != nil {
		return usable
	}
	return cands[0]
}

// reindex rebuilds and publishes the SNI index. Called with the store
// locked.
func (b *Bind) reindex(srcs []source) error {
	idx, err := b.buildIndex(srcs)
	if err != nil {
		return err
	}
	b.index.Store(idx)
	return nil
}

// buildIndex builds the SNI index from the store's current
// certificates and lists. Called with the store locked.
func (b *Bind) buildIndex(srcs []source) (*sniIndex, error) {
	idx := &sniIndex{exact: map[string][]*sniEntry{}, wild: map[string][]*sniEntry{}}
	for _, src := range srcs {
		for _, ent := range b.store.entriesLocked(src) {
			cert := b.store.certLocked(ent.path)
			if cert == nil {
				continue // an empty `new ssl cert` store: nothing to serve
			}
			opts := mergeLineOptions(b.opts, ent.line.Options)
			conf, err := b.entryConfig(opts, cert)
			if err != nil {
				return nil, err
			}
			e := &sniEntry{cert: cert, conf: conf}
			idx.add(e, ent.line.Filters)
		}
	}
	return idx, nil
}

// add indexes e under its filters, or under its certificate's names.
func (idx *sniIndex) add(e *sniEntry, filters []string) {
	if idx.def == nil {
		idx.def = e
	}
	names := filters
	if len(names) == 0 {
		names = e.cert.Names
	}
	for _, n := range names {
		n = strings.ToLower(n)
		switch {
		case strings.HasPrefix(n, "!"):
			e.neg = append(e.neg, n[1:])
		case strings.HasPrefix(n, "*."):
			idx.wild[n[1:]] = append(idx.wild[n[1:]], e)
		default:
			idx.exact[n] = append(idx.exact[n], e)
		}
	}
}

// mergeLineOptions applies a crt-list line's options over the bind's.
func mergeLineOptions(b, l config.BindTLS) config.BindTLS {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&b.CAFile, l.CAFile)
	set(&b.CRLFile, l.CRLFile)
	set(&b.Verify, l.Verify)
	set(&b.Ciphers, l.Ciphers)
	set(&b.Ciphersuites, l.Ciphersuites)
	set(&b.Curves, l.Curves)
	set(&b.ECDHE, l.ECDHE)
	set(&b.Methods.Min, l.Methods.Min)
	set(&b.Methods.Max, l.Methods.Max)
	if l.ALPN != nil {
		b.ALPN = l.ALPN
	}
	if l.NPN != nil {
		b.NPN = l.NPN
	}
	b.NoCANames = b.NoCANames || l.NoCANames
	b.Allow0RTT = b.Allow0RTT || l.Allow0RTT
	return b
}

// entryConfig builds the *tls.Config a certificate is served with.
func (b *Bind) entryConfig(o config.BindTLS, cert *Cert) (*tls.Config, error) {
	c, err := b.store.serverConfig(o, b.where)
	if err != nil {
		return nil, err
	}
	c.Certificates = []tls.Certificate{cert.TLS}
	return c, nil
}

// serverConfig turns bind options into a *tls.Config without
// certificates; where names the bind in errors (HAProxy's wording).
func (s *Store) serverConfig(o config.BindTLS, where string) (*tls.Config, error) {
	c := &tls.Config{NextProtos: o.ALPN, SessionTicketsDisabled: o.NoTLSTickets}
	var err error
	if c.MinVersion, c.MaxVersion, err = versionRange(o.Methods, tls.VersionTLS12); err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	if o.Ciphers != "" {
		cl, err := ParseCiphers(o.Ciphers)
		if err != nil {
			return nil, fmt.Errorf("unable to set SSL cipher list to '%s' for %s (%v)", o.Ciphers, where, err)
		}
		c.CipherSuites = cl.IDs
	}
	curves := o.Curves
	if curves == "" {
		curves = o.ECDHE
	}
	if curves != "" {
		if c.CurvePreferences, err = ParseCurves(curves); err != nil {
			return nil, fmt.Errorf("unable to set SSL curves list to '%s' for %s (%v)", curves, where, err)
		}
	}
	var suites13 []uint16
	if o.Ciphersuites != "" {
		cl, err := ParseCiphersuites(o.Ciphersuites)
		if err != nil {
			return nil, fmt.Errorf("unable to set TLS 1.3 cipher suites to '%s' for %s (%v)", o.Ciphersuites, where, err)
		}
		suites13 = cl.IDs
	}
	v, err := s.clientVerifier(o, where)
	if err != nil {
		return nil, err
	}
	v.apply(c)
	c.VerifyConnection = verifyConnection(suites13)
	return c, nil
}

// verifyConnection refuses a TLS 1.3 connection on a suite outside
// `ciphersuites` (crypto/tls does not let the list steer its choice).
func verifyConnection(allowed []uint16) func(tls.ConnectionState) error {
	if len(allowed) == 0 || len(allowed) == len(tls13Suites) {
		return nil
	}
	return func(cs tls.ConnectionState) error {
		if cs.Version == tls.VersionTLS13 && !contains(allowed, cs.CipherSuite) {
			return fmt.Errorf("TLS 1.3 cipher suite %s is not in ciphersuites", tls.CipherSuiteName(cs.CipherSuite))
		}
		return nil
	}
}
