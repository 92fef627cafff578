package http2

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/goha/goha/test/harness"
)

// rawConn is an HTTP/2 connection driven frame by frame.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	fr *http2.Framer
}

func dialRaw(t *testing.T, addr string) *rawConn {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(15 * time.Second))
	nc.Write([]byte(http2.ClientPreface))
	fr := http2.NewFramer(nc, nc)
	fr.WriteSettings()
	return &rawConn{t: t, nc: nc, fr: fr}
}

// block encodes a GET request's header block, with extra fields.
func block(authority string, extra ...hpack.HeaderField) []byte {
	var b bytes.Buffer
	e := hpack.NewEncoder(&b)
	for _, f := range append([]hpack.HeaderField{
		{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"},
		{Name: ":path", Value: "/"}, {Name: ":authority", Value: authority},
	}, extra...) {
		e.WriteField(f)
	}
	return b.Bytes()
}

// readUntilGoAway reads frames until GOAWAY or the end of the
// connection; it returns the GOAWAY's code (or -1) and whether the
// connection ended.
func (c *rawConn) readUntilGoAway() (code int, closed bool) {
	for {
		f, err := c.fr.ReadFrame()
		if err != nil {
			return -1, true
		}
		if g, ok := f.(*http2.GoAwayFrame); ok {
			return int(g.ErrCode), false
		}
	}
}

// served asks goha for / over a fresh h2c connection.
func served(addr string) bool {
	resp, err := h2cClient().Get("http://" + addr + "/")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// TestH2Abuse: rapid reset, a CONTINUATION flood, an HPACK bomb and a
// PING flood whose answers are never read are each cut short, and the
// same process keeps serving other clients.
func TestH2Abuse(t *testing.T) {
	s := newSetup(t, "-db")
	pid := s.proc.Pid()

	t.Run("rapid reset", func(t *testing.T) {
		before := s.backend.Requests.Load()
		c := dialRaw(t, s.h2c)
		blk := block(s.h2c)
		go func() {
			for id := uint32(1); id < 40000; id += 2 {
				if c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: blk, EndStream: true, EndHeaders: true}) != nil ||
					c.fr.WriteRSTStream(id, http2.ErrCodeCancel) != nil {
					return
				}
			}
		}()
		code, _ := c.readUntilGoAway()
		if code != int(http2.ErrCodeEnhanceYourCalm) {
			t.Errorf("rapid reset: GOAWAY code %d; want ENHANCE_YOUR_CALM", code)
		}
		c.nc.Close()
		got := s.backend.Requests.Load() - before
		t.Logf("rapid reset: %d requests reached the server", got)
		if got > 1000 {
			t.Errorf("rapid reset: %d requests reached the server; want few", got)
		}
	})

	t.Run("continuation flood", func(t *testing.T) {
		c := dialRaw(t, s.h2c)
		c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(s.h2c)})
		chunk := bytes.Repeat(block(s.h2c, hpack.HeaderField{Name: "x-flood", Value: strings.Repeat("a", 100)})[len(block(s.h2c)):], 100)
		var sent atomic.Int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			for sent.Load() < 64<<20 {
				if c.fr.WriteContinuation(1, false, chunk) != nil {
					return
				}
				sent.Add(int64(len(chunk)))
			}
		}()
		_, _ = c.readUntilGoAway()
		c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, c.nc) // until goha closes
		<-done
		if n := sent.Load(); n >= 16<<20 {
			t.Errorf("continuation flood: %d bytes taken before the connection closed; want < 16 MiB", n)
		}
	})

	t.Run("hpack bomb", func(t *testing.T) {
		c := dialRaw(t, s.h2c)
		var b bytes.Buffer
		e := hpack.NewEncoder(&b)
		b.Write(block(s.h2c))
		e.WriteField(hpack.HeaderField{Name: "x-bomb", Value: strings.Repeat("b", 4000)})
		for i := 0; i < 12000; i++ {
			b.WriteByte(0xbe) // indexed: the first dynamic entry, x-bomb again
		}
		blk := b.Bytes() // Huffman makes it fit one frame
		c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk[:len(blk)/2], EndStream: true})
		c.fr.WriteContinuation(1, true, blk[len(blk)/2:])
		refused := false
		for !refused {
			f, err := c.fr.ReadFrame()
			if err != nil {
				refused = true // closed
				break
			}
			switch f := f.(type) {
			case *http2.GoAwayFrame, *http2.RSTStreamFrame:
				refused = true
			case *http2.HeadersFrame:
				refused = !bytes.HasPrefix(f.HeaderBlockFragment(), []byte{0x88}) // not a plain 200
				if !refused {
					t.Errorf("hpack bomb: answered 200")
				}
				refused = true
			}
		}
	})

	t.Run("ping flood", func(t *testing.T) {
		c := dialRaw(t, s.h2c)
		var taken int64
		deadline := time.Now().Add(3 * time.Second)
		c.nc.SetWriteDeadline(deadline)
		for time.Now().Before(deadline) {
			if c.fr.WritePing(false, [8]byte{1}) != nil || c.fr.WriteSettings() != nil {
				break
			}
			taken += 26
		}
		t.Logf("ping flood: %d KiB taken, never reading the answers", taken>>10)
	})

	if !harness.Alive(pid) || !served(s.h2c) {
		t.Fatalf("after the attacks: process alive %v, serving %v", harness.Alive(pid), served(s.h2c))
	}
}

