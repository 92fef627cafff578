package stream

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scriptedConn is a client connection whose reads return the given
// pieces one per Read, so a test decides exactly which bytes the proxy
// finds in each read. Once the pieces are used up, Read blocks until
// Close. What the proxy writes is kept.
type scriptedConn struct {
	mu     sync.Mutex
	pieces [][]byte
	out    bytes.Buffer
	wrote  chan struct{} // signalled after each Write
	closed chan struct{}
	once   sync.Once
}

func newScriptedConn(pieces ...[]byte) *scriptedConn {
	return &scriptedConn{pieces: pieces, wrote: make(chan struct{}, 1), closed: make(chan struct{})}
}

func (c *scriptedConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	for len(c.pieces) > 0 && len(c.pieces[0]) == 0 {
		c.pieces = c.pieces[1:]
	}
	if len(c.pieces) == 0 {
		c.mu.Unlock()
		<-c.closed
		return 0, io.EOF
	}
	n := copy(p, c.pieces[0])
	c.pieces[0] = c.pieces[0][n:]
	c.mu.Unlock()
	return n, nil
}

func (c *scriptedConn) Write(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	c.mu.Lock()
	c.out.Write(p)
	c.mu.Unlock()
	select {
	case c.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (c *scriptedConn) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// waitOutput waits until the proxy has written want bytes' worth of
// output (or more), or for 5 s.
func (c *scriptedConn) waitOutput(want int) {
	deadline := time.After(5 * time.Second)
	for len(c.output()) < want {
		select {
		case <-c.wrote:
		case <-deadline:
			return
		}
	}
}

func (c *scriptedConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}
func (c *scriptedConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}
}
func (c *scriptedConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 40000}
}
func (c *scriptedConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptedConn) SetWriteDeadline(time.Time) error { return nil }

// recordingServer is an HTTP/1.1 server that keeps every byte it
// receives, in the order its connections were accepted, and answers each
// request with "METHOD URI" as a Content-Length body.
//
// Two paths misbehave on purpose: /crash closes the connection without
// answering, /silent never answers (and holds the connection until the
// proxy closes it). closed counts the connections the proxy closed.
type recordingServer struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  []*bytes.Buffer
	seen   []string // request lines, in order
	closed atomic.Int64

	idleClose  time.Duration // close a connection idle this long (0: never)
	idleClosed chan struct{} // one value per connection closed so
}

func startRecordingServer(t testing.TB) *recordingServer {
	t.Helper()
	return startIdleClosingServer(t, 0)
}

// startIdleClosingServer starts a recording server that closes
// connections idle for d, as Apache, Node or gunicorn do.
func startIdleClosingServer(t testing.TB, d time.Duration) *recordingServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rs := &recordingServer{ln: ln, idleClose: d, idleClosed: make(chan struct{}, 100)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			rec := &bytes.Buffer{}
			rs.mu.Lock()
			rs.conns = append(rs.conns, rec)
			rs.mu.Unlock()
			go rs.serve(c, rec)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return rs
}

// lockedWriter appends to a buffer under the server's lock.
type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (rs *recordingServer) serve(c net.Conn, rec *bytes.Buffer) {
	defer c.Close()
	br := bufio.NewReader(io.TeeReader(c, lockedWriter{&rs.mu, rec}))
	for {
		if rs.idleClose > 0 {
			c.SetReadDeadline(time.Now().Add(rs.idleClose))
		}
		req, err := http.ReadRequest(br)
		if err != nil {
			rs.closed.Add(1)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				c.Close()
				rs.idleClosed <- struct{}{}
			}
			return
		}
		c.SetReadDeadline(time.Time{})
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			return
		}
		line := req.Method + " " + req.RequestURI
		rs.mu.Lock()
		rs.seen = append(rs.seen, line)
		rs.mu.Unlock()
		switch {
		case strings.HasPrefix(req.RequestURI, "/crash"):
			return
		case strings.HasPrefix(req.RequestURI, "/silent"):
			io.Copy(io.Discard, br)
			rs.closed.Add(1)
			return
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(line), line)
	}
}

