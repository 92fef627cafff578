package stream

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tcpServer is a raw TCP test server running handle for each connection.
func tcpServer(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func tcpModeConfig(server, timeouts string) string {
	if timeouts == "" {
		timeouts = "    timeout client 10s\n    timeout server 10s\n"
	}
	return "defaults\n    mode tcp\n    timeout connect 2s\n" + timeouts +
		"frontend fe\n    bind {{fe:fe}}\n    default_backend be\nbackend be\n    server s1 " + server + "\n"
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTCPRelay covers the mode tcp relay: the end of each direction
// passed on, servers that answer and close, streams larger than the
// relay's buffers in both directions with a slow reader, and the
// frontend's byte counters.
func TestTCPRelay(t *testing.T) {
	echoAfterEOF := func(c net.Conn) {
		b, _ := io.ReadAll(c)
		fmt.Fprintf(c, "got %d bytes: %s", len(b), b)
	}
	answerAndClose := func(c net.Conn) {
		buf := make([]byte, 64)
		n, _ := c.Read(buf)
		fmt.Fprintf(c, "answer to %s", buf[:n])
	}
	slowEcho := func(c net.Conn) {
		// Not reading for a while fills the proxy's buffers toward the
		// server: the relay must keep bytes pending.
		time.Sleep(100 * time.Millisecond)
		io.Copy(c, c)
	}
	tests := []struct {
		name    string
		handle  func(net.Conn)
		client  func(t *testing.T, c net.Conn) (sent, got int64)
		wantIn  int64
		wantOut int64
	}{
		{
			name:   "client half-close",
			handle: echoAfterEOF,
			client: func(t *testing.T, c net.Conn) (int64, int64) {
				io.WriteString(c, "hello")
				c.(*net.TCPConn).CloseWrite()
				b, err := io.ReadAll(c)
				if err != nil || string(b) != "got 5 bytes: hello" {
					t.Errorf("after half-close got %q, %v", b, err)
				}
				return 5, int64(len(b))
			},
		},
		{
			name:   "server answers and closes",
			handle: answerAndClose,
			client: func(t *testing.T, c net.Conn) (int64, int64) {
				io.WriteString(c, "ping")
				b, err := io.ReadAll(c)
				if err != nil || string(b) != "answer to ping" {
					t.Errorf("got %q, %v", b, err)
				}
				return 4, int64(len(b))
			},
		},
		{
			name:   "16 MiB both ways, slow server and client",
			handle: slowEcho,
			client: func(t *testing.T, c net.Conn) (int64, int64) {
				const size = 16 << 20
				data := make([]byte, size)
				for i := range data {
					data[i] = byte(i * 7)
				}
				go func() {
					c.Write(data)
					c.(*net.TCPConn).CloseWrite()
				}()
				// Read slowly at first so the relay has to keep
				// pending bytes and wait for writability.
				h := sha256.New()
				buf := make([]byte, 1024)
				var n int64
				for i := 0; ; i++ {
					if i < 200 {
						time.Sleep(time.Millisecond)
					}
					k, err := c.Read(buf)
					h.Write(buf[:k])
					n += int64(k)
					if err != nil {
						break
					}
				}
				want := sha256.Sum256(data)
				if n != size || !bytes.Equal(h.Sum(nil), want[:]) {
					t.Errorf("echoed %d bytes (want %d), same content: %v", n, size, bytes.Equal(h.Sum(nil), want[:]))
				}
				return size, n
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := tcpServer(t, tc.handle)
			rt, fe := startProxy(t, tcpModeConfig(srv, ""))
			// A small receive window makes the proxy wait for the
			// client too.
			d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
				return rc.Control(func(fd uintptr) {
					syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
				})
			}}
			c, err := d.Dial("tcp", fe["fe"])
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			sent, got := tc.client(t, c)
			c.Close()
			f := rt.FindFrontend("fe")
			waitFor(t, "session end", 5*time.Second, func() bool { return f.Scur.Load() == 0 })
			if in, out := f.Bin.Load(), f.Bout.Load(); in != sent || out != got {
				t.Errorf("frontend bytes in/out %d/%d; want %d/%d", in, out, sent, got)
			}
		})
	}
}

// TestTCPRelayTimeout: an idle mode tcp session ends after timeout
// client (within the relay's one-second sweep).
func TestTCPRelayTimeout(t *testing.T) {
	srv := tcpServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	rt, fe := startProxy(t, tcpModeConfig(srv, "    timeout client 200ms\n    timeout server 10s\n"))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "x")
	start := time.Now()
	_, err = c.Read(make([]byte, 1))
	if err == nil {
		t.Fatal("read data from an idle session")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("idle session closed after %v; want about 200ms..1.2s", d)
	}
	f := rt.FindFrontend("fe")
	waitFor(t, "session end", 5*time.Second, func() bool { return f.Scur.Load() == 0 })
}

