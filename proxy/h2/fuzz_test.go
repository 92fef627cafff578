package h2

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/goha/goha/proxy/http1"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// seedFrames returns frame sequences for the fuzz corpus: a GET, a POST
// with a body and trailers, CONTINUATION, PING and SETTINGS.
func seedFrames() [][]byte {
	var out [][]byte
	enc := func(kv ...string) []byte {
		var b bytes.Buffer
		e := hpack.NewEncoder(&b)
		for i := 0; i < len(kv); i += 2 {
			e.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
		}
		return b.Bytes()
	}
	write := func(f func(fr *http2.Framer)) {
		var b bytes.Buffer
		fr := http2.NewFramer(&b, nil)
		fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1000})
		f(fr)
		out = append(out, b.Bytes())
	}
	write(func(fr *http2.Framer) {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(get("cookie", "a=1", "cookie", "b")...), EndStream: true, EndHeaders: true})
	})
	write(func(fr *http2.Framer) {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc(post()...), EndHeaders: true})
		fr.WriteData(1, false, []byte("hello"))
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: enc("x-t", "1"), EndStream: true, EndHeaders: true})
		fr.WritePing(false, [8]byte{1})
		fr.WriteWindowUpdate(0, 100)
	})
	write(func(fr *http2.Framer) {
		b := enc(post("content-length", "3")...)
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: b[:4]})
		fr.WriteContinuation(3, true, b[4:])
		fr.WriteDataPadded(3, true, []byte("abc"), []byte{0, 0})
		fr.WriteRSTStream(3, http2.ErrCodeCancel)
		fr.WritePriority(5, http2.PriorityParam{StreamDep: 3, Weight: 7})
	})
	return out
}

// FuzzServerFrames feeds arbitrary bytes after the client preface to
// ServeConn: it must never panic, must return once the client is gone,
// and must leave no goroutine behind.
func FuzzServerFrames(f *testing.F) {
	for _, s := range seedFrames() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := runtime.NumGoroutine() - int(idleWorkers.Load())
		cli, srv := net.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- ServeConn(t.Context(), srv, Options{IdleTimeout: time.Second, WriteTimeout: time.Second}, echoH1)
		}()
		go io.Copy(io.Discard, cli)
		cli.SetWriteDeadline(time.Now().Add(2 * time.Second))
		cli.Write([]byte(Preface))
		cli.Write(data)
		cli.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("ServeConn did not return after the client closed")
		}
		// Idle handler workers stay a while for the next stream: not a leak.
		left := func() int { return runtime.NumGoroutine() - int(idleWorkers.Load()) - before }
		deadline := time.Now().Add(2 * time.Second)
		for left() > 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if n := left(); n > 0 {
			t.Fatalf("%d goroutines left behind", n)
		}
	})
}

// FuzzRequestHead decodes an arbitrary HPACK block as the Framer does
// and converts it: a head buildRequest accepts must be one proxy/http1
// parses without error (never a request line or field that could be
// read two ways).
func FuzzRequestHead(f *testing.F) {
	var b bytes.Buffer
	e := hpack.NewEncoder(&b)
	for _, kv := range [][]string{get("cookie", "a", "cookie", "b"), post("content-length", "4"),
		{":method", "CONNECT", ":authority", "h:443"}, get("te", "trailers", "x", "a b")} {
		b.Reset()
		for i := 0; i < len(kv); i += 2 {
			e.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
		}
		f.Add(append([]byte(nil), b.Bytes()...), false)
	}
	f.Fuzz(func(t *testing.T, block []byte, ended bool) {
		var fb bytes.Buffer
		fw := http2.NewFramer(&fb, nil)
		if len(block) > 16384 {
			return
		}
		fw.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block, EndStream: ended, EndHeaders: true})
		fr := http2.NewFramer(nil, &fb)
		fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
		fr.MaxHeaderListSize = 16384
		frame, err := fr.ReadFrame()
		if err != nil {
			return
		}
		mh := frame.(*http2.MetaHeadersFrame)
		if mh.Truncated {
			return
		}
		head, info, err := buildRequest(nil, mh.Fields, ended)
		if err != nil {
			return
		}
		var req http1.Request
		perr := http1.ParseRequest(head, 1<<20, &req)
		if perr == http1.ErrNeedMore {
			t.Fatalf("converted head is not a complete head:\n%q", head)
		}
		if perr != nil {
			return // refused with a 400, as goha refuses such HTTP/1.1 (no Host, a look-alike field...)
		}
		target := ""
		for _, f := range mh.Fields {
			if f.Name == ":path" || f.Name == ":authority" && info.method == "CONNECT" {
				target = f.Value
			}
		}
		lines := bytes.Count(head, []byte("\r\n")) - 2
		if string(req.Method) != info.method || string(req.URI) != target || len(req.Headers) != lines {
			t.Fatalf("http1 reads %q %q with %d fields, not %q %q with %d:\n%q",
				req.Method, req.URI, len(req.Headers), info.method, target, lines, head)
		}
	})
}
