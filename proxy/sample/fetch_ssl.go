package sample

import (
	"crypto/sha1"
	"crypto/x509"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/ssl"
)

// TLSConn is a client connection that went through a TLS handshake on
// an `ssl` bind: Conn.Init reads its facts for the ssl_* fetches.
type TLSConn interface {
	TLSInfo() *ssl.Info
}

// The client connection's TLS layer (HAProxy's ssl_fc* and ssl_c_*
// fetches): none of them finds anything on a plain connection, except
// ssl_fc, ssl_fc_has_sni, ssl_fc_has_crt and ssl_c_used which are false.
var sslFetches = []fetchKw{
	{"ssl_fc", tlsBool(func(t *ssl.Info) bool { return true })},
	{"ssl_fc_has_sni", tlsBool(func(t *ssl.Info) bool { return t.SNI != "" })},
	{"ssl_fc_has_crt", tlsBool(func(t *ssl.Info) bool { return t.ClientCert != nil })},
	{"ssl_c_used", tlsBool(func(t *ssl.Info) bool { return t.ClientCert != nil })},
	{"ssl_fc_session_reused", tlsBool(func(t *ssl.Info) bool { return t.Reused })},
	{"ssl_fc_sni", tlsStr(func(t *ssl.Info) string { return t.SNI })},
	{"ssl_fc_protocol", tlsStr(func(t *ssl.Info) string { return t.Protocol })},
	{"ssl_fc_cipher", tlsStr(func(t *ssl.Info) string { return t.Cipher })},
	{"ssl_fc_alpn", tlsStr(func(t *ssl.Info) string { return t.ALPN })},
	{"ssl_c_verify", tlsInt(func(t *ssl.Info) (int64, bool) { return int64(t.Verify), true })},
	{"ssl_c_err", tlsInt(func(t *ssl.Info) (int64, bool) { return 0, true })},
	{"ssl_c_ca_err", tlsInt(func(t *ssl.Info) (int64, bool) { return 0, true })},
	{"ssl_c_version", certInt(func(c *x509.Certificate) int64 { return int64(c.Version) })},
	{"ssl_c_serial", certStr(func(c *x509.Certificate) string { return string(ssl.SerialBytes(c)) })},
	{"ssl_c_notafter", certStr(func(c *x509.Certificate) string { return ssl.ASN1Time(c.NotAfter) })},
	{"ssl_c_notbefore", certStr(func(c *x509.Certificate) string { return ssl.ASN1Time(c.NotBefore) })},
	{"ssl_c_der", certStr(func(c *x509.Certificate) string { return string(c.Raw) })},
	{"ssl_c_sha1", certStr(func(c *x509.Certificate) string { s := sha1.Sum(c.Raw); return string(s[:]) })},
	{"ssl_c_sig_alg", certStr(func(c *x509.Certificate) string { return sigAlgName(c.SignatureAlgorithm) })},
	{"ssl_c_s_dn", dnFetch(func(c *x509.Certificate) []byte { return c.RawSubject })},
	{"ssl_c_i_dn", dnFetch(func(c *x509.Certificate) []byte { return c.RawIssuer })},
}

func init() { registerFetches(sslFetches) }

// tlsInfo is the connection's TLS facts, nil on a plain connection.
func tlsInfo(x *Ctx) *ssl.Info {
	if x.Conn == nil {
		return nil
	}
	return x.Conn.TLS
}

func tlsBool(f func(t *ssl.Info) bool) fetchCompiler {
	return intFetch(func(x *Ctx) (int64, bool) {
		t := tlsInfo(x)
		if t != nil && f(t) {
			return 1, true
		}
		return 0, true
	}, stBool)
}

func tlsStr(f func(t *ssl.Info) string) fetchCompiler {
	return strFetch(func(x *Ctx) []byte {
		t := tlsInfo(x)
		if t == nil {
			return nil
		}
		if s := f(t); s != "" {
			return []byte(s)
		}
		return nil
	})
}

