package h2

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// TestGracefulShutdown cancels ServeConn's context while a request is in
// flight: GOAWAY(NO_ERROR) names it as the last stream, it completes, a
// stream opened after the GOAWAY is ignored, and the connection closes.
func TestGracefulShutdown(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{}, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		served <- ServeConn(ctx, c, Options{}, func(vc net.Conn) {
			entered <- struct{}{}
			<-release
			echoH1(vc)
		})
	}()
	rc := dialRaw(t, ln.Addr().String())
	rc.headers(1, true, get()...)
	<-entered
	cancel()
	out := rc.await(5 * time.Second)
	if !out.goaway || out.code != http2.ErrCodeNo || out.stream != 1 {
		t.Fatalf("got %+v, want GOAWAY NO_ERROR last stream 1", out)
	}
	rc.headers(3, true, get()...)
	close(release)
	rc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got1, got3 bool
	for {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			break
		}
		if h, ok := f.(*http2.HeadersFrame); ok {
			got1 = got1 || h.StreamID == 1
			got3 = got3 || h.StreamID == 3
		}
	}
	if !got1 || got3 {
		t.Fatalf("answered stream 1: %v (want true), stream 3: %v (want false)", got1, got3)
	}
	if err := <-served; err != nil {
		t.Fatalf("ServeConn: %v", err)
	}
}

// waitFor polls cond until it holds or 5 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestIdleTimeout: a connection without streams gets GOAWAY(NO_ERROR)
// and is closed after IdleTimeout; one with a stream in flight is not.
func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, Options{IdleTimeout: 200 * time.Millisecond}, echoH1)
	rc := dialRaw(t, ts.addr)
	rc.headers(1, true, get()...)
	start := time.Now()
	out := rc.await(5 * time.Second)
	if !out.goaway || out.code != http2.ErrCodeNo || !out.headers[1] {
		t.Fatalf("got %+v, want an answer to stream 1 then GOAWAY NO_ERROR", out)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("GOAWAY after %v, before the idle timeout", d)
	}
	if _, err := rc.fr.ReadFrame(); err == nil {
		t.Fatal("connection still open after the idle GOAWAY")
	}
}

// TestPingFloodUnread: PINGs whose ACKs are never read fill the socket;
// the server stops reading instead of queueing ACKs, and WriteTimeout
// ends the connection.
func TestPingFloodUnread(t *testing.T) {
	ts := startServerTuned(t, Options{WriteTimeout: 300 * time.Millisecond}, echoH1,
		func(c *net.TCPConn) { c.SetWriteBuffer(16 << 10) })
	rc := dialRaw(t, ts.addr)
	rc.nc.(*net.TCPConn).SetReadBuffer(16 << 10) // the ACKs fill it soon
	burst := make([]byte, 0, 17*1000)
	for i := 0; i < 1000; i++ {
		burst = append(burst, 0, 0, 8, byte(http2.FramePing), 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8)
	}
	rc.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	start, sent := time.Now(), 0
	for {
		n, err := rc.nc.Write(burst)
		sent += n
		if err != nil {
			break
		}
	}
	t.Logf("server stopped after %d KiB of PINGs, %v", sent>>10, time.Since(start))
	if sent > 64<<20 || time.Since(start) > 9*time.Second {
		t.Fatalf("the server took %d KiB of PINGs in %v without the ACKs being read", sent>>10, time.Since(start))
	}
}

// TestSniffPreface tells h2c prior knowledge from HTTP/1.1 and replays
// the bytes read.
func TestSniffPreface(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{{Preface + "rest", true}, {"GET / HTTP/1.1\r\n\r\n", false}, {"PRI * HTTP/1.1\r\n\r\n", false}} {
		a, b := net.Pipe()
		go func() { io.WriteString(a, tc.in); a.Close() }()
		c, is, err := SniffPreface(b)
		if err != nil || is != tc.want {
			t.Fatalf("%q: is=%v err=%v, want %v", tc.in, is, err, tc.want)
		}
		all, _ := io.ReadAll(c)
		if string(all) != tc.in {
			t.Fatalf("%q: replayed %q", tc.in, all)
		}
	}
	if is, maybe := IsPreface([]byte("PRI * HT")); is || !maybe {
		t.Fatal("IsPreface on a prefix")
	}
	_ = strings.Contains
}

// TestSniffThenServe: a clear-text port that takes both HTTP/1.1 and h2c
// with prior knowledge sniffs the preface and hands the replaying conn
// to ServeConn (whose reader then waits on the socket through it).
func TestSniffThenServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			sc, isH2, err := SniffPreface(c)
			if err != nil || !isH2 {
				io.WriteString(sc, "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Length: 0\r\n\r\n")
				sc.Close()
				continue
			}
			ServeConn(context.Background(), sc, Options{}, echoH1)
		}
	}()
	cl, tr := h2cClient()
	for i := 0; i < 3; i++ { // three requests, with idle waits between them
		resp, err := cl.Get("http://" + ln.Addr().String() + "/s")
		if err != nil {
			t.Fatal(err)
		}
		if body := mustBody(t, resp); !strings.HasPrefix(body, "GET /s ") {
			t.Fatalf("got %q", body)
		}
	}
	tr.CloseIdleConnections()
	ln.Close()
	<-done
}

// TestGracefulShutdownIdle cancels ServeConn's context on a connection
// with no stream open (an idle keep-alive client at a reload): GOAWAY
// must reach the client before the connection closes. Waking the reader
// before writing it let the reader close the connection first.
func TestGracefulShutdownIdle(t *testing.T) {
	for i := 0; i < 20; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				served <- err
				return
			}
			served <- ServeConn(ctx, c, Options{}, echoH1)
		}()
		rc := dialRaw(t, ln.Addr().String())
		rc.headers(1, true, get()...)
		rc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		for ended := false; !ended; {
			f, err := rc.fr.ReadFrame()
			if err != nil {
				t.Fatalf("try %d: no answer before the shutdown: %v", i, err)
			}
			ended = f.Header().StreamID == 1 && f.Header().Flags.Has(http2.FlagDataEndStream)
		}
		cancel()
		out := rc.await(5 * time.Second)
		if !out.goaway || out.code != http2.ErrCodeNo {
			t.Fatalf("try %d: got %+v after the shutdown of an idle connection, want GOAWAY NO_ERROR", i, out)
		}
		<-served
		ln.Close()
	}
}
