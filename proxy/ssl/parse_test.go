package ssl

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"
)

func key64(n int, b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, n))
}

func TestParseTicketKeys(t *testing.T) {
	three := key64(48, 1) + "\n" + key64(48, 2) + "\n" + key64(48, 3) + "\n"
	tests := []struct{ name, in, err string }{
		{"three aes128 keys", three, ""},
		{"aes256 keys, CRLF, blank lines", key64(80, 1) + "\r\n\n" + key64(80, 2) + "\r\n" + key64(80, 3) + "\r\n", ""},
		{"too few", key64(48, 1) + "\n", "'k' : please supply at least 3 keys in the tls-tickets-file"},
		{"bad base64", "!!!\n", "'k' : unable to decode base64 key on line 1"},
		{"wrong size", key64(32, 1) + "\n", "'k' : wrong sized key on line 1"},
		{"mixed sizes", key64(48, 1) + "\n" + key64(80, 2) + "\n", "'k' : wrong sized key on line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseTicketKeys("k", []byte(tt.in))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("ParseTicketKeys = %v; want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(keys) != 3 {
				t.Fatalf("ParseTicketKeys = %d keys, %v; want 3", len(keys), err)
			}
		})
	}
	// The penultimate of the last three keys encrypts (first in Go's order).
	a, _ := ParseTicketKeys("k", []byte(key64(48, 9)+"\n"+three))
	b, _ := ParseTicketKeys("k", []byte(three))
	if a[0] != b[0] || a[0] == a[1] {
		t.Errorf("the encrypting key should be the penultimate line's, whatever precedes the last three")
	}
}

func FuzzParseTicketKeys(f *testing.F) {
	f.Add([]byte(key64(48, 1) + "\n" + key64(48, 2) + "\n" + key64(48, 3) + "\n")) // valid
	f.Add([]byte(key64(80, 1) + "\r\n" + key64(48, 2)))                            // mixed sizes
	f.Add([]byte("\n\n\n"))                                                        // nothing
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseTicketKeys("f", data)
		if err == nil && len(keys) != 3 {
			t.Fatalf("%d keys without error; want 3", len(keys))
		}
	})
}

func TestParseCrtList(t *testing.T) {
	in := "# comment\n\ncert1.pem\ncert2.pem [alpn h2,http/1.1 verify required] www.test *.x.test !bad.x.test\n" +
		"\tcert3.pem\t[ssl-min-ver TLSv1.2]\n\r\nlast.pem a.test"
	got, err := ParseCrtList("l.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cert1.pem:3", "cert2.pem:4 [alpn h2,http/1.1 verify required] www.test *.x.test !bad.x.test",
		"cert3.pem:5 [ssl-min-ver TLSv1.2]", "last.pem:7 a.test"}
	var lines []string
	for _, e := range got {
		lines = append(lines, e.String(true))
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("ParseCrtList lines\n%q\nwant\n%q", lines, want)
	}
	if got[1].Options.Verify != "required" || !reflect.DeepEqual(got[1].Options.ALPN, []string{"h2", "http/1.1"}) {
		t.Errorf("line 4 options = %+v", got[1].Options)
	}
	for _, tt := range []struct{ in, err string }{
		{"c.pem [verify maybe]", "parsing [l.txt:1]: 'verify' : unknown verify method 'maybe', only 'none', 'optional', and 'required' are supported"},
		{"c.pem [strict-sni]", "parsing [l.txt:1]: unknown ssl keyword strict-sni"},
		{"c.pem [alpn", "parsing [l.txt:1]: missing ']'"},
		{"c.pem alpn]", "parsing [l.txt:1]: missing '['"},
		{"[alpn h2] c.pem", "parsing [l.txt:1]: file must start with a cert"},
		{"c.pem [a] [b]", "parsing [l.txt:1]: too many '['"},
		{"c.pem [verify]", "parsing [l.txt:1]: ssl args out of '[]' for verify"},
	} {
		if _, err := ParseCrtList("l.txt", []byte(tt.in)); err == nil || err.Error() != tt.err {
			t.Errorf("ParseCrtList(%q) = %v; want %q", tt.in, err, tt.err)
		}
	}
}

func FuzzParseCrtList(f *testing.F) {
	f.Add([]byte("cert.pem\n"))                                                  // the simplest list
	f.Add([]byte("c.pem [alpn h2 verify none ssl-min-ver TLSv1.2] a.test !b\n")) // options and filters
	f.Add([]byte("# x\n\n\tc.pem\t*.w.test\r\n"))                                // comments, tabs, CRLF
	f.Add([]byte("c.pem [alpn\n"))                                               // unclosed bracket
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseCrtList("f", data)
		if err != nil {
			return
		}
		// Printing a parsed list and parsing it again gives the same list.
		var b strings.Builder
		for _, e := range entries {
			if e.Cert == "" || strings.ContainsAny(e.Cert, " \t[]") {
				t.Fatalf("bad certificate name %q", e.Cert)
			}
			b.WriteString(e.String(false) + "\n")
		}
		again, err := ParseCrtList("f", []byte(b.String()))
		if err != nil || len(again) != len(entries) {
			t.Fatalf("reparse of %q: %d entries, %v; want %d", b.String(), len(again), err, len(entries))
		}
		for i := range again {
			if again[i].String(false) != entries[i].String(false) {
				t.Fatalf("reparse changed %q into %q", entries[i].String(false), again[i].String(false))
			}
		}
	})
}