// TestH2Spec runs h2spec (strict) against the h2c bind when installed.
func TestH2Spec(t *testing.T) {
	bin, err := exec.LookPath("h2spec")
	if err != nil {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, "go", "bin", "h2spec")
		if _, err := os.Stat(bin); err != nil {
			t.Skip("h2spec not installed (go install github.com/summerwind/h2spec/cmd/h2spec@latest)")
		}
	}
	s := newSetup(t, "-db")
	host, port, _ := net.SplitHostPort(s.h2c)
	out, _ := exec.Command(bin, "-h", host, "-p", port, "-S", "-P", "/big", "-o", "3").CombinedOutput()
	summary := ""
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, " tests, ") {
			summary = l
		}
	}
	if !strings.Contains(summary, " 0 failed") || strings.Contains(summary, " 0 passed") {
		t.Fatalf("h2spec: %q\n%s", summary, out)
	}
	t.Log(summary)
}

// TestH2GoAwayOnReload: under a master-worker reload (SIGUSR2) the old
// worker sends GOAWAY, its in-flight streams finish, new streams go to
// the new worker, and h2 clients see no failed request.
func TestH2GoAwayOnReload(t *testing.T) {
	s := newSetup(t, "-W")
	master := s.proc
	workers := func() []int { return harness.Children(master.Pid()) }
	harness.WaitFor(t, 10*time.Second, "a worker", func() bool { return len(workers()) == 1 })
	old := workers()[0]

	// A held connection with a slow request in flight over the reload.
	cl := h2cClient()
	slow := make(chan error, 1)
	go func() {
		resp, err := cl.Get("http://" + s.h2c + "/slow?ms=1500")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != 200 {
				err = errors.New(resp.Status)
			}
		}
		slow <- err
	}()

	harness.WaitFor(t, 5*time.Second, "the slow request at the server", func() bool { return s.backend.Requests.Load() >= 1 })
	var fails, oks atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := cl.Get("http://" + s.h2c + "/")
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = errors.New(resp.Status)
					}
				}
				if err != nil {
					fails.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				} else {
					oks.Add(1)
				}
			}
		}()
	}
	master.Signal(syscall.SIGUSR2)
	harness.WaitFor(t, 20*time.Second, "the old worker to exit", func() bool { return !harness.Alive(old) })
	close(stop)
	wg.Wait()
	if err := <-slow; err != nil {
		t.Errorf("the request in flight over the reload failed: %v", err)
	}
	if fails.Load() != 0 || oks.Load() == 0 {
		t.Errorf("across the reload: %d ok, %d failed (first: %v); want 0 failed", oks.Load(), fails.Load(), firstErr.Load())
	}
}
