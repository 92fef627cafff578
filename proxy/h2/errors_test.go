package h2

import (
	"bytes"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// rawClient is a hand-driven HTTP/2 client for the error cases.
type rawClient struct {
	t    testing.TB
	nc   net.Conn
	fr   *http2.Framer
	hbuf bytes.Buffer
	henc *hpack.Encoder
}

func dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	rc := &rawClient{t: t, nc: nc, fr: http2.NewFramer(nc, nc)}
	rc.henc = hpack.NewEncoder(&rc.hbuf)
	rc.fr.SetMaxReadFrameSize(1 << 24)
	rc.fr.AllowIllegalWrites = true
	if _, err := nc.Write([]byte(Preface)); err != nil {
		t.Fatal(err)
	}
	rc.fr.WriteSettings()
	return rc
}

// block encodes fields given as "name", "value" pairs.
func (rc *rawClient) block(kv ...string) []byte {
	rc.hbuf.Reset()
	for i := 0; i < len(kv); i += 2 {
		rc.henc.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return append([]byte(nil), rc.hbuf.Bytes()...)
}

// get is a valid GET request's fields followed by extra pairs.
func get(extra ...string) []string {
	return append([]string{":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x"}, extra...)
}

func post(extra ...string) []string {
	return append([]string{":method", "POST", ":scheme", "http", ":path", "/", ":authority", "x"}, extra...)
}

func (rc *rawClient) headers(id uint32, end bool, kv ...string) {
	rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: rc.block(kv...), EndStream: end, EndHeaders: true})
}

// outcome is what the server did: the first GOAWAY or RST_STREAM, or
// the connection closing.
type outcome struct {
	goaway  bool
	code    http2.ErrCode
	stream  uint32
	closed  bool
	headers map[uint32]bool // streams that got a response HEADERS
}

// await reads frames until an RST_STREAM or a GOAWAY (or EOF) comes.
func (rc *rawClient) await(d time.Duration) outcome {
	rc.nc.SetReadDeadline(time.Now().Add(d))
	out := outcome{headers: map[uint32]bool{}}
	for {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			out.closed = true
			return out
		}
		switch f := f.(type) {
		case *http2.GoAwayFrame:
			out.goaway, out.code, out.stream = true, f.ErrCode, f.LastStreamID
			return out
		case *http2.RSTStreamFrame:
			out.code, out.stream = f.ErrCode, f.StreamID
			return out
		case *http2.HeadersFrame:
			out.headers[f.StreamID] = true
		}
	}
}

type errCase struct {
	name   string
	opts   Options
	send   func(rc *rawClient)
	goaway bool
	code   http2.ErrCode
	stream uint32 // for RST_STREAM
}