// received returns what the server got, its connections concatenated in
// accept order, and the request lines it served.
func (rs *recordingServer) received() (string, []string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var b strings.Builder
	for _, c := range rs.conns {
		b.Write(c.Bytes())
	}
	return b.String(), append([]string(nil), rs.seen...)
}

// serveScripted runs one client connection through the frontend named
// fe, as its accept loop would, and waits for the session to end after
// the client has got wantOut bytes.
func serveScripted(t testing.TB, rt *Process, fe string, c *scriptedConn, wantOut int) {
	t.Helper()
	var f *Frontend
	for _, x := range rt.Frontends() {
		if x.Name == fe {
			f = x
		}
	}
	if f == nil || !rt.takeConn() {
		t.Fatalf("frontend %q cannot take a connection", fe)
	}
	now := time.Now()
	f.sessStart(now)
	rt.wg.Add(1)
	done := make(chan struct{})
	go func() {
		f.serveHTTP(c, now, nil)
		close(done)
	}()
	c.waitOutput(wantOut)
	c.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("session did not end within 5 s of its client closing")
	}
}

// splitCase is a client byte stream, what a correct proxy sends the
// server for it, and what it sends back to the client.
type splitCase struct {
	name      string
	client    string
	toServer  string
	toClient  string
	forbidden string // a request line the server must never see
}

func responseFor(line string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s", len(line), line)
}

func chunk(s string) string { return fmt.Sprintf("%x\r\n%s\r\n", len(s), s) }

// hidden is a request hidden in a body: a proxy that moves pipelined
// bytes over the end of the body makes the server see it.
const hidden = "HEAD / HTTP/1.1\r\nHost: x\r\nX: yyyy\r\n\r\n"

var splitCases = []splitCase{
	{
		// The end of a chunked body and a pipelined request arrive in
		// one read: the body's last bytes must reach the server before
		// the pipelined request is looked at (issue 22 case 1).
		name: "chunked body then pipelined request",
		client: "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
			chunk("hello") + chunk("GET /admin/delete-everything") + "0\r\n\r\n" +
			"GET /b HTTP/1.1\r\nHost: a\r\n\r\n",
		toServer: "POST /up HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n" +
			chunk("hello") + chunk("GET /admin/delete-everything") + "0\r\n\r\n" +
			"GET /b HTTP/1.1\r\nhost: a\r\n\r\n",
		toClient:  responseFor("POST /up") + responseFor("GET /b"),
		forbidden: "GET /admin/delete-everything",
	},
	{
		// A Content-Length body whose last read starts with "HEAD": the
		// response to the POST must still carry its body (issue 22
		// case 2), and the next request must get its own answer.
		name: "body segment starting with HEAD",
		client: fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n", len(hidden)) +
			hidden + "GET /account HTTP/1.1\r\nHost: a\r\n\r\n",
		toServer: fmt.Sprintf("POST /echo HTTP/1.1\r\nhost: a\r\ncontent-length: %d\r\n\r\n", len(hidden)) +
			hidden + "GET /account HTTP/1.1\r\nhost: a\r\n\r\n",
		toClient: responseFor("POST /echo") + responseFor("GET /account"),
	},
	{
		// The same with a chunked body whose last chunk starts with
		// "HEAD".
		name: "chunk starting with HEAD",
		client: "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
			chunk("abc") + chunk(hidden) + "0\r\n\r\n" + "GET /account HTTP/1.1\r\nHost: a\r\n\r\n",
		toServer: "POST /echo HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n" +
			chunk("abc") + chunk(hidden) + "0\r\n\r\n" + "GET /account HTTP/1.1\r\nhost: a\r\n\r\n",
		toClient: responseFor("POST /echo") + responseFor("GET /account"),
	},
}

