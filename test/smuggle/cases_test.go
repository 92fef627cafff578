package smuggle

import (
	"fmt"
	"strings"
	"time"
)

// tcase is one exchange: bytes sent on a fresh connection to the proxy.
// {id} in them becomes the exchange's marker (caseNNN).
type tcase struct {
	name  string
	legit bool
	parts []string // sent in order, late apart
	late  time.Duration
	// want is, for a legitimate exchange, how many requests the server
	// must accept (1 when zero), and status the last answer's status
	// (200 when zero).
	want   int
	status int
}

const (
	host = "Host: h.test\r\n"
	// smug is the request hidden in hostile bytes: the proxies deny its
	// path, so the server seeing it means it went past the proxy.
	smug = "GET /forbidden/{id} HTTP/1.1\r\nHost: h.test\r\n\r\n"
	// after is a request pipelined after an error: it must never reach
	// the server either.
	after = "GET /smuggled/{id} HTTP/1.1\r\nHost: h.test\r\n\r\n"
	get   = "GET /{id} HTTP/1.1\r\n" + host + "\r\n"
	wsKey = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
)

func legit(name string, raw ...string) tcase { return tcase{name: name, legit: true, parts: raw} }

func hostile(name, raw string) tcase { return tcase{name: name, parts: []string{raw}} }

// clte builds CL.TE: a Content-Length covering a chunked body's end and
// the smuggled request, with the Transfer-Encoding line(s) te.
func clte(name, te string) tcase {
	body := "0\r\n\r\n" + smug
	return hostile(name, fmt.Sprintf("POST /{id} HTTP/1.1\r\n%sContent-Length: %d\r\n%s\r\n%s", host, len(body), te, body))
}

// tecl builds TE.CL: a chunk holding the smuggled request, with a
// Content-Length covering only the chunk-size line.
func tecl(name, te string) tcase {
	size := fmt.Sprintf("%x\r\n", len(smug))
	return hostile(name, fmt.Sprintf("POST /{id} HTTP/1.1\r\n%s%sContent-Length: %d\r\n\r\n%s%s\r\n0\r\n\r\n", host, te, len(size), size, smug))
}

// chunked builds a chunked request whose body is body (raw chunked
// bytes), followed by the smuggled request.
func chunked(name, body string) tcase {
	return hostile(name, "POST /{id} HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\n\r\n"+body+smug)
}

// withHeader builds a GET with extra header lines (raw, own endings).
func withHeader(name, lines string) tcase {
	return hostile(name, "GET /{id} HTTP/1.1\r\n"+host+lines+"\r\n"+smug)
}

// line builds a request with the raw request line l (own ending).
func line(name, l string) tcase {
	return hostile(name, l+host+"X-Case: {id}\r\n\r\n"+smug)
}