func TestParseCiphers(t *testing.T) {
	tests := []struct {
		in      string
		want    []uint16
		skipped []string
		err     string
	}{
		{in: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305", want: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}},
		{in: "ECDHE+AESGCM:!aECDSA", want: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}},
		{in: "HIGH:!aNULL:!MD5:!SHA1:!SHA256:!SHA384", want: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}},
		{in: "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256", want: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, skipped: []string{"DHE-RSA-AES128-GCM-SHA256"}},
		{in: "AES128-SHA:ECDHE-RSA-AES128-SHA:+kRSA @STRENGTH", want: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA}},
		{in: "ALL:-AESGCM:-CHACHA20:-SHA1:-SHA256:-3DES:-RC4:ECDHE-RSA-AES128-GCM-SHA256", want: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}},
		{in: "NOT-A-CIPHER", err: `unknown cipher "NOT-A-CIPHER"`},
		{in: "FOO:BAR", err: `unknown cipher "FOO"`},
		// OpenSSL (and so HAProxy -c) ignores unknown words next to known ones.
		{in: "ECDHE-ECDSA-AES128-GCM-SHA256:FOO", want: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}},
		// ECDH is ECDHE since OpenSSL 1.1 (`openssl ciphers ECDH+AESGCM`).
		{in: "ECDH+AESGCM:!aRSA", want: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}},
		{in: "DHE-RSA-AES256-GCM-SHA384", err: `no cipher suite crypto/tls implements in "DHE-RSA-AES256-GCM-SHA384"`},
		{in: "aNULL", err: `no cipher suite crypto/tls implements in "aNULL"`},
	}
	for _, tt := range tests {
		got, err := ParseCiphers(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseCiphers(%q) = %v; want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got.IDs, tt.want) || !reflect.DeepEqual(got.Skipped, tt.skipped) {
			t.Errorf("ParseCiphers(%q) = %v skipped %q, %v; want %v skipped %q", tt.in, got.IDs, got.Skipped, err, tt.want, tt.skipped)
		}
	}
	if _, err := ParseCiphersuites("TLS_AES_128_GCM_SHA256:TLS_NOPE"); err == nil || !strings.Contains(err.Error(), "TLS_NOPE") {
		t.Errorf("ParseCiphersuites with TLS_NOPE = %v; want an error naming it", err)
	}
	if _, err := ParseCurves("X25519:foo"); err == nil || !strings.Contains(err.Error(), "foo") {
		t.Errorf("ParseCurves(X25519:foo) = %v; want an error naming foo", err)
	}
}

func TestFormatHelpers(t *testing.T) {
	ca := newCA(t, "test CA")
	c, k := ca.issue(t, certSpec{subject: subj("FR", "goha tests", "client1", "ou1", "ou2")})
	kp, err := tls.X509KeyPair(c, k)
	if err != nil {
		t.Fatal(err)
	}
	l := kp.Leaf
	if got, want := FormatDN(l.RawSubject), "/C=FR/O=goha tests/OU=ou1/OU=ou2/CN=client1"; got != want {
		t.Errorf("FormatDN = %q; want %q", got, want)
	}
	for _, tt := range []struct {
		entry string
		occ   int
		want  string
		ok    bool
	}{{"CN", 0, "client1", true}, {"OU", 1, "ou1", true}, {"OU", 2, "ou2", true}, {"OU", -1, "ou2", true}, {"OU", 3, "", false}, {"L", 0, "", false}} {
		if got, ok := DNField(l.RawSubject, tt.entry, tt.occ); got != tt.want || ok != tt.ok {
			t.Errorf("DNField(%s,%d) = %q, %v; want %q, %v", tt.entry, tt.occ, got, ok, tt.want, tt.ok)
		}
	}
	if got := ASN1Time(time.Date(2026, 12, 6, 14, 15, 4, 0, time.UTC)); got != "261206141504Z" {
		t.Errorf("ASN1Time = %q; want 261206141504Z", got)
	}
	if got := VersionName(tls.VersionTLS13) + " " + CipherName(tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256); got != "TLSv1.3 ECDHE-RSA-AES128-GCM-SHA256" {
		t.Errorf("names = %q", got)
	}
}