func tlsInt(f func(t *ssl.Info) (int64, bool)) fetchCompiler {
	return intFetch(func(x *Ctx) (int64, bool) {
		t := tlsInfo(x)
		if t == nil {
			return 0, false
		}
		return f(t)
	}, stInt)
}

// clientCert is the client's certificate, nil without one.
func clientCert(x *Ctx) *x509.Certificate {
	if t := tlsInfo(x); t != nil {
		return t.ClientCert
	}
	return nil
}

func certStr(f func(c *x509.Certificate) string) fetchCompiler {
	return strFetch(func(x *Ctx) []byte {
		if c := clientCert(x); c != nil {
			return []byte(f(c))
		}
		return nil
	})
}

func certInt(f func(c *x509.Certificate) int64) fetchCompiler {
	return intFetch(func(x *Ctx) (int64, bool) {
		if c := clientCert(x); c != nil {
			return f(c), true
		}
		return 0, false
	}, stInt)
}

// dnFetch compiles ssl_c_s_dn/ssl_c_i_dn([entry[,occ[,format]]]): the
// whole DN ("/O=org/CN=name", or RFC 2253 with format rfc2253), or one
// entry's value (occ 1 the first, -1 the last).
func dnFetch(raw func(c *x509.Certificate) []byte) fetchCompiler {
	return func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) > 3 {
			return fmt.Errorf("at most 3 arguments expected")
		}
		var a fetchArgs
		if len(args) > 0 {
			a.name = strings.TrimSpace(args[0])
		}
		if len(args) > 1 && strings.TrimSpace(args[1]) != "" {
			n, err := strconv.Atoi(strings.TrimSpace(args[1]))
			if err != nil {
				return fmt.Errorf("invalid occurrence '%s'", args[1])
			}
			a.occ = n
		}
		if len(args) > 2 {
			switch f := strings.TrimSpace(args[2]); f {
			case "", "rfc2253":
				a.full = f == "rfc2253"
			default:
				return fmt.Errorf("only rfc2253 or a blank value are currently supported as the format argument")
			}
		}
		e.fa = a
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			c := clientCert(x)
			if c == nil {
				return false
			}
			var s string
			switch {
			case a.name != "":
				var ok bool
				if s, ok = ssl.DNField(raw(c), a.name, a.occ); !ok {
					return false
				}
			case a.full:
				s = ssl.FormatDNRFC2253(raw(c))
			default:
				s = ssl.FormatDN(raw(c))
			}
			v.t, v.s = stStr, []byte(s)
			return true
		}
		return nil
	}
}

// sigAlgName is OpenSSL's long name of a signature algorithm
// (ssl_c_sig_alg), as far as Go knows them.
func sigAlgName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA256WithRSA:
		return "sha256WithRSAEncryption"
	case x509.SHA384WithRSA:
		return "sha384WithRSAEncryption"
	case x509.SHA512WithRSA:
		return "sha512WithRSAEncryption"
	case x509.ECDSAWithSHA256:
		return "ecdsa-with-SHA256"
	case x509.ECDSAWithSHA384:
		return "ecdsa-with-SHA384"
	case x509.ECDSAWithSHA512:
		return "ecdsa-with-SHA512"
	case x509.PureEd25519:
		return "ED25519"
	}
	return a.String()
}

// %sslv and %sslc in rule values: the TLS version and cipher, "-" on a
// plain connection.
func init() {
	logVars["sslv"] = tlsVar(func(t *ssl.Info) string { return t.Protocol })
	logVars["sslc"] = tlsVar(func(t *ssl.Info) string { return t.Cipher })
}

func tlsVar(f func(t *ssl.Info) string) logVar {
	return func(dst []byte, x *Ctx) []byte {
		if t := tlsInfo(x); t != nil {
			return append(dst, f(t)...)
		}
		return append(dst, '-')
	}
}

