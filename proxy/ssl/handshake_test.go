package ssl

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha/goha/config"
)

// certDir writes the certificates of the SNI tests: a directory whose
// first file is the default, a key in a side file, a multi-SAN, a
// wildcard, and an ECDSA and an RSA certificate for the same name.
func certDir(t *testing.T, ca *testCA) string {
	dir := filepath.Join(t.TempDir(), "certs")
	ca.writeCert(t, dir, "00-default.pem", certSpec{subject: cn("default.test"), dns: []string{"default.test"}})
	ca.writeCert(t, dir, "alpha.pem", certSpec{subject: cn("alpha.test")})
	ca.writeCert(t, dir, "beta.pem", certSpec{subject: cn("beta.test"), dns: []string{"beta.test"}, keySplit: true})
	ca.writeCert(t, dir, "multi.pem", certSpec{subject: cn("multi.test"), dns: []string{"one.test", "two.test"}})
	ca.writeCert(t, dir, "wild.pem", certSpec{subject: cn("wild.test"), dns: []string{"*.wild.test"}})
	ca.writeCert(t, dir, "both-ecdsa.pem", certSpec{subject: cn("both-ecdsa.test"), dns: []string{"both.test"}})
	ca.writeCert(t, dir, "both-rsa.pem", certSpec{subject: cn("both-rsa.test"), dns: []string{"both.test"}, rsa: true})
	return dir
}

func addBind(t *testing.T, s *Store, o config.BindTLS) *Bind {
	t.Helper()
	b, err := s.AddBind(o, "bind 'test'")
	if err != nil {
		t.Fatalf("AddBind: %v", err)
	}
	return b
}

// rsaOnly is a TLS 1.2 client that can only use RSA certificates.
var rsaOnly = &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}}

func TestSNIFromDirectory(t *testing.T) {
	ca := newCA(t, "test CA")
	dir := certDir(t, ca)
	s := NewStore(nil, config.GlobalTLS{})
	addr := serve(t, addBind(t, s, config.BindTLS{Certs: []config.CertSource{{Path: dir}}}).Config())
	strict := serve(t, addBind(t, s, config.BindTLS{Certs: []config.CertSource{{Path: dir}}, StrictSNI: true}).Config())
	tests := []struct {
		name, addr, sni string
		client          *tls.Config
		want            string
	}{
		{"no SNI: the first file is the default", addr, "", nil, "default.test"},
		{"CN only", addr, "alpha.test", nil, "alpha.test"},
		{"upper case SNI", addr, "ALPHA.test", nil, "alpha.test"},
		{"key in a .key side file", addr, "beta.test", nil, "beta.test"},
		{"second SAN", addr, "two.test", nil, "multi.test"},
		{"wildcard SAN", addr, "x.wild.test", nil, "wild.test"},
		{"wildcard is one level only", addr, "a.b.wild.test", nil, "default.test"},
		{"unknown SNI: the default", addr, "unknown.test", nil, "default.test"},
		{"same name: ECDSA for an ECDSA client", addr, "both.test", nil, "both-ecdsa.test"},
		{"same name: RSA for an RSA-only client", addr, "both.test", rsaOnly, "both-rsa.test"},
		{"strict-sni: known name", strict, "alpha.test", nil, "alpha.test"},
		{"strict-sni: unknown name refused", strict, "unknown.test", nil, "none"},
		{"strict-sni: no SNI refused", strict, "", nil, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := servedCN(t, tt.addr, tt.sni, tt.client); got != tt.want {
				t.Errorf("SNI %q served %s; want %s", tt.sni, got, tt.want)
			}
		})
	}
	if got, want := s.Cert(filepath.Join(dir, "beta.pem")).Path, filepath.Join(dir, "beta.pem"); got != want {
		t.Errorf("store name = %q; want %q", got, want)
	}
}

