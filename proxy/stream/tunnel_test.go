package stream

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// streamPattern is what the tunnel tests stream: 64 KiB whose bytes
// depend on their offset, so a lost or repeated block shows.
var streamPattern = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	return b
}()

// steadyStream writes streamPattern every 10 ms for d (and 4 MiB at
// least), and returns the bytes written.
func steadyStream(w io.Writer, d time.Duration) int64 {
	var n int64
	// At least d and at least 4 MiB (enough for the relay to turn to
	// splice), however slow the machine: the test checks that the
	// stream is relayed whole, not how fast.
	for end := time.Now().Add(d); time.Now().Before(end) || n < 4<<20; time.Sleep(10 * time.Millisecond) {
		k, err := w.Write(streamPattern)
		n += int64(k)
		if err != nil {
			break
		}
	}
	return n
}

// checkStream reads r to its end and checks that it is streamPattern
// repeated: it returns the bytes read and the offset of the first wrong
// byte (-1 if none).
func checkStream(r io.Reader) (n int64, bad int64) {
	bad = -1
	buf := make([]byte, 256<<10)
	for {
		k, err := r.Read(buf)
		for i := 0; i < k && bad < 0; i++ {
			if buf[i] != streamPattern[(n+int64(i))%int64(len(streamPattern))] {
				bad = n + int64(i)
			}
		}
		n += int64(k)
		if err != nil {
			return n, bad
		}
	}
}

// upgradeServer is a test server answering an upgrade request with 101,
// then running tunnel on the connection (with what it read past the
// request head first in br).
func upgradeServer(t *testing.T, tunnel func(c net.Conn, br *bufio.Reader)) string {
	return tcpServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil || req.Header.Get("Upgrade") != "websocket" {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		tunnel(c, br)
	})
}

// upgrade sends an upgrade request on c and reads the 101 head; the
// returned reader holds what came after it.
func upgrade(t *testing.T, c net.Conn) *bufio.Reader {
	t.Helper()
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return br
}

const tunnelCfg = "defaults\n    mode http\n    timeout connect 2s\n    timeout client 300ms\n    timeout server 300ms\n    timeout tunnel 300ms\n" +
	"frontend fe\n    bind {{fe:fe}}\n    default_backend be\nbackend be\n    server s1 %s\n"

// TestTunnelSteadyStreamOutlivesTimeout: timeout tunnel is an inactivity
// timeout. A stream that never pauses for that long is relayed whole
// however long it lasts, in both directions, including once the relay
// has switched to splice (the destination's write deadline used to be
// armed once, and its expiry dropped the bytes already in the splice
// pipe); both directions are counted on the frontend, backend and server.
func TestTunnelSteadyStreamOutlivesTimeout(t *testing.T) {
	const streamFor = 1800 * time.Millisecond // six times timeout tunnel
	t.Run("download", func(t *testing.T) {
		t.Parallel()
		sent := make(chan int64, 1)
		srv := upgradeServer(t, func(c net.Conn, _ *bufio.Reader) {
			sent <- steadyStream(c, streamFor)
		})
		rt, fe := startProxy(t, fmt.Sprintf(tunnelCfg, srv))
		c, err := net.Dial("tcp", fe["fe"])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		br := upgrade(t, c)
		n, bad := checkStream(br)
		if want := <-sent; n != want || bad >= 0 || want < 4<<20 {
			t.Errorf("client got %d bytes (first wrong byte at %d); the server sent %d (want > 4 MiB)", n, bad, want)
		}
		checkTunnelCounters(t, rt, -1, n)
	})
	t.Run("upload", func(t *testing.T) {
		t.Parallel()
		got := make(chan int64, 1)
		srv := upgradeServer(t, func(c net.Conn, br *bufio.Reader) {
			n, bad := checkStream(br)
			if bad >= 0 {
				n = -bad
			}
			got <- n
			fmt.Fprintf(c, "got %d\n", n)
		})
		rt, fe := startProxy(t, fmt.Sprintf(tunnelCfg, srv))
		c, err := net.Dial("tcp", fe["fe"])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		br := upgrade(t, c)
		sent := steadyStream(c, streamFor)
		c.(*net.TCPConn).CloseWrite()
		answer, _ := io.ReadAll(br)
		if n := <-got; n != sent || sent < 4<<20 {
			t.Errorf("server got %d bytes (negative: first wrong byte); the client sent %d (want > 4 MiB); answer %q", n, sent, answer)
		}
		checkTunnelCounters(t, rt, sent, int64(len(answer)))
	})
}

// checkTunnelCounters waits for the session's end and checks that the
// frontend, backend and server counted at least in bytes from the client
// (beyond the request head) and out bytes to it (in < 0: not checked).
func checkTunnelCounters(t *testing.T, rt *Process, in, out int64) {
	t.Helper()
	f, be := rt.FindFrontend("fe"), rt.FindBackend("be")
	waitFor(t, "session end", 5*time.Second, func() bool { return f.Scur.Load() == 0 })
	srv := be.Servers[0]
	for _, c := range []struct {
		name    string
		bin, bo int64
	}{
		{"frontend", f.Bin.Load(), f.Bout.Load()},
		{"backend", be.Bin.Load(), be.Bout.Load()},
		{"server", srv.Bin.Load(), srv.Bout.Load()},
	} {
		if c.bin < in || c.bo < out {
			t.Errorf("%s counted %d bytes in, %d out; want at least %d in, %d out", c.name, c.bin, c.bo, in, out)
		}
	}
}