// tlsACL answers the TLS ACL fetches (acl.TLSSample), by name.
var tlsACL = map[string]func(t *ssl.Info, arg string) ([]byte, int64, bool){
	"ssl_c_used":            tlsACLBool(func(t *ssl.Info) bool { return t.ClientCert != nil }),
	"ssl_fc_has_crt":        tlsACLBool(func(t *ssl.Info) bool { return t.ClientCert != nil }),
	"ssl_fc_has_sni":        tlsACLBool(func(t *ssl.Info) bool { return t.SNI != "" }),
	"ssl_fc_session_reused": tlsACLBool(func(t *ssl.Info) bool { return t.Reused }),
	"ssl_c_verify":          func(t *ssl.Info, _ string) ([]byte, int64, bool) { return nil, int64(t.Verify), true },
	"ssl_c_err":             func(*ssl.Info, string) ([]byte, int64, bool) { return nil, 0, true },
	"ssl_c_ca_err":          func(*ssl.Info, string) ([]byte, int64, bool) { return nil, 0, true },
	"ssl_c_version": tlsACLCert(func(c *x509.Certificate, _ string) ([]byte, int64, bool) {
		return nil, int64(c.Version), true
	}),
	"ssl_fc_protocol": tlsACLStr(func(t *ssl.Info) string { return t.Protocol }),
	"ssl_fc_cipher":   tlsACLStr(func(t *ssl.Info) string { return t.Cipher }),
	"ssl_fc_alpn":     tlsACLStr(func(t *ssl.Info) string { return t.ALPN }),
	"ssl_c_s_dn":      tlsACLCert(func(c *x509.Certificate, arg string) ([]byte, int64, bool) { return dnValue(c.RawSubject, arg) }),
	"ssl_c_i_dn":      tlsACLCert(func(c *x509.Certificate, arg string) ([]byte, int64, bool) { return dnValue(c.RawIssuer, arg) }),
	"ssl_c_notafter": tlsACLCert(func(c *x509.Certificate, _ string) ([]byte, int64, bool) {
		return []byte(ssl.ASN1Time(c.NotAfter)), 0, true
	}),
	"ssl_c_notbefore": tlsACLCert(func(c *x509.Certificate, _ string) ([]byte, int64, bool) {
		return []byte(ssl.ASN1Time(c.NotBefore)), 0, true
	}),
}

// TLSFetch implements acl.TLSSample.
func (s *Conn) TLSFetch(name, arg string) ([]byte, int64, bool) {
	f := tlsACL[name]
	if s.TLS == nil || f == nil {
		return nil, 0, false
	}
	return f(s.TLS, arg)
}

func tlsACLBool(f func(t *ssl.Info) bool) func(*ssl.Info, string) ([]byte, int64, bool) {
	return func(t *ssl.Info, _ string) ([]byte, int64, bool) {
		if f(t) {
			return nil, 1, true
		}
		return nil, 0, true
	}
}

func tlsACLStr(f func(t *ssl.Info) string) func(*ssl.Info, string) ([]byte, int64, bool) {
	return func(t *ssl.Info, _ string) ([]byte, int64, bool) {
		if s := f(t); s != "" {
			return []byte(s), 0, true
		}
		return nil, 0, false
	}
}

func tlsACLCert(f func(c *x509.Certificate, arg string) ([]byte, int64, bool)) func(*ssl.Info, string) ([]byte, int64, bool) {
	return func(t *ssl.Info, arg string) ([]byte, int64, bool) {
		if t.ClientCert == nil {
			return nil, 0, false
		}
		return f(t.ClientCert, arg)
	}
}

// dnValue is a DN fetch in an ACL: arg "" for the whole DN, "ENTRY" or
// "ENTRY,OCC" for one entry's value.
func dnValue(raw []byte, arg string) ([]byte, int64, bool) {
	if arg == "" {
		return []byte(ssl.FormatDN(raw)), 0, true
	}
	entry, occ, _ := strings.Cut(arg, ",")
	n := 0
	if occ = strings.TrimSpace(occ); occ != "" {
		var err error
		if n, err = strconv.Atoi(occ); err != nil {
			return nil, 0, false
		}
	}
	v, ok := ssl.DNField(raw, strings.TrimSpace(entry), n)
	return []byte(v), 0, ok
}

var _ acl.TLSSample = (*Conn)(nil)
