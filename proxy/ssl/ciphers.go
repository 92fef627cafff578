package ssl

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// A cipher suite crypto/tls implements for TLS <= 1.2, under its
// OpenSSL name, with the OpenSSL aliases that select it.
type cipher struct {
	name  string
	id    uint16
	attrs string // space-separated aliases: key exchange, auth, encryption, MAC, strength
}

// cipherTable lists, strongest first, the TLS <= 1.2 suites of
// crypto/tls by their OpenSSL names. Every suite also matches ALL;
// DEFAULT is every suite not in the insecure list (RC4, 3DES, CBC-SHA256).
var cipherTable = []cipher{
	{"ECDHE-ECDSA-AES128-GCM-SHA256", tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "kECDHE kEECDH ECDHE EECDH aECDSA ECDSA AES AES128 AESGCM SHA256 HIGH DEFAULT TLSv1.2"},
	{"ECDHE-RSA-AES128-GCM-SHA256", tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "kECDHE kEECDH ECDHE EECDH aRSA AES AES128 AESGCM SHA256 HIGH DEFAULT TLSv1.2"},
	{"ECDHE-ECDSA-AES256-GCM-SHA384", tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "kECDHE kEECDH ECDHE EECDH aECDSA ECDSA AES AES256 AESGCM SHA384 HIGH DEFAULT TLSv1.2"},
	{"ECDHE-RSA-AES256-GCM-SHA384", tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "kECDHE kEECDH ECDHE EECDH aRSA AES AES256 AESGCM SHA384 HIGH DEFAULT TLSv1.2"},
	{"ECDHE-ECDSA-CHACHA20-POLY1305", tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "kECDHE kEECDH ECDHE EECDH aECDSA ECDSA CHACHA20 HIGH DEFAULT TLSv1.2"},
	{"ECDHE-RSA-CHACHA20-POLY1305", tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "kECDHE kEECDH ECDHE EECDH aRSA CHACHA20 HIGH DEFAULT TLSv1.2"},
	{"ECDHE-ECDSA-AES128-SHA256", tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, "kECDHE kEECDH ECDHE EECDH aECDSA ECDSA AES AES128 SHA256 HIGH TLSv1.2"},
	{"ECDHE-RSA-AES128-SHA256", tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "kECDHE kEECDH ECDHE EECDH aRSA AES AES128 SHA256 HIGH TLSv1.2"},
	{"ECDHE-ECDSA-AES128-SHA", tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "kECDHE kEECDH ECDHE EECDH aECDSA ECDSA AES AES128 SHA1 SHA HIGH DEFAULT SSLv3 TLSv1"},
	{"ECDHE-RSA-AES128-SHA", tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "kECDHE kEECDH ECDHE EECDH aRSA AES AES128 SHA1 SHA HIGH DEFAULT SSLv3 TLSv1"},
	{"ECDHE-ECDSA-AES256-SHA", tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "kECDHE kEECDH ECDHE EECDH aECDSA ECDSA AES AES256 SHA1 SHA HIGH DEFAULT SSLv3 TLSv1"},
	{"ECDHE-RSA-AES256-SHA", tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "kECDHE kEECDH ECDHE EECDH aRSA AES AES256 SHA1 SHA HIGH DEFAULT SSLv3 TLSv1"},
	{"AES128-GCM-SHA256", tls.TLS_RSA_WITH_AES_128_GCM_SHA256, "kRSA RSA aRSA AES AES128 AESGCM SHA256 HIGH DEFAULT TLSv1.2"},
	{"AES256-GCM-SHA384", tls.TLS_RSA_WITH_AES_256_GCM_SHA384, "kRSA RSA aRSA AES AES256 AESGCM SHA384 HIGH DEFAULT TLSv1.2"},
	{"AES128-SHA256", tls.TLS_RSA_WITH_AES_128_CBC_SHA256, "kRSA RSA aRSA AES AES128 SHA256 HIGH TLSv1.2"},
	{"AES128-SHA", tls.TLS_RSA_WITH_AES_128_CBC_SHA, "kRSA RSA aRSA AES AES128 SHA1 SHA HIGH DEFAULT SSLv3 TLSv1"},
	{"AES256-SHA", tls.TLS_RSA_WITH_AES_256_CBC_SHA, "kRSA RSA aRSA AES AES256 SHA1 SHA HIGH DEFAULT SSLv3 TLSv1"},
	{"ECDHE-RSA-DES-CBC3-SHA", tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, "kECDHE kEECDH ECDHE EECDH aRSA 3DES SHA1 SHA MEDIUM SSLv3 TLSv1"},
	{"DES-CBC3-SHA", tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, "kRSA RSA aRSA 3DES SHA1 SHA MEDIUM SSLv3 TLSv1"},
	{"ECDHE-ECDSA-RC4-SHA", tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA, "kECDHE kEECDH ECDHE EECDH aECDSA ECDSA RC4 SHA1 SHA MEDIUM LOW SSLv3 TLSv1"},
	{"ECDHE-RSA-RC4-SHA", tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, "kECDHE kEECDH ECDHE EECDH aRSA RC4 SHA1 SHA MEDIUM LOW SSLv3 TLSv1"},
	{"RC4-SHA", tls.TLS_RSA_WITH_RC4_128_SHA, "kRSA RSA aRSA RC4 SHA1 SHA MEDIUM LOW SSLv3 TLSv1"},
}

