package tlshello

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// clientHello captures the first bytes a Go TLS client sends.
func clientHello(t testing.TB, sni string) []byte {
	t.Helper()
	a, b := net.Pipe()
	go func() {
		c := tls.Client(a, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.Handshake()
		a.Close()
	}()
	buf := make([]byte, 16384)
	b.SetReadDeadline(time.Now().Add(2 * time.Second))
	n := 0
	for {
		m, err := b.Read(buf[n:])
		n += m
		if err != nil {
			break
		}
		if _, st := Parse(buf[:n]); st != NeedMore {
			break
		}
	}
	b.Close()
	return buf[:n]
}

func TestParse(t *testing.T) {
	full := clientHello(t, "example.com")
	noSNI := clientHello(t, "")
	tests := []struct {
		name     string
		in       []byte
		wantSNI  string
		want     Status
		wantType int
		typeSt   Status
	}{
		{"full", full, "example.com", OK, 1, OK},
		{"ip literal sends no sni", noSNI, "", OK, 1, OK},
		{"empty", nil, "", NeedMore, 0, NeedMore},
		{"header only", full[:5], "", NeedMore, 0, NeedMore},
		{"half", full[:len(full)/2], "", NeedMore, 0, NeedMore},
		{"http", []byte("GET / HTTP/1.1\r\n\r\n"), "", NotHello, 0, NotHello},
		{"one byte http", []byte("G"), "", NotHello, 0, NotHello},
		{"sslv2-ish", []byte{0x80, 0x2e, 0x01, 0x03, 0x01, 0, 0, 0, 0, 0}, "", NotHello, 0, NotHello},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, st := Parse(tt.in)
			if st != tt.want || string(h.SNI) != tt.wantSNI {
				t.Errorf("Parse = %q, %v; want %q, %v", h.SNI, st, tt.wantSNI, tt.want)
			}
			typ, tst := HandshakeType(tt.in)
			if tst != tt.typeSt || typ != tt.wantType {
				t.Errorf("HandshakeType = %d, %v; want %d, %v", typ, tst, tt.wantType, tt.typeSt)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(clientHello(f, "example.com"))
	f.Add([]byte("GET / HTTP/1.1\r\n"))
	f.Add([]byte{0x16, 3, 1, 0, 4, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, st := Parse(b)
		if st != OK && h.SNI != nil {
			t.Fatalf("SNI %q with status %v", h.SNI, st)
		}
		HandshakeType(b)
	})
}

func BenchmarkParse(b *testing.B) {
	in := clientHello(b, "www.example.com")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if h, st := Parse(in); st != OK || h.SNI == nil {
			b.Fatal("no sni")
		}
	}
}
