package getsocks

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// statsSocket serves a Listener on a fresh unix socket and returns its
// path; the sockets sent are duplicates of lns.
func statsSocket(t *testing.T, expose bool, lns []net.Listener) (string, *Listener, *events) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stats.sock")
	ul, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ev := &events{}
	l := NewListener(ul, ListenerOptions{
		Expose:  expose,
		Timeout: 2 * time.Second,
		Event:   ev.add,
		Sockets: func() ([]*os.File, error) {
			var out []*os.File
			for _, ln := range lns {
				f, err := ln.(interface{ File() (*os.File, error) }).File()
				if err != nil {
					return out, err
				}
				out = append(out, f)
			}
			return out, nil
		},
	})
	t.Cleanup(func() { l.Close() })
	return path, l, ev
}

type events struct {
	mu   sync.Mutex
	sent []int
	errs []error
}

func (e *events) add(n int, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sent = append(e.sent, n)
	e.errs = append(e.errs, err)
}

func (e *events) wait(t *testing.T, n int) ([]int, []error) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.mu.Lock()
		if len(e.sent) >= n {
			s, r := append([]int(nil), e.sent...), append([]error(nil), e.errs...)
			e.mu.Unlock()
			return s, r
		}
		e.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no %d _getsocks events within 5s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func tcpListeners(t *testing.T, n int) []net.Listener {
	t.Helper()
	var out []net.Listener
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		out = append(out, ln)
	}
	return out
}

func TestFetchRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 3, MaxBatch, MaxBatch + 1, 2*MaxBatch + 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			lns := tcpListeners(t, n)
			path, _, ev := statsSocket(t, true, lns)
			socks, err := Fetch(path, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer Close(socks)
			if len(socks) != n {
				t.Fatalf("got %d sockets, want %d", len(socks), n)
			}
			sent, errs := ev.wait(t, 1)
			if sent[0] != n || errs[0] != nil {
				t.Fatalf("server event: sent %d, err %v", sent[0], errs[0])
			}
			for i, ln := range lns {
				addr := ln.Addr().(*net.TCPAddr)
				f := Take(socks, "tcp", addr.String())
				if f == nil {
					t.Fatalf("listener %d (%s) not received", i, addr)
				}
				f.Close()
			}
			for _, s := range socks {
				if s.File != nil {
					t.Errorf("socket %s left over", s)
				}
			}
		})
	}
}

// The received socket is the old one itself: a connection made to the
// address is accepted through it.
func TestFetchSharesTheSocket(t *testing.T) {
	lns := tcpListeners(t, 1)
	path, _, _ := statsSocket(t, true, lns)
	socks, err := Fetch(path, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(socks)
	f := Take(socks, "tcp4", lns[0].Addr().String())
	if f == nil {
		t.Fatal("not received")
	}
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lns[0].Close() // the old process stops listening: the socket lives on
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(2 * time.Second))
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
}

func TestFetchUnixSocket(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "admin.sock")
	tmp := fmt.Sprintf("%s.%d.tmp", target, os.Getpid())
	ul, err := net.Listen("unix", tmp)
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()
	if err := os.Rename(tmp, target); err != nil {
		t.Fatal(err)
	}
	path, _, _ := statsSocket(t, true, []net.Listener{ul})
	socks, err := Fetch(path, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(socks)
	if len(socks) != 1 || socks[0].Network != "unix" || socks[0].Path != tmp {
		t.Fatalf("got %+v", socks)
	}
	if f := Take(socks, "unix", target); f == nil {
		t.Fatalf("%s does not match %s", socks[0], target)
	} else {
		f.Close()
	}
}

func TestFetchNotExposed(t *testing.T) {
	lns := tcpListeners(t, 2)
	path, _, ev := statsSocket(t, false, lns)
	socks, err := Fetch(path, 5*time.Second)
	if !errors.Is(err, ErrNotExposed) {
		t.Fatalf("err = %v, socks %v; want ErrNotExposed", err, socks)
	}
	if !strings.Contains(err.Error(), "expose-fd listeners") {
		t.Errorf("message does not say what to do: %v", err)
	}
	_, errs := ev.wait(t, 1)
	if !errors.Is(errs[0], ErrRefused) {
		t.Errorf("server event: %v", errs[0])
	}
}

