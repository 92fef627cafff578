package h2

import (
	"bytes"
	"io"
	"net"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// okH1 reads a request head and answers a fixed two-byte response, as a
// cheap stand-in for goha's HTTP/1 stream.
func okH1(vc net.Conn) {
	var buf [512]byte
	n := 0
	for !bytes.Contains(buf[:n], []byte("\r\n\r\n")) {
		k, err := vc.Read(buf[n:])
		if err != nil {
			return
		}
		n += k
	}
	io.WriteString(vc, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
}

// BenchmarkServerRequest measures one GET through the gateway (frames to
// HTTP/1.1 and back) on a connection kept open, with a raw-frame client
// whose own cost is small; allocs/op counts both ends.
func BenchmarkServerRequest(b *testing.B) {
	ts := startServer(b, Options{}, okH1)
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	fr := http2.NewFramer(nc, nc)
	fr.SetReuseFrames()
	nc.Write([]byte(Preface))
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/bench"},
		{":authority", "example.com"}, {"user-agent", "bench"}, {"accept", "*/*"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1], Sensitive: true}) // never indexed: reusable
	}
	block := hb.Bytes()
	b.ReportAllocs()
	b.ResetTimer()
	id := uint32(1)
	for i := 0; i < b.N; i++ {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block, EndStream: true, EndHeaders: true})
		for done := false; !done; {
			f, err := fr.ReadFrame()
			if err != nil {
				b.Fatal(err)
			}
			if f.Header().StreamID == id && f.Header().Flags.Has(http2.FlagDataEndStream) {
				done = true
			}
			if d, ok := f.(*http2.DataFrame); ok && d.Length > 0 {
				fr.WriteWindowUpdate(0, d.Length)
			}
		}
		id += 2
	}
}
