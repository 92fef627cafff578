package proxy

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// TestIdleConnMemory checks that an idle keep-alive connection holds no
// buffer: Go heap and stack growth per idle connection stays small.
func TestIdleConnMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	be := startBackend(t, "s1", nil)
	_, fe := startProxy(t, fmt.Sprintf(`
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend fe
    bind {{fe:fe}}
    default_backend be
backend be
    http-reuse always
    server s1 %s
`, be.addr()))
	const n = 500
	if os.Getenv("GOHA_MEMPROFILE") != "" {
		runtime.MemProfileRate = 1
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", fe["fe"])
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		var buf [512]byte
		got := 0
		for !strings.HasSuffix(string(buf[:got]), "s1\n") {
			k, err := c.Read(buf[got:])
			if err != nil {
				t.Fatal(err)
			}
			got += k
		}
	}
	time.Sleep(100 * time.Millisecond) // let sessions park (measurement only)
	runtime.ReadMemStats(&m1)
	if p := os.Getenv("GOHA_MEMPROFILE"); p != "" {
		runtime.GC()
		f, _ := os.Create(p)
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
	stack := float64(m1.StackInuse-m0.StackInuse) / n / 1024
	heap := float64(int64(m1.HeapInuse)-int64(m0.HeapInuse)) / n / 1024
	t.Logf("per idle conn (client side and test client together): stack %.1f KiB, heap %.1f KiB", stack, heap)
}