// emptyAliases are OpenSSL aliases that select no suite crypto/tls has
// (anonymous, null, export, DH, PSK... suites): valid in a cipher
// string, contributing nothing.
var emptyAliases = strings.Fields(`aNULL eNULL NULL EXPORT EXP EXPORT40 EXPORT56 LOW ADH AECDH
	kDHE kEDH DH DHE EDH kDHr kDHd kDH aDH aDSS DSS PSK kPSK aPSK ECDHEPSK DHEPSK RSAPSK kECDHEPSK kDHEPSK kRSAPSK
	SRP kSRP aSRP CAMELLIA CAMELLIA128 CAMELLIA256 ARIA ARIA128 ARIA256 SEED IDEA DES RC2 MD5 CCM CCM8
	AESCCM AESCCM8 GOST94 GOST89MAC kGOST aGOST aGOST01 SUITEB128 SUITEB128ONLY SUITEB192 kECDH aECDH
	COMPLEMENTOFALL COMPLEMENTOFDEFAULT FIPS SHA224 CHACHA20-POLY1305 AESCCM aCERT`)

// opensslWords are the words OpenSSL cipher names are made of: a name
// made only of these, but absent from cipherTable, is a real OpenSSL
// suite crypto/tls lacks (DHE-RSA-AES128-GCM-SHA256...), skipped as
// OpenSSL skips names it does not know, not a typo.
var opensslWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`ECDHE ECDH DHE EDH DH ADH AECDH RSA DSS ECDSA PSK SRP AES128 AES256 AES GCM CCM CCM8 CBC3 CBC
		DES RC4 RC2 IDEA SEED CAMELLIA128 CAMELLIA256 CAMELLIA ARIA128 ARIA256 ARIA CHACHA20 POLY1305 SHA SHA256 SHA384 MD5
		NULL EXP EXP1024 GOST2001 GOST89 GOST94 GOST2012 IMIT KUZNYECHIK MAGMA OMAC CTR`) {
		opensslWords[w] = true
	}
}

// CipherList is the result of ParseCiphers.
type CipherList struct {
	// IDs are the crypto/tls suites selected, in order.
	IDs []uint16
	// Skipped are the OpenSSL suite names given explicitly that
	// crypto/tls does not implement (a warning, not an error).
	Skipped []string
	// Unknown are the words neither OpenSSL nor goha knows: ignored, as
	// OpenSSL ignores them, unless nothing else is selected.
	Unknown []string
}

