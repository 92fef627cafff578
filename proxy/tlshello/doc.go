// Package tlshello reads the start of a TLS stream the way HAProxy's
// req_ssl_hello_type and req_ssl_sni fetches do: from bytes peeked off a
// client connection before any of them is forwarded, without decrypting
// anything.
//
// Traps:
//   - Only the first TLS record is examined for the server name, as in
//     HAProxy: a ClientHello split over several records (very large
//     hellos, post-quantum key shares) yields no SNI there either.
//   - A result of NeedMore means "not decided yet": the caller waits for
//     more bytes until its inspect-delay expires, then treats the sample
//     as absent.
//   - Nothing here allocates; returned slices point into the input.
package tlshello