func TestCrtList(t *testing.T) {
	ca := newCA(t, "test CA")
	dir := t.TempDir()
	for _, n := range []string{"default", "alpha", "neg"} {
		ca.writeCert(t, dir, n+".pem", certSpec{subject: cn(n + ".test"), dns: []string{n + ".test"}})
	}
	ca.writeCert(t, dir, "multi.pem", certSpec{subject: cn("multi.test"), dns: []string{"one.test", "two.test"}})
	ca.writeCert(t, dir, "wild.pem", certSpec{subject: cn("wild.test"), dns: []string{"*.wild.test"}})
	list := filepath.Join(dir, "list.txt")
	writeFile(t, list, []byte(fmt.Sprintf("# comment\n\n%[1]s/default.pem\n%[1]s/alpha.pem [alpn http/1.1] alpha.test\n"+
		"%[1]s/multi.pem one.test\n%[1]s/wild.pem *.wild.test !bad.wild.test\n%[1]s/neg.pem\tneg.test  other.test\n", dir)))
	s := NewStore(nil, config.GlobalTLS{})
	addr := serve(t, addBind(t, s, config.BindTLS{Certs: []config.CertSource{{Path: list, List: true}}, ALPN: []string{"h2", "http/1.1"}}).Config())
	for _, tt := range []struct{ sni, want string }{
		{"", "default.test"}, {"unknown.test", "default.test"}, {"alpha.test", "alpha.test"}, {"one.test", "multi.test"},
		{"two.test", "default.test"},                                    // a SAN outside the line's filters
		{"x.wild.test", "wild.test"}, {"bad.wild.test", "default.test"}, // excluded by !bad.wild.test
		{"other.test", "neg.test"},
	} {
		if got := servedCN(t, addr, tt.sni, nil); got != tt.want {
			t.Errorf("crt-list: SNI %q served %s; want %s", tt.sni, got, tt.want)
		}
	}
	alpn := func(sni string) string {
		cs, err := dial(t, addr, &tls.Config{InsecureSkipVerify: true, ServerName: sni, NextProtos: []string{"h2", "http/1.1"}})
		if err != nil {
			return "error: " + err.Error()
		}
		return cs.NegotiatedProtocol
	}
	if a, b := alpn("alpha.test"), alpn("one.test"); a != "http/1.1" || b != "h2" {
		t.Errorf("ALPN: alpha.test (line [alpn http/1.1]) got %q, one.test (the bind's h2,http/1.1) got %q; want http/1.1 and h2", a, b)
	}
}

func TestVersionsAndCiphers(t *testing.T) {
	ca := newCA(t, "test CA")
	crt := ca.writeCert(t, t.TempDir(), "www.pem", certSpec{subject: cn("www.test"), dns: []string{"www.test"}})
	s := NewStore(nil, config.GlobalTLS{})
	certs := []config.CertSource{{Path: crt}}
	min13 := serve(t, addBind(t, s, config.BindTLS{Certs: certs, Methods: config.TLSMethods{Min: "TLSv1.3"}}).Config())
	max12 := serve(t, addBind(t, s, config.BindTLS{Certs: certs, Methods: config.TLSMethods{No: []string{"TLSv1.3"}}}).Config())
	ciph := serve(t, addBind(t, s, config.BindTLS{Certs: certs, Ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305"}).Config())
	suite13 := serve(t, addBind(t, s, config.BindTLS{Certs: certs, Ciphersuites: "TLS_CHACHA20_POLY1305_SHA256"}).Config())
	try := func(addr string, c *tls.Config) string {
		c = c.Clone()
		c.InsecureSkipVerify, c.ServerName = true, "www.test"
		cs, err := dial(t, addr, c)
		if err != nil {
			return "refused"
		}
		return VersionName(cs.Version) + " " + CipherName(cs.CipherSuite)
	}
	tls12 := &tls.Config{MaxVersion: tls.VersionTLS12}
	for _, tt := range []struct {
		name, addr string
		client     *tls.Config
		want       string
	}{
		{"ssl-min-ver TLSv1.3 refuses TLS 1.2", min13, tls12, "refused"},
		{"no-tlsv13 caps at TLS 1.2", max12, &tls.Config{}, "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256"},
		{"ciphers: a listed suite", ciph, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}}, "TLSv1.2 ECDHE-ECDSA-CHACHA20-POLY1305"},
		{"ciphers: an AES256-only client refused", ciph, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}}, "refused"},
	} {
		if got := try(tt.addr, tt.client); got != tt.want {
			t.Errorf("%s: got %s; want %s", tt.name, got, tt.want)
		}
	}
	// crypto/tls picks its TLS 1.3 suite itself: a handshake either ends
	// on the listed suite or is refused, never on another suite.
	if got := try(suite13, &tls.Config{}); got != "refused" && got != "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256" {
		t.Errorf("ciphersuites TLS_CHACHA20_POLY1305_SHA256: got %s; want that suite or a refusal", got)
	}
}

