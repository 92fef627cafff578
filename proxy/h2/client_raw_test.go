package h2

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// rawServer accepts one connection, reads the client preface and plays
// script with a Framer on it.
func rawServer(t *testing.T, script func(fr *http2.Framer, enc func(kv ...string) []byte)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		var pre [len(Preface)]byte
		if _, err := io.ReadFull(c, pre[:]); err != nil {
			return
		}
		fr := http2.NewFramer(c, c)
		fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
		var hb bytes.Buffer
		he := hpack.NewEncoder(&hb)
		script(fr, func(kv ...string) []byte {
			hb.Reset()
			for i := 0; i < len(kv); i += 2 {
				he.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
			}
			return append([]byte(nil), hb.Bytes()...)
		})
	}()
	return ln.Addr().String()
}

// readUntilHeaders reads frames until a request HEADERS for a stream.
func readUntilHeaders(fr *http2.Framer) *http2.MetaHeadersFrame {
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return nil
		}
		if h, ok := f.(*http2.MetaHeadersFrame); ok {
			return h
		}
	}
}

// TestClientGoAwayRefusesLaterStreams: streams past the server's GOAWAY
// fail with REFUSED_STREAM (safe to retry elsewhere), the others finish,
// and the connection takes no new stream.
func TestClientGoAwayRefusesLaterStreams(t *testing.T) {
	addr := rawServer(t, func(fr *http2.Framer, enc func(kv ...string) []byte) {
		fr.WriteSettings()
		h1, h3 := readUntilHeaders(fr), readUntilHeaders(fr)
		if h1 == nil || h3 == nil {
			return
		}
		fr.WriteGoAway(h1.StreamID, http2.ErrCodeNo, nil)
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: h1.StreamID, BlockFragment: enc(":status", "200", "content-length", "2"), EndHeaders: true})
		fr.WriteData(h1.StreamID, true, []byte("ok"))
		io.Copy(io.Discard, struct{ io.Reader }{connReader{fr}})
	})
	cc := dialClient(t, addr)
	s1 := mustStream(t, cc, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n")
	s3, err := cc.RoundTripConn()
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	s3.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(s3, "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n") // may already fail with the reset
	got, err := io.ReadAll(s1)
	if err != nil || !strings.HasSuffix(string(got), "\r\n\r\nok") {
		t.Fatalf("stream 1: %q %v", got, err)
	}
	_, err = io.ReadAll(s3)
	var re *resetError
	if !errors.Is(err, ErrStreamReset) || !errors.As(err, &re) || re.code != http2.ErrCodeRefusedStream || !Refused(err) {
		t.Fatalf("stream 3: %v, want a REFUSED_STREAM reset", err)
	}
	if _, err := cc.RoundTripConn(); err != ErrUnavailable {
		t.Fatalf("RoundTripConn after GOAWAY: %v, want ErrUnavailable", err)
	}
}

// connReader drains frames until the connection ends.
type connReader struct{ fr *http2.Framer }

func (r connReader) Read(p []byte) (int, error) {
	if _, err := r.fr.ReadFrame(); err != nil {
		return 0, err
	}
	return 0, nil
}

