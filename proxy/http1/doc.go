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
// # What reaches a server
//
// The proxy rebuilds every request head it forwards (names lowercased,
// CRLF line endings, Connection dropped) from what ParseRequest keeps, so
// what ParseRequest accepts is what a server sees; a chunked body goes on
// byte for byte, so what ChunkScanner accepts is what a server sees. The
// rule is: never forward what a strict server could read differently.
// Each rule of RFC 9112 sections 2-7 and RFC 9110 sections 5, 7.2, 8.6
// and 10.1.1 is decided below; "400" means ParseRequest or ChunkScanner
// returns a *SyntaxError and the proxy answers HAProxy's 400 page and
// closes the connection (pipelined bytes after it are never read). A
// head's error is recorded for `show errors`; a chunked body's is not
// yet, and one found after part of the body went on ends the exchange
// there (the server has only seen a valid, unfinished body). The HAProxy 2.6.12 and nginx 1.22.1
// columns are what test/smuggle measures through them; "forwards" there
// means to the server, rewritten or not. Each row is held by the rows of
// the same ID in TestDecisions (decisions_test.go).
//
//	R1  Request line: token method, one SP, target, one SP, version
//	    (9112 §3). goha: 400 on a double SP, HTAB, trailing SP or a
//	    control byte. HAProxy: forwards double SP and HTAB (line rebuilt),
//	    400 on trailing SP. nginx: forwards double SP and trailing SP.
//	R2  Version (9112 §2.3, 9110 §2.5): HTTP/1.0 or HTTP/1.1; HTTP/1.2-1.9
//	    go on as HTTP/1.1; anything else, HTTP/0.9 and lowercase included,
//	    400. HAProxy: rewrites 1.x as goha, forwards "HTTP/2.0" as 1.1.
//	    nginx: rewrites 1.x, 505 for 2.0, serves 0.9.
//	R3  Target bytes (9112 §3.2, 9110 §4.2.5): visible ASCII only; a
//	    control byte, SP, DEL, a byte >= 0x80 or '#' (a fragment is
//	    never sent) is 400. HAProxy: 400 the same. nginx: forwards
//	    non-ASCII and fragments as received.
//	R4  Target form (9112 §3.2): origin-form; absolute-form with http or
//	    https; authority-form host:port for CONNECT only; "*" for OPTIONS
//	    only; anything else 400. HAProxy: forwards "GET *" and
//	    scheme-less targets. nginx: 400.
//	R5  Absolute-form (9112 §3.2.2, 9110 §4.2.4, §7.2): no userinfo, and
//	    a Host, when there is one, equal to the target's authority (ASCII
//	    case and the scheme's default port written on one side only
//	    aside), else 400; the target goes on as received. HAProxy: 400 on a differing
//	    Host, forwards userinfo and a missing Host. nginx: 400 on userinfo
//	    and missing Host, sends its own Host.
//	R6  Host (9112 §3.2, 9110 §7.2): exactly one in HTTP/1.1, at most one
//	    in HTTP/1.0, its value uri-host [":" port]; else 400. HAProxy:
//	    forwards a missing Host and bad values, merges equal repeats,
//	    400 on differing ones. nginx: 400.
//	R7  Empty lines before the request line (9112 §2.2): skipped. HAProxy
//	    and nginx: the same.
//	R8  Line endings (9112 §2.2): bare LF ends a head line and the server
//	    gets CRLF; a CR not followed by LF is 400. HAProxy: the same.
//	    nginx: accepts a value ending in CR CR LF.
//	R9  Field names (9112 §5.1, 9110 §5.1): a token followed by ':'; no
//	    whitespace before the colon, no empty name, no line without a
//	    colon, no byte >= 0x80: 400. HAProxy: the same. nginx: forwards
//	    non-ASCII names.
//	R10 Obsolete line folding (9112 §5.2): 400. HAProxy: unfolds and
//	    forwards. nginx: 400.
//	R11 Field values (9110 §5.5): a control byte but HTAB, or DEL, is 400;
//	    obs-text goes on unchanged; OWS around the value is dropped.
//	    HAProxy: forwards NUL, SOH, DEL. nginx: 400 on NUL, forwards SOH
//	    and DEL.
//	R12 Framing look-alikes: Content_Length and Transfer_Encoding (any
//	    case) are 400: CGI-style servers read them as the real field
//	    (HTTP_CONTENT_LENGTH). HAProxy: forwards them. nginx: drops them
//	    (underscores_in_headers off).
//	R13 Content-Length (9110 §8.6, 9112 §6.3): 1*DIGIT; repeats or a list
//	    of one same value go on as a single "content-length: N"; differing
//	    values, an empty value, a sign, hex, inner SP or more than 18
//	    digits are 400. HAProxy: merges the same way. nginx: 400 on
//	    repeats and lists.
//	R14 Transfer-Encoding (9112 §6.1): one field, exactly "chunked" (any
//	    case), in HTTP/1.1; any other coding, a list, a repeat, or any
//	    Transfer-Encoding in HTTP/1.0 is 400. HAProxy: forwards HTTP/1.0
//	    with Transfer-Encoding. nginx: 400.
//	R15 Content-Length with Transfer-Encoding (9112 §6.3): 400. HAProxy:
//	    drops Content-Length and forwards chunked. nginx: 400.
//	R16 Chunk size (9112 §7.1): 1*HEXDIG, at most 15 digits; a sign,
//	    "0x", whitespace before it or after it without ';', an empty size:
//	    400. HAProxy and nginx: 400, but accept SP after the size.
//	R17 Chunk extensions (9112 §7.1.1): *( BWS ";" BWS token [ BWS "="
//	    BWS ( token / quoted-string ) ] ) exactly; they go on unchanged,
//	    anything else is 400. HAProxy and nginx: accept any bytes but CR
//	    and LF there and drop them.
//	R18 Chunk line endings (9112 §7.1): CRLF after the size line, after
//	    the data and after the last chunk; bare LF or CR, or data longer
//	    than the size, is 400. HAProxy and nginx: accept bare LF and
//	    re-chunk (HAProxy) or de-chunk (nginx) the body.
//	R19 Trailer section (9112 §7.1.2, 9110 §6.5): field lines as in a head
//	    (R8-R11, CRLF only); Content-Length, Transfer-Encoding, Host and
//	    the R12 look-alikes are 400 there. HAProxy: forwards framing
//	    fields and NUL in trailers, unfolds folding. nginx: drops
//	    trailers.
//	R20 Expect (9110 §10.1.1): 100-continue is forwarded and goha waits
//	    for the server's 100 or answer (the client may send its body
//	    anyway); in an HTTP/1.0 request it is ignored; other expectations
//	    are forwarded. HAProxy: the same. nginx: answers 100 itself.
//	R21 Upgrade (9110 §7.8): a switch needs the upgrade token in
//	    Connection and an Upgrade field, and happens only on a 101: any
//	    other answer keeps parsing the client's bytes as requests; CONNECT
//	    is forwarded, and a refusal keeps HTTP too. HAProxy: the same, and
//	    400 on a websocket upgrade without Sec-WebSocket-Key. nginx: 400
//	    on CONNECT.
//
// Traps:
//
//   - The response side shares parseHeaders and ChunkScanner: a server's
//     chunked response off the grammar (bare LF included) is a 502.
//   - A head larger than the limit given to the parser (tune.bufsize minus
//     tune.maxrewrite for requests) is ErrTooLarge, also a 400.
package http1
