package http1

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRequestValid(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		method  string
		uri     string
		minor   int
		headers []string // "name=value"
		cl      int64
		chunked bool
		ka      bool
		upgrade bool
		exp100  bool
	}{
		{name: "simple", in: "GET / HTTP/1.1\r\nHost: x\r\n\r\n", method: "GET", uri: "/", minor: 1, headers: []string{"host=x"}, cl: -1, ka: true},
		{name: "names lowercased, order kept", in: "GET /a?b HTTP/1.1\r\nZZ-First: 1\r\nX-Mixed-Case: Two \r\nhost: h\r\n\r\n", method: "GET", uri: "/a?b", minor: 1, headers: []string{"zz-first=1", "x-mixed-case=Two", "host=h"}, cl: -1, ka: true},
		{name: "bare LF", in: "POST /p HTTP/1.0\nContent-Length: 3\n\nabc", method: "POST", uri: "/p", headers: []string{"content-length=3"}, cl: 3},
		{name: "1.0 keep-alive", in: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", method: "GET", uri: "/", headers: []string{"connection=Keep-Alive"}, cl: -1, ka: true},
		{name: "1.1 close", in: "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", method: "GET", uri: "/", minor: 1, headers: []string{"host=h", "connection=close"}, cl: -1},
		{name: "leading empty line", in: "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", method: "GET", uri: "/", minor: 1, headers: []string{"host=h"}, cl: -1, ka: true},
		{name: "chunked", in: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n", method: "POST", uri: "/", minor: 1, headers: []string{"host=h", "transfer-encoding=Chunked"}, cl: -1, chunked: true, ka: true},
		{name: "same content-length twice", in: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", method: "POST", uri: "/", minor: 1, headers: []string{"host=h", "content-length=5"}, cl: 5, ka: true},
		{name: "content-length list", in: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", method: "POST", uri: "/", minor: 1, headers: []string{"host=h", "content-length=5"}, cl: 5, ka: true},
		{name: "websocket", in: "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n", method: "GET", uri: "/ws", minor: 1, headers: []string{"host=h", "connection=keep-alive, Upgrade", "upgrade=websocket"}, cl: -1, ka: true, upgrade: true},
		{name: "expect", in: "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", method: "PUT", uri: "/", minor: 1, headers: []string{"host=h", "expect=100-Continue", "content-length=1"}, cl: 1, ka: true, exp100: true},
		{name: "empty value", in: "GET / HTTP/1.1\r\nHost: h\r\nX-E:\r\n\r\n", method: "GET", uri: "/", minor: 1, headers: []string{"host=h", "x-e="}, cl: -1, ka: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			buf := []byte(tt.in)
			if err := ParseRequest(buf, 15360, &r); err != nil {
				t.Fatalf("ParseRequest(%q) = %v", tt.in, err)
			}
			if string(r.Method) != tt.method || string(r.URI) != tt.uri || r.Minor != tt.minor {
				t.Errorf("line = %q %q 1.%d; want %q %q 1.%d", r.Method, r.URI, r.Minor, tt.method, tt.uri, tt.minor)
			}
			var got []string
			for _, h := range r.Headers {
				got = append(got, string(h.Name)+"="+string(h.Value))
			}
			if strings.Join(got, "|") != strings.Join(tt.headers, "|") {
				t.Errorf("headers = %q; want %q", got, tt.headers)
			}
			if r.ContentLength != tt.cl || r.Chunked != tt.chunked || r.KeepAlive() != tt.ka || r.Upgrade() != tt.upgrade || r.Expect100 != tt.exp100 {
				t.Errorf("cl=%d chunked=%v ka=%v upgrade=%v exp=%v; want %d %v %v %v %v", r.ContentLength, r.Chunked, r.KeepAlive(), r.Upgrade(), r.Expect100, tt.cl, tt.chunked, tt.ka, tt.upgrade, tt.exp100)
			}
			body := strings.Index(tt.in, "\n\n")
			if body < 0 {
				body = strings.Index(tt.in, "\r\n\r\n") + 2
			}
			if r.HeadLen != body+2 {
				t.Errorf("HeadLen = %d; want %d", r.HeadLen, body+2)
			}
		})
	}
}

func TestParseRequestRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"garbage line", "GARBAGE\r\n\r\n"},
		{"no version", "GET /\r\n\r\n"},
		{"bad version", "GET / HTTP/2.0\r\n\r\n"},
		{"two spaces", "GET  / HTTP/1.1\r\n\r\n"},
		{"space in header name", "GET / HTTP/1.1\r\nBad Name: y\r\n\r\n"},
		{"space before colon", "GET / HTTP/1.1\r\nName : y\r\n\r\n"},
		{"no colon", "GET / HTTP/1.1\r\nNoColon\r\n\r\n"},
		{"empty name", "GET / HTTP/1.1\r\n: v\r\n\r\n"},
		{"CL and TE", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"},
		{"TE and CL", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"},
		{"two different CL", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"},
		{"CL list differing", "POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n"},
		{"CL not a number", "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"},
		{"CL negative", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"},
		{"CL empty", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"},
		{"TE gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"},
		{"TE twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"},
		{"TE in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"},
		{"obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"},
		{"NUL in value", "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n"},
		{"CR in value", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
		{"ctl in uri", "GET /\x01 HTTP/1.1\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			err := ParseRequest([]byte(tt.in), 15360, &r)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseRequest(%q) = %v; want a SyntaxError", tt.in, err)
			}
		})
	}
}

func TestParseRequestIncomplete(t *testing.T) {
	full := "GET /x HTTP/1.1\r\nHost: a\r\nX-Y: z\r\n\r\n"
	for i := 0; i < len(full); i++ {
		var r Request
		if err := ParseRequest([]byte(full[:i]), 15360, &r); err != ErrNeedMore {
			t.Fatalf("ParseRequest(%q) = %v; want ErrNeedMore", full[:i], err)
		}
	}
	big := "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 200) + "\r\n\r\n"
	var r Request
	if err := ParseRequest([]byte(big), 100, &r); err != ErrTooLarge {
		t.Fatalf("ParseRequest(big, 100) = %v; want ErrTooLarge", err)
	}
	if err := ParseRequest([]byte(big[:150]), 100, &r); err != ErrTooLarge {
		t.Fatalf("ParseRequest(big[:150], 100) = %v; want ErrTooLarge", err)
	}
}

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		status int
		reason string
		body   BodyKind
		head   bool
		ka     bool
		bad    bool
	}{
		{name: "ok", in: "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n", status: 200, reason: "OK", body: BodyLength, ka: true},
		{name: "no reason", in: "HTTP/1.1 204\r\n\r\n", status: 204, body: BodyNone, ka: true},
		{name: "until close", in: "HTTP/1.0 200 OK\r\n\r\n", status: 200, reason: "OK", body: BodyUntilClose},
		{name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", status: 200, reason: "OK", body: BodyChunked, ka: true},
		{name: "head", in: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", status: 200, reason: "OK", body: BodyNone, head: true, ka: true},
		{name: "304", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", status: 304, reason: "Not Modified", body: BodyNone, ka: true},
		{name: "garbage", in: "garbage\r\n\r\n", bad: true},
		{name: "bad status", in: "HTTP/1.1 2x0 OK\r\n\r\n", bad: true},
		{name: "cl+te", in: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Response
			err := ParseResponse([]byte(tt.in), 15360, &r)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseResponse(%q) = nil; want an error", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseResponse(%q) = %v", tt.in, err)
			}
			if r.Status != tt.status || string(r.Reason) != tt.reason || r.ResponseBody(tt.head) != tt.body || r.KeepAlive() != tt.ka {
				t.Errorf("got %d %q body=%d ka=%v; want %d %q %d %v", r.Status, r.Reason, r.ResponseBody(tt.head), r.KeepAlive(), tt.status, tt.reason, tt.body, tt.ka)
			}
		})
	}
}

