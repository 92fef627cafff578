package http1

import (
	"bytes"
	"testing"
)

// FuzzParseRequest checks that no input makes the parser panic or report
// slices outside the buffer, and that an accepted head is stable: parsing
// it again yields the same headers.
func FuzzParseRequest(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"))
	f.Add([]byte("GET / HTTP/1.1\r\nBad Name: y\r\n\r\n"))
	f.Add([]byte("GARBAGE\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var r Request
		buf := append([]byte(nil), in...)
		err := ParseRequest(buf, 15360, &r)
		if err != nil {
			return
		}
		if r.HeadLen <= 0 || r.HeadLen > len(buf) {
			t.Fatalf("HeadLen %d outside [1,%d]", r.HeadLen, len(buf))
		}
		if r.Chunked && r.ContentLength >= 0 {
			t.Fatalf("accepted both chunked and content-length: %q", in)
		}
		var r2 Request
		buf2 := append([]byte(nil), buf...)
		if err := ParseRequest(buf2, 15360, &r2); err != nil || len(r2.Headers) != len(r.Headers) {
			t.Fatalf("second parse differs: %v", err)
		}
		for i := range r.Headers {
			if !bytes.Equal(r.Headers[i].Name, r2.Headers[i].Name) || !bytes.Equal(r.Headers[i].Value, r2.Headers[i].Value) {
				t.Fatalf("header %d differs", i)
			}
		}
	})
}

// FuzzChunkScanner checks that scanning in two pieces gives the same
// result as scanning at once, and never panics.
func FuzzChunkScanner(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), 3)
	f.Add([]byte("1;ext\nx\n0\nT: 1\n\n"), 7)
	f.Fuzz(func(t *testing.T, in []byte, split int) {
		if split < 0 || split > len(in) {
			split = len(in) / 2
		}
		var a, b ChunkScanner
		n, done, err := a.Scan(in)
		n1, done1, err1 := b.Scan(in[:split])
		if err1 == nil && !done1 {
			var n2 int
			n2, done1, err1 = b.Scan(in[split:])
			n1 += n2
		}
		if (err == nil) != (err1 == nil) || (err == nil && (n != n1 || done != done1)) {
			t.Fatalf("one piece: %d %v %v; two pieces: %d %v %v", n, done, err, n1, done1, err1)
		}
	})
}
