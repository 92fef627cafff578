// Package ssl builds goha's TLS from the configuration model: the
// certificate store (`crt FILE|DIR`, `crt-list`, side files .key,
// .ocsp and .issuer), the choice of a certificate by SNI, the
// *tls.Config of a TLS listener (Bind) and of a TLS server connection
// (Client), session-ticket keys, the connection facts ssl_* fetches and
// logs read (Info), HAProxy's handshake error reasons, and the runtime
// API's certificate transactions (`set/commit/abort/new/del ssl cert`,
// `add/del/show ssl crt-list`, `set ssl ocsp-response`).
//
// What crypto/tls cannot do the way OpenSSL does, and what goha does:
//
//   - `ciphers` (TLS <= 1.2) takes OpenSSL cipher strings; see
//     ParseCiphers for the subset understood. Go picks the suite among
//     those allowed by its own preference order, so
//     `prefer-client-ciphers` is recorded but changes nothing.
//   - `ciphersuites` (TLS 1.3): Go cannot restrict its TLS 1.3 suites;
//     goha refuses, at the end of the handshake, a connection whose suite
//     is not listed, so a client offering only other suites fails.
//   - `npn` is parsed and ignored: Go has no NPN (clients use ALPN).
//   - `ecdhe` and `curves` set the key-exchange groups Go offers.
//   - SSLv3 does not exist in Go: `ssl-min-ver SSLv3` means TLS 1.0.
//
// The store is safe for concurrent use: handshakes read immutable
// snapshots published with atomic pointers, and the runtime API builds
// new ones under the store's lock (parse, then swap).
package ssl
