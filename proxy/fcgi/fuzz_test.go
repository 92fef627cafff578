package fcgi

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// FuzzReadRecord feeds arbitrary bytes to the record decoder and, as an
// application's answer, to a gateway's response side: neither may
// panic, and the gateway must end (an answer, or an error) without
// reading more than what it was given.
func FuzzReadRecord(f *testing.F) {
	hdr := []byte("Status: 200\r\nContent-Type: text/plain\r\n\r\n")
	f.Add(append(AppendRecord(nil, TypeStdout, 1, append(hdr, "ok"...)), AppendHeader(nil, TypeStdout, 1, 0)...))
	f.Add(AppendRecord(nil, 99, 1, []byte("what")))
	f.Add(AppendRecord(nil, TypeEndRequest, 1, make([]byte, 300)))
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\n"))
	f.Add(AppendPair(nil, "FCGI_MPXS_CONNS", "1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		var buf []byte
		for i := 0; i < 64; i++ {
			rec, nb, err := ReadRecord(r, buf)
			buf = nb
			if err != nil {
				break
			}
			if int(rec.Length) != len(rec.Content) {
				t.Fatalf("content of %d bytes for length %d", len(rec.Content), rec.Length)
			}
			ParsePairs(rec.Content)
			ParseEndRequest(rec.Content)
		}
		gatewayOn(t, data)
	})
}

// gatewayOn runs one GET through a gateway whose application answers
// data then closes: the gateway must end with an answer or an error.
func gatewayOn(t *testing.T, data []byte) {
	c := NewConn(&fakeConn{r: bytes.NewReader(data)}, &App{DocRoot: "/d", KeepConn: true}, func([]byte) {})
	if _, err := c.Write([]byte("GET /x.php HTTP/1.1\r\nHost: h\r\n\r\n")); err != nil {
		t.Fatalf("write: %v", err)
	}
	var out bytes.Buffer
	_, err := io.Copy(&out, bufio.NewReader(c))
	if err == nil && out.Len() == 0 {
		t.Fatalf("no answer and no error on %q", data)
	}
}

// fakeConn is a net.Conn reading from r, discarding writes.
type fakeConn struct{ r io.Reader }

func (f *fakeConn) Read(p []byte) (int, error)       { return f.r.Read(p) }
func (f *fakeConn) Write(p []byte) (int, error)      { return len(p), nil }
func (f *fakeConn) Close() error                     { return nil }
func (f *fakeConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (f *fakeConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (f *fakeConn) SetDeadline(time.Time) error      { return nil }
func (f *fakeConn) SetReadDeadline(time.Time) error  { return nil }
func (f *fakeConn) SetWriteDeadline(time.Time) error { return nil }
