package config

// tlsSampleFetches are the ssl_* fetches goha evaluates in rule values
// once a connection went through a TLS handshake (proxy/sample's
// fetch_ssl.go); tlsLogVars the TLS log-format variables.
var (
	tlsSampleFetches = []string{"ssl_fc_has_sni", "ssl_fc_has_crt", "ssl_c_used", "ssl_fc_session_reused",
		"ssl_fc_protocol", "ssl_fc_cipher", "ssl_fc_alpn", "ssl_c_verify", "ssl_c_err", "ssl_c_ca_err",
		"ssl_c_version", "ssl_c_serial", "ssl_c_notafter", "ssl_c_notbefore", "ssl_c_der", "ssl_c_sha1",
		"ssl_c_sig_alg", "ssl_c_s_dn", "ssl_c_i_dn"}
	tlsLogVars = []string{"sslv", "sslc"}
	// tlsACLFetches are the TLS ACL criteria beyond ssl_fc and
	// ssl_fc_sni (proxy/acl's TLSFetches).
	tlsACLFetches = []string{"ssl_c_used", "ssl_fc_has_crt", "ssl_fc_has_sni", "ssl_fc_session_reused",
		"ssl_c_verify", "ssl_c_err", "ssl_c_ca_err", "ssl_c_version", "ssl_fc_protocol", "ssl_fc_cipher",
		"ssl_fc_alpn", "ssl_c_s_dn", "ssl_c_i_dn", "ssl_c_notafter", "ssl_c_notbefore"}
)

func init() {
	for _, n := range tlsSampleFetches {
		SupportedSampleFetches[n] = true
	}
	for _, n := range tlsLogVars {
		SupportedLogVars[n] = true
	}
	for _, n := range tlsACLFetches {
		SupportedFetches[n] = true
	}
}
