package http1

import (
	"errors"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// decision is one example of a row of the package doc's table: a request
// head (or, with body, a chunked body) and whether goha takes it.
type decision struct {
	id     string // the table row, R1...
	name   string
	in     string
	body   bool
	reject bool
	// check, for a request taken, says what is wrong with it ("" if
	// nothing).
	check func(r *Request) string
}

const hh = "Host: h.test\r\n"

func req(id, name, in string, check func(*Request) string) decision {
	return decision{id: id, name: name, in: in, check: check}
}

func bad(id, name, in string) decision { return decision{id: id, name: name, in: in, reject: true} }

func body(id, name, in string, reject bool) decision {
	return decision{id: id, name: name, in: in, body: true, reject: reject}
}

// field checks that the request's only field named name has value v.
func field(name, v string) func(*Request) string {
	return func(r *Request) string {
		var got []string
		for _, h := range r.Headers {
			if string(h.Name) == name {
				got = append(got, string(h.Value))
			}
		}
		if len(got) != 1 || got[0] != v {
			return name + " fields are " + strings.Join(got, "|") + ", want one " + v
		}
		return ""
	}
}

var decisions = []decision{
	req("R1", "single spaces", "GET / HTTP/1.1\r\n"+hh+"\r\n", nil),
	bad("R1", "double space", "GET  / HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R1", "tab", "GET\t/ HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R1", "trailing space", "GET / HTTP/1.1 \r\n"+hh+"\r\n"),
	bad("R1", "control in method", "G\x01T / HTTP/1.1\r\n"+hh+"\r\n"),

	req("R2", "1.2 goes on as 1.1", "GET / HTTP/1.2\r\n"+hh+"\r\n", func(r *Request) string {
		if string(r.Proto) != "HTTP/1.1" || r.Minor != 1 {
			return "proto " + string(r.Proto)
		}
		return ""
	}),
	req("R2", "1.0", "GET / HTTP/1.0\r\n\r\n", func(r *Request) string {
		if string(r.Proto) != "HTTP/1.0" || r.Minor != 0 {
			return "proto " + string(r.Proto)
		}
		return ""
	}),
	bad("R2", "2.0", "GET / HTTP/2.0\r\n"+hh+"\r\n"),
	bad("R2", "lowercase", "GET / http/1.1\r\n"+hh+"\r\n"),
	bad("R2", "0.9", "GET /\r\n\r\n"),

	req("R3", "query and escapes", "GET /a?b=%20&c=~ HTTP/1.1\r\n"+hh+"\r\n", nil),
	bad("R3", "NUL", "GET /a\x00 HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R3", "DEL", "GET /a\x7f HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R3", "non-ASCII", "GET /caf\xe9 HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R3", "fragment", "GET /a#b HTTP/1.1\r\n"+hh+"\r\n"),

	req("R4", "OPTIONS *", "OPTIONS * HTTP/1.1\r\n"+hh+"\r\n", nil),
	req("R4", "CONNECT authority", "CONNECT h.test:443 HTTP/1.1\r\nHost: h.test:443\r\n\r\n", nil),
	bad("R4", "GET *", "GET * HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R4", "no scheme", "GET h.test/a HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R4", "CONNECT path", "CONNECT /a HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R4", "CONNECT no port", "CONNECT h.test HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R4", "other scheme", "GET ftp://h.test/a HTTP/1.1\r\n"+hh+"\r\n"),

	req("R5", "absolute-form, Host in other case", "GET http://h.test/a HTTP/1.1\r\nHost: H.Test\r\n\r\n", nil),
	req("R5", "https with port", "GET https://h.test:8443?q HTTP/1.1\r\nHost: h.test:8443\r\n\r\n", nil),
	req("R5", "default port on one side", "GET http://h.test:80/a HTTP/1.1\r\nHost: h.test\r\n\r\n", nil),
	req("R5", "https default port on the other", "GET https://h.test/a HTTP/1.1\r\nHost: h.test:443\r\n\r\n", nil),
	req("R5", "HTTP/1.0 without Host", "GET http://h.test/a HTTP/1.0\r\n\r\n", nil),
	bad("R5", "another port", "GET http://h.test:81/a HTTP/1.1\r\nHost: h.test\r\n\r\n"),
	bad("R5", "differing Host", "GET http://other.test/a HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R5", "no Host", "GET http://h.test/a HTTP/1.1\r\n\r\n"),
	bad("R5", "userinfo", "GET http://u@h.test/a HTTP/1.1\r\n"+hh+"\r\n"),
	bad("R5", "empty authority", "GET http:///a HTTP/1.1\r\nHost: \r\n\r\n"),

	req("R6", "IPv6 and port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", nil),
	req("R6", "empty Host", "GET / HTTP/1.1\r\nHost: \r\n\r\n", nil),
	req("R6", "1.0 without Host", "GET / HTTP/1.0\r\n\r\n", nil),
	bad("R6", "1.1 without Host", "GET / HTTP/1.1\r\n\r\n"),
	bad("R6", "Host twice, equal", "GET / HTTP/1.1\r\n"+hh+hh+"\r\n"),
	bad("R6", "Host twice in 1.0", "GET / HTTP/1.0\r\n"+hh+hh+"\r\n"),
	bad("R6", "Host with a path", "GET / HTTP/1.1\r\nHost: h.test/a\r\n\r\n"),
	bad("R6", "Host with a space", "GET / HTTP/1.1\r\nHost: h test\r\n\r\n"),
	bad("R6", "Host with userinfo", "GET / HTTP/1.1\r\nHost: u@h.test\r\n\r\n"),
	bad("R6", "Host port not digits", "GET / HTTP/1.1\r\nHost: h.test:8x\r\n\r\n"),

	req("R7", "empty lines first", "\r\n\nGET / HTTP/1.1\r\n"+hh+"\r\n", nil),

	req("R8", "bare LF", "GET / HTTP/1.1\nHost: h.test\nX-A: b\n\n", field("x-a", "b")),
	bad("R8", "bare CR in request line", "GET / HTTP/1.1\rHost: h.test\r\n\r\n"),
	bad("R8", "bare CR in value", "GET / HTTP/1.1\r\n"+hh+"X-A: a\rb\r\n\r\n"),
	bad("R8", "CR CR LF", "GET / HTTP/1.1\r\n"+hh+"X-A: a\r\r\n\r\n"),

	bad("R9", "space in name", "GET / HTTP/1.1\r\n"+hh+"X A: b\r\n\r\n"),
	bad("R9", "space before colon", "GET / HTTP/1.1\r\n"+hh+"X-A : b\r\n\r\n"),
	bad("R9", "tab before colon", "GET / HTTP/1.1\r\n"+hh+"X-A\t: b\r\n\r\n"),
	bad("R9", "empty name", "GET / HTTP/1.1\r\n"+hh+": b\r\n\r\n"),
	bad("R9", "no colon", "GET / HTTP/1.1\r\n"+hh+"X-A b\r\n\r\n"),
	bad("R9", "non-ASCII name", "GET / HTTP/1.1\r\n"+hh+"X-\xe9: b\r\n\r\n"),

	bad("R10", "folded with SP", "GET / HTTP/1.1\r\n"+hh+"X-A: a\r\n b\r\n\r\n"),
	bad("R10", "folded with HTAB", "GET / HTTP/1.1\r\n"+hh+"X-A: a\r\n\tb\r\n\r\n"),

	req("R11", "obs-text and OWS", "GET / HTTP/1.1\r\n"+hh+"X-A: \t caf\xe9 \t\r\n\r\n", field("x-a", "caf\xe9")),
	bad("R11", "NUL", "GET / HTTP/1.1\r\n"+hh+"X-A: a\x00b\r\n\r\n"),
	bad("R11", "SOH", "GET / HTTP/1.1\r\n"+hh+"X-A: a\x01b\r\n\r\n"),
	bad("R11", "DEL", "GET / HTTP/1.1\r\n"+hh+"X-A: a\x7fb\r\n\r\n"),
	bad("R11", "VT", "GET / HTTP/1.1\r\n"+hh+"X-A: \x0bb\r\n\r\n"),

	req("R12", "other underscores", "GET / HTTP/1.1\r\n"+hh+"Ho_st: x\r\nX_A: b\r\n\r\n", nil),
	bad("R12", "Content_Length", "POST / HTTP/1.1\r\n"+hh+"Content_Length: 5\r\n\r\n"),
	bad("R12", "Transfer_Encoding", "POST / HTTP/1.1\r\n"+hh+"Transfer_Encoding: chunked\r\n\r\n"),
	bad("R12", "mixed", "POST / HTTP/1.1\r\n"+hh+"transfer_Encoding: chunked\r\n\r\n"),

	req("R13", "list of one value", "POST / HTTP/1.1\r\n"+hh+"Content-Length: 5, 5\r\n\r\n", field("content-length", "5")),
	req("R13", "repeated value", "POST / HTTP/1.1\r\n"+hh+"Content-Length: 5\r\nContent-Length: 5\r\n\r\n", field("content-length", "5")),
	req("R13", "leading zeros", "POST / HTTP/1.1\r\n"+hh+"Content-Length: 005\r\n\r\n", func(r *Request) string {
		if r.ContentLength != 5 {
			return "wrong length"
		}
		return ""
	}),
	bad("R13", "differing repeat", "POST / HTTP/1.1\r\n"+hh+"Content-Length: 5\r\nContent-Length: 6\r\n\r\n"),
	bad("R13", "differing list", "POST / HTTP/1.1\r\n"+hh+"Content-Length: 5, 6\r\n\r\n"),
	bad("R13", "empty", "POST / HTTP/1.1\r\n"+hh+"Content-Length: \r\n\r\n"),
	bad("R13", "plus", "POST / HTTP/1.1\r\n"+hh+"Content-Length: +5\r\n\r\n"),
	bad("R13", "minus", "POST / HTTP/1.1\r\n"+hh+"Content-Length: -1\r\n\r\n"),
	bad("R13", "hex", "POST / HTTP/1.1\r\n"+hh+"Content-Length: 0x5\r\n\r\n"),
	bad("R13", "inner space", "POST / HTTP/1.1\r\n"+hh+"Content-Length: 1 0\r\n\r\n"),
	bad("R13", "overflow", "POST / HTTP/1.1\r\n"+hh+"Content-Length: 18446744073709551621\r\n\r\n"),

	req("R14", "chunked any case", "POST / HTTP/1.1\r\n"+hh+"Transfer-Encoding: cHuNkEd\r\n\r\n", func(r *Request) string {
		if !r.Chunked {
			return "not chunked"
		}
		return ""
	}),
	bad("R14", "xchunked", "POST / HTTP/1.1\r\n"+hh+"Transfer-Encoding: xchunked\r\n\r\n"),
	bad("R14", "list", "POST / HTTP/1.1\r\n"+hh+"Transfer-Encoding: gzip, chunked\r\n\r\n"),
	bad("R14", "repeat", "POST / HTTP/1.1\r\n"+hh+"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
	bad("R14", "quoted", "POST / HTTP/1.1\r\n"+hh+"Transfer-Encoding: \"chunked\"\r\n\r\n"),
	bad("R14", "HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),

	bad("R15", "CL then TE", "POST / HTTP/1.1\r\n"+hh+"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
	bad("R15", "TE then CL", "POST / HTTP/1.1\r\n"+hh+"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),

	body("R16", "hex sizes", "A\r\n0123456789\r\n00000000000000f\r\n0123456789abcde\r\n0\r\n\r\n", false),
	body("R16", "16 digits", "1ffffffffffffffff5\r\nhello\r\n0\r\n\r\n", true),
	body("R16", "sign", "-5\r\nhello\r\n0\r\n\r\n", true),
	body("R16", "0x", "0x5\r\nhello\r\n0\r\n\r\n", true),
	body("R16", "space before", " 5\r\nhello\r\n0\r\n\r\n", true),
	body("R16", "space after, no extension", "5 \r\nhello\r\n0\r\n\r\n", true),
	body("R16", "empty size", "\r\nhello\r\n0\r\n\r\n", true),

	body("R17", "extensions", "5;a=b;c=\"d \\\" e\" ; f\t;g = h\r\nhello\r\n0;last\r\n\r\n", false),
	body("R17", "no name", "5;\r\nhello\r\n0\r\n\r\n", true),
	body("R17", "space inside name", "5;a b\r\nhello\r\n0\r\n\r\n", true),
	body("R17", "trailing space", "5;a \r\nhello\r\n0\r\n\r\n", true),
	body("R17", "NUL value", "5;a=\x00\r\nhello\r\n0\r\n\r\n", true),
	body("R17", "unterminated quote", "5;a=\"b\r\nhello\r\n0\r\n\r\n", true),
	body("R17", "bare CR", "5;a\rb\r\nhello\r\n0\r\n\r\n", true),
	body("R17", "bare LF", "5;a\nb\r\nhello\r\n0\r\n\r\n", true),

	body("R18", "bare LF after size", "5\nhello\r\n0\r\n\r\n", true),
	body("R18", "bare LF after data", "5\r\nhello\n0\r\n\r\n", true),
	body("R18", "bare CR after data", "5\r\nhello\r0\r\n\r\n", true),
	body("R18", "bare LF last chunk", "5\r\nhello\r\n0\n\n", true),
	body("R18", "data too long", "5\r\nhelloXX\r\n0\r\n\r\n", true),

	body("R19", "trailer fields", "5\r\nhello\r\n0\r\nX-Sum: 1\r\nY:\r\n\r\n", false),
	body("R19", "content-length", "0\r\nContent-Length: 5\r\n\r\n", true),
	body("R19", "transfer-encoding", "0\r\ntransfer-encoding: chunked\r\n\r\n", true),
	body("R19", "host", "0\r\nHOST: h.test\r\n\r\n", true),
	body("R19", "look-alike", "0\r\nContent_Length: 5\r\n\r\n", true),
	body("R19", "space before colon", "0\r\nX-A : b\r\n\r\n", true),
	body("R19", "folding", "0\r\nX-A: b\r\n c\r\n\r\n", true),
	body("R19", "NUL", "0\r\nX-A: \x00\r\n\r\n", true),
	body("R19", "no colon", "0\r\nX-A b\r\n\r\n", true),
	body("R19", "bare LF", "0\r\nX-A: b\n\r\n", true),
	body("R19", "bare LF at the end", "0\r\nX-A: b\r\n\n", true),

	req("R20", "100-continue", "POST / HTTP/1.1\r\n"+hh+"Expect: 100-Continue\r\nContent-Length: 1\r\n\r\n", func(r *Request) string {
		if !r.Expect100 {
			return "Expect100 not set"
		}
		return field("expect", "100-Continue")(r)
	}),
	req("R20", "ignored in 1.0", "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", func(r *Request) string {
		if r.Expect100 {
			return "Expect100 set for HTTP/1.0"
		}
		return ""
	}),
	req("R20", "other expectation forwarded", "POST / HTTP/1.1\r\n"+hh+"Expect: 200-ok\r\nContent-Length: 1\r\n\r\n", field("expect", "200-ok")),

	req("R21", "upgrade", "GET / HTTP/1.1\r\n"+hh+"Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n", func(r *Request) string {
		if !r.Upgrade() {
			return "no upgrade"
		}
		return ""
	}),
	req("R21", "Upgrade without the token", "GET / HTTP/1.1\r\n"+hh+"Upgrade: websocket\r\n\r\n", func(r *Request) string {
		if r.Upgrade() {
			return "upgrade without the Connection token"
		}
		return ""
	}),
}

// TestDecisions holds every row of the package doc's table.
func TestDecisions(t *testing.T) {
	for _, d := range decisions {
		t.Run(d.id+"/"+d.name, func(t *testing.T) {
			if d.body {
				checkBody(t, d)
				return
			}
			var r Request
			err := ParseRequest([]byte(d.in), 15360, &r)
			var se *SyntaxError
			switch {
			case d.reject && !errors.As(err, &se):
				t.Fatalf("ParseRequest(%q) = %v; want a SyntaxError (400)", d.in, err)
			case !d.reject && err != nil:
				t.Fatalf("ParseRequest(%q) = %v; want it taken", d.in, err)
			case !d.reject && d.check != nil:
				if why := d.check(&r); why != "" {
					t.Fatalf("ParseRequest(%q): %s", d.in, why)
				}
			}
		})
	}
}

// checkBody scans a chunked body in every two-piece split: it must end
// exactly at its last byte, or fail in every split.
func checkBody(t *testing.T, d decision) {
	for split := 0; split <= len(d.in); split++ {
		var c ChunkScanner
		n, done, err := c.Scan([]byte(d.in[:split]))
		if err == nil && !done {
			var n2 int
			n2, done, err = c.Scan([]byte(d.in[split:]))
			n += n2
		}
		if d.reject {
			if err == nil {
				t.Fatalf("split %d of %q: taken (n=%d done=%v); want a SyntaxError", split, d.in, n, done)
			}
			continue
		}
		if err != nil || !done || n != len(d.in) {
			t.Fatalf("split %d of %q: n=%d done=%v err=%v; want all %d bytes", split, d.in, n, done, err, len(d.in))
		}
	}
}

// TestDecisionTableTested keeps the doc's table and TestDecisions in step:
// every row has examples, every example a row.
func TestDecisionTableTested(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^//\t(R\d+) `).FindAllStringSubmatch(string(doc), -1) {
		rows[m[1]] = true
	}
	tested := map[string]bool{}
	for _, d := range decisions {
		tested[d.id] = true
		if !rows[d.id] {
			t.Errorf("decision %s %q has no row in doc.go", d.id, d.name)
		}
	}
	var missing []string
	for r := range rows {
		if !tested[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	if len(rows) == 0 || len(missing) > 0 {
		t.Errorf("rows of doc.go without a decision: %v (rows found: %d)", missing, len(rows))
	}
}
