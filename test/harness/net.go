package harness

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// FreePort returns a TCP port free on 127.0.0.1 at the time of the call,
// chosen below the kernel's ephemeral range (so no outgoing connection or
// port-0 listener of this or another test can take it before goha binds
// it) and at random (so tests running side by side rarely pick the same).
func FreePort(t testing.TB) int {
	t.Helper()
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				lo = n
			}
		}
	}
	const base = 10000
	if lo <= base+1000 {
		lo = 65535 // no room below: fall back to the whole range
	}
	for i := 0; i < 200; i++ {
		port := base + rand.IntN(lo-base)
		ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		return port
	}
	t.Fatal("no free port found")
	return 0
}

// FreeAddr is FreePort as "127.0.0.1:port".
func FreeAddr(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", FreePort(t))
}

// Backend is a scripted HTTP server on 127.0.0.1 (a port-0 listener) that
// counts the TCP connections it accepted and the requests it served, and
// keeps the last request it saw.
type Backend struct {
	Name     string
	Addr     string // host:port
	Port     int
	Accepts  atomic.Int64
	Requests atomic.Int64
	srv      *http.Server
	mu       sync.Mutex
	last     *http.Request
}

type countingListener struct {
	net.Listener
	b *Backend
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.b.Accepts.Add(1)
	}
	return c, err
}

// NewBackend starts a backend that stops with the test. handler answers
// the requests after they are counted; nil means the default: the body is
// read and the answer is "<name>\n" with header X-Server: name, and a
// request for /slow?ms=N gets it after N milliseconds (or never, if the
// client leaves first).
func NewBackend(t testing.TB, name string, handler http.Handler) *Backend {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("backend %s: %v", name, err)
	}
	b := &Backend{Name: name, Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port}
	if handler == nil {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			if r.URL.Path == "/slow" {
				ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
				select {
				case <-time.After(time.Duration(ms) * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
			w.Header().Set("X-Server", name)
			io.WriteString(w, name+"\n")
		})
	}
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.Requests.Add(1)
		b.mu.Lock()
		b.last = r
		b.mu.Unlock()
		handler.ServeHTTP(w, r)
	})}
	go b.srv.Serve(countingListener{ln, b})
	t.Cleanup(func() { b.srv.Close() })
	return b
}

// LastRequest returns the last request the backend saw (its headers and
// URL; the body is gone), or nil.
func (b *Backend) LastRequest() *http.Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// Get does one HTTP GET on a new connection, within 3 s, and returns
// status and body.
func Get(url string) (int, string, error) { return GetTimeout(url, 3*time.Second) }

// GetTimeout is Get within timeout.
func GetTimeout(url string, timeout time.Duration) (int, string, error) {
	c := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	r, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	return r.StatusCode, string(b), err
}

// Serves reports whether a GET of url answers 200 right now (within 2 s).
func Serves(url string) bool {
	code, _, err := GetTimeout(url, 2*time.Second)
	return err == nil && code == 200
}

// Socat sends input to a unix (or, for host:port, tcp) socket with real
// socat and returns the answer.
func Socat(t testing.TB, sock, input string) string {
	t.Helper()
	addr := "UNIX-CONNECT:" + sock
	if strings.Contains(sock, ":") && !strings.HasPrefix(sock, "/") {
		addr = "TCP:" + sock
	}
	cmd := exec.Command("socat", "-t", "5", "STDIO", addr)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Logf("socat %s: %v: %s", sock, err, out)
	}
	return string(out)
}

// Dial opens a TCP connection to addr (host:port), failing the test if it
// cannot; the connection is closed when the test ends.
func Dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Datagrams collects what reaches a datagram socket (a syslog target, a
// NOTIFY_SOCKET) until the test ends.
type Datagrams struct {
	pc   net.PacketConn
	mu   sync.Mutex
	msgs []string
}

// ListenDatagrams listens on network ("udp4", "unixgram", ...) at address
// (port 0 for any) and collects every datagram, trailing newlines cut.
func ListenDatagrams(t testing.TB, network, address string) *Datagrams {
	t.Helper()
	pc, err := net.ListenPacket(network, address)
	if err != nil {
		t.Fatalf("listen %s %s: %v", network, address, err)
	}
	d := &Datagrams{pc: pc}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			d.mu.Lock()
			d.msgs = append(d.msgs, strings.TrimRight(string(buf[:n]), "\n"))
			d.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		<-done
	})
	return d
}

// Addr is the address the datagrams are sent to.
func (d *Datagrams) Addr() net.Addr { return d.pc.LocalAddr() }

// All returns the datagrams received so far, in order.
func (d *Datagrams) All() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.msgs...)
}

// Find returns the first datagram that contains substr, or "".
func (d *Datagrams) Find(substr string) string {
	for _, m := range d.All() {
		if strings.Contains(m, substr) {
			return m
		}
	}
	return ""
}

// Has returns a condition for WaitFor: some datagram contains substr.
func (d *Datagrams) Has(substr string) func() bool {
	return func() bool { return d.Find(substr) != "" }
}

// String returns every datagram so far, one a line.
func (d *Datagrams) String() string { return strings.Join(d.All(), "\n") }