func TestClientCertificates(t *testing.T) {
	ca, other := newCA(t, "test CA"), newCA(t, "other CA")
	dir := t.TempDir()
	crt := ca.writeCert(t, dir, "www.pem", certSpec{subject: cn("www.test"), dns: []string{"www.test"}})
	caFile := filepath.Join(dir, "ca.crt")
	writeFile(t, caFile, ca.pem)
	clientCert := func(ca *testCA, expired bool) []tls.Certificate {
		c, k := ca.issue(t, certSpec{subject: cn("client1"), expired: expired})
		kp, err := tls.X509KeyPair(c, k)
		if err != nil {
			t.Fatal(err)
		}
		return []tls.Certificate{kp}
	}
	good, rogue, expired := clientCert(ca, false), clientCert(other, false), clientCert(ca, true)
	s := NewStore(nil, config.GlobalTLS{})
	certs := []config.CertSource{{Path: crt}}
	required := addBind(t, s, config.BindTLS{Certs: certs, CAFile: caFile, Verify: "required"})
	optional := serve(t, addBind(t, s, config.BindTLS{Certs: certs, CAFile: caFile, Verify: "optional"}).Config())
	ignore := serve(t, addBind(t, s, config.BindTLS{Certs: certs, CAFile: caFile, Verify: "required", CrtIgnoreErr: "all"}).Config())
	req := serve(t, required.Config())
	for _, tt := range []struct {
		name, addr string
		cert       []tls.Certificate
		ok         bool
	}{
		{"required, CA-signed", req, good, true},
		{"required, none", req, nil, false},
		{"required, another CA", req, rogue, false},
		{"required, expired", req, expired, false},
		{"optional, none", optional, nil, true},
		{"optional, another CA", optional, rogue, false},
		{"crt-ignore-err all, expired", ignore, expired, true},
	} {
		// GetClientCertificate sends the certificate even when the
		// server's CA names do not list its issuer (as openssl s_client).
		cert := tt.cert
		cc := &tls.Config{InsecureSkipVerify: true, ServerName: "www.test", GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if cert == nil {
				return &tls.Certificate{}, nil
			}
			return &cert[0], nil
		}}
		_, err := dial(t, tt.addr, cc)
		if (err == nil) != tt.ok {
			t.Errorf("%s: handshake error %v; want success %v", tt.name, err, tt.ok)
		}
	}
	// ConnInfo reports what the fetches read.
	in := required.ConnInfo(tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256,
		ServerName: "www.test", PeerCertificates: []*x509.Certificate{expired[0].Leaf}})
	if in.Protocol != "TLSv1.3" || in.Cipher != "TLS_AES_128_GCM_SHA256" || in.ClientCert == nil || in.Verify != VerifyCertHasExpired {
		t.Errorf("ConnInfo = %+v; want TLSv1.3, TLS_AES_128_GCM_SHA256, a client cert and verify code 10", in)
	}
}

