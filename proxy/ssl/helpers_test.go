package ssl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
	pem  []byte
}

var serial int64 = 1000

func newKey(t *testing.T, rsaKey bool) crypto.Signer {
	t.Helper()
	if rsaKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newCA(t *testing.T, cn string) *testCA {
	t.Helper()
	k := newKey(t, false)
	serial++
	tpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &testCA{cert: c, key: k, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// certSpec describes a leaf certificate to issue.
type certSpec struct {
	subject  pkix.Name
	dns      []string
	rsa      bool
	expired  bool
	keySplit bool // write the key to NAME.key instead of the PEM
}

// issue makes a leaf signed by ca and returns its PEM (cert then key)
// and its key PEM.
func (ca *testCA) issue(t *testing.T, s certSpec) (certPEM, keyPEM []byte) {
	t.Helper()
	k := newKey(t, s.rsa)
	serial++
	nb, na := time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	if s.expired {
		nb, na = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: s.subject, DNSNames: s.dns, NotBefore: nb, NotAfter: na,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca.cert, k.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})
}

// writeCert writes NAME (cert+key, or cert with NAME.key) in dir.
func (ca *testCA) writeCert(t *testing.T, dir, name string, s certSpec) string {
	t.Helper()
	c, k := ca.issue(t, s)
	p := filepath.Join(dir, name)
	if s.keySplit {
		writeFile(t, p+".key", k)
	} else {
		c = append(c, k...)
	}
	writeFile(t, p, c)
	return p
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func cn(s string) pkix.Name { return pkix.Name{CommonName: s} }

// serve accepts TLS connections on 127.0.0.1 with conf until the test
// ends; each connection, once its handshake succeeds, gets "ok" and is
// closed. It returns the address.
func serve(t *testing.T, conf *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				tc := tls.Server(c, conf)
				tc.SetDeadline(time.Now().Add(5 * time.Second))
				if tc.Handshake() == nil {
					tc.Write([]byte("ok"))
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

// dial connects with cc, reads the server's "ok" and returns the
// connection state; err is set when the handshake (or the read that
// follows it, where TLS 1.3 reports a refused client certificate)
// failed.
func dial(t *testing.T, addr string, cc *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, cc)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2)
	if _, err := c.Read(buf); err != nil {
		return c.ConnectionState(), err
	}
	return c.ConnectionState(), nil
}

// servedCN dials with SNI sni (none if "") and returns the CN of the
// certificate served, or "none" when the handshake failed.
func servedCN(t *testing.T, addr, sni string, cc *tls.Config) string {
	t.Helper()
	if cc == nil {
		cc = &tls.Config{}
	}
	cc = cc.Clone()
	cc.InsecureSkipVerify, cc.ServerName = true, sni
	cs, err := dial(t, addr, cc)
	if err != nil || len(cs.PeerCertificates) == 0 {
		return "none"
	}
	return cs.PeerCertificates[0].Subject.CommonName
}

// subj is a subject with a country, an organisation, two OUs and a CN.
func subj(c, o, cn, ou1, ou2 string) pkix.Name {
	return pkix.Name{Country: []string{c}, Organization: []string{o}, OrganizationalUnit: []string{ou1, ou2}, CommonName: cn}
}