var errCases = []errCase{
	{name: "DATA on an idle stream", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.fr.WriteData(1, true, []byte("x")) }},
	{name: "HEADERS on an even stream", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(2, true, get()...) }},
	{name: "HEADERS on a closed stream", goaway: true, code: http2.ErrCodeStreamClosed,
		send: func(rc *rawClient) { rc.headers(5, true, get()...); rc.headers(3, true, get()...) }},
	{name: "uppercase field name", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, true, get("X-Up", "1")...) }},
	{name: "connection-specific field", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, true, get("connection", "close")...) }},
	{name: "transfer-encoding", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, false, post("transfer-encoding", "chunked")...) }},
	{name: "te other than trailers", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, true, get("te", "gzip")...) }},
	{name: "no :path", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, true, ":method", "GET", ":scheme", "http") }},
	{name: ":path with a space (a second request line word)", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/a HTTP/1.1") }},
	{name: ":method not a token", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, true, ":method", "G T", ":scheme", "http", ":path", "/") }},
	{name: "unknown pseudo-header", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, true, get(":foo", "x")...) }},
	{name: "pseudo-header after a regular one", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, true, "a", "b", ":method", "GET", ":scheme", "http", ":path", "/") }},
	{name: "CONNECT with :path", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, false, ":method", "CONNECT", ":authority", "h:1", ":path", "/") }},
	{name: "bad content-length", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, false, post("content-length", "+5")...) }},
	{name: "fewer DATA bytes than content-length", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) {
			rc.headers(1, false, post("content-length", "5")...)
			rc.fr.WriteData(1, true, []byte("abc"))
		}},
	{name: "more DATA bytes than content-length", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) {
			rc.headers(1, false, post("content-length", "2")...)
			rc.fr.WriteData(1, false, []byte("abc"))
		}},
	{name: "pseudo-header in trailers", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) {
			rc.headers(1, false, post()...)
			rc.fr.WriteData(1, false, []byte("abc"))
			rc.headers(1, true, ":path", "/x")
		}},
	{name: "trailers without END_STREAM", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, false, post()...); rc.headers(1, false, "x-t", "1") }},
	{name: "DATA after END_STREAM", stream: 1, code: http2.ErrCodeStreamClosed,
		opts: Options{}, send: func(rc *rawClient) {
			rc.headers(1, true, post("content-length", "0")...)
			rc.fr.WriteData(1, true, []byte("x"))
		}},
	{name: "CONTINUATION interleaved with PING", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) {
			b := rc.block(get()...)
			rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: b[:3], EndHeaders: false})
			rc.fr.WritePing(false, [8]byte{})
		}},
	{name: "CONTINUATION without HEADERS", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.fr.WriteContinuation(1, true, rc.block(get()...)) }},
	{name: "frame larger than MAX_FRAME_SIZE", goaway: true, code: http2.ErrCodeFrameSize,
		send: func(rc *rawClient) {
			rc.headers(1, false, post()...)
			rc.fr.WriteData(1, false, make([]byte, 16385))
		}},
	{name: "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1", goaway: true, code: http2.ErrCodeFlowControl,
		send: func(rc *rawClient) {
			rc.fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 31})
		}},
	{name: "SETTINGS_ENABLE_PUSH 2", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.fr.WriteSettings(http2.Setting{ID: http2.SettingEnablePush, Val: 2}) }},
	{name: "SETTINGS_MAX_FRAME_SIZE too small", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.fr.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 100}) }},
	{name: "connection window overflow", goaway: true, code: http2.ErrCodeFlowControl,
		send: func(rc *rawClient) { rc.fr.WriteWindowUpdate(0, 1<<31-1) }},
	{name: "stream window overflow", stream: 1, code: http2.ErrCodeFlowControl,
		send: func(rc *rawClient) { rc.headers(1, false, post()...); rc.fr.WriteWindowUpdate(1, 1<<31-1) }},
	{name: "WINDOW_UPDATE of 0 on a stream", stream: 1, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.headers(1, false, post()...); rc.fr.WriteWindowUpdate(1, 0) }},
	{name: "WINDOW_UPDATE on an idle stream", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.fr.WriteWindowUpdate(7, 1) }},
	{name: "RST_STREAM on an idle stream", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.fr.WriteRSTStream(7, http2.ErrCodeCancel) }},
	{name: "PRIORITY depending on itself", stream: 3, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) { rc.fr.WritePriority(3, http2.PriorityParam{StreamDep: 3}) }},
	{name: "PUSH_PROMISE from a client", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) {
			rc.headers(1, false, post()...)
			rc.fr.WritePushPromise(http2.PushPromiseParam{StreamID: 1, PromiseID: 2, BlockFragment: rc.block(get()...), EndHeaders: true})
		}},
	{name: "beyond MAX_CONCURRENT_STREAMS", stream: 5, code: http2.ErrCodeRefusedStream,
		opts: Options{MaxConcurrentStreams: 2}, send: func(rc *rawClient) {
			rc.headers(1, false, post()...)
			rc.headers(3, false, post()...)
			rc.headers(5, false, post()...)
		}},
	{name: "HPACK bomb: one big field referenced until the list is too large: 431, then RST_STREAM(NO_ERROR)", stream: 1, code: http2.ErrCodeNo,
		send: func(rc *rawClient) {
			b := rc.block(get("x-bomb", strings.Repeat("b", 4000))...)
			b = append(b, bytes.Repeat([]byte{0xbe}, 12000)...) // index 62: the x-bomb field
			rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: b, EndStream: false, EndHeaders: true})
		}},
	{name: "CONTINUATION flood", goaway: true, code: http2.ErrCodeProtocol,
		send: func(rc *rawClient) {
			rc.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: rc.block(get()...)})
			field := rc.block("x-flood", strings.Repeat("a", 100))
			frag := bytes.Repeat(field, 16000/len(field))
			for i := 0; i < 1000; i++ { // 16 MB if nothing stops it
				if rc.fr.WriteContinuation(1, false, frag) != nil {
					return
				}
			}
		}},
}

// TestDataAfterOurReset: DATA the client sent before it saw our
// RST_STREAM is dropped, not answered with a second RST_STREAM.
func TestDataAfterOurReset(t *testing.T) {
	ts := startServer(t, Options{}, echoH1)
	rc := dialRaw(t, ts.addr)
	rc.headers(1, false, post("content-length", "2")...)
	rc.fr.WriteData(1, false, []byte("abc")) // too long: RST_STREAM(PROTOCOL_ERROR)
	rc.fr.WriteData(1, true, []byte("more"))
	rc.fr.WritePing(false, [8]byte{7})
	rc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var rsts []http2.ErrCode
	for {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := f.(*http2.RSTStreamFrame); ok {
			rsts = append(rsts, r.ErrCode)
		}
		if p, ok := f.(*http2.PingFrame); ok && p.IsAck() {
			break
		}
	}
	if len(rsts) != 1 || rsts[0] != http2.ErrCodeProtocol {
		t.Fatalf("RST_STREAM codes %v, want one PROTOCOL_ERROR", rsts)
	}
}

