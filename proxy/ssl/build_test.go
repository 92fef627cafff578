package ssl

import (
	"crypto/tls"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/config"
)

// parseAllowTLS parses a configuration with TLS allowed.
func parseAllowTLS(t *testing.T, cfg string) *config.Config {
	t.Helper()
	c, err := config.Parse([]config.Source{{Name: "t.cfg", Data: []byte(cfg)}}, config.ParseOptions{AllowTLS: true,
		Resolve: func(string) (string, error) { return "127.0.0.1", nil }})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

const buildHead = "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n"

// TestBuildErrors: what only loading can find is reported with the
// configuration line, in HAProxy's words.
func TestBuildErrors(t *testing.T) {
	ca := newCA(t, "test CA")
	dir := t.TempDir()
	crt := ca.writeCert(t, dir, "www.pem", certSpec{subject: cn("www.test")})
	writeFile(t, dir+"/keyless.pem", []byte(strings.SplitAfter(string(must(t, dir+"/www.pem")), "-----END CERTIFICATE-----\n")[0]))
	_, otherKey := ca.issue(t, certSpec{subject: cn("other")})
	writeFile(t, dir+"/keyless.pem.key", otherKey)
	tests := []struct{ name, opts, want string }{
		{"unknown cipher", "ssl crt " + crt + " ciphers NOT-A-CIPHER", "Proxy 'f': unable to set SSL cipher list to 'NOT-A-CIPHER' for bind '127.0.0.1:8443' at [t.cfg:7] (unknown cipher \"NOT-A-CIPHER\")."},
		{"unknown curve", "ssl crt " + crt + " curves X25519:foo", "Proxy 'f': unable to set SSL curves list to 'X25519:foo' for bind '127.0.0.1:8443' at [t.cfg:7] (unknown curve \"foo\")."},
		{"unknown TLS 1.3 suite", "ssl crt " + crt + " ciphersuites NOT-A", "Proxy 'f': unable to set TLS 1.3 cipher suites to 'NOT-A' for bind '127.0.0.1:8443' at [t.cfg:7] (unknown TLS 1.3 cipher suite \"NOT-A\")."},
		{"key of another certificate", "ssl crt " + dir + "/keyless.pem", "Proxy 'f': inconsistencies between private key and certificate loaded '" + dir + "/keyless.pem'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseAllowTLS(t, buildHead+"frontend f\n    bind 127.0.0.1:8443 "+tt.opts+"\n    http-request return status 200\n")
			_, errs := Build(cfg, nil)
			if len(errs) != 1 || errs[0].Msg != tt.want || errs[0].File != "t.cfg" || errs[0].Line != 7 {
				t.Fatalf("Build errors = %v; want one at t.cfg:7: %s", errs, tt.want)
			}
		})
	}
}

func must(t *testing.T, p string) []byte {
	t.Helper()
	b, err := OSFiles{}.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServerSide: goha as a TLS client, built from server lines.
func TestServerSide(t *testing.T) {
	ca, other := newCA(t, "test CA"), newCA(t, "other CA")
	dir := t.TempDir()
	good := ca.writeCert(t, dir, "backend.pem", certSpec{subject: cn("backend.test"), dns: []string{"backend.test"}})
	rogue := other.writeCert(t, dir, "rogue.pem", certSpec{subject: cn("backend.test"), dns: []string{"backend.test"}})
	writeFile(t, dir+"/ca.crt", ca.pem)
	srv := func(p string) (string, *tls.Config) {
		s := NewStore(nil, config.GlobalTLS{})
		b := addBind(t, s, config.BindTLS{Certs: []config.CertSource{{Path: p}}})
		return serve(t, b.Config()), b.Config()
	}
	okAddr, _ := srv(good)
	rogueAddr, _ := srv(rogue)
	cfg := parseAllowTLS(t, buildHead+"backend b\n"+
		"    server ok "+okAddr+" ssl verify required ca-file "+dir+"/ca.crt\n"+
		"    server host "+okAddr+" ssl verify required ca-file "+dir+"/ca.crt verifyhost other.test\n"+
		"    server rogue "+rogueAddr+" ssl verify required ca-file "+dir+"/ca.crt\n"+
		"    server none "+rogueAddr+" ssl verify none\n"+
		"    server noreuse "+okAddr+" ssl verify none no-ssl-reuse\n")
	built, errs := Build(cfg, nil)
	if len(errs) > 0 {
		t.Fatalf("Build: %v", errs)
	}
	px := cfg.Proxies[0]
	try := func(i int, sni string) (tls.ConnectionState, error) {
		c := built.Clients[px.Servers[i]]
		return dial(t, net.JoinHostPort(px.Servers[i].Addr, strconv.Itoa(px.Servers[i].Port)), c.Config(sni))
	}
	for _, tt := range []struct {
		i   int
		sni string
		ok  bool
	}{{0, "", true}, {0, "backend.test", true}, {0, "wrong.test", false}, {1, "", false}, {2, "", false}, {3, "", true}} {
		if _, err := try(tt.i, tt.sni); (err == nil) != tt.ok {
			t.Errorf("server %s sni %q: error %v; want success %v", px.Servers[tt.i].Name, tt.sni, err, tt.ok)
		}
	}
	if cs, _ := try(0, ""); !cs.DidResume {
		t.Error("a second connection to the same server did not resume its TLS session")
	}
	try(4, "")
	if cs, _ := try(4, ""); cs.DidResume {
		t.Error("no-ssl-reuse: the session was resumed")
	}
}

// TestSwapUnderLoad: handshakes running while certificates are
// replaced all succeed, each with the old or the new certificate.
func TestSwapUnderLoad(t *testing.T) {
	ca := newCA(t, "test CA")
	dir := t.TempDir()
	hot := ca.writeCert(t, dir, "hot.pem", certSpec{subject: cn("v0"), dns: []string{"hot.test"}})
	s := NewStore(nil, config.GlobalTLS{})
	addr := serve(t, addBind(t, s, config.BindTLS{Certs: []config.CertSource{{Path: hot}}}).Config())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]bool{}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got := servedCN(t, addr, "hot.test", nil)
				mu.Lock()
				seen[got] = true
				mu.Unlock()
			}
		}()
	}
	for i := 1; i <= 5; i++ {
		c, k := ca.issue(t, certSpec{subject: cn("v" + string(rune('0'+i))), dns: []string{"hot.test"}})
		if _, err := s.SetCert(hot, append(c, k...)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CommitCert(hot); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // let handshakes run on this version
	}
	close(stop)
	wg.Wait()
	if seen["none"] {
		t.Error("a handshake failed while certificates were swapped")
	}
	if got := servedCN(t, addr, "hot.test", nil); got != "v5" {
		t.Errorf("after the last commit served %s; want v5", got)
	}
}