// TestTCPRelayHardStop: a hard stop ends relayed sessions at once and
// the runtime is done.
func TestTCPRelayHardStop(t *testing.T) {
	srv := tcpServer(t, func(c net.Conn) { io.Copy(c, c) })
	rt, fe := startProxy(t, tcpModeConfig(srv, ""))
	var conns []net.Conn
	for i := 0; i < 8; i++ {
		c, err := net.Dial("tcp", fe["fe"])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "ping")
		b := make([]byte, 4)
		if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping" {
			t.Fatalf("echo through the relay: %q %v", b, err)
		}
		conns = append(conns, c)
	}
	rt.HardStop()
	for _, c := range conns {
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("connection still open after HardStop")
		}
	}
	select {
	case <-rt.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after HardStop")
	}
}

// TestTCPRelayConcurrent: many sessions at once, several round trips
// each, every answer on its own connection.
func TestTCPRelayConcurrent(t *testing.T) {
	srv := tcpServer(t, func(c net.Conn) { io.Copy(c, c) })
	rt, fe := startProxy(t, tcpModeConfig(srv, ""))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.Dial("tcp", fe["fe"])
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			for j := 0; j < 10; j++ {
				msg := fmt.Sprintf("conn %d msg %d\n", i, j)
				io.WriteString(c, msg)
				b := make([]byte, len(msg))
				if _, err := io.ReadFull(c, b); err != nil || string(b) != msg {
					errs <- fmt.Errorf("conn %d: got %q (%v), want %q", i, b, err, msg)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	f := rt.FindFrontend("fe")
	waitFor(t, "sessions end", 5*time.Second, func() bool { return f.Scur.Load() == 0 })
}

// TestTCPConnectRefused: a refused connect in mode tcp is retried, then
// the client is closed; the server's connection errors are counted.
func TestTCPConnectRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	rt, fe := startProxy(t, "defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    retries 1\n"+
		"frontend fe\n    bind {{fe:fe}}\n    default_backend be\nbackend be\n    server s1 "+dead+"\n")
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("read data through a refused server")
	}
	be := rt.FindBackend("be")
	if n, r := be.Econ.Load(), be.Wretr.Load(); n != 1 || r != 1 {
		t.Errorf("backend connection errors %d, retries %d; want 1 failed connection (as HAProxy counts) after 1 retry", n, r)
	}
}

// TestTCPSoftStop: a soft stop closes a mode tcp frontend's listener at
// once (the raw acceptor's wait notices within its recheck delay), a
// relayed session carries on to its end, and then the runtime is done.
func TestTCPSoftStop(t *testing.T) {
	srv := tcpServer(t, func(c net.Conn) { io.Copy(c, c) })
	rt, fe := startProxy(t, tcpModeConfig(srv, ""))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	echo := func(msg string) {
		t.Helper()
		io.WriteString(c, msg)
		b := make([]byte, len(msg))
		if _, err := io.ReadFull(c, b); err != nil || string(b) != msg {
			t.Fatalf("echo %q: got %q, %v", msg, b, err)
		}
	}
	echo("before")
	rt.SoftStop()
	if c2, err := net.DialTimeout("tcp", fe["fe"], time.Second); err == nil {
		c2.Close()
		t.Error("still accepting after SoftStop")
	}
	echo("after")
	select {
	case <-rt.Done():
		t.Fatal("Done while a session is still relayed")
	case <-time.After(500 * time.Millisecond): // past the acceptor's recheck
	}
	c.Close()
	select {
	case <-rt.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after the last session ended")
	}
}

// blackhole returns the address of a listener whose queue is full, so
// that a new connect to it stays in progress (its SYNs are dropped).
func blackhole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			return addr // the queue is full: connects now hang
		}
		t.Cleanup(func() { c.Close() })
		if i == 16 {
			t.Skip("the kernel keeps accepting into a listen(0) queue")
		}
	}
}

// TestTCPSlowConnectDoesNotHoldAccepts: mode tcp sessions begin on the
// accept loop's goroutine (startTCP); one whose connect stays in
// progress must go on to a goroutine of its own, so the next client is
// accepted and served meanwhile.
func TestTCPSlowConnectDoesNotHoldAccepts(t *testing.T) {
	hole := blackhole(t)
	echo := tcpServer(t, func(c net.Conn) { io.Copy(c, c) })
	_, fe := startProxy(t, "defaults\n    mode tcp\n    timeout connect 10s\n    timeout client 10s\n    timeout server 10s\n    retries 0\n"+
		"frontend fe\n    bind {{fe:fe}}\n    default_backend be\nbackend be\n    balance roundrobin\n"+
		"    server s1 "+hole+"\n    server s2 "+echo+"\n")
	stuck, err := net.Dial("tcp", fe["fe"]) // s1: its connect hangs
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	// The stuck session has taken s1 once its connect began (s1's slot);
	// the next client goes to s2.
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", fe["fe"])
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "ping %d\n", i)
		buf := make([]byte, 16)
		n, err := c.Read(buf)
		c.Close()
		if err == nil && bytes.HasPrefix(buf[:n], []byte("ping")) {
			// Served while the first connect is still in progress
			// (timeout connect 10s): the accept loop did not wait.
			stuck.SetReadDeadline(time.Now())
			if _, err := stuck.Read(buf); !isTimeout(err) {
				t.Fatalf("the stuck session ended (%v) before the check", err)
			}
			return
		}
		// roundrobin sent this one to s1 as well: try the next.
	}
	t.Fatal("no client was served while a connect was in progress")
}