// ParseCiphers reads an OpenSSL cipher string for TLS <= 1.2, as in
// `ciphers` and `ssl-default-bind-ciphers`. Understood: elements
// separated by ':' (also ',' and ' '), each a suite name, an alias
// (ALL, DEFAULT, HIGH, MEDIUM, LOW, aNULL, ECDHE/EECDH, aRSA, aECDSA,
// kRSA, AES, AES128, AES256, AESGCM, CHACHA20, SHA1, SHA256, 3DES, RC4,
// TLSv1.2...) or aliases joined by '+' (their intersection); an element
// may start with '!' (removed for good), '-' (removed) or '+' (moved to
// the end). @STRENGTH and @SECLEVEL=n are accepted and ignored. A word
// that is neither a suite nor an alias OpenSSL knows is ignored (listed
// in Unknown), as OpenSSL does; an OpenSSL suite crypto/tls lacks is
// skipped and reported in Skipped; an empty result is an error, naming
// the first unknown word if there was one.
func ParseCiphers(s string) (CipherList, error) {
	var out CipherList
	var list []int // indexes into cipherTable
	banned := map[int]bool{}
	for _, el := range strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		if strings.HasPrefix(el, "@") {
			continue
		}
		op := byte(0)
		if el[0] == '!' || el[0] == '-' || el[0] == '+' {
			op, el = el[0], el[1:]
		}
		sel, skipped, err := selectCiphers(el)
		if err != nil {
			// OpenSSL ignores a word it does not know, unless nothing
			// is left (HAProxy 2.6 -c accepts "...:DH+AE$").
			out.Unknown = append(out.Unknown, el)
			continue
		}
		if skipped {
			out.Skipped = append(out.Skipped, el)
		}
		list = applyCipherOp(list, sel, op, banned)
	}
	for _, i := range list {
		out.IDs = append(out.IDs, cipherTable[i].id)
	}
	if len(out.IDs) == 0 && len(out.Unknown) > 0 {
		return out, fmt.Errorf("unknown cipher %q", out.Unknown[0])
	}
	if len(out.IDs) == 0 {
		return out, fmt.Errorf("no cipher suite crypto/tls implements in %q", s)
	}
	return out, nil
}

// applyCipherOp adds, removes, bans or moves sel in list.
func applyCipherOp(list, sel []int, op byte, banned map[int]bool) []int {
	in := map[int]bool{}
	for _, i := range sel {
		in[i] = true
	}
	var keep []int
	for _, i := range list {
		if !in[i] {
			keep = append(keep, i)
		}
	}
	switch op {
	case '!':
		for _, i := range sel {
			banned[i] = true
		}
		return keep
	case '-':
		return keep
	case '+': // move those present to the end
		for _, i := range sel {
			if contains(list, i) {
				keep = append(keep, i)
			}
		}
		return keep
	}
	for _, i := range sel {
		if !banned[i] && !contains(list, i) {
			list = append(list, i)
		}
	}
	return list
}

// selectCiphers returns the table indexes an element selects: a suite
// name or aliases joined by '+'. skipped is set for an OpenSSL suite
// name crypto/tls lacks.
func selectCiphers(el string) (sel []int, skipped bool, err error) {
	for i, c := range cipherTable {
		if c.name == el {
			return []int{i}, false, nil
		}
	}
	parts := strings.Split(el, "+")
	for i, c := range cipherTable {
		if matchesAll(c, parts) {
			sel = append(sel, i)
		}
	}
	for _, p := range parts {
		if !knownAlias(p) {
			if opensslName(el) {
				return nil, true, nil
			}
			return nil, false, fmt.Errorf("unknown cipher %q", el)
		}
	}
	return sel, false, nil
}

// aliasSynonyms are OpenSSL aliases that select what another does:
// since OpenSSL 1.1, ECDH is the ephemeral ECDH key exchange (ECDHE,
// anonymous suites included, which crypto/tls has none of).
var aliasSynonyms = map[string]string{"ECDH": "ECDHE"}

