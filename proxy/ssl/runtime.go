package ssl

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// The runtime API's certificate commands, as HAProxy 2.6 answers them.
// Each method returns the text to print; on failure the error's text is
// what to print. One transaction at a time, for one certificate, as in
// HAProxy. The CLI registration lives in the worker.

// certTx is the ongoing `set ssl cert` transaction.
type certTx struct {
	name string
	// pem is the certificate (with its chain and maybe its key), key a
	// separate key, ocsp and issuer the side files' contents.
	pem, key, ocsp, issuer []byte
}

// sideFiles maps a side file's extension to its slot in a transaction.
var sideFiles = map[string]func(*certTx) *[]byte{
	".key":    func(t *certTx) *[]byte { return &t.key },
	".ocsp":   func(t *certTx) *[]byte { return &t.ocsp },
	".issuer": func(t *certTx) *[]byte { return &t.issuer },
}

// splitSide splits "www.pem.ocsp" into "www.pem" and ".ocsp" when the
// base name is a known certificate.
func (s *Store) splitSideLocked(name string) (string, string) {
	for ext := range sideFiles {
		if base, ok := strings.CutSuffix(name, ext); ok {
			if _, known := s.certs[base]; known {
				return base, ext
			}
		}
	}
	return name, ""
}

// txFromCert starts a transaction from a certificate's current content.
func txFromCert(name string, c *Cert) *certTx {
	t := &certTx{name: name}
	if c == nil {
		return t
	}
	for _, der := range c.TLS.Certificate {
		t.pem = append(t.pem, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	if k, err := x509.MarshalPKCS8PrivateKey(c.TLS.PrivateKey); err == nil {
		t.key = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})
	}
	t.ocsp = c.TLS.OCSPStaple
	return t
}

// SetCert handles `set ssl cert NAME <<PAYLOAD`: NAME is a certificate
// of the store, or NAME.key/.ocsp (base64 DER)/.issuer for its side
// files.
func (s *Store) SetCert(name string, payload []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	base, ext := s.splitSideLocked(name)
	fail := func(msg string) (string, error) {
		return "", fmt.Errorf("%sCan't update %s!\n", msg, name)
	}
	cur, known := s.certs[base]
	if !known {
		return fail("Can't replace a certificate which is not referenced by the configuration!\n")
	}
	created := s.tx == nil
	if !created && s.tx.name != base {
		return fail(fmt.Sprintf("The ongoing transaction is about '%s' but you are trying to set '%s'\n", s.tx.name, base))
	}
	t := s.tx
	if created {
		t = txFromCert(base, cur)
	}
	if err := t.set(ext, payload); err != nil {
		return fail(fmt.Sprintf("%v.\nCan't load the payload\n", err))
	}
	s.tx = t
	if created {
		return fmt.Sprintf("Transaction created for certificate %s!\n", base), nil
	}
	return fmt.Sprintf("Transaction updated for certificate %s!\n", base), nil
}

// set stores a payload in the transaction after checking it parses.
func (t *certTx) set(ext string, payload []byte) error {
	switch ext {
	case "":
		p, err := parsePEM(payload)
		if err != nil || len(p.certs) == 0 {
			return fmt.Errorf("unable to load certificate from file '%s'", t.name)
		}
		if _, err := x509.ParseCertificate(p.certs[0]); err != nil {
			return fmt.Errorf("unable to load certificate from file '%s'", t.name)
		}
		t.pem = payload
		if p.key != nil {
			t.key = nil
		}
	case ".ocsp":
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(payload)), ""))
		if err != nil {
			return fmt.Errorf("unable to load OCSP response for '%s'", t.name)
		}
		t.ocsp = der
	default:
		if p, err := parsePEM(payload); err != nil || (ext == ".key" && p.key == nil) || (ext == ".issuer" && len(p.certs) == 0) {
			return fmt.Errorf("unable to load %s for '%s'", ext, t.name)
		}
		*sideFiles[ext](t) = payload
	}
	return nil
}

// build makes the transaction's certificate.
func (t *certTx) build() (*Cert, error) {
	side := func(ext string) []byte {
		if f, ok := sideFiles[ext]; ok {
			return *f(t)
		}
		return nil
	}
	if len(t.pem) == 0 {
		return nil, errors.New("The transaction must contain at least a certificate and a private key!\n")
	}
	c, err := buildCert(t.name, t.pem, side)
	if err != nil {
		return nil, fmt.Errorf("%v.\n", err)
	}
	return c, nil
}

// CommitCert handles `commit ssl cert NAME`: the new certificate
// replaces the old one for every bind using it, for the next
// handshakes, all at once.
func (s *Store) CommitCert(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := func(msg string) (string, error) { return "", fmt.Errorf("%sCan't commit %s!\n", msg, name) }
	if s.tx == nil {
		return fail("No ongoing transaction! !\n")
	}
	if s.tx.name != name {
		return fail(fmt.Sprintf("The ongoing transaction is about '%s' but you are trying to set '%s'\n", s.tx.name, name))
	}
	c, err := s.tx.build()
	if err != nil {
		return fail(err.Error())
	}
	old := s.certs[name]
	s.certs[name] = c
	if err := s.reindexLocked(); err != nil {
		s.certs[name] = old
		return "", fmt.Errorf("Committing %s\n%v\nFailed!\n", name, err)
	}
	s.tx = nil
	return fmt.Sprintf("Committing %s%s\nSuccess!\n", name, strings.Repeat(".", s.usesLocked(name))), nil
}

// AbortCert handles `abort ssl cert NAME`.
func (s *Store) AbortCert(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tx == nil {
		return "", errors.New("No ongoing transaction!\n")
	}
	if s.tx.name != name {
		return "", fmt.Errorf("The ongoing transaction is about '%s' but you are trying to abort a transaction for '%s'\n", s.tx.name, name)
	}
	s.tx = nil
	return fmt.Sprintf("Transaction aborted for certificate '%s'!\n", name), nil
}

// NewCert handles `new ssl cert NAME`: an empty certificate store, to
// fill with set/commit and use with `add ssl crt-list`.
func (s *Store) NewCert(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.certs[name]; ok {
		return "", fmt.Errorf("Certificate '%s' already exists!\n", name)
	}
	s.certs[name] = nil
	s.order = append(s.order, name)
	return fmt.Sprintf("New empty certificate store '%s'!\n", name), nil
}

// DelCert handles `del ssl cert NAME`: only a certificate no bind and no
// crt-list uses.
func (s *Store) DelCert(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := func(msg string) (string, error) { return "", fmt.Errorf("Can't remove the certificate: %s\n", msg) }
	if _, ok := s.certs[name]; !ok {
		return fail(fmt.Sprintf("certificate '%s' doesn't exist!\n", name))
	}
	if s.direct[name] || s.inListLocked(name) || (s.tx != nil && s.tx.name == name) {
		return fail(fmt.Sprintf("certificate '%s' in use, can't be deleted!\n", name))
	}
	delete(s.certs, name)
	s.order = remove(s.order, name)
	return fmt.Sprintf("Certificate '%s' deleted!\n", name), nil
}

// inListLocked says whether a crt-list or directory holds name.
func (s *Store) inListLocked(name string) bool {
	for _, l := range s.lists {
		if contains(l.paths, name) {
			return true
		}
	}
	return false
}

func remove(l []string, x string) []string {
	out := l[:0:0]
	for _, y := range l {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}
