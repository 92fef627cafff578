// Package smuggle is goha's differential request-smuggling suite: raw
// HTTP/1 byte sequences, legitimate and hostile, are sent through the
// real goha binary, through HAProxy 2.6 and through nginx (both
// installed on the test machine; a missing one is skipped), each in
// front of its own strict recording server on loopback.
//
// The strict server refuses anything a server could read in more than
// one way (bare CR or LF, obsolete folding, a second or list
// Content-Length, Content-Length with Transfer-Encoding, a chunked body
// off the RFC 9112 grammar, a Host that disagrees with the target, ...)
// and records every request it accepts. An exchange is then judged by
// what reached the server:
//
//   - unsafe: the server refused bytes, or accepted a request for a
//     path the proxies deny (/forbidden, smuggled past the proxy's
//     rules) or one sent after an error (/smuggled);
//   - forwarded: the server accepted requests, all canonical;
//   - rejected: nothing of the exchange was accepted by the server.
//
// goha must never be unsafe on a hostile exchange (so it is at least as
// safe as the safer of HAProxy and nginx), and must answer every
// legitimate one.
//
// Traps:
//   - Proxies reuse server connections across clients: the configs say
//     `http-reuse never` (nginx opens one per request), and each
//     exchange's bytes carry a marker (caseNNN) that attributes a server
//     connection to it.
//   - An exchange ends when the proxy closes the client connection: the
//     configs keep keep-alive and request timeouts short so every
//     exchange ends within about a second, and all run in parallel.
package smuggle