func TestChunkScanner(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int // body length; -1 = error
	}{
		{"simple", "5\r\nhello\r\n0\r\n\r\nNEXT", 15},
		{"two chunks ext", "3;a=b\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n", 32},
		{"trailers", "1\r\nx\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\nGET", 25},
		{"bare LF refused (it goes on unchanged)", "1\nx\n0\n\n", -1},
		{"bad size", "z\r\n", -1},
		{"missing CRLF", "1\r\nxy\r\n", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Feed the input in every possible two-piece split.
			for split := 0; split <= len(tt.in); split++ {
				var c ChunkScanner
				n1, done, err := c.Scan([]byte(tt.in[:split]))
				total := n1
				if err == nil && !done {
					var n2 int
					n2, done, err = c.Scan([]byte(tt.in[split:]))
					total += n2
				}
				if tt.n < 0 {
					if err == nil {
						t.Fatalf("split %d: no error", split)
					}
					continue
				}
				if err != nil || !done || total != tt.n {
					t.Fatalf("split %d: n=%d done=%v err=%v; want n=%d done", split, total, done, err, tt.n)
				}
			}
		})
	}
}

func TestErrorPages(t *testing.T) {
	want403 := "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"
	if got := string(ErrorPage(403)); got != want403 {
		t.Errorf("ErrorPage(403) = %q; want %q", got, want403)
	}
	want400 := "HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n"
	if got := string(MuxErrorPage(400)); got != want400 {
		t.Errorf("MuxErrorPage(400) = %q; want %q", got, want400)
	}
	for _, st := range []int{400, 403, 408, 500, 502, 503, 504} {
		var r Response
		p := ErrorPage(st)
		if err := ParseResponse(p, len(p)+1, &r); err != nil || r.Status != st || int(r.ContentLength) != len(p)-r.HeadLen {
			t.Errorf("ErrorPage(%d) parses as %d cl=%d err=%v", st, r.Status, r.ContentLength, err)
		}
	}
}

func TestNormalizeErrorFile(t *testing.T) {
	in := "HTTP/1.0 503 Service Unavailable\nCache-Control: no-cache\nConnection: close\nContent-Type: text/html\n\n<html>sorry</html>\n"
	got, err := NormalizeErrorFile([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "HTTP/1.0 503 Service Unavailable\r\ncache-control: no-cache\r\ncontent-type: text/html\r\ncontent-length: 19\r\n\r\n<html>sorry</html>\n"
	if string(got) != want {
		t.Errorf("NormalizeErrorFile = %q; want %q", got, want)
	}
	if _, err := NormalizeErrorFile([]byte("not http\n\n")); err == nil {
		t.Error("NormalizeErrorFile(garbage) = nil error")
	}
}
