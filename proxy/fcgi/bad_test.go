package fcgi

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// rawServer answers each connection's first request with answer(id),
// then closes after hold.
func rawServer(t *testing.T, answer []byte, hold time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			var buf []byte
			for {
				rec, nb, err := ReadRecord(c, buf)
				buf = nb
				if err != nil || rec.Type == TypeStdin && rec.Length == 0 {
					break
				}
			}
			c.Write(answer)
			time.Sleep(hold)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

var cgiHead = []byte("Status: 200\r\nContent-Type: text/plain\r\n\r\n")

func end() []byte { return AppendRecord(nil, TypeEndRequest, 1, make([]byte, 8)) }

func cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// TestGatewayBadApplications: each malformed answer ends, quickly, with
// the error class the stream turns into HAProxy's 502 and flags, or
// with the complete answer.
func TestGatewayBadApplications(t *testing.T) {
	stdout := func(s string) []byte { return AppendRecord(nil, TypeStdout, 1, []byte(s)) }
	cases := []struct {
		name    string
		answer  []byte
		proto   bool   // ErrProtocol (502 PH)
		body    string // the answer served, when no error
		cutBody bool   // the head is served, the body is cut
	}{
		{"php-fpm style: END_REQUEST without an empty STDOUT", cat(stdout(string(cgiHead)+"php"), end()), false, "php", false},
		{"garbage", []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), true, "", false},
		{"unknown type", AppendRecord(nil, 99, 1, []byte("x")), true, "", false},
		{"huge headers", cat(stdout("Status: 200\r\nX: "+string(make([]byte, 60000))), stdout(string(make([]byte, 60000)))), true, "", false},
		{"close before anything", nil, false, "", false},
		{"close mid headers", stdout("Status: 200\r\nContent-Ty"), false, "", false},
		{"cut record header", stdout(string(cgiHead))[:5], false, "", false},
		{"close mid body", stdout("Status: 200\r\nContent-Length: 1000\r\n\r\npartial"), false, "", true},
		{"no END_REQUEST", cat(stdout(string(cgiHead)+"noend"), AppendHeader(nil, TypeStdout, 1, 0)), false, "noend", false},
		{"oversized END_REQUEST", cat(stdout(string(cgiHead)+"big"), AppendHeader(nil, TypeStdout, 1, 0), AppendRecord(nil, TypeEndRequest, 1, make([]byte, 65535))), false, "big", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := rawServer(t, tc.answer, 30*time.Millisecond)
			c := dialGateway(t, addr, &App{DocRoot: "/d", KeepConn: true})
			c.SetDeadline(time.Now().Add(3 * time.Second))
			c.Write([]byte("GET /x.php HTTP/1.1\r\nHost: h\r\n\r\n"))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				if tc.body != "" || tc.cutBody {
					t.Fatalf("no answer: %v", err)
				}
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatalf("the gateway waited for the deadline")
				}
				if gotProto := errors.Is(c.failed(), ErrProtocol); gotProto != tc.proto {
					t.Fatalf("error %v: protocol error %v, want %v", c.failed(), gotProto, tc.proto)
				}
				return
			}
			b, err := io.ReadAll(resp.Body)
			switch {
			case tc.cutBody && (err == nil || string(b) != "partial"):
				t.Fatalf("body %q, %v; want 'partial' then an error", b, err)
			case !tc.cutBody && (err != nil || string(b) != tc.body):
				t.Fatalf("body %q, %v; want %q", b, err, tc.body)
			}
			if tc.body == "php" && resp.ContentLength != 3 {
				t.Fatalf("Content-Length %d, want 3 (the whole answer was at hand)", resp.ContentLength)
			}
		})
	}
}
