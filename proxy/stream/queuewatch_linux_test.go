package stream

import (
	"net"
	"testing"
	"time"
)

// tcpPair returns the two ends of a TCP connection on 127.0.0.1: the
// proxy's (server) side and the client's.
func tcpPair(t *testing.T) (srv, cli *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return s.(*net.TCPConn), c.(*net.TCPConn)
}

// goneSignal returns a gone callback and the channel it closes.
func goneSignal() (func(), chan struct{}) {
	ch := make(chan struct{})
	return func() { close(ch) }, ch
}

func isGone(ch chan struct{}, within time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(within):
		return false
	}
}

// TestWatchConnPipelinedThenClose: bytes the client pipelines are not
// taken for its leaving and are not consumed; its close behind them is
// seen, even after the read deadline the session had set has passed.
func TestWatchConnPipelinedThenClose(t *testing.T) {
	srv, cli := tcpPair(t)
	srv.SetReadDeadline(time.Now().Add(20 * time.Millisecond)) // e.g. keep-alive
	restore := time.Now().Add(time.Hour)
	gone, ch := goneSignal()
	stop := watchConn(srv, true, restore, gone)
	if stop == nil {
		t.Fatal("watchConn did not watch a TCP connection")
	}
	cli.Write([]byte("GET /next HTTP/1.1\r\n\r\n"))
	if isGone(ch, 100*time.Millisecond) {
		t.Fatal("pipelined bytes taken for the client leaving")
	}
	cli.Close()
	if !isGone(ch, 2*time.Second) {
		t.Fatal("the client's close behind unread bytes not seen within 2 s")
	}
	stop()
	buf := make([]byte, 64)
	n, err := srv.Read(buf)
	if string(buf[:n]) != "GET /next HTTP/1.1\r\n\r\n" {
		t.Fatalf("after the watch the session read %q, %v; want the pipelined request intact", buf[:n], err)
	}
}

// TestWatchConnStopRestoresDeadline: stop ends the watch without calling
// gone and puts back the session's read deadline.
func TestWatchConnStopRestoresDeadline(t *testing.T) {
	srv, _ := tcpPair(t)
	gone, ch := goneSignal()
	stop := watchConn(srv, true, time.Now().Add(50*time.Millisecond), gone)
	stop()
	if isGone(ch, 0) {
		t.Fatal("stop called gone")
	}
	_, err := srv.Read(make([]byte, 1))
	if !isTimeout(err) {
		t.Fatalf("read after stop: %v; want the restored deadline to expire", err)
	}
}

// TestWatchConnHalfClose: in mode tcp (onEOF false) a half-close is not a
// departure, a reset is.
func TestWatchConnHalfClose(t *testing.T) {
	srv, cli := tcpPair(t)
	gone, ch := goneSignal()
	stop := watchConn(srv, false, time.Time{}, gone)
	defer stop()
	cli.CloseWrite()
	if isGone(ch, 100*time.Millisecond) {
		t.Fatal("a half-close taken for the client leaving in mode tcp")
	}
	cli.SetLinger(0)
	cli.Close() // RST
	if !isGone(ch, 2*time.Second) {
		t.Fatal("the client's reset not seen within 2 s")
	}
}
