package harness

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

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