// TestRuntimeLists: new/set/commit a certificate, add it to a crt-list,
// show and delete, with HAProxy's answers.
func TestRuntimeLists(t *testing.T) {
	ca := newCA(t, "test CA")
	dir := t.TempDir()
	www := ca.writeCert(t, dir, "www.pem", certSpec{subject: cn("www.test"), dns: []string{"www.test"}})
	list := filepath.Join(dir, "list.txt")
	writeFile(t, list, []byte(www+"\n"))
	s := NewStore(nil, config.GlobalTLS{})
	addr := serve(t, addBind(t, s, config.BindTLS{Certs: []config.CertSource{{Path: list, List: true}}}).Config())
	nc, nk := ca.issue(t, certSpec{subject: cn("new.test"), dns: []string{"new.test"}})
	newName := dir + "/new.pem"
	steps := []struct {
		do   func() (string, error)
		want string
	}{
		{func() (string, error) { return s.NewCert(newName) }, "New empty certificate store '" + newName + "'!\n"},
		{func() (string, error) { return s.NewCert(newName) }, "Certificate '" + newName + "' already exists!\n"},
		{func() (string, error) { return s.ShowCert(newName) }, "Filename: " + newName + "\nStatus: Empty\nOCSP Response Key: \n"},
		{func() (string, error) { return s.SetCert(newName, append(nc, nk...)) }, "Transaction created for certificate " + newName + "!\n"},
		{func() (string, error) { return s.ShowCert("") }, "# transaction\n*" + newName + "\n# filename\n" + www + "\n" + newName + "\n"},
		{func() (string, error) { return s.CommitCert(newName) }, "Committing " + newName + "\nSuccess!\n"},
		{func() (string, error) { return s.AddCrtList(list, newName+" [alpn h2] new.test") }, "Inserting certificate '" + newName + "' in crt-list '" + list + "'.\nSuccess!\n"},
		{func() (string, error) { return s.AddCrtList(list, newName) }, "Inserting certificate '" + newName + "' in crt-list '" + list + "'.\nSuccess!\n"},
		{func() (string, error) { return s.ShowCrtList("", false) }, list + "\n"},
		{func() (string, error) { return s.ShowCrtList(list, true) }, "# " + list + "\n" + www + ":1\n" + newName + ":2 [alpn h2] new.test\n" + newName + ":3\n"},
		{func() (string, error) { return s.DelCert(newName) }, "Can't remove the certificate: certificate '" + newName + "' in use, can't be deleted!\n\n"},
		{func() (string, error) { return s.DelCrtList(list, newName) }, "Can't delete the entry: found the certificate '" + newName + "' in several entries, please specify a line number preceded by colons (2, 3)!\n"},
		{func() (string, error) { return s.DelCrtList(list, newName+":3") }, "Entry '" + newName + "' deleted in crtlist '" + list + "'!\n"},
	}
	for i, st := range steps {
		out, err := st.do()
		if err != nil {
			out = err.Error()
		}
		if out != st.want {
			t.Errorf("step %d: answer %q\nwant %q", i, out, st.want)
		}
	}
	if got := servedCN(t, addr, "new.test", nil); got != "new.test" {
		t.Errorf("after add ssl crt-list, SNI new.test served %s; want new.test", got)
	}
	s.DelCrtList(list, newName)
	if got := servedCN(t, addr, "new.test", nil); got != "www.test" {
		t.Errorf("after del ssl crt-list, SNI new.test served %s; want the default www.test", got)
	}
	if out, err := s.DelCert(newName); err != nil || out != "Certificate '"+newName+"' deleted!\n" {
		t.Errorf("del ssl cert = %q, %v", out, err)
	}
	show, _ := s.ShowCert(www)
	for _, want := range []string{"Filename: " + www + "\nStatus: Used\nSerial: ", "\nAlgorithm: EC256\n", "\nSubject: /CN=www.test\nIssuer: /CN=test CA\n", "Subject Alternative Name: DNS:www.test\n"} {
		if !strings.Contains(show, want) {
			t.Errorf("show ssl cert %s:\n%s\nlacks %q", www, show, want)
		}
	}
}
