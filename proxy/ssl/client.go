package ssl

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/goha/goha/config"
)

// Client is the TLS side of a `server ... ssl` line: goha connecting to
// a TLS server. It keeps a session cache per server so connections
// resume (unless `no-ssl-reuse`).
type Client struct {
	base *tls.Config
	// SNI is the `sni` sample expression as written; the stream
	// evaluates it per connection and passes the result to Config.
	SNI string
	// CheckSNI is `check-sni`, the name health checks send.
	CheckSNI string
	// CheckALPN is `check-alpn`.
	CheckALPN []string
}

// clientSessionCacheSize is the number of sessions kept per server.
const clientSessionCacheSize = 64

// NewClient builds a server's TLS client settings: verify (the line's,
// else ssl-server-verify, else required), ca-file, crl-file, crt (the
// client certificate), alpn, versions, ciphers. where names the server
// in errors: "'server be/s1' at [app.cfg:12]".
func (s *Store) NewClient(srv *config.Server, where string) (*Client, error) {
	o := srv.TLS
	c := &tls.Config{NextProtos: o.ALPN, SessionTicketsDisabled: o.NoTLSTickets, InsecureSkipVerify: true}
	var err error
	if c.MinVersion, c.MaxVersion, err = versionRange(o.Methods, tls.VersionTLS12); err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	if o.Ciphers != "" {
		cl, err := ParseCiphers(o.Ciphers)
		if err != nil {
			return nil, fmt.Errorf("%s : unable to set SSL cipher list to '%s' (%v)", where, o.Ciphers, err)
		}
		c.CipherSuites = cl.IDs
	}
	if o.Ciphersuites != "" {
		if _, err := ParseCiphersuites(o.Ciphersuites); err != nil {
			return nil, fmt.Errorf("%s : unable to set TLS 1.3 cipher suites to '%s' (%v)", where, o.Ciphersuites, err)
		}
	}
	if o.Crt != "" {
		cert, err := LoadCert(s.files, o.Crt)
		if err != nil {
			return nil, fmt.Errorf("%s : %v", where, err)
		}
		c.Certificates = []tls.Certificate{cert.TLS}
	}
	if !o.NoSSLReuse {
		c.ClientSessionCache = tls.NewLRUClientSessionCache(clientSessionCacheSize)
	}
	if err := s.serverVerification(c, srv, where); err != nil {
		return nil, err
	}
	return &Client{base: c, SNI: srv.SNI, CheckSNI: o.CheckSNI, CheckALPN: o.CheckALPN}, nil
}

// serverVerification sets how a server's certificate is checked: the
// chain against ca-file (and crl-file), and the name against
// `verifyhost`, else the SNI sent, else not at all, as HAProxy does.
func (s *Store) serverVerification(c *tls.Config, srv *config.Server, where string) error {
	mode := srv.Verify
	if mode == "" {
		mode = s.global.ServerVerify
	}
	if mode == "none" {
		return nil
	}
	if srv.CAFile == "" {
		return fmt.Errorf("%s : verify is enabled by default but no CA file specified", where)
	}
	roots, err := s.caPool(srv.CAFile)
	if err != nil {
		return fmt.Errorf("%s : unable to set CA file '%s' (%v)", where, srv.CAFile, err)
	}
	var crls []*x509.RevocationList
	if srv.TLS.CRLFile != "" {
		if crls, err = s.crlList(srv.TLS.CRLFile); err != nil {
			return fmt.Errorf("%s : unable to configure CRL file '%s' (%v)", where, srv.TLS.CRLFile, err)
		}
	}
	host, noHost := srv.TLS.VerifyHost, srv.TLS.NoVerifyHost
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		raw := make([][]byte, len(cs.PeerCertificates))
		for i, p := range cs.PeerCertificates {
			raw[i] = p.Raw
		}
		name := host
		if name == "" {
			name = cs.ServerName
		}
		if noHost {
			name = ""
		}
		if len(raw) == 0 {
			return &VerifyError{Code: VerifyUnknownIssuer}
		}
		if code, depth := verifyChain(raw, roots, crls, name, time.Now(), x509.ExtKeyUsageServerAuth); code != VerifyOK {
			return &VerifyError{Code: code, Depth: depth}
		}
		return nil
	}
	return nil
}

// Config returns the *tls.Config for one connection to the server, with
// sni (the evaluated `sni` expression, "" for none) as the server name.
// Connections share the server's session cache.
func (c *Client) Config(sni string) *tls.Config {
	if sni == "" {
		return c.base
	}
	cc := c.base.Clone()
	cc.ServerName = sni
	return cc
}