// TestErrorCases plays hand-written frame sequences and checks the
// GOAWAY or RST_STREAM code each one must get (RFC 9113).
func TestErrorCases(t *testing.T) {
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, tc.opts, echoH1)
			rc := dialRaw(t, ts.addr)
			go tc.send(rc)
			out := rc.await(5 * time.Second)
			if out.goaway != tc.goaway || out.code != tc.code || !tc.goaway && out.stream != tc.stream {
				t.Fatalf("got goaway=%v code=%v stream=%d closed=%v; want goaway=%v code=%v stream=%d",
					out.goaway, out.code, out.stream, out.closed, tc.goaway, tc.code, tc.stream)
			}
		})
	}
}

// TestRapidReset opens and cancels streams in a loop (CVE-2023-44487):
// few of them may reach the handler, and past MaxClientResets the
// connection ends with GOAWAY(ENHANCE_YOUR_CALM).
func TestRapidReset(t *testing.T) {
	var started atomic.Int32
	ts := startServer(t, Options{MaxClientResets: 500}, func(vc net.Conn) {
		started.Add(1)
		echoH1(vc)
	})
	rc := dialRaw(t, ts.addr)
	const n = 2000
	go func() {
		for id := uint32(1); id < 2*n; id += 2 {
			rc.headers(id, true, get()...)
			if rc.fr.WriteRSTStream(id, http2.ErrCodeCancel) != nil {
				return
			}
		}
	}()
	var out outcome
	for !out.goaway && !out.closed {
		out = rc.await(5 * time.Second)
	}
	if !out.goaway || out.code != http2.ErrCodeEnhanceYourCalm {
		t.Fatalf("got goaway=%v code=%v closed=%v; want GOAWAY ENHANCE_YOUR_CALM", out.goaway, out.code, out.closed)
	}
	t.Logf("%d handlers started", started.Load())
	if s := started.Load(); s > 50 {
		t.Errorf("%d of the 500 reset streams started a handler, want at most 10%%", s)
	}
}

// TestResetsPaidBack: a client that cancels streams now and then, between
// completed exchanges, is never told to calm down.
func TestResetsPaidBack(t *testing.T) {
	ts := startServer(t, Options{MaxClientResets: 5}, echoH1)
	rc := dialRaw(t, ts.addr)
	id := uint32(1)
	for i := 0; i < 20; i++ {
		rc.headers(id, true, get()...) // completed
		for {
			f, err := rc.fr.ReadFrame()
			if err != nil {
				t.Fatalf("exchange %d: %v", i, err)
			}
			if _, ok := f.(*http2.GoAwayFrame); ok {
				t.Fatalf("GOAWAY after %d exchanges and resets", i)
			}
			if f.Header().StreamID == id && f.Header().Flags.Has(http2.FlagDataEndStream) {
				break
			}
		}
		rc.headers(id+2, false, post()...) // cancelled
		rc.fr.WriteRSTStream(id+2, http2.ErrCodeCancel)
		id += 4
	}
}

// TestHeaderListTooLarge: a request whose decoded header list passes
// MaxHeaderListSize is answered 431 without reaching the handler, and the
// connection goes on.
func TestHeaderListTooLarge(t *testing.T) {
	var started atomic.Int32
	ts := startServer(t, Options{MaxHeaderListSize: 4096}, func(vc net.Conn) { started.Add(1); echoH1(vc) })
	rc := dialRaw(t, ts.addr)
	big := strings.Repeat("a", 2000)
	rc.headers(1, true, get("x-a", big, "x-b", big, "x-c", big)...)
	rc.headers(3, true, get()...)
	rc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	dec := hpack.NewDecoder(4096, nil)
	status := map[uint32]string{}
	for len(status) < 2 {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			t.Fatalf("after %v: %v", status, err)
		}
		if h, ok := f.(*http2.HeadersFrame); ok {
			fields, _ := dec.DecodeFull(h.HeaderBlockFragment())
			status[h.StreamID] = fields[0].Value
		}
	}
	if status[1] != "431" || status[3] != "200" || started.Load() != 1 {
		t.Fatalf("statuses %v, handlers %d; want 431 for stream 1, 200 for stream 3, one handler", status, started.Load())
	}
}