func matchesAll(c cipher, aliases []string) bool {
	for _, a := range aliases {
		if syn, ok := aliasSynonyms[a]; ok {
			a = syn
		}
		if a != "ALL" && !contains(strings.Fields(c.attrs), a) {
			return false
		}
	}
	return true
}

func knownAlias(a string) bool {
	if syn, ok := aliasSynonyms[a]; ok {
		a = syn
	}
	if a == "ALL" || contains(emptyAliases, a) {
		return true
	}
	for _, c := range cipherTable {
		if contains(strings.Fields(c.attrs), a) {
			return true
		}
	}
	return false
}

// opensslName says whether name is built from OpenSSL cipher-name words
// (see opensslWords) with at least two of them.
func opensslName(name string) bool {
	words := strings.Split(name, "-")
	if len(words) < 2 {
		return false
	}
	for _, w := range words {
		if !opensslWords[w] {
			return false
		}
	}
	return true
}

// tls13Suites maps TLS 1.3 suite names to crypto/tls's.
var tls13Suites = map[string]uint16{
	"TLS_AES_128_GCM_SHA256":       tls.TLS_AES_128_GCM_SHA256,
	"TLS_AES_256_GCM_SHA384":       tls.TLS_AES_256_GCM_SHA384,
	"TLS_CHACHA20_POLY1305_SHA256": tls.TLS_CHACHA20_POLY1305_SHA256,
}

// ParseCiphersuites reads a TLS 1.3 `ciphersuites` list (names
// separated by ':'). TLS_AES_128_CCM_SHA256 and TLS_AES_128_CCM_8_SHA256
// are OpenSSL suites crypto/tls lacks: skipped as OpenSSL skips them
// when it cannot use them. Any other unknown name is an error.
func ParseCiphersuites(s string) (CipherList, error) {
	var out CipherList
	for _, n := range strings.Split(s, ":") {
		if id, ok := tls13Suites[n]; ok {
			if !contains(out.IDs, id) {
				out.IDs = append(out.IDs, id)
			}
			continue
		}
		if n == "TLS_AES_128_CCM_SHA256" || n == "TLS_AES_128_CCM_8_SHA256" {
			out.Skipped = append(out.Skipped, n)
			continue
		}
		return out, fmt.Errorf("unknown TLS 1.3 cipher suite %q", n)
	}
	if len(out.IDs) == 0 {
		return out, fmt.Errorf("no TLS 1.3 cipher suite crypto/tls implements in %q", s)
	}
	return out, nil
}

// curveIDs maps OpenSSL group names to crypto/tls's.
var curveIDs = map[string]tls.CurveID{
	"X25519": tls.X25519, "x25519": tls.X25519,
	"P-256": tls.CurveP256, "prime256v1": tls.CurveP256, "secp256r1": tls.CurveP256,
	"P-384": tls.CurveP384, "secp384r1": tls.CurveP384,
	"P-521": tls.CurveP521, "secp521r1": tls.CurveP521,
	"X25519MLKEM768": tls.X25519MLKEM768,
}

// ParseCurves reads a `curves` list (names separated by ':'), or the
// one curve of `ecdhe`.
func ParseCurves(s string) ([]tls.CurveID, error) {
	var out []tls.CurveID
	for _, n := range strings.Split(s, ":") {
		id, ok := curveIDs[n]
		if !ok {
			return nil, fmt.Errorf("unknown curve %q", n)
		}
		out = append(out, id)
	}
	return out, nil
}

// CipherName returns the OpenSSL name of a crypto/tls suite, as
// ssl_fc_cipher and %sslc print it; TLS 1.3 suites keep their IANA name,
// as OpenSSL does.
func CipherName(id uint16) string {
	for _, c := range cipherTable {
		if c.id == id {
			return c.name
		}
	}
	for n, v := range tls13Suites {
		if v == id {
			return n
		}
	}
	return tls.CipherSuiteName(id)
}

func contains[T comparable](l []T, x T) bool {
	for _, y := range l {
		if y == x {
			return true
		}
	}
	return false
}
