package compress

import (
	"bytes"
	stdflate "compress/flate"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/goha/goha/config"
)

// inflate decodes raw deflate data with the standard library.
func inflate(t *testing.T, b []byte) []byte {
	t.Helper()
	got, err := io.ReadAll(stdflate.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatalf("inflating %d bytes: %v", len(b), err)
	}
	return got
}

// TestDeflateBlock: pieces of every kind (tiny, text, runs,
// incompressible, longer than the 64 kB a table covers) decode to
// themselves, final or followed by an end, and stay within the bound
// the encoder reserves.
func TestDeflateBlock(t *testing.T) {
	rnd := make([]byte, 40000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range rnd {
		rnd[i] = byte(r.Uint32())
	}
	text := benchBody()
	cases := map[string][]byte{
		"empty":         nil,
		"one byte":      {'x'},
		"tiny":          []byte("first piece;"),
		"run":           bytes.Repeat([]byte{'a'}, 5000),
		"period 3":      bytes.Repeat([]byte("abc"), 20000),
		"text 16k":      text[:16384],
		"text 200k":     text[:200000],
		"random":        rnd,
		"text + random": append(append([]byte{}, text[:30000]...), rnd...),
	}
	for name, in := range cases {
		for _, final := range []bool{true, false} {
			out := deflateBlock(nil, in, final)
			if len(out) > len(in)+len(in)/8+40 {
				t.Errorf("%s: %d bytes out of %d, above the bound", name, len(out), len(in))
			}
			if !final {
				out = deflateBlock(out, nil, true)
			}
			if got := inflate(t, out); !bytes.Equal(got, in) {
				t.Errorf("%s (final %v): %d bytes back, want %d", name, final, len(got), len(in))
			}
		}
	}
	if out := deflateBlock(nil, rnd, true); len(out) > len(rnd)+10 {
		t.Errorf("random data: %d bytes out of %d: not sent stored", len(out), len(rnd))
	}
}

// TestPieceReadableBeforeNext: a client decoding as the body streams
// gets each piece before the next is sent, whether the piece went out
// compressed or stored (Go's decoder holds a stored block's data until
// it reads the next header: the sync flush's empty block gives it one).
func TestPieceReadableBeforeNext(t *testing.T) {
	rnd := make([]byte, 300) // incompressible: sent stored
	r := rand.New(rand.NewPCG(3, 4))
	for i := range rnd {
		rnd[i] = byte(r.Uint32())
	}
	for _, first := range [][]byte{[]byte("first piece;"), benchBody()[:20000], rnd} {
		set := settings(t, config.Compression{Algos: []string{"gzip"}})
		s := Start(set, nil, parseReq(t, "GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\n"))
		var ed edits
		s.Response(200, &parseResp(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n").Message, &ed)
		a := s.Body(nil, first, false)
		rest := s.Body(s.Body(nil, []byte("second piece"), false), nil, true)
		s.End()
		pr, pw := io.Pipe()
		release := make(chan struct{})
		go func() {
			pw.Write(a)
			<-release
			pw.Write(rest)
			pw.Close()
		}()
		got := make(chan error, 1)
		go func() {
			zr, err := gzip.NewReader(pr)
			if err == nil {
				buf := make([]byte, len(first))
				_, err = io.ReadFull(zr, buf)
			}
			got <- err
		}()
		select {
		case err := <-got:
			if err != nil {
				t.Errorf("%d-byte first piece: %v", len(first), err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%d-byte first piece not decodable before the next piece", len(first))
		}
		close(release)
		pr.Close()
	}
}