// TestTunnelUploadCounted: bytes a client uploads through an upgraded
// connection count in bin of the frontend, backend and server, as the
// bytes downloaded count in bout (they used to be dropped: bin was the
// request head only).
func TestTunnelUploadCounted(t *testing.T) {
	srv := upgradeServer(t, func(c net.Conn, br *bufio.Reader) {
		n, _ := io.Copy(io.Discard, io.LimitReader(br, 1000000))
		fmt.Fprintf(c, "got %d\n", n)
	})
	rt, fe := startProxy(t, fmt.Sprintf(tunnelCfg, srv))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := upgrade(t, c)
	if _, err := c.Write(bytes.Repeat([]byte("u"), 1000000)); err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(br)
	if !strings.HasPrefix(string(answer), "got 1000000") {
		t.Fatalf("server answered %q", answer)
	}
	checkTunnelCounters(t, rt, 1000000, int64(len(answer)))
}

// TestTunnelKillEndsBothSides: shutting a tunnel's session down closes
// the server side at once too (the direction reading the idle server
// used to wait for timeout tunnel after the other one saw its client
// connection closed).
func TestTunnelKillEndsBothSides(t *testing.T) {
	serverEnd := make(chan error, 1)
	srv := upgradeServer(t, func(c net.Conn, br *bufio.Reader) {
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err := br.ReadByte()
		serverEnd <- err
	})
	rt, fe := startProxy(t, fmt.Sprintf(strings.Replace(tunnelCfg, "timeout tunnel 300ms", "timeout tunnel 30s", 1), srv))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	upgrade(t, c)
	sess := rt.Sessions()
	if len(sess) != 1 || !rt.ShutdownSession(sess[0].ID) {
		t.Fatalf("sessions %+v: want one to shut down", sess)
	}
	start := time.Now()
	select {
	case err := <-serverEnd:
		if err != io.EOF {
			t.Errorf("server side ended with %v; want EOF", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("server side closed %v after the shutdown", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server side still open 5s after the shutdown (timeout tunnel 30s)")
	}
}

// TestTCPSteadyStreamOutlivesTimeout: the same as
// TestTunnelSteadyStreamOutlivesTimeout in mode tcp, whose timeout
// client and server are inactivity timeouts too: through the relay loop
// (TCP to TCP) and the goroutine relay (a unix socket server).
func TestTCPSteadyStreamOutlivesTimeout(t *testing.T) {
	const streamFor = 1800 * time.Millisecond
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network+" server", func(t *testing.T) {
			t.Parallel()
			sent := make(chan int64, 1)
			stream := func(c net.Conn) { sent <- steadyStream(c, streamFor) }
			addr := ""
			if network == "unix" {
				addr = "unix@" + unixServer(t, stream)
			} else {
				addr = tcpServer(t, stream)
			}
			rt, fe := startProxy(t, tcpModeConfig(addr, "    timeout client 300ms\n    timeout server 300ms\n"))
			c, err := net.Dial("tcp", fe["fe"])
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			n, bad := checkStream(c)
			if want := <-sent; n != want || bad >= 0 || want < 4<<20 {
				t.Errorf("client got %d bytes (first wrong byte at %d); the server sent %d (want > 4 MiB)", n, bad, want)
			}
			checkTunnelCounters(t, rt, 0, n)
		})
	}
}

// stickyTimeoutConn is a connection that is not a plain socket and whose
// writes, once one has timed out, all fail at once the same way, as a
// TLS connection's do.
type stickyTimeoutConn struct {
	net.Conn
	err    error
	writes atomic.Int64
}

func (c *stickyTimeoutConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.Conn.Write(b)
	if isTimeout(err) {
		c.err = err
	}
	return n, err
}

// TestRelayWriteTimeoutOnLayeredConn: a write deadline that expires on a
// connection layered over a socket (TLS) ends the direction even while
// the session is active, instead of retrying a write that can only fail
// again (a busy loop for as long as the other direction keeps moving).
func TestRelayWriteTimeoutOnLayeredConn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	peer, err := ln.Accept() // never reads
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	s := &tcpSession{}
	s.last.Store(time.Now().UnixNano())
	stop := make(chan struct{})
	var once sync.Once
	quiet := func() { once.Do(func() { close(stop) }) }
	defer quiet()
	go func() { // the other direction, busy all along
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				s.last.Store(time.Now().UnixNano())
			}
		}
	}()
	dst := &stickyTimeoutConn{Conn: c}
	h := &relayHalf{s: s, dst: dst, tw: 100 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- h.write(make([]byte, 256<<20)) }()
	select {
	case err := <-done:
		if !isTimeout(err) {
			t.Errorf("write ended with %v; want its deadline's expiry", err)
		}
		if n := dst.writes.Load(); n > 3 {
			t.Errorf("%d writes: want the first timeout to end it", n)
		}
	case <-time.After(5 * time.Second):
		quiet() // the session goes idle: that ends the retries
		<-done
		t.Fatalf("a write that cannot succeed was still retried after 5s (%d writes)", dst.writes.Load())
	}
}
