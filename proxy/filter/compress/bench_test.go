package compress

import (
	"os"
	"testing"

	"github.com/goha/goha/config"
)

// BenchmarkGzipStream compresses a 1 MB text body (GOHA_COMP_BODY, or
// generated words) in the 16 kB pieces the proxy reads, each flushed.
func BenchmarkGzipStream(b *testing.B) {
	body := benchBody()
	set, _ := New(&config.Compression{Algos: []string{"gzip"}})
	req := parseReq(b, "GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\n")
	resp := parseResp(b, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n")
	var out []byte
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := Start(set, nil, req)
		var ed edits
		s.Response(200, &resp.Message, &ed)
		n := 0
		for off := 0; off < len(body); off += 16384 {
			out = s.Body(out[:0], body[off:min(off+16384, len(body))], false)
			n += len(out)
		}
		out = s.Body(out[:0], nil, true)
		s.End()
		b.ReportMetric(float64(n+len(out))/float64(len(body)), "ratio")
	}
}

func benchBody() []byte {
	if p := os.Getenv("GOHA_COMP_BODY"); p != "" {
		if b, err := os.ReadFile(p); err == nil {
			return b
		}
	}
	b := make([]byte, 0, 1<<20)
	words := []string{"proxy ", "server ", "the ", "request ", "header\n", "compression ", "body ", "of "}
	for i := 0; len(b) < 1<<20; i++ {
		b = append(b, words[(i*7+i/3)%len(words)]...)
	}
	return b[:1<<20]
}
