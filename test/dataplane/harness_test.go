package dataplane

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var gohaBin string

func TestMain(m *testing.M) {
	gohaBin = os.Getenv("GOHA_BIN")
	var tmp string
	if gohaBin == "" {
		var err error
		tmp, err = os.MkdirTemp("", "goha-dataplane")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		gohaBin = filepath.Join(tmp, "goha")
		cmd := exec.Command("go", "build", "-o", gohaBin, "github.com/goha/goha/cmd/goha")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building goha: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	if tmp != "" {
		os.RemoveAll(tmp)
	}
	os.Exit(code)
}

// backend is a test server that counts accepted connections and
// requests, and answers with its name.
type backend struct {
	name     string
	ln       net.Listener
	srv      *http.Server
	accepts  atomic.Int64
	requests atomic.Int64
	mu       sync.Mutex
	last     *http.Request // last request seen (headers only)
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// newBackend starts a backend; h, if not nil, handles requests after
// counting (default: "NAME\n" with X-Server: NAME).
func newBackend(t *testing.T, name string, h http.HandlerFunc) *backend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{name: name, ln: ln}
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.requests.Add(1)
		b.mu.Lock()
		b.last = r
		b.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Server", name)
		io.WriteString(w, name+"\n")
	})}
	go b.srv.Serve(countingListener{ln, &b.accepts})
	t.Cleanup(func() { b.srv.Close() })
	return b
}

func (b *backend) addr() string { return b.ln.Addr().String() }

func (b *backend) lastRequest() *http.Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// freePort returns a loopback address nobody listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().String()
	ln.Close()
	return a
}

// goha runs the binary on a config; fes are the frontend addresses to
// wait for.
type goha struct {
	cmd *exec.Cmd
	out *strings.Builder
}

func startGoha(t *testing.T, cfg string, fes ...string) *goha {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "goha.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	g := &goha{out: &strings.Builder{}}
	g.cmd = exec.Command(gohaBin, "-db", "-f", path)
	g.cmd.Stdout = g.out
	g.cmd.Stderr = g.out
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { g.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		g.cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("goha output:\n%s", g.out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for _, a := range fes {
		for {
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-exited:
				t.Fatalf("goha exited: %s", g.out.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("goha does not listen on %s: %s", a, g.out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return g
}

const defaults = `
global
    maxconn 1000
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
`

// get does one request with a fresh connection and returns status and
// body.
func get(t *testing.T, url string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if strings.EqualFold(hdr[i], "host") {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// sequence does n GETs and returns the trimmed bodies joined by ",".
func sequence(t *testing.T, url string, n int) string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		_, body, _ := get(t, url)
		out = append(out, strings.TrimSpace(body))
	}
	return strings.Join(out, ",")
}

// raw sends bytes on a new connection and returns everything read until
// the server closes or wait expires.
func raw(t *testing.T, addr, req string, wait time.Duration) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	io.WriteString(c, req)
	b, _ := io.ReadAll(c)
	return string(b)
}

// readResp reads one response from br.
func readResp(br *bufio.Reader) (*http.Response, string, error) {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