const splitConfig = `
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind {{fe:fe}}
    http-request deny if { path_beg /admin }
    default_backend be
backend be
    server s1 %s
`

// runSplit sends tc's client stream to a fresh proxy in the given pieces
// and checks what the server and the client got.
func runSplit(t testing.TB, tc splitCase, pieces ...[]byte) {
	t.Helper()
	runSplitConfig(t, splitConfig, tc, pieces...)
}

func runSplitConfig(t testing.TB, cfg string, tc splitCase, pieces ...[]byte) {
	t.Helper()
	cut := lens(pieces)
	srv := startRecordingServer(t)
	rt, _ := startProxy(t, fmt.Sprintf(cfg, srv.ln.Addr()))
	c := newScriptedConn(pieces...)
	serveScripted(t, rt, "fe", c, len(tc.toClient))
	got, seen := srv.received()
	for _, l := range seen {
		if tc.forbidden != "" && l == tc.forbidden {
			t.Errorf("%s %v: the server ran %q", tc.name, cut, l)
		}
	}
	if got != tc.toServer {
		t.Errorf("%s %v: the server got\n%q\nwant\n%q", tc.name, cut, got, tc.toServer)
	}
	if out := c.output(); out != tc.toClient {
		t.Errorf("%s %v: the client got\n%q\nwant\n%q", tc.name, cut, out, tc.toClient)
	}
}

func lens(pieces [][]byte) []int {
	n := make([]int, len(pieces))
	for i, p := range pieces {
		n[i] = len(p)
	}
	return n
}

// TestRequestBodySplitPoints cuts each client stream into every possible
// pair of reads: the server must receive the same bytes and the client
// the same answers whatever the cut (issue 22 cases 1 and 2).
func TestRequestBodySplitPoints(t *testing.T) {
	for _, tc := range splitCases {
		b := []byte(tc.client)
		for i := 1; i < len(b); i++ {
			runSplit(t, tc, append([]byte(nil), b[:i]...), append([]byte(nil), b[i:]...))
			if t.Failed() {
				return
			}
		}
	}
}

// FuzzRequestBodySplit cuts a client stream into three reads at fuzzed
// points.
func FuzzRequestBodySplit(f *testing.F) {
	f.Add(uint8(0), uint16(90), uint16(120))
	f.Add(uint8(1), uint16(60), uint16(96))
	f.Fuzz(func(t *testing.T, which uint8, i, j uint16) {
		tc := splitCases[int(which)%len(splitCases)]
		b := []byte(tc.client)
		a, z := int(i)%(len(b)+1), int(j)%(len(b)+1)
		if a > z {
			a, z = z, a
		}
		runSplit(t, tc, append([]byte(nil), b[:a]...), append([]byte(nil), b[a:z]...), append([]byte(nil), b[z:]...))
	})
}

// TestResponseRulesReadRequestAfterBody checks that http-response rules
// still read the request's own headers after its body was streamed: the
// body is read through a buffer of its own, so it cannot overwrite the
// head that samples point into.
func TestResponseRulesReadRequestAfterBody(t *testing.T) {
	cfg := strings.Replace(splitConfig, "    default_backend be",
		"    http-response set-header x-req %%[method]-%%[req.hdr(host)]-%%[path]\n    default_backend be", 1)
	body := strings.Repeat("Z", 200)
	head := fmt.Sprintf("POST /p HTTP/1.1\r\nHost: example\r\nContent-Length: %d\r\n\r\n", len(body))
	tc := splitCase{
		name:     "response rule after a streamed body",
		client:   head + body,
		toServer: strings.Replace(strings.Replace(head, "Host:", "host:", 1), "Content-Length", "content-length", 1) + body,
		toClient: "HTTP/1.1 200 OK\r\ncontent-length: 7\r\nx-req: POST-example-/p\r\n\r\nPOST /p",
	}
	runSplitConfig(t, cfg, tc, []byte(head), []byte(body))
}
