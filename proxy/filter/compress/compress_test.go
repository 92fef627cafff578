package compress

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/http1"
)

func parseReq(t testing.TB, head string) *http1.Request {
	t.Helper()
	req := new(http1.Request)
	if !strings.Contains(strings.ToLower(head), "\r\nhost:") && strings.Contains(head, "HTTP/1.1") {
		head += "Host: x\r\n" // HTTP/1.1 requires one
	}
	if err := http1.ParseRequest([]byte(head+"\r\n"), 1<<16, req); err != nil {
		t.Fatalf("parse %q: %v", head, err)
	}
	return req
}

func parseResp(t testing.TB, head string) *http1.Response {
	t.Helper()
	resp := new(http1.Response)
	if err := http1.ParseResponse([]byte(head+"\r\n"), 1<<16, resp); err != nil {
		t.Fatalf("parse %q: %v", head, err)
	}
	return resp
}

func settings(t testing.TB, c config.Compression) *Settings {
	t.Helper()
	s, err := New(&c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNegotiate: the algorithm HAProxy 2.6 picks for each
// Accept-Encoding (the cases were run through /usr/sbin/haproxy 2.6.12
// with the same settings): the highest q wins, the first element among
// equals, q=0 never, tokens in any case, "*" any algorithm, and the last
// declared algorithm first among those a token names; identity when
// declared and nothing else matches.
func TestNegotiate(t *testing.T) {
	all := []string{"raw-deflate", "gzip", "identity"}
	cases := []struct {
		algos   []string
		ae      []string // Accept-Encoding headers
		ua      string
		want    string // algo name, "" for none
		matched bool
	}{
		{[]string{"gzip"}, []string{"gzip"}, "", "gzip", true},
		{[]string{"gzip"}, nil, "", "", false},
		{[]string{"gzip"}, []string{"br"}, "", "", false},
		{[]string{"gzip"}, []string{"x-gzip"}, "", "", false},
		{[]string{"gzip"}, []string{"GZIP"}, "", "gzip", true},
		{[]string{"gzip"}, []string{"gzip;q=0"}, "", "", false},
		{[]string{"gzip"}, []string{"*"}, "", "gzip", true},
		{[]string{"gzip"}, []string{"*;q=0"}, "", "", false},
		{[]string{"deflate"}, []string{"deflate"}, "", "deflate", true},
		{all, []string{"gzip;q=0.5, deflate"}, "", "raw-deflate", true},
		{all, []string{"deflate;q=0.5, gzip"}, "", "gzip", true},
		{all, []string{"deflate;q=0, gzip;q=0"}, "", "identity", false},
		{all, []string{"*"}, "", "identity", true},
		{all, []string{"*;q=0"}, "", "identity", false},
		{all, []string{"identity"}, "", "identity", true},
		{all, nil, "", "identity", false},
		{all, []string{"br"}, "", "identity", false},
		{all, []string{"gzip;q=1.0"}, "", "gzip", true},
		{all, []string{"gzip; foo=1; q=0.3, deflate;q=0.2"}, "", "gzip", true},
		{all, []string{"gzip;q=0.001"}, "", "gzip", true},
		{all, []string{"gzip;q=x, deflate;q=0.9"}, "", "gzip", true}, // q=x reads as 1
		{all, []string{"gzip;q=2, deflate"}, "", "gzip", true},       // capped at 1, first wins
		{all, []string{"deflate , gzip"}, "", "raw-deflate", true},
		{all, []string{"gzip ;q=0.4, deflate; q=0.4"}, "", "gzip", true},
		{all, []string{"gzip;q=0.5", "deflate;q=0.6"}, "", "raw-deflate", true},
		{all, []string{"gzip;q=0.5, *;q=0.6"}, "", "identity", true},
		{[]string{"gzip", "deflate"}, []string{"*"}, "", "deflate", true},
		{[]string{"gzip"}, []string{"gzip"}, "Mozilla/4.0 (compatible; MSIE 5.0)", "", false},
		{[]string{"identity"}, nil, "Mozilla/4.0 (compatible; MSIE 5.0)", "", false},
		{[]string{"gzip"}, []string{"gzip"}, "Mozilla/4.0 (compatible; MSIE 7.0; Windows)", "gzip", true},
		{[]string{"gzip"}, []string{"gzip"}, "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)", "gzip", true},
		{[]string{"gzip"}, []string{"gzip"}, "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; XX1)", "", false},
		{[]string{"gzip"}, []string{"gzip"}, "Mozilla/5.0", "gzip", true},
	}
	for _, c := range cases {
		head := "GET / HTTP/1.1\r\nHost: x\r\n"
		for _, v := range c.ae {
			head += "Accept-Encoding: " + v + "\r\n"
		}
		if c.ua != "" {
			head += "User-Agent: " + c.ua + "\r\n"
		}
		s := settings(t, config.Compression{Algos: c.algos})
		a, matched := negotiate(s.algos, &parseReq(t, head).Message)
		got := ""
		if a != nil {
			got = a.name
		}
		if got != c.want || matched != c.matched {
			t.Errorf("algos %v, Accept-Encoding %q, User-Agent %q: got %q (matched %v), want %q (matched %v)",
				c.algos, c.ae, c.ua, got, matched, c.want, c.matched)
		}
	}
}

// TestResponseRules: every response HAProxy 2.6 leaves uncompressed,
// and those it compresses (each checked against /usr/sbin/haproxy),
// but for one rule beyond it: a Content-Length under 20 bytes.
func TestResponseRules(t *testing.T) {
	cases := []struct {
		status int
		head   string // response head after the status line
		types  []string
		want   string // "" compressed, else the rule
	}{
		{200, "Content-Length: 500", nil, ""},
		{201, "Content-Length: 500", nil, ""},
		{203, "Transfer-Encoding: chunked", nil, ""},
		{204, "", nil, "status other than 200, 201, 202, 203"},
		{304, "Content-Length: 500", nil, "status other than 200, 201, 202, 203"},
		{206, "Content-Length: 500", nil, "status other than 200, 201, 202, 203"},
		{404, "Content-Length: 500", nil, "status other than 200, 201, 202, 203"},
		{100, "", nil, "status other than 200, 201, 202, 203"},
		{200, "Content-Length: 0", nil, "no length and not chunked (close-delimited), or empty"},
		{200, "Content-Length: 3", nil, "smaller than the gzip framing"},
		{200, "Content-Length: 19", nil, "smaller than the gzip framing"},
		{200, "Content-Length: 20", nil, ""},
		{200, "Transfer-Encoding: chunked", nil, ""}, // length unknown: compressed, however small
		{200, "Connection: close", nil, "no length and not chunked (close-delimited), or empty"},
		{200, "Content-Length: 500\r\nContent-Encoding: br", nil, "already Content-Encoded"},
		{200, "Content-Length: 500\r\nContent-Encoding: identity", nil, "already Content-Encoded"},
		{200, "Content-Length: 500\r\nCache-Control: max-age=3, no-transform", nil, "Cache-Control: no-transform"},
		{200, "Content-Length: 500\r\nCache-Control: max-age=3\r\nCache-Control: No-Transform", nil, "Cache-Control: no-transform"},
		{200, "Content-Length: 500\r\nCache-Control: no-transformx", nil, ""},
		{200, "Content-Length: 500\r\nETag: \"a\"", nil, ""},
		{200, "Content-Length: 500\r\nETag: W/\"a\"", nil, ""},
		{200, "Content-Length: 500\r\nETag: a", nil, "invalid or several ETags"},
		{200, "Content-Length: 500\r\nETag: \"", nil, "invalid or several ETags"},
		{200, "Content-Length: 500\r\nETag: \"a\"\r\nETag: \"b\"", nil, "invalid or several ETags"},
		{200, "Content-Length: 500\r\nContent-Type: multipart/mixed", nil, "multipart or unlisted Content-Type"},
		{200, "Content-Length: 500\r\nContent-Type: MultiPart/x", nil, "multipart or unlisted Content-Type"},
		{200, "Content-Length: 500", []string{"text/plain"}, "multipart or unlisted Content-Type"},
		{200, "Content-Length: 500\r\nContent-Type: text/css", []string{"text/plain", "text/html"}, "multipart or unlisted Content-Type"},
		{200, "Content-Length: 500\r\nContent-Type: TEXT/HTML;charset=utf-8", []string{"text/plain", "text/html"}, ""},
		{200, "Content-Length: 500\r\nContent-Type: text/plainx", []string{"text/plain"}, ""},
	}
	for _, c := range cases {
		head := "HTTP/1.1 " + strconv.Itoa(c.status) + " X\r\n"
		if c.head != "" {
			head += c.head + "\r\n"
		}
		resp := parseResp(t, head)
		if got := whyNot(c.status, &resp.Message, c.types); got != c.want {
			t.Errorf("%d %q types %v: got %q, want %q", c.status, c.head, c.types, got, c.want)
		}
	}
	resp := parseResp(t, "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n")
	if got := whyNot(200, &resp.Message, nil); got != "HTTP/1.0 response" {
		t.Errorf("HTTP/1.0 response: got %q", got)
	}
}

// edits records an Editor's calls.
type edits []string

func (e *edits) Set(n, v string) { *e = append(*e, "set "+n+": "+v) }
func (e *edits) Add(n, v string) { *e = append(*e, "add "+n+": "+v) }
func (e *edits) Del(n string)    { *e = append(*e, "del "+n) }

// TestRequestSide: HTTP/1.0 and HEAD requests negotiate (offload still
// removes Accept-Encoding, as in HAProxy) but their responses go as
// they are; offload acts only on a negotiated algorithm.
func TestRequestSide(t *testing.T) {
	off := settings(t, config.Compression{Algos: []string{"gzip", "identity"}, Offload: true})
	resp := parseResp(t, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n")
	for _, c := range []struct {
		req     string
		offload bool
		comp    bool
	}{
		{"GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\n", true, true},
		{"GET / HTTP/1.0\r\nAccept-Encoding: gzip\r\n", true, false},
		{"HEAD / HTTP/1.1\r\nAccept-Encoding: gzip\r\n", true, false},
		{"GET / HTTP/1.1\r\nAccept-Encoding: br\r\n", false, true}, // identity
	} {
		s := Start(off, nil, parseReq(t, c.req))
		var ed edits
		if s.Offload() != c.offload || s.Response(200, &resp.Message, &ed) != c.comp {
			t.Errorf("%q: offload %v compress %v, want %v %v", c.req, s.Offload(), !c.comp, c.offload, c.comp)
		}
		s.End()
	}
	if Start(nil, off, parseReq(t, "GET / HTTP/1.1\r\n")).Offload() {
		t.Errorf("identity chosen for want of Accept-Encoding: offload must not remove anything")
	}
}

// TestSettingsPair: the backend's algorithms and types come first, the
// frontend's fill in, offload from either.
func TestSettingsPair(t *testing.T) {
	fe := settings(t, config.Compression{Algos: []string{"gzip"}, Types: []string{"text/html"}})
	be := settings(t, config.Compression{Types: []string{"text/plain"}, Offload: true})
	s := Start(fe, be, parseReq(t, "GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\n"))
	if s == nil || s.algo.name != "gzip" || !s.Offload() {
		t.Fatalf("frontend's algo with the backend's offload: got %+v", s)
	}
	var ed edits
	if !s.Response(200, &parseResp(t, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 300\r\n").Message, &ed) {
		t.Errorf("the backend's type text/plain is not compressed")
	}
	s.End()
	be2 := settings(t, config.Compression{Algos: []string{"deflate"}})
	if s := Start(fe, be2, parseReq(t, "GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\n")); s != nil {
		t.Errorf("the backend's algo list (deflate) replaces the frontend's: got %s", s.algo.name)
	}
}

// TestHeadEdits: Content-Encoding, a weakened strong ETag and Vary.
func TestHeadEdits(t *testing.T) {
	set := settings(t, config.Compression{Algos: []string{"gzip"}})
	for _, c := range []struct{ etag, want string }{
		{`"abc"`, `add content-encoding: gzip|set etag: W/"abc"|add vary: Accept-Encoding`},
		{`W/"abc"`, `add content-encoding: gzip|add vary: Accept-Encoding`},
	} {
		s := Start(set, nil, parseReq(t, "GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\n"))
		var ed edits
		s.Response(200, &parseResp(t, "HTTP/1.1 200 OK\r\nETag: "+c.etag+"\r\nContent-Length: 300\r\n").Message, &ed)
		if got := strings.Join(ed, "|"); got != c.want {
			t.Errorf("ETag %s: edits %q, want %q", c.etag, got, c.want)
		}
		s.End()
	}
}

// roundTrip compresses body in the given pieces with algo and
// decompresses the result.
func roundTrip(t testing.TB, algo string, pieces [][]byte) []byte {
	set := settings(t, config.Compression{Algos: []string{algo}})
	s := Start(set, nil, parseReq(t, "GET / HTTP/1.1\r\nAccept-Encoding: "+algos[algo].token+"\r\n"))
	var ed edits
	if !s.Response(200, &parseResp(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n").Message, &ed) {
		t.Fatal("not compressed")
	}
	var out []byte
	for _, p := range pieces {
		out = s.Body(out, p, false)
	}
	out = s.Body(out, nil, true)
	s.End()
	var r io.Reader
	var err error
	switch algos[algo].format {
	case fmtGzip:
		r, err = gzip.NewReader(bytes.NewReader(out))
	case fmtZlib:
		r, err = zlib.NewReader(bytes.NewReader(out))
	case fmtRaw:
		r = flate.NewReader(bytes.NewReader(out))
	default:
		return out
	}
	if err != nil {
		t.Fatalf("%s: %v", algo, err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: decompressing %d bytes: %v", algo, len(out), err)
	}
	return got
}

// TestFlushEachPiece: what a piece becomes is complete, decodable
// output at once (a slow server's data reaches the client).
func TestFlushEachPiece(t *testing.T) {
	set := settings(t, config.Compression{Algos: []string{"gzip"}})
	s := Start(set, nil, parseReq(t, "GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\n"))
	defer s.End()
	var ed edits
	s.Response(200, &parseResp(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n").Message, &ed)
	out := s.Body(nil, []byte("first piece"), false)
	zr, err := gzip.NewReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len("first piece"))
	if _, err := io.ReadFull(zr, got); err != nil || string(got) != "first piece" {
		t.Fatalf("first piece alone decodes to %q (%v)", got, err)
	}
}

// FuzzRoundTrip: decompressing goha's output always gives the input,
// whatever the body and the way it is cut into pieces.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello, hello, hello world"), uint8(3), uint8(0))
	f.Add(bytes.Repeat([]byte("abc"), 20000), uint8(200), uint8(1))
	f.Add([]byte{}, uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, body []byte, cut uint8, which uint8) {
		algo := []string{"gzip", "deflate", "raw-deflate", "identity"}[which%4]
		var pieces [][]byte
		step := int(cut)*97 + 1
		for off := 0; off < len(body); off += step {
			pieces = append(pieces, body[off:min(off+step, len(body))])
		}
		if got := roundTrip(t, algo, pieces); !bytes.Equal(got, body) {
			t.Fatalf("%s in pieces of %d: %d bytes back, want %d", algo, step, len(got), len(body))
		}
	})
}
