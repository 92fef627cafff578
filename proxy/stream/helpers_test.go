package stream

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha/goha/config"
	"github.com/rs/zerolog"
)

// backend is a test HTTP server counting accepted connections.
type backend struct {
	ln      net.Listener
	srv     *http.Server
	accepts atomic.Int64
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

func startBackend(t testing.TB, name string, h http.HandlerFunc) *backend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{ln: ln}
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("X-Server", name)
			io.WriteString(w, name+"\n")
		}
	}
	b.srv = &http.Server{Handler: h}
	go b.srv.Serve(countingListener{ln, &b.accepts})
	t.Cleanup(func() { b.srv.Close() })
	return b
}

func (b *backend) addr() string { return b.ln.Addr().String() }

// startProxy parses cfgText, binds every {{fe:NAME}} placeholder on a
// 127.0.0.1:0 port and every {{unix:NAME}} on a unix socket in a
// temporary directory, starts a Process and returns it with the
// addresses (or paths) by NAME.
func startProxy(t testing.TB, cfgText string) (*Process, map[string]string) {
	t.Helper()
	ports := map[string]string{}
	lns := map[string]net.Listener{}
	bind := func(prefix, network string, addr func(name string) string) {
		for name := range placeholders(cfgText, prefix) {
			ln, err := net.Listen(network, addr(name))
			if err != nil {
				t.Fatal(err)
			}
			a := ln.Addr().String()
			ports[name] = a
			lns[network+":"+a] = ln
			cfgText = strings.ReplaceAll(cfgText, prefix+name+"}}", a)
		}
	}
	dir := ""
	if strings.Contains(cfgText, "{{unix:") {
		dir = t.TempDir()
	}
	bind("{{unix:", "unix", func(name string) string { return filepath.Join(dir, name+".sock") })
	bind("{{fe:", "tcp", func(string) string { return "127.0.0.1:0" })
	cfg, err := config.Parse([]config.Source{{Name: "test.cfg", Data: []byte(cfgText)}}, config.ParseOptions{})
	if err != nil {
		t.Fatalf("config.Parse: %v\n%s", err, cfgText)
	}
	rt, err := New(cfg, Options{Log: zerolog.Nop()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := rt.Start(lns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rt.HardStop()
		select {
		case <-rt.Done():
		case <-time.After(5 * time.Second):
			t.Error("runtime did not stop within 5s")
		}
	})
	return rt, ports
}

// rawRequest sends raw bytes and returns the whole answer until EOF or
// timeout.
func rawRequest(t testing.TB, addr, req string, wait time.Duration) string {
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

// readResponse reads one HTTP response from br.
func readResponse(br *bufio.Reader) (*http.Response, string, error) {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

func sprintf(f string, a ...any) string { return fmt.Sprintf(f, a...) }
