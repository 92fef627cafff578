package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tlsFixture writes a fake certificate (enough for the parser's checks),
// a CA file and a ticket-key file, and returns their directory.
func tlsFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"www.pem":  "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
		"ca.crt":   "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
		"t.keys":   "x\n",
		"list.txt": "www.pem [alpn h2] www.test\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// parseTLS parses cfg (with DIR replaced by dir) with TLS allowed.
func parseTLS(t *testing.T, dir, cfg string) (*Config, error) {
	t.Helper()
	opts := testOpts(nil)
	opts.AllowTLS = true
	cfg = strings.ReplaceAll(cfg, "DIR", dir)
	return Parse([]Source{{Name: "t.cfg", Data: []byte(cfg)}}, opts)
}

const tlsHead = "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n"

func TestBindTLSOptions(t *testing.T) {
	dir := tlsFixture(t)
	cfg, err := parseTLS(t, dir, "global\n    crt-base DIR\n    ssl-default-bind-options no-tlsv10 ssl-max-ver TLSv1.3 no-tls-tickets\n"+
		"    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256\n"+tlsHead+
		"frontend f\n    bind 127.0.0.1:8443 ssl crt www.pem crt-list DIR/list.txt alpn h2,http/1.1 npn h2 ssl-min-ver TLSv1.2 no-tlsv11"+
		" ciphersuites TLS_AES_128_GCM_SHA256 curves X25519:P-256 verify optional ca-file DIR/ca.crt strict-sni prefer-client-ciphers"+
		" tls-ticket-keys DIR/t.keys crt-ignore-err 10,12 ca-ignore-err all\n    http-request return status 200\n")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := cfg.Proxies[0].Binds[0].TLS
	want := BindTLS{
		Certs:        []CertSource{{Path: dir + "/www.pem"}, {Path: dir + "/list.txt", List: true}},
		CAFile:       dir + "/ca.crt",
		Verify:       "optional",
		CAIgnoreErr:  "all",
		CrtIgnoreErr: "10,12",
		Ciphers:      "ECDHE-ECDSA-AES128-GCM-SHA256",
		Ciphersuites: "TLS_AES_128_GCM_SHA256",
		Curves:       "X25519:P-256",
		ALPN:         []string{"h2", "http/1.1"},
		NPN:          []string{"h2"},
		Methods:      TLSMethods{Min: "TLSv1.2", Max: "TLSv1.3", No: []string{"TLSv1.1", "TLSv1.0"}},
		TicketKeys:   dir + "/t.keys",
		StrictSNI:    true, PreferClientCiphers: true, NoTLSTickets: true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bind TLS = %+v\nwant %+v", got, want)
	}
}

func TestServerTLSOptions(t *testing.T) {
	dir := tlsFixture(t)
	cfg, err := parseTLS(t, dir, "global\n    ca-base DIR\n    ssl-default-server-options force-tlsv12\n    ssl-default-server-ciphers AES128-SHA\n"+tlsHead+
		"backend b\n    default-server ssl verify none alpn h2\n"+
		"    server s1 127.0.0.1:443 verify required ca-file ca.crt sni str(www.test) crt DIR/www.pem check-sni www.test check-ssl no-ssl-reuse\n"+
		"    server s2 127.0.0.1:444 ciphers ECDHE-RSA-AES128-GCM-SHA256\n")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	s1, s2 := cfg.Proxies[0].Servers[0], cfg.Proxies[0].Servers[1]
	if !s1.SSL || s1.Verify != "required" || s1.CAFile != dir+"/ca.crt" || s1.SNI != "str(www.test)" || !s1.CheckSSL {
		t.Errorf("s1 = ssl %v verify %q ca %q sni %q check-ssl %v", s1.SSL, s1.Verify, s1.CAFile, s1.SNI, s1.CheckSSL)
	}
	want1 := ServerTLS{Crt: dir + "/www.pem", Ciphers: "AES128-SHA", ALPN: []string{"h2"}, CheckSNI: "www.test", NoSSLReuse: true,
		Methods: TLSMethods{Min: "TLSv1.2", Max: "TLSv1.2"}}
	if !reflect.DeepEqual(s1.TLS, want1) {
		t.Errorf("s1.TLS = %+v\nwant %+v", s1.TLS, want1)
	}
	if !s2.SSL || s2.Verify != "none" || s2.TLS.Ciphers != "ECDHE-RSA-AES128-GCM-SHA256" || !reflect.DeepEqual(s2.TLS.ALPN, []string{"h2"}) {
		t.Errorf("s2 = ssl %v verify %q TLS %+v; want default-server's ssl, verify none, alpn h2 and its own ciphers", s2.SSL, s2.Verify, s2.TLS)
	}
}

// TestTLSErrors checks HAProxy 2.6's messages for bad TLS values
// (recorded with haproxy -c).
func TestTLSErrors(t *testing.T) {
	fe := tlsHead + "frontend f\n    bind 127.0.0.1:8443 ssl crt DIR/www.pem %s\n    http-request return status 200\n"
	be := tlsHead + "backend b\n    server s 127.0.0.1:9 ssl verify none %s\n"
	tests := []struct{ name, cfg, opt, want string }{
		{"bind verify", fe, "verify bogus", "parsing [t.cfg:7] : 'bind 127.0.0.1:8443' in section 'frontend' : 'verify' : unknown verify method 'bogus', only 'none', 'optional', and 'required' are supported"},
		{"bind min ver", fe, "ssl-min-ver TLSv9", "parsing [t.cfg:7] : 'bind 127.0.0.1:8443' in section 'frontend' : 'TLSv9' : unknown ssl/tls version"},
		{"bind crt", fe, "crt DIR/missing.pem", "parsing [t.cfg:7] : 'bind 127.0.0.1:8443' in section 'frontend' : unable to stat SSL certificate from file 'DIR/missing.pem' : No such file or directory."},
		{"bind crt-list", fe, "crt-list DIR/nolist.txt", "parsing [t.cfg:7] : 'bind 127.0.0.1:8443' in section 'frontend' : 'crt-list' : cannot open file 'DIR/nolist.txt' : No such file or directory"},
		{"bind crl", fe, "crl-file DIR/nope.crl", "parsing [t.cfg:7] : 'bind 127.0.0.1:8443' in section 'frontend' : 'crl-file' : unable to load DIR/nope.crl"},
		{"bind ticket keys", fe, "tls-ticket-keys DIR/nope.keys", "parsing [t.cfg:7] : 'bind 127.0.0.1:8443' in section 'frontend' : 'DIR/nope.keys' : unable to load ssl tickets keys file"},
		{"bind ignore err", fe, "crt-ignore-err 0", "parsing [t.cfg:7] : 'bind 127.0.0.1:8443' in section 'frontend' : 'crt-ignore-err' : ID '0' out of range (1..63) in error IDs list '0'"},
		{"server verify", be, "verify bogus", "[t.cfg:7] : 'server b/s' : 'verify' : unknown verify method 'bogus', only 'none' and 'required' are supported.."},
		{"server min ver", be, "ssl-min-ver TLSv7", "[t.cfg:7] : 'server b/s' : 'TLSv7' : unknown ssl/tls version."},
		{"server crt", be, "crt DIR/nope.pem", "[t.cfg:7] : 'server b/s' : unable to stat SSL certificate from file 'DIR/nope.pem' : No such file or directory."},
		{"server sni", be, "sni", "[t.cfg:7] : 'server b/s' : 'sni' : missing sni expression."},
		{"server check-sni", be, "check-sni", "[t.cfg:7] : 'server b/s' : 'check-sni' : missing SNI."},
		{"global options", "global\n    ssl-default-bind-options no-tlsv14\n%s", "", "parsing [t.cfg:2] : unknown option 'no-tlsv14' on global statement 'ssl-default-bind-options'."},
		{"global min ver", "global\n    ssl-default-server-options ssl-min-ver X\n%s", "", "parsing [t.cfg:2] : 'X' : unknown ssl/tls version on global statement 'ssl-default-server-options'."},
	}
	dir := tlsFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTLS(t, dir, strings.Replace(tt.cfg, "%s", tt.opt, 1))
			var l *ErrorList
			if !errors.As(err, &l) {
				t.Fatalf("Parse = %v; want an *ErrorList", err)
			}
			want := strings.ReplaceAll(tt.want, "DIR", dir)
			if got := l.Alerts()[0]; got != want {
				t.Errorf("first alert\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestParseCrtListOptions(t *testing.T) {
	got, err := ParseCrtListOptions([]string{"alpn", "h2,http/1.1", "verify", "required", "ssl-min-ver", "TLSv1.2", "no-ca-names"})
	want := BindTLS{ALPN: []string{"h2", "http/1.1"}, Verify: "required", Methods: TLSMethods{Min: "TLSv1.2"}, NoCANames: true}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseCrtListOptions = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range [][]string{{"strict-sni"}, {"alpn"}, {"verify", "maybe"}} {
		if _, err := ParseCrtListOptions(bad); err == nil {
			t.Errorf("ParseCrtListOptions(%q) = nil error; want one", bad)
		}
	}
}

// TestTLSRefusedWithoutAllowTLS: until the data plane serves TLS, `ssl`
// stays an error for -c.
func TestTLSRefusedWithoutAllowTLS(t *testing.T) {
	dir := tlsFixture(t)
	cfg := strings.ReplaceAll(tlsHead+"frontend f\n    bind 127.0.0.1:8443 ssl crt DIR/www.pem\n    http-request return status 200\n", "DIR", dir)
	_, err := Parse([]Source{{Name: "t.cfg", Data: []byte(cfg)}}, testOpts(nil))
	if err == nil || !strings.Contains(err.Error(), "TLS termination is not implemented") {
		t.Errorf("Parse without AllowTLS = %v; want the TLS refusal", err)
	}
}
