package h2

import (
	"bytes"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// idleConnBytes opens n connections that each make one request and then
// stay idle, and returns the server's heap and stack growth per
// connection.
func idleConnBytes(t testing.TB, n int) (heap, stack float64) {
	ts := startServer(t, Options{}, okH1)
	var hb, out bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "h"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr := http2.NewFramer(&out, nil)
	out.WriteString(Preface)
	fr.WriteSettings()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	hello := out.Bytes()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	conns := make([]net.Conn, 0, n)
	buf := make([]byte, 4096)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.Write(hello)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		var got []byte
		for !bytes.Contains(got, []byte("ok")) { // the DATA frame's payload
			k, err := c.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, buf[:k]...)
		}
	}
	time.Sleep(50 * time.Millisecond) // let the handlers' goroutines end
	runtime.GC()
	runtime.ReadMemStats(&m1)
	if p := os.Getenv("H2_HEAP_PROFILE"); p != "" {
		f, _ := os.Create(p)
		pprof.WriteHeapProfile(f)
		f.Close()
	}
	for _, c := range conns {
		c.Close()
	}
	// Signed: the heap of the first measure may hold garbage since freed.
	return float64(int64(m1.HeapInuse)-int64(m0.HeapInuse)) / float64(n),
		float64(int64(m1.StackInuse)-int64(m0.StackInuse)) / float64(n)
}

// TestIdleConnMemory bounds what an idle connection costs the server
// (HAProxy 2.6: about 6 KiB of RSS per idle h2c connection).
func TestIdleConnMemory(t *testing.T) {
	heap, stack := idleConnBytes(t, 300)
	t.Logf("per idle connection: heap %.0f B, stack %.0f B", heap, stack)
	if heap > 7000 {
		t.Errorf("an idle connection holds %.0f B of heap, want at most 7000 (no I/O buffer while idle)", heap)
	}
}
