package ssl

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goha/goha/config"
)

// OpenSSL's verify result codes that goha reports (ssl_c_verify,
// ssl_c_ca_err, ca-ignore-err/crt-ignore-err ids).
const (
	VerifyOK               = 0
	VerifyCertNotYetValid  = 9
	VerifyCertHasExpired   = 10
	VerifySelfSignedLeaf   = 18
	VerifySelfSignedChain  = 19
	VerifyUnknownIssuer    = 20
	VerifyCertRevoked      = 23
	VerifyInvalidPurpose   = 26
	VerifyHostnameMismatch = 62
)

// verifier checks client certificates for a bind: the CA pool, the
// CRLs, the mode and the errors to ignore.
type verifier struct {
	mode      string // "none", "optional", "required"
	roots     *x509.CertPool
	crls      []*x509.RevocationList
	ignoreCA  ignoreSet
	ignoreCrt ignoreSet
	noCANames bool
}

// ignoreSet is a parsed ca-ignore-err/crt-ignore-err value.
type ignoreSet struct {
	all bool
	ids []int
}

func parseIgnore(s string) ignoreSet {
	if s == "all" {
		return ignoreSet{all: true}
	}
	var out ignoreSet
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(f); err == nil {
			out.ids = append(out.ids, n)
		}
	}
	return out
}

func (i ignoreSet) has(code int) bool { return i.all || contains(i.ids, code) }

// clientVerifier reads a bind's ca-file and crl-file.
func (s *Store) clientVerifier(o config.BindTLS, where string) (*verifier, error) {
	v := &verifier{mode: o.Verify, ignoreCA: parseIgnore(o.CAIgnoreErr), ignoreCrt: parseIgnore(o.CrtIgnoreErr), noCANames: o.NoCANames}
	if v.mode == "" {
		v.mode = "none"
	}
	if o.CAFile != "" {
		pool, err := s.caPool(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("unable to set CA file '%s' for %s (%v)", o.CAFile, where, err)
		}
		v.roots = pool
	} else if v.mode != "none" {
		return nil, fmt.Errorf("verify is enabled but no CA file specified for %s", where)
	}
	if o.CRLFile != "" {
		crls, err := s.crlList(o.CRLFile)
		if err != nil {
			return nil, fmt.Errorf("unable to configure CRL file '%s' for %s (%v)", o.CRLFile, where, err)
		}
		v.crls = crls
	}
	return v, nil
}

// apply sets the client-certificate side of c.
func (v *verifier) apply(c *tls.Config) {
	switch v.mode {
	case "none":
		return
	case "optional":
		c.ClientAuth = tls.RequestClientCert
	default:
		c.ClientAuth = tls.RequireAnyClientCert
	}
	if !v.noCANames {
		c.ClientCAs = v.roots
	}
	c.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return nil // optional, and none sent
		}
		code, depth := v.check(raw, time.Now())
		if code == VerifyOK || (depth == 0 && v.ignoreCrt.has(code)) || (depth > 0 && v.ignoreCA.has(code)) {
			return nil
		}
		return &VerifyError{Code: code, Depth: depth}
	}
}

// VerifyError is a refused peer certificate, with OpenSSL's code.
type VerifyError struct {
	Code, Depth int
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("certificate verify failed at depth %d: %s", e.Depth, verifyText[e.Code])
}

var verifyText = map[int]string{
	VerifyCertNotYetValid:  "certificate is not yet valid",
	VerifyCertHasExpired:   "certificate has expired",
	VerifySelfSignedLeaf:   "self-signed certificate",
	VerifySelfSignedChain:  "self-signed certificate in certificate chain",
	VerifyUnknownIssuer:    "unable to get local issuer certificate",
	VerifyCertRevoked:      "certificate revoked",
	VerifyInvalidPurpose:   "unsupported certificate purpose",
	VerifyHostnameMismatch: "hostname mismatch",
}

// check verifies a peer chain (DER, leaf first) and returns OpenSSL's
// result code and the depth it applies to (0 = the leaf).
func (v *verifier) check(raw [][]byte, now time.Time) (code, depth int) {
	return verifyChain(raw, v.roots, v.crls, "", now, x509.ExtKeyUsageClientAuth)
}

