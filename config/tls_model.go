package config

// The TLS settings of the model: what `bind ... ssl`, `server ... ssl`
// and the global ssl-* keywords say, typed but not yet turned into
// crypto/tls values (proxy/ssl does that, and loads the files). The
// parser only keeps settings when ParseOptions.AllowTLS is set; without
// it `ssl` is refused, so none of these reach the data plane.

// TLSVersionNames are the protocol versions `ssl-min-ver`/`ssl-max-ver`
// accept, oldest first, as HAProxy names them.
var TLSVersionNames = []string{"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// TLSMethods is the protocol-version part of a bind, a server or an
// ssl-default-*-options line: `ssl-min-ver`, `ssl-max-ver`,
// `no-sslv3`..`no-tlsv13` and `force-sslv3`..`force-tlsv13`.
type TLSMethods struct {
	// Min and Max are version names of TLSVersionNames ("" = unset).
	// `force-X` sets both to X.
	Min, Max string
	// No lists the versions turned off with no-*, e.g. "TLSv1.0".
	No []string
}

// merge fills m's unset bounds from d and adds d's disabled versions, as
// HAProxy applies ssl-default-*-options to a bind or server line.
func (m *TLSMethods) merge(d TLSMethods) {
	if m.Min == "" {
		m.Min = d.Min
	}
	if m.Max == "" {
		m.Max = d.Max
	}
	for _, v := range d.No {
		if !contains(m.No, v) {
			m.No = append(m.No[:len(m.No):len(m.No)], v)
		}
	}
}

// CertSource is one `crt` or `crt-list` argument of a bind line, in the
// order given (the first certificate loaded is the default one).
type CertSource struct {
	// Path is the file or directory with crt-base applied.
	Path string
	// List is true for `crt-list`.
	List bool
}

// BindTLS is a bind line's TLS settings (meaningful with Bind.SSL).
// Zero values mean "not set": the global ssl-default-bind-* values have
// already been applied where the line set nothing.
type BindTLS struct {
	Certs []CertSource
	// CAFile and CRLFile are paths with ca-base applied; CAFile may be
	// "@system-ca".
	CAFile, CRLFile string
	// Verify is "none", "optional" or "required" ("" = none).
	Verify string
	// CAIgnoreErr and CrtIgnoreErr are "all" or a comma list of
	// OpenSSL verify error ids.
	CAIgnoreErr, CrtIgnoreErr string
	// Ciphers is an OpenSSL cipher string (TLS <= 1.2), Ciphersuites a
	// TLS 1.3 suite list, Curves a curve list, ECDHE one curve.
	Ciphers, Ciphersuites, Curves, ECDHE string
	// ALPN and NPN are the protocol lists, in preference order.
	ALPN, NPN []string
	Methods   TLSMethods
	// TicketKeys is the `tls-ticket-keys` file.
	TicketKeys          string
	StrictSNI           bool
	PreferClientCiphers bool
	NoTLSTickets        bool
	NoCANames           bool
	Allow0RTT           bool
}

// ServerTLS is a server line's TLS settings (meaningful with Server.SSL
// or Server.CheckSSL).
type ServerTLS struct {
	// Crt is the client certificate (`crt`), with crt-base applied.
	Crt string
	// CRLFile is the `crl-file`, with ca-base applied.
	CRLFile string
	// Ciphers and Ciphersuites as for BindTLS.
	Ciphers, Ciphersuites string
	// ALPN is `alpn`, CheckALPN `check-alpn`, NPN `npn`.
	ALPN, CheckALPN, NPN []string
	// CheckSNI is `check-sni`: a literal name sent by health checks.
	CheckSNI string
	// VerifyHost is `verifyhost`: the name the certificate must match
	// (default: the SNI sent).
	VerifyHost   string
	NoVerifyHost bool
	Methods      TLSMethods
	NoTLSTickets bool
	// NoSSLReuse is `no-ssl-reuse`: no session resumption to this server.
	NoSSLReuse bool
}

// GlobalTLS is the global section's TLS settings.
type GlobalTLS struct {
	// CrtBase and CABase are `crt-base` and `ca-base`.
	CrtBase, CABase string
	// ServerVerify is `ssl-server-verify` ("" = required).
	ServerVerify string
	// BindMethods, BindNoTickets and BindPreferClient are
	// `ssl-default-bind-options`.
	BindMethods      TLSMethods
	BindNoTickets    bool
	BindPreferClient bool
	// BindCiphers, BindCiphersuites and BindCurves are
	// `ssl-default-bind-ciphers`, `-ciphersuites` and `-curves`.
	BindCiphers, BindCiphersuites, BindCurves string
	// ServerMethods and ServerNoTickets are `ssl-default-server-options`.
	ServerMethods   TLSMethods
	ServerNoTickets bool
	// ServerCiphers and ServerCiphersuites are
	// `ssl-default-server-ciphers` and `-ciphersuites`.
	ServerCiphers, ServerCiphersuites string
}
