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

// BenchmarkClientRequest measures one GET through a ClientConn (HTTP/1.1
// bytes to frames and back) against a raw-frame server answering each
// stream with a fixed HEADERS and DATA; allocs/op counts both ends.
func BenchmarkClientRequest(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var pre [len(Preface)]byte
		io.ReadFull(c, pre[:])
		fr := http2.NewFramer(c, c)
		fr.SetReuseFrames()
		fr.WriteSettings()
		var hb bytes.Buffer
		enc := hpack.NewEncoder(&hb)
		enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200", Sensitive: true})
		enc.WriteField(hpack.HeaderField{Name: "content-length", Value: "2", Sensitive: true})
		block := hb.Bytes()
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			if h, ok := f.(*http2.HeadersFrame); ok && h.StreamEnded() {
				fr.WriteHeaders(http2.HeadersFrameParam{StreamID: h.StreamID, BlockFragment: block, EndHeaders: true})
				fr.WriteData(h.StreamID, true, []byte("ok"))
			}
		}
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	cc, err := NewClientConn(nc, Options{}, "http")
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Close()
	req := []byte("GET /bench HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	buf := make([]byte, 512)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vc, err := cc.RoundTripConn()
		if err != nil {
			b.Fatal(err)
		}
		vc.Write(req)
		n := 0
		for !bytes.HasSuffix(buf[:n], []byte("\r\n\r\nok")) {
			k, err := vc.Read(buf[n:])
			if err != nil {
				b.Fatal(err)
			}
			n += k
		}
		vc.Close()
	}
}
