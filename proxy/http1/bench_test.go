package http1

import "testing"

var benchReq = []byte("GET /index.html?x=1 HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nCookie: a=b; c=d\r\n\r\n")

var benchResp = []byte("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 25 Nov 2026 10:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\ns1\n")

func BenchmarkParseRequest(b *testing.B) {
	var r Request
	buf := append([]byte(nil), benchReq...)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseRequest(buf, 15360, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseResponse(b *testing.B) {
	var r Response
	buf := append([]byte(nil), benchResp...)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseResponse(buf, 15360, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChunkScanner(b *testing.B) {
	body := []byte("400\r\n" + string(make([]byte, 1024)) + "\r\n0\r\n\r\n")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var c ChunkScanner
	for b.Loop() {
		c.Reset()
		if _, done, err := c.Scan(body); !done || err != nil {
			b.Fatal(err)
		}
	}
}
