package stream

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

const testDefaults = `
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
`

// TestSoftStopKeepAlive: after SoftStop, the next request on an idle
// keep-alive connection is answered with "connection: close" and the
// connection is then closed; Done fires once it has ended.
func TestSoftStopKeepAlive(t *testing.T) {
	be := startBackend(t, "s1", nil)
	rt, fe := startProxy(t, testDefaults+fmt.Sprintf("frontend fe\n    bind {{fe:fe}}\n    default_backend be\nbackend be\n    server s1 %s\n", be.addr()))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, _, err := readResponse(br); err != nil {
		t.Fatal(err)
	}
	rt.SoftStop()
	if _, err := net.DialTimeout("tcp", fe["fe"], time.Second); err == nil {
		t.Error("still accepting after SoftStop")
	}
	select {
	case <-rt.Done():
		t.Fatal("Done before the idle keep-alive connection ended")
	default:
	}
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, body, err := readResponse(br)
	if err != nil || body != "s1\n" || !resp.Close {
		t.Fatalf("request after soft stop: %v %q %v; want s1 with connection: close", resp, body, err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("connection not closed after the last response: %v", err)
	}
	select {
	case <-rt.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after the last connection ended")
	}
}

// TestTCPConnectionRules: tcp-request connection reject by source.
func TestTCPConnectionRules(t *testing.T) {
	be := startBackend(t, "s1", nil)
	_, fe := startProxy(t, testDefaults+fmt.Sprintf("frontend fe\n    bind {{fe:fe}}\n    tcp-request connection reject if { src 127.0.0.0/8 }\n    default_backend be\nfrontend ok\n    bind {{fe:ok}}\n    tcp-request connection accept if { src 127.0.0.0/8 }\n    tcp-request connection reject\n    default_backend be\nbackend be\n    server s1 %s\n", be.addr()))
	if got := rawRequest(t, fe["fe"], "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2*time.Second); got != "" {
		t.Errorf("rejected connection got %q; want nothing", got)
	}
	if got := rawRequest(t, fe["ok"], "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2*time.Second); !strings.HasSuffix(got, "s1\n") {
		t.Errorf("accepted connection got %q", got)
	}
}

// TestErrorfile: an errorfile replaces the built-in page, lowercased.
func TestErrorfile(t *testing.T) {
	rt, _ := startProxy(t, testDefaults+"frontend fe\n    bind {{fe:fe}}\n    http-request deny\n")
	f := rt.FindFrontend("fe")
	if f == nil || f.reqRules[0].Page == nil {
		t.Fatal("no deny page")
	}
	if !strings.HasPrefix(string(f.reqRules[0].Page), "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\n") {
		t.Errorf("deny page %q", f.reqRules[0].Page)
	}
}

// TestRuntimeAPI: admin state, weight and address changes.
func TestRuntimeAPI(t *testing.T) {
	b1 := startBackend(t, "s1", nil)
	b2 := startBackend(t, "s2", nil)
	rt, fe := startProxy(t, testDefaults+fmt.Sprintf("frontend fe\n    bind {{fe:fe}}\n    default_backend be\nbackend be\n    server s1 %s\n    server s2 127.0.0.1:1\n", b1.addr()))
	be := rt.FindBackend("be")
	s2 := be.FindServer("s2")
	if be == nil || s2 == nil {
		t.Fatal("FindBackend/FindServer")
	}
	s2.SetAdminState(AdminMaint)
	for i := 0; i < 3; i++ {
		got := rawRequest(t, fe["fe"], "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2*time.Second)
		if !strings.HasSuffix(got, "s1\n") {
			t.Fatalf("with s2 in maint got %q", got)
		}
	}
	ap := netip.MustParseAddrPort(b2.addr())
	if err := s2.SetAddr(ap.Addr().String(), int(ap.Port())); err != nil {
		t.Fatal(err)
	}
	s2.SetAdminState(AdminReady)
	be.FindServer("s1").SetAdminState(AdminDrain)
	got := rawRequest(t, fe["fe"], "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2*time.Second)
	if !strings.HasSuffix(got, "s2\n") {
		t.Errorf("with s1 draining and s2 moved got %q", got)
	}
	if err := s2.SetWeight(300); err == nil {
		t.Error("SetWeight(300) accepted")
	}
}

// BenchmarkHTTPKeepAlive measures a proxied keep-alive request in
// process (client, proxy and backend share the CPU) and its allocations:
// the proxy allocates nothing per request in steady state.
func BenchmarkHTTPKeepAlive(b *testing.B) {
	// A minimal backend: fixed answer per request, no net/http.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				buf := make([]byte, 4096)
				answer := []byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n")
				n := 0
				for {
					k, err := c.Read(buf[n:])
					if err != nil {
						return
					}
					n += k
					for {
						i := bytes.Index(buf[:n], []byte("\r\n\r\n"))
						if i < 0 {
							break
						}
						c.Write(answer)
						n = copy(buf, buf[i+4:n])
					}
				}
			}(c)
		}
	}()
	_, fe := startProxy(b, testDefaults+fmt.Sprintf("frontend fe\n    bind {{fe:fe}}\n    default_backend be\nbackend be\n    server s1 %s\n", ln.Addr()))
	c, err := net.Dial("tcp", fe["fe"])
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: bench\r\n\r\n")
	resp := make([]byte, 4096)
	want := len("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Write(req)
		got := 0
		for got < want {
			k, err := c.Read(resp[got:])
			if err != nil {
				b.Fatal(err)
			}
			got += k
		}
	}
}
