package ssl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// Cert is one certificate of the store, as loaded from a PEM file and
// its side files, or set through the runtime API. It is immutable: a
// change makes a new Cert.
type Cert struct {
	// Path is the store's name for it: the file name as configured.
	Path string
	// TLS is the leaf, the chain and the key for crypto/tls, with
	// OCSPStaple set from the .ocsp side file.
	TLS tls.Certificate
	// Leaf is the parsed leaf certificate; Issuer the .issuer side file
	// or the chain's issuer, when there is one.
	Leaf   *x509.Certificate
	Issuer *x509.Certificate
	// Names are the SNI names it answers when no filter says otherwise:
	// its DNS SANs then its subject CNs, lower-cased.
	Names []string
}

// Files reads files: the store's seam to the file system (tests and the
// runtime API give their own).
type Files interface {
	ReadFile(name string) ([]byte, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Stat(name string) (fs.FileInfo, error)
}

// OSFiles reads the real file system.
type OSFiles struct{}

// ReadFile is os.ReadFile.
func (OSFiles) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// ReadDir is os.ReadDir.
func (OSFiles) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// Stat is os.Stat.
func (OSFiles) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// pemParts is what a PEM payload holds.
type pemParts struct {
	certs [][]byte // DER, leaf first
	key   crypto.Signer
}

// parsePEM reads certificates and at most one private key from data.
func parsePEM(data []byte) (pemParts, error) {
	var p pemParts
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return p, nil
		}
		switch {
		case b.Type == "CERTIFICATE" || b.Type == "TRUSTED CERTIFICATE":
			p.certs = append(p.certs, b.Bytes)
		case strings.HasSuffix(b.Type, "PRIVATE KEY"):
			k, err := parseKey(b.Bytes)
			if err != nil {
				return p, err
			}
			p.key = k
		}
	}
}

// parseKey reads a PKCS#8, PKCS#1 (RSA) or SEC 1 (EC) private key.
func parseKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("unsupported private key")
}

// LoadCert loads the certificate file path with its side files: the key
// from path+".key" when the PEM has none, the OCSP response (DER) from
// path+".ocsp", the issuer from path+".issuer", as HAProxy 2.6 does
// with its default ssl-load-extra-files. Errors use HAProxy's words.
func LoadCert(files Files, path string) (*Cert, error) {
	data, err := files.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("unable to stat SSL certificate from file '%s' : %s", path, errText(err))
	}
	side := func(ext string) []byte {
		b, err := files.ReadFile(path + ext)
		if err != nil {
			return nil
		}
		return b
	}
	return buildCert(path, data, side)
}

// buildCert makes a Cert from a PEM payload and a reader of its side
// files (nil results when absent).
func buildCert(path string, data []byte, side func(ext string) []byte) (*Cert, error) {
	parts, err := parsePEM(data)
	if err != nil || len(parts.certs) == 0 {
		return nil, fmt.Errorf("unable to load certificate from file '%s'", path)
	}
	if parts.key == nil {
		if kb := side(".key"); kb != nil {
			kp, err := parsePEM(kb)
			if err != nil || kp.key == nil {
				return nil, fmt.Errorf("'%s.key' is present but cannot be read or parsed", path)
			}
			parts.key = kp.key
		}
	}
	if parts.key == nil {
		return nil, fmt.Errorf("No Private Key found in '%s.key'", path)
	}
	leaf, err := x509.ParseCertificate(parts.certs[0])
	if err != nil {
		return nil, fmt.Errorf("unable to load certificate from file '%s': %v", path, err)
	}
	if !keyMatches(leaf.PublicKey, parts.key.Public()) {
		return nil, fmt.Errorf("inconsistencies between private key and certificate loaded '%s'", path)
	}
	c := &Cert{Path: path, Leaf: leaf, TLS: tls.Certificate{Certificate: parts.certs, PrivateKey: parts.key, Leaf: leaf}}
	if len(parts.certs) > 1 {
		c.Issuer, _ = x509.ParseCertificate(parts.certs[1])
	}
	if ib := side(".issuer"); ib != nil && c.Issuer == nil {
		ip, _ := parsePEM(ib)
		if len(ip.certs) > 0 {
			c.Issuer, _ = x509.ParseCertificate(ip.certs[0])
		}
	}
	c.TLS.OCSPStaple = side(".ocsp")
	c.Names = certNames(leaf)
	return c, nil
}

// keyMatches compares a certificate's public key with a private key's.
func keyMatches(pub, priv crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	switch p := pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return p.(equaler).Equal(priv)
	}
	return false
}

// certNames returns the DNS SANs then the subject CNs, lower-cased, as
// HAProxy indexes a certificate without SNI filters.
func certNames(c *x509.Certificate) []string {
	var out []string
	for _, n := range c.DNSNames {
		out = append(out, strings.ToLower(n))
	}
	for _, atv := range c.Subject.Names {
		if atv.Type.Equal(oidCN) {
			if s, ok := atv.Value.(string); ok {
				out = append(out, strings.ToLower(s))
			}
		}
	}
	return out
}

// dirCerts lists the certificate files of a `crt DIR`, in HAProxy's
// order (byte order of names): regular files, skipping dot-files with an
// extension and the .key, .ocsp, .issuer and .sctl side files.
func dirCerts(files Files, dir string) ([]string, error) {
	ents, err := files.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("unable to scan directory '%s' : %s", dir, errText(err))
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if dot := strings.LastIndexByte(n, '.'); dot >= 0 {
			ext := n[dot:]
			if n[0] == '.' || ext == ".key" || ext == ".ocsp" || ext == ".issuer" || ext == ".sctl" {
				continue
			}
		}
		p := strings.TrimSuffix(dir, "/") + "/" + n
		st, err := files.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// errText is an error's text as strerror() words it ("No such file or
// directory").
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}