// verifyChain verifies raw against roots (nil: system roots), then the
// CRLs; dnsName, when set, must match the leaf.
func verifyChain(raw [][]byte, roots *x509.CertPool, crls []*x509.RevocationList, dnsName string, now time.Time, usage x509.ExtKeyUsage) (code, depth int) {
	certs := make([]*x509.Certificate, 0, len(raw))
	for _, r := range raw {
		c, err := x509.ParseCertificate(r)
		if err != nil {
			return VerifyUnknownIssuer, 0
		}
		certs = append(certs, c)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	leaf := certs[0]
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: dnsName, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{usage}})
	if err != nil {
		return verifyCode(err, leaf, now)
	}
	for _, crl := range crls {
		if crl.Issuer.String() != leaf.Issuer.String() {
			continue
		}
		for _, r := range crl.RevokedCertificateEntries {
			if r.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
				return VerifyCertRevoked, 0
			}
		}
	}
	return VerifyOK, 0
}

// verifyCode maps a crypto/x509 verification error to OpenSSL's code.
func verifyCode(err error, leaf *x509.Certificate, now time.Time) (int, int) {
	var inv x509.CertificateInvalidError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		if now.Before(leaf.NotBefore) {
			return VerifyCertNotYetValid, 0
		}
		if now.After(leaf.NotAfter) {
			return VerifyCertHasExpired, 0
		}
		return VerifyCertHasExpired, 1
	case errors.As(err, &inv) && inv.Reason == x509.IncompatibleUsage:
		return VerifyInvalidPurpose, 0
	case errors.As(err, &hn):
		return VerifyHostnameMismatch, 0
	case errors.As(err, &ua):
		if leaf.Subject.String() == leaf.Issuer.String() {
			return VerifySelfSignedLeaf, 0
		}
		return VerifyUnknownIssuer, 0
	}
	return VerifyUnknownIssuer, 0
}

// caPool reads a PEM CA file ("@system-ca": the system's roots).
func (s *Store) caPool(path string) (*x509.CertPool, error) {
	if path == "@system-ca" {
		return x509.SystemCertPool()
	}
	s.keptMu.Lock()
	pool := s.pools[path]
	s.keptMu.Unlock()
	if pool != nil {
		return pool, nil // parsed once: ConnInfo asks on every client certificate
	}
	data, err := s.readKept(path)
	if err != nil {
		return nil, errors.New(errText(err))
	}
	pool = x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, errors.New("no certificate in it")
	}
	s.keptMu.Lock()
	if s.pools == nil {
		s.pools = map[string]*x509.CertPool{}
	}
	s.pools[path] = pool
	s.keptMu.Unlock()
	return pool, nil
}

// crlList reads a CRL file: PEM X509 CRL blocks, or one DER CRL.
func (s *Store) crlList(path string) ([]*x509.RevocationList, error) {
	data, err := s.readKept(path)
	if err != nil {
		return nil, errors.New(errText(err))
	}
	var out []*x509.RevocationList
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "X509 CRL" {
			crl, err := x509.ParseRevocationList(b.Bytes)
			if err != nil {
				return nil, err
			}
			out = append(out, crl)
		}
	}
	if len(out) == 0 {
		crl, err := x509.ParseRevocationList(data)
		if err != nil {
			return nil, errors.New("no CRL in it")
		}
		out = append(out, crl)
	}
	return out, nil
}

func isECDSA(c *Cert) bool {
	_, ok := c.Leaf.PublicKey.(*ecdsa.PublicKey)
	return ok
}

// readKept reads a CA or CRL file once and keeps its bytes: the binds'
// settings are rebuilt later (a runtime commit, a client certificate's
// verify result) in a worker that is chrooted and unprivileged by then.
func (s *Store) readKept(path string) ([]byte, error) {
	s.keptMu.Lock()
	defer s.keptMu.Unlock()
	if b, ok := s.kept[path]; ok {
		return b, nil
	}
	b, err := s.files.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if s.kept == nil {
		s.kept = map[string][]byte{}
	}
	s.kept[path] = b
	return b, nil
}
