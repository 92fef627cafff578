package ssl

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"
)

// Info is what the ssl_fc_* and ssl_c_* fetches and the %sslv/%sslc
// log fields read about a TLS connection accepted by a Bind.
type Info struct {
	// Protocol is "TLSv1.3", "TLSv1.2"... (ssl_fc_protocol, %sslv).
	Protocol string
	// Cipher is the suite's OpenSSL name (ssl_fc_cipher, %sslc).
	Cipher string
	// SNI is the server name the client sent (ssl_fc_sni).
	SNI string
	// ALPN is the negotiated protocol (ssl_fc_alpn).
	ALPN string
	// Reused is ssl_fc_session_reused.
	Reused bool
	// ClientCert is the client's leaf certificate (ssl_c_used when
	// set), nil when it sent none.
	ClientCert *x509.Certificate
	// Verify is OpenSSL's verify result code for the client certificate
	// (ssl_c_verify): 0 when it verified or none was sent.
	Verify int
}

// ConnInfo builds the Info of a finished server-side handshake; b is
// the bind it was accepted on (for the client-certificate result).
func (b *Bind) ConnInfo(cs tls.ConnectionState) Info {
	in := Info{Protocol: VersionName(cs.Version), Cipher: CipherName(cs.CipherSuite), SNI: cs.ServerName,
		ALPN: cs.NegotiatedProtocol, Reused: cs.DidResume}
	if len(cs.PeerCertificates) == 0 {
		return in
	}
	in.ClientCert = cs.PeerCertificates[0]
	if v, err := b.store.clientVerifier(b.opts, b.where); err == nil && v.roots != nil {
		raw := make([][]byte, len(cs.PeerCertificates))
		for i, c := range cs.PeerCertificates {
			raw[i] = c.Raw
		}
		in.Verify, _ = v.check(raw, time.Now())
	}
	return in
}

// Short names OpenSSL prints in distinguished names, by OID.
var dnNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
	"2.5.4.5": "serialNumber", "2.5.4.9": "street", "2.5.4.12": "title", "2.5.4.4": "SN", "2.5.4.42": "GN",
	"2.5.4.43": "initials", "2.5.4.44": "generationQualifier", "2.5.4.46": "dnQualifier", "2.5.4.65": "pseudonym",
	"2.5.4.17": "postalCode", "2.5.4.15": "businessCategory", "2.5.4.97": "organizationIdentifier",
	"0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "emailAddress",
}

var oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}

// dnEntries returns a DER distinguished name's entries in order, as
// (short name, value) pairs.
func dnEntries(raw []byte) [][2]string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return nil
	}
	var out [][2]string
	for _, rdn := range seq {
		for _, atv := range rdn {
			name, ok := dnNames[atv.Type.String()]
			if !ok {
				name = atv.Type.String()
			}
			out = append(out, [2]string{name, fmt.Sprint(atv.Value)})
		}
	}
	return out
}

// FormatDN renders a DER distinguished name (x509.Certificate.RawSubject
// or RawIssuer) as HAProxy prints ssl_c_s_dn: "/C=FR/O=Org/CN=name".
func FormatDN(raw []byte) string {
	var b strings.Builder
	for _, e := range dnEntries(raw) {
		b.WriteString("/" + e[0] + "=" + e[1])
	}
	return b.String()
}

// FormatDNRFC2253 renders a DN as the rfc2253 format of ssl_c_s_dn:
// entries last to first, separated by commas, with RFC 2253 escapes.
func FormatDNRFC2253(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return ""
	}
	return seq.String()
}

// DNField returns the value of entry (e.g. "CN") in a DER DN: occ 1
// (or 0) is the first from the start, 2 the second...; -1 is the last,
// -2 the one before. ok is false when there is no such entry.
func DNField(raw []byte, entry string, occ int) (string, bool) {
	var vals []string
	for _, e := range dnEntries(raw) {
		if e[0] == entry {
			vals = append(vals, e[1])
		}
	}
	i := occ - 1
	if occ == 0 {
		i = 0
	} else if occ < 0 {
		i = len(vals) + occ
	}
	if i < 0 || i >= len(vals) {
		return "", false
	}
	return vals[i], true
}

// Serial returns a certificate's serial number in upper-case hex, as
// `show ssl cert` prints it and ssl_c_serial,hex renders it.
func Serial(c *x509.Certificate) string {
	b := c.SerialNumber.Bytes()
	if len(b) == 0 {
		return "00"
	}
	return fmt.Sprintf("%X", b)
}

// SerialBytes returns the serial number as ssl_c_serial's binary.
func SerialBytes(c *x509.Certificate) []byte { return c.SerialNumber.Bytes() }

// ASN1Time renders a validity date as ssl_c_notafter/notbefore do:
// the certificate's UTCTime "YYMMDDhhmmssZ" (GeneralizedTime
// "YYYYMMDDhhmmssZ" from 2050 on, as encoded).
func ASN1Time(t time.Time) string {
	t = t.UTC()
	if t.Year() >= 2050 {
		return t.Format("20060102150405Z")
	}
	return t.Format("060102150405Z")
}