// TestResumptionAcrossConfigs: two binds built separately (two workers,
// or before and after a reload) with the same ticket keys resume each
// other's sessions; with their own keys they do not.
func TestResumptionAcrossConfigs(t *testing.T) {
	ca := newCA(t, "test CA")
	dir := t.TempDir()
	crt := ca.writeCert(t, dir, "www.pem", certSpec{subject: cn("www.test"), dns: []string{"www.test"}})
	keys := filepath.Join(dir, "tls.keys")
	writeFile(t, keys, []byte(strings.Repeat("MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4\n", 2)+
		"YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\n"))
	build := func(o config.BindTLS) string {
		return serve(t, addBind(t, NewStore(nil, config.GlobalTLS{}), o).Config())
	}
	certs := []config.CertSource{{Path: crt}}
	w1, w2 := build(config.BindTLS{Certs: certs, TicketKeys: keys}), build(config.BindTLS{Certs: certs, TicketKeys: keys})
	own := build(config.BindTLS{Certs: certs})
	noTickets := build(config.BindTLS{Certs: certs, TicketKeys: keys, NoTLSTickets: true})
	resumed := func(first, second string) bool {
		cc := &tls.Config{InsecureSkipVerify: true, ServerName: "www.test", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
		if _, err := dial(t, first, cc); err != nil {
			t.Fatalf("first handshake: %v", err)
		}
		cs, err := dial(t, second, cc)
		if err != nil {
			t.Fatalf("second handshake: %v", err)
		}
		return cs.DidResume
	}
	if !resumed(w1, w2) {
		t.Error("a session from worker 1 did not resume on worker 2 with the same tls-ticket-keys")
	}
	if resumed(w1, own) {
		t.Error("a session resumed on a bind with other keys: the check above proves nothing")
	}
	if resumed(noTickets, noTickets) {
		t.Error("no-tls-tickets: a session resumed")
	}
}

// TestCertSwap: set ssl cert + commit ssl cert change what the next
// handshake gets, with HAProxy's answers.
func TestCertSwap(t *testing.T) {
	ca := newCA(t, "test CA")
	dir := t.TempDir()
	hot := ca.writeCert(t, dir, "hot.pem", certSpec{subject: cn("hot-v1.test"), dns: []string{"hot.test"}})
	c2, k2 := ca.issue(t, certSpec{subject: cn("hot-v2.test"), dns: []string{"hot.test"}})
	s := NewStore(nil, config.GlobalTLS{})
	addr := serve(t, addBind(t, s, config.BindTLS{Certs: []config.CertSource{{Path: hot}}}).Config())
	steps := []struct {
		do      func() (string, error)
		want    string
		servedA string
	}{
		{func() (string, error) { return s.CommitCert(hot) }, "No ongoing transaction! !\nCan't commit " + hot + "!\n", "hot-v1.test"},
		{func() (string, error) { return s.SetCert(hot, append(c2, k2...)) }, "Transaction created for certificate " + hot + "!\n", "hot-v1.test"},
		{func() (string, error) { return s.SetCert(hot, append(c2, k2...)) }, "Transaction updated for certificate " + hot + "!\n", "hot-v1.test"},
		{func() (string, error) { return s.SetCert(dir+"/nope.pem", c2) }, "Can't replace a certificate which is not referenced by the configuration!\nCan't update " + dir + "/nope.pem!\n", "hot-v1.test"},
		{func() (string, error) { return s.CommitCert(hot) }, "Committing " + hot + ".\nSuccess!\n", "hot-v2.test"},
		{func() (string, error) { return s.AbortCert(hot) }, "No ongoing transaction!\n", "hot-v2.test"},
	}
	for i, st := range steps {
		out, err := st.do()
		if err != nil {
			out = err.Error()
		}
		if out != st.want {
			t.Errorf("step %d: answer %q; want %q", i, out, st.want)
		}
		if got := servedCN(t, addr, "hot.test", nil); got != st.servedA {
			t.Errorf("step %d: served %s; want %s", i, got, st.servedA)
		}
	}
}