func TestFetchErrors(t *testing.T) {
	fake := func(t *testing.T, answer func(c net.Conn)) string {
		path := filepath.Join(t.TempDir(), "s.sock")
		ln, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			bufio.NewReader(c).ReadString('\n')
			answer(c)
		}()
		t.Cleanup(func() { ln.Close(); <-done })
		return path
	}
	count := func(n int32) []byte {
		b := make([]byte, 4)
		binary.NativeEndian.PutUint32(b, uint32(n))
		return b
	}
	tests := []struct {
		name   string
		answer func(c net.Conn)
		want   string
	}{
		{"text", func(c net.Conn) { io.WriteString(c, "Unknown command: '_getsocks'\n") }, "answered text"},
		{"negative", func(c net.Conn) { c.Write(count(-3)) }, "not a plausible count"},
		{"huge", func(c net.Conn) { c.Write(count(1 << 20)) }, "not a plausible count"},
		{"short", func(c net.Conn) { c.Write([]byte{1, 0}) }, "number of sockets"},
		{"closed after count", func(c net.Conn) { c.Write(count(2)) }, "after 0 of 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := fake(t, tt.answer)
			socks, err := Fetch(path, 2*time.Second)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (socks %v), want it to mention %q", err, socks, tt.want)
			}
		})
	}
	t.Run("no such socket", func(t *testing.T) {
		_, err := Fetch(filepath.Join(t.TempDir(), "missing.sock"), time.Second)
		if err == nil || !strings.Contains(err.Error(), "missing.sock") {
			t.Fatalf("err = %v", err)
		}
	})
}

// Connections that are not `_getsocks` reach Accept with every byte.
func TestListenerPassesOtherConnections(t *testing.T) {
	tests := []struct {
		name, send string
		getsocks   bool
	}{
		{"command", "show info\n", false},
		{"prefix then other", "_getsockx\n", false},
		{"longer word", "_getsocks_more\n", false},
		{"getsocks crlf", "_getsocks\r\n", true},
		{"getsocks", "_getsocks\n", true},
		{"no newline then eof", "show", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lns := tcpListeners(t, 1)
			path, l, ev := statsSocket(t, true, lns)
			c, err := net.Dial("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, tt.send)
			c.(*net.UnixConn).CloseWrite()
			if tt.getsocks {
				sent, _ := ev.wait(t, 1)
				if sent[0] != 1 {
					t.Fatalf("sent %d", sent[0])
				}
				return
			}
			type res struct {
				c   net.Conn
				err error
			}
			ch := make(chan res, 1)
			go func() { a, err := l.Accept(); ch <- res{a, err} }()
			var r res
			select {
			case r = <-ch:
			case <-time.After(5 * time.Second):
				t.Fatal("Accept did not return the connection")
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			defer r.c.Close()
			got, _ := io.ReadAll(r.c)
			if string(got) != tt.send {
				t.Fatalf("read %q, want %q", got, tt.send)
			}
		})
	}
}

func TestListenerClose(t *testing.T) {
	path, l, _ := statsSocket(t, true, nil)
	// A client that never sends anything must not keep Close waiting.
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan error, 1)
	go func() { _, err := l.Accept(); done <- err }()
	closed := make(chan struct{})
	go func() { l.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("Close blocked")
	}
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Accept did not return after Close")
	}
}

func TestParseEntries(t *testing.T) {
	entry := func(ns, iface string, opt uint32) []byte {
		b := []byte{byte(len(ns))}
		b = append(b, ns...)
		b = append(b, byte(len(iface)))
		b = append(b, iface...)
		return binary.NativeEndian.AppendUint32(b, opt)
	}
	tests := []struct {
		name string
		data []byte
		n    int
		want []Entry
		err  string
	}{
		{"empty", nil, 0, []Entry{}, ""},
		{"two plain", append(entry("", "", 0), entry("", "", 0)...), 2, []Entry{{}, {}}, ""},
		{"names", entry("blue", "eth0", 7), 1, []Entry{{"blue", "eth0", 7}}, ""},
		{"missing", entry("", "", 0), 2, nil, "socket 2 of the batch: namespace length missing"},
		{"truncated name", []byte{5, 'a'}, 1, nil, "namespace of 5 bytes truncated"},
		{"truncated options", []byte{0, 0, 1}, 1, nil, "options truncated"},
		{"extra", append(entry("", "", 0), 9), 1, nil, "1 unexpected bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEntries(tt.data, tt.n)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzParseEntries(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0}, 1)
	f.Add([]byte{4, 'b', 'l', 'u', 'e', 4, 'e', 't', 'h', '0', 1, 0, 0, 0}, 1)
	f.Add([]byte{}, 0)
	f.Add([]byte{255}, 3)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if n < 0 || n > 1000 {
			return
		}
		got, err := ParseEntries(data, n)
		if err == nil && len(got) != n {
			t.Fatalf("%d entries for n=%d", len(got), n)
		}
	})
}

