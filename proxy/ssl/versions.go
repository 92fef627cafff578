package ssl

import (
	"crypto/tls"
	"fmt"

	"github.com/goha/goha/config"
)

// versionIDs maps HAProxy's version names to crypto/tls's; SSLv3 is
// not in Go and counts as TLS 1.0 when it bounds a range.
var versionIDs = map[string]uint16{
	"SSLv3":   tls.VersionTLS10,
	"TLSv1.0": tls.VersionTLS10,
	"TLSv1.1": tls.VersionTLS11,
	"TLSv1.2": tls.VersionTLS12,
	"TLSv1.3": tls.VersionTLS13,
}

// versionNames are the protocol names HAProxy prints (ssl_fc_protocol,
// %sslv), by crypto/tls version.
var versionNames = map[uint16]string{
	tls.VersionTLS10: "TLSv1",
	tls.VersionTLS11: "TLSv1.1",
	tls.VersionTLS12: "TLSv1.2",
	tls.VersionTLS13: "TLSv1.3",
}

// VersionName returns the protocol name HAProxy logs for a crypto/tls
// version ("TLSv1.3"), "" for an unknown one.
func VersionName(v uint16) string { return versionNames[v] }

// versionRange turns ssl-min-ver/ssl-max-ver/no-*/force-* into Go's
// MinVersion and MaxVersion. defMin is the minimum when none is set
// (HAProxy 2.6 defaults to TLSv1.2 on binds and servers). Disabled
// versions shrink the range from its ends, as OpenSSL does: a hole in
// the middle is an error, since no range can express it.
func versionRange(m config.TLSMethods, defMin uint16) (uint16, uint16, error) {
	lo, hi := defMin, uint16(tls.VersionTLS13)
	if m.Min != "" {
		lo = versionIDs[m.Min]
	}
	if m.Max != "" {
		hi = versionIDs[m.Max]
	}
	off := map[uint16]bool{}
	for _, n := range m.No {
		if n != "SSLv3" {
			off[versionIDs[n]] = true
		}
	}
	for lo <= hi && off[lo] {
		lo++
	}
	for hi >= lo && off[hi] {
		hi--
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("all SSL/TLS versions are disabled")
	}
	for v := lo; v <= hi; v++ {
		if off[v] {
			return 0, 0, fmt.Errorf("%s is disabled between %s and %s, which crypto/tls cannot express", versionNames[v], versionNames[lo], versionNames[hi])
		}
	}
	return lo, hi, nil
}
