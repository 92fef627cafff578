// Package http1 is goha's HTTP/1.1 message engine: it parses request and
// response heads in place inside a caller-owned buffer, tracks chunked
// bodies as they stream through, and holds HAProxy 2.6's built-in error
// pages.
//
// It is written for the proxy's hot path:
//
//   - Parsing allocates nothing. Header names are lowercased in place in
//     the caller's buffer (HAProxy 2.6 forwards names lowercased, in the
//     order received), and every field of Request and Response is a slice
//     of that buffer: they are valid only until the buffer is reused.
//   - The Headers slices keep their capacity from one message to the next,
//     so a Request or Response value should be reused for the life of a
//     connection (or of a pooled work area).
//   - A head is parsed from scratch on every call: when ParseRequest
//     returns ErrNeedMore, read more bytes and call it again on the whole
//     head. Heads almost always arrive in one read, so this costs nothing
//     measurable and keeps the parser stateless.
//
// Traps:
//
//   - The parser rejects what HAProxy rejects and what enables request
//     smuggling: Content-Length together with Transfer-Encoding, differing
//     or malformed Content-Length values, a Transfer-Encoding other than
//     "chunked", characters outside RFC 9110's token set in header names
//     (a space, for one), control characters in values, obsolete line
//     folding, and a malformed request line. The caller answers 400 and
//     closes the connection; such a request must never reach a server.
//   - A head larger than the limit given to the parser (tune.bufsize minus
//     tune.maxrewrite for requests) is ErrTooLarge, also a 400.
//   - Bare LF line endings are accepted, as HAProxy does.
package http1
