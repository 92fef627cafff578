package check

import (
	"net"
	"testing"
	"time"
)

// FuzzReadHTTP feeds arbitrary bytes as a check response: no input may
// panic, and the result is always a finished HTTP check status.
func FuzzReadHTTP(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"), "string", "ok")
	f.Add([]byte("HTTP/1.0 500 Internal Server Error\r\n\r\n"), "", "")    // wrong status
	f.Add([]byte("HTTP/1.1 20"), "status", "200")                          // truncated status line
	f.Add([]byte("HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n"), "", "") // bad length
	f.Add([]byte("garbage\r\n\r\n"), "rstring", "^g")
	f.Add([]byte(""), "", "")
	f.Fuzz(func(t *testing.T, resp []byte, kind, value string) {
		h := &HTTPCheck{Expect: Expect{Kind: kind, Value: value}}
		if h.Expect.compile() != nil {
			return
		}
		a, b := net.Pipe()
		defer a.Close()
		go func() {
			b.Write(resp)
			b.Close()
		}()
		a.SetDeadline(time.Now().Add(5 * time.Second))
		r := readHTTP(a, h)
		switch r.Status {
		case StatusL7OK, StatusL7STS, StatusL7RSP:
		default:
			t.Errorf("readHTTP(%q) = %+v", resp, r)
		}
	})
}