// TestClientHonoursServerWindow: with an initial window of 10 bytes, the
// request body goes out 10 bytes at a time, each after a WINDOW_UPDATE.
func TestClientHonoursServerWindow(t *testing.T) {
	var mu sync.Mutex // the server's goroutine appends, the test reads
	var sizes []uint32
	addr := rawServer(t, func(fr *http2.Framer, enc func(kv ...string) []byte) {
		fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 10})
		h := readUntilHeaders(fr)
		if h == nil {
			return
		}
		for total := 0; total < 25; {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			if d, ok := f.(*http2.DataFrame); ok {
				mu.Lock()
				sizes = append(sizes, d.Length)
				mu.Unlock()
				total += int(d.Length)
				if d.Length > 0 {
					fr.WriteWindowUpdate(h.StreamID, d.Length)
					fr.WriteWindowUpdate(0, d.Length)
				}
			}
		}
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: h.StreamID, BlockFragment: enc(":status", "204"), EndStream: true, EndHeaders: true})
		io.Copy(io.Discard, struct{ io.Reader }{connReader{fr}})
	})
	cc := dialClient(t, addr)
	// Before the server's SETTINGS a client may use the default window
	// (RFC 9113 §6.9.2): wait for them so that the test is about them.
	waitFor(t, "the server's SETTINGS", func() bool {
		cc.c.mu.Lock()
		defer cc.c.mu.Unlock()
		return cc.c.peerInit == 10
	})
	s := mustStream(t, cc, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 25\r\n\r\n"+strings.Repeat("b", 25))
	got, err := io.ReadAll(s)
	if err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 204 ") {
		t.Fatalf("got %q %v", got, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, n := range sizes {
		if n > 10 {
			t.Fatalf("DATA frames of %v bytes, want at most 10 each", sizes)
		}
	}
}

// TestClientServerReset: an RST_STREAM in the middle of a response makes
// Read fail with ErrStreamReset after the bytes that came.
func TestClientServerReset(t *testing.T) {
	addr := rawServer(t, func(fr *http2.Framer, enc func(kv ...string) []byte) {
		fr.WriteSettings()
		h := readUntilHeaders(fr)
		if h == nil {
			return
		}
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: h.StreamID, BlockFragment: enc(":status", "200"), EndHeaders: true})
		fr.WriteData(h.StreamID, false, []byte("part"))
		fr.WriteRSTStream(h.StreamID, http2.ErrCodeInternal)
		io.Copy(io.Discard, struct{ io.Reader }{connReader{fr}})
	})
	cc := dialClient(t, addr)
	got, err := io.ReadAll(mustStream(t, cc, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
	if !errors.Is(err, ErrStreamReset) || !strings.Contains(string(got), "transfer-encoding: chunked\r\n\r\n4\r\npart\r\n") {
		t.Fatalf("got %q %v", got, err)
	}
}

// TestClientStreamIDExhaustion: near 2^31-1 the connection says it takes
// no new stream instead of opening one with an invalid ID.
func TestClientStreamIDExhaustion(t *testing.T) {
	addr := startH2Server(t, echoH2)
	cc := dialClient(t, addr)
	cc.c.mu.Lock()
	cc.c.lastID = maxStreamID - 2 // one ID left
	cc.c.mu.Unlock()
	if _, body := roundTrip(t, cc, "GET /last HTTP/1.1\r\nHost: h\r\n\r\n"); !strings.Contains(body, "GET /last") {
		t.Fatalf("last stream: %q", body)
	}
	if _, err := cc.RoundTripConn(); err != ErrUnavailable || cc.Available() {
		t.Fatalf("after the last ID: %v, available %v; want ErrUnavailable", err, cc.Available())
	}
}

// TestClientEarlyResponse: a server answering before the request body is
// in and resetting with NO_ERROR (RFC 9113 §8.1) gives a complete
// response to read, and stops the upload.
func TestClientEarlyResponse(t *testing.T) {
	addr := rawServer(t, func(fr *http2.Framer, enc func(kv ...string) []byte) {
		fr.WriteSettings()
		h := readUntilHeaders(fr)
		if h == nil {
			return
		}
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: h.StreamID, BlockFragment: enc(":status", "413", "content-length", "3"), EndHeaders: true})
		fr.WriteData(h.StreamID, true, []byte("big"))
		fr.WriteRSTStream(h.StreamID, http2.ErrCodeNo)
		io.Copy(io.Discard, struct{ io.Reader }{connReader{fr}})
	})
	cc := dialClient(t, addr)
	vc, err := cc.RoundTripConn()
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	vc.SetDeadline(time.Now().Add(5 * time.Second))
	werr := make(chan error, 1)
	go func() {
		_, err := io.WriteString(vc, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10000000\r\n\r\n"+strings.Repeat("u", 10000000))
		werr <- err
	}()
	if err := <-werr; !errors.Is(err, ErrStreamReset) { // the reset is in before reading
		t.Fatalf("upload ended with %v, want ErrStreamReset", err)
	}
	got, err := io.ReadAll(vc)
	if err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 413 ") || !strings.HasSuffix(string(got), "\r\n\r\nbig") {
		t.Fatalf("got %q %v, want the whole 413", got, err)
	}
}