func TestMatches(t *testing.T) {
	tcp4 := func(ip string, port int) Socket {
		return Socket{Network: "tcp4", IP: net.ParseIP(ip).To4(), Port: port, Listening: true}
	}
	tcp6 := func(ip string, port int) Socket {
		return Socket{Network: "tcp6", IP: net.ParseIP(ip), Port: port, Listening: true}
	}
	uni := func(p string) Socket { return Socket{Network: "unix", Path: p, Listening: true} }
	tests := []struct {
		name          string
		s             Socket
		network, addr string
		want          bool
	}{
		{"same v4", tcp4("127.0.0.1", 80), "tcp", "127.0.0.1:80", true},
		{"other port", tcp4("127.0.0.1", 81), "tcp", "127.0.0.1:80", false},
		{"other ip", tcp4("127.0.0.2", 80), "tcp", "127.0.0.1:80", false},
		{"any v4 for empty host", tcp4("0.0.0.0", 80), "tcp", ":80", true},
		{"any v6 for empty host", tcp6("::", 80), "tcp", ":80", true},
		{"any v6 for 0.0.0.0", tcp6("::", 80), "tcp", "0.0.0.0:80", true},
		{"any for star", tcp4("0.0.0.0", 80), "tcp", "*:80", true},
		{"specific is not any", tcp4("127.0.0.1", 80), "tcp", ":80", false},
		{"v6 literal", tcp6("::1", 443), "tcp6", "[::1]:443", true},
		{"tcp6 wants v6", tcp4("0.0.0.0", 80), "tcp6", ":80", false},
		{"tcp4 refuses v6", tcp6("::", 80), "tcp4", ":80", false},
		{"not listening", Socket{Network: "tcp4", IP: net.IPv4(127, 0, 0, 1).To4(), Port: 80}, "tcp", "127.0.0.1:80", false},
		{"namespace", Socket{Network: "tcp4", IP: net.IPv4(127, 0, 0, 1).To4(), Port: 80, Listening: true, Namespace: "blue"}, "tcp", "127.0.0.1:80", false},
		{"unix", uni("/run/a.sock"), "unix", "/run/a.sock", true},
		{"unix tmp name", uni("/run/a.sock.1234.tmp"), "unix", "/run/a.sock", true},
		{"unix other", uni("/run/b.sock"), "unix", "/run/a.sock", false},
		{"abns", uni("@front"), "abns", "front", true},
		{"abns other", uni("@back"), "abns", "front", false},
		{"abns is not a path", uni("/run/front"), "abns", "front", false},
		{"unix vs tcp", uni("/run/a.sock"), "tcp", "127.0.0.1:80", false},
		{"tcp vs unix", tcp4("127.0.0.1", 80), "unix", "/run/a.sock", false},
		{"bad addr", tcp4("127.0.0.1", 80), "tcp", "127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Matches(tt.s, tt.network, tt.addr); got != tt.want {
				t.Fatalf("Matches(%s, %s %s) = %v, want %v", tt.s, tt.network, tt.addr, got, tt.want)
			}
		})
	}
}

func TestStripTmp(t *testing.T) {
	for in, want := range map[string]string{
		"/a/s.sock.123.tmp": "/a/s.sock",
		"/a/s.sock":         "/a/s.sock",
		"/a/s.sock.x1.tmp":  "/a/s.sock.x1.tmp",
		"/a/s..tmp":         "/a/s..tmp",
		"s.tmp":             "s.tmp",
	} {
		if got := stripTmp(in); got != want {
			t.Errorf("stripTmp(%q) = %q, want %q", in, got, want)
		}
	}
}