// cases is the suite.
var cases = []tcase{
	// Legitimate exchanges: every proxy must answer them.
	legit("get", get),
	legit("post content-length", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: 5\r\n\r\nhello"),
	legit("post chunked", "POST /{id} HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n"),
	legit("chunk extensions", "POST /{id} HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\n\r\n5;a=b;c=\"d e\"\r\nhello\r\n0;last\r\n\r\n"),
	legit("trailer", "POST /{id} HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\nTrailer: x-sum\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n"),
	legit("http/1.0", "GET /{id} HTTP/1.0\r\n\r\n"),
	{name: "pipelined", legit: true, parts: []string{get + get}, want: 2},
	legit("absolute-form", "GET http://h.test/{id} HTTP/1.1\r\n"+host+"\r\n"),
	legit("options *", "OPTIONS * HTTP/1.1\r\n"+host+"X-Case: {id}\r\n\r\n"),
	legit("expect 100-continue", "POST /{id} HTTP/1.1\r\n"+host+"Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"),
	{name: "expect, body after 1s", legit: true, parts: []string{"POST /{id} HTTP/1.1\r\n" + host + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n", "hello"}, late: 1100 * time.Millisecond},
	{name: "expect, server sends 100, body after 1s", legit: true, parts: []string{"POST /continue/{id} HTTP/1.1\r\n" + host + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n", "hello"}, late: 1100 * time.Millisecond},
	legit("head", "HEAD /{id} HTTP/1.1\r\n"+host+"\r\n"),
	legit("obs-text value", "GET /{id} HTTP/1.1\r\n"+host+"X-A: caf\xe9\r\n\r\n"),
	legit("empty content-length 0", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: 0\r\n\r\n"),
	{name: "websocket", legit: true, parts: []string{"GET /ws/{id} HTTP/1.1\r\n" + host + "Connection: Upgrade\r\nUpgrade: websocket\r\n" + wsKey + "\r\nping"}, status: 101},

	// CL.TE and TE.CL.
	clte("CL.TE", "Transfer-Encoding: chunked\r\n"),
	tecl("TE.CL", "Transfer-Encoding: chunked\r\n"),
	clte("CL.TE mixed case", "Transfer-Encoding: cHuNkEd\r\n"),
	clte("CL.TE tab", "Transfer-Encoding:\tchunked\r\n"),
	// TE.TE obfuscations.
	clte("TE xchunked", "Transfer-Encoding: xchunked\r\n"),
	clte("TE space before colon", "Transfer-Encoding : chunked\r\n"),
	clte("TE twice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n"),
	clte("TE list", "Transfer-Encoding: chunked, identity\r\n"),
	clte("TE identity first", "Transfer-Encoding: identity, chunked\r\n"),
	clte("TE obs-fold", "Transfer-Encoding:\r\n chunked\r\n"),
	clte("TE leading space", " Transfer-Encoding: chunked\r\n"),
	clte("TE vertical tab", "Transfer-Encoding: \x0bchunked\r\n"),
	clte("TE NUL", "Transfer-Encoding: chunked\x00\r\n"),
	clte("TE quoted", "Transfer-Encoding: \"chunked\"\r\n"),
	clte("TE underscore", "Transfer_Encoding: chunked\r\n"),
	clte("TE after bare LF", "X-A: a\nTransfer-Encoding: chunked\r\n"),
	clte("TE after bare CR", "X-A: a\rTransfer-Encoding: chunked\r\n"),
	tecl("TE.CL xchunked", "Transfer-Encoding: xchunked\r\n"),
	tecl("TE.CL CL twice", "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"),
	hostile("TE twice, no CL", "POST /{id} HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+smug),

	// Content-Length.
	hostile("CL duplicate equal", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
	hostile("CL list equal", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: 5, 5\r\n\r\nhello"),
	hostile("CL duplicate differing", fmt.Sprintf("POST /{id} HTTP/1.1\r\n%sContent-Length: 5\r\nContent-Length: %d\r\n\r\nhello%s", host, 5+len(smug), smug)),
	hostile("CL list differing", fmt.Sprintf("POST /{id} HTTP/1.1\r\n%sContent-Length: 5, %d\r\n\r\nhello%s", host, 5+len(smug), smug)),
	hostile("CL plus sign", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: +5\r\n\r\nhello"+smug),
	hostile("CL hex", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: 0x5\r\n\r\nhello"+smug),
	hostile("CL negative", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: -1\r\n\r\n"+smug),
	hostile("CL overflow", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: 18446744073709551621\r\n\r\nhello"+smug),
	hostile("CL leading zeros", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: 005\r\n\r\nhello"),
	hostile("CL empty", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: \r\n\r\n"+smug),
	hostile("CL space inside", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length: 1 0\r\n\r\nhello"+smug),
	hostile("CL space before colon", "POST /{id} HTTP/1.1\r\n"+host+"Content-Length : 5\r\n\r\nhello"+smug),
	hostile("CL underscore", "POST /{id} HTTP/1.1\r\n"+host+"Content_Length: 5\r\n\r\nhello"+smug),

	// Line endings.
	hostile("bare LF everywhere", "GET /{id} HTTP/1.1\n"+"Host: h.test\nX-A: b\n\n"+smug),
	hostile("bare LF ends head early", "GET /{id} HTTP/1.1\r\n"+host+"\nX-A: b\r\n\r\n"+smug),
	hostile("bare CR in request line", "GET /{id} HTTP/1.1\r"+host+"\r\n"+smug),
	hostile("bare CR in value", "GET /{id} HTTP/1.1\r\n"+host+"X-A: a\rb\r\n\r\n"+smug),
	hostile("bare CR line end", "GET /{id} HTTP/1.1\r\n"+host+"X-A: a\r\r\n\r\n"+smug),
	chunked("bare LF after chunk size", "5\nhello\r\n0\r\n\r\n"),
	chunked("bare LF after chunk data", "5\r\nhello\n0\r\n\r\n"),
	chunked("bare CR in chunk extension", "5;a\rb\r\nhello\r\n0\r\n\r\n"),
	chunked("bare LF in chunk extension", "5;a\nb\r\nhello\r\n0\r\n\r\n"),
	chunked("bare LF last chunk", "5\r\nhello\r\n0\n\n"),
	chunked("bare LF in trailer", "5\r\nhello\r\n0\r\nX-A: b\n\r\n"),
	chunked("bare CR after chunk data", "5\r\nhello\r0\r\n\r\n"),

	// Folding, whitespace before colons, control bytes.
	withHeader("obs-fold", "X-A: a\r\n b\r\n"),
	withHeader("obs-fold tab", "X-A: a\r\n\tb\r\n"),
	withHeader("space before colon", "X-A : a\r\n"),
	withHeader("tab before colon", "X-A\t: a\r\n"),
	withHeader("NUL in value", "X-A: a\x00b\r\n"),
	withHeader("NUL in name", "X-\x00A: a\r\n"),
	withHeader("DEL in value", "X-A: a\x7fb\r\n"),
	withHeader("SOH in value", "X-A: a\x01b\r\n"),
	withHeader("empty name", ": a\r\n"),
	withHeader("no colon", "X-A a\r\n"),
	withHeader("non-ASCII name", "X-\xe9: a\r\n"),
	line("NUL in target", "GET /{id}\x00x HTTP/1.1\r\n"),
	line("non-ASCII target", "GET /{id}/caf\xe9 HTTP/1.1\r\n"),
	line("control in method", "G\x01T /{id} HTTP/1.1\r\n"),

	// Chunk sizes and extensions.
	chunked("chunk size overflow", "1ffffffffffffffff5\r\nhello\r\n0\r\n\r\n"),
	chunked("chunk size 64-bit wrap", "10000000000000005\r\nhello\r\n0\r\n\r\n"),
	chunked("chunk size negative", "-5\r\nhello\r\n0\r\n\r\n"),
	chunked("chunk size 0x", "0x5\r\nhello\r\n0\r\n\r\n"),
	chunked("chunk size leading space", " 5\r\nhello\r\n0\r\n\r\n"),
	chunked("chunk size trailing space", "5 \r\nhello\r\n0\r\n\r\n"),
	chunked("chunk size empty", "\r\nhello\r\n0\r\n\r\n"),
	chunked("chunk data too long", "5\r\nhelloXX\r\n0\r\n\r\n"),
	chunked("chunk extension no name", "5;\r\nhello\r\n0\r\n\r\n"),
	chunked("chunk extension bad char", "5;a b\r\nhello\r\n0\r\n\r\n"),
	chunked("chunk extension NUL", "5;a=\x00\r\nhello\r\n0\r\n\r\n"),
	chunked("chunk extension unterminated quote", "5;a=\"b\r\nhello\r\n0\r\n\r\n"),

	// Trailers.
	chunked("trailer content-length", "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n"),
	chunked("trailer transfer-encoding", "5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n"),
	chunked("trailer host", "5\r\nhello\r\n0\r\nHost: evil.test\r\n\r\n"),
	chunked("trailer space before colon", "5\r\nhello\r\n0\r\nX-A : b\r\n\r\n"),
	chunked("trailer obs-fold", "5\r\nhello\r\n0\r\nX-A: b\r\n c\r\n\r\n"),
	chunked("trailer NUL", "5\r\nhello\r\n0\r\nX-A: \x00\r\n\r\n"),
	chunked("trailer no colon", "5\r\nhello\r\n0\r\nX-A b\r\n\r\n"),

	// HTTP/1.0 with Transfer-Encoding.
	hostile("HTTP/1.0 TE", "POST /{id} HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+smug),
	hostile("HTTP/1.0 CL.TE", "POST /{id} HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+smug),

	// Request line and target.
	hostile("absolute-form other host", "GET http://other.test/{id} HTTP/1.1\r\n"+host+"\r\n"),
	hostile("absolute-form no host", "GET http://h.test/{id} HTTP/1.1\r\n\r\n"),
	hostile("absolute-form userinfo", "GET http://u@h.test/{id} HTTP/1.1\r\n"+host+"\r\n"),
	hostile("absolute-form no scheme", "GET h.test/{id} HTTP/1.1\r\n"+host+"\r\n"+smug),
	line("fragment", "GET /{id}#frag HTTP/1.1\r\n"),
	line("fragment hiding path", "GET /{id}#/../../forbidden HTTP/1.1\r\n"),
	line("asterisk with GET", "GET * HTTP/1.1\r\n"),
	line("version 1.2", "GET /{id} HTTP/1.2\r\n"),
	line("version 2.0", "GET /{id} HTTP/2.0\r\n"),
	line("version lowercase", "GET /{id} http/1.1\r\n"),
	line("double space", "GET  /{id} HTTP/1.1\r\n"),
	line("tab separator", "GET\t/{id} HTTP/1.1\r\n"),
	line("trailing space", "GET /{id} HTTP/1.1 \r\n"),
	hostile("HTTP/0.9", "GET /{id}\r\n\r\n"+smug),
	hostile("leading empty line", "\r\nGET /{id} HTTP/1.1\r\n"+host+"\r\n"),
	hostile("no host", "GET /{id} HTTP/1.1\r\n\r\n"+smug),
	hostile("duplicate host equal", "GET /{id} HTTP/1.1\r\n"+host+host+"\r\n"+smug),
	hostile("duplicate host differing", "GET /{id} HTTP/1.1\r\n"+host+"Host: other.test\r\n\r\n"+smug),
	hostile("host with path", "GET /{id} HTTP/1.1\r\nHost: h.test/x\r\n\r\n"+smug),
	hostile("host with space", "GET /{id} HTTP/1.1\r\nHost: h test\r\n\r\n"+smug),
	hostile("host underscore look-alike", "GET /{id} HTTP/1.1\r\n"+host+"Ho_st: other.test\r\n\r\n"),

	// Pipelined requests after an error.
	hostile("pipelined after bad header", "GET /{id} HTTP/1.1\r\n"+host+"X A: b\r\n\r\n"+after),
	hostile("pipelined after bad chunk", "POST /{id} HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n"+after),
	hostile("good, bad, good", get+"GET /{id} HTTP/1.1\r\n"+host+"X-A: \x00\r\n\r\n"+after),

	// Upgrade and CONNECT.
	hostile("upgrade refused, then smuggled", "GET /noupgrade/{id} HTTP/1.1\r\n"+host+"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n"+smug),
	hostile("upgrade without connection token", "GET /ws/{id} HTTP/1.1\r\n"+host+"Upgrade: websocket\r\n\r\n"+smug),
	hostile("CONNECT refused, then smuggled", "CONNECT h.test:443 HTTP/1.1\r\nHost: h.test:443\r\nX-Case: {id}\r\n\r\n"+smug),
	hostile("upgrade with body", "POST /ws/{id} HTTP/1.1\r\n"+host+"Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello"),

	// Expect.
	hostile("expect unknown", "POST /{id} HTTP/1.1\r\n"+host+"Expect: 200-ok\r\nContent-Length: 5\r\n\r\nhello"),
}

// marker returns case i's marker.
func marker(i int) string { return fmt.Sprintf("case%03d", i) }

// raw returns case i's parts with its marker in place.
func (c *tcase) raw(i int) []string {
	out := make([]string, len(c.parts))
	for k, p := range c.parts {
		out[k] = strings.ReplaceAll(p, "{id}", marker(i))
	}
	return out
}
