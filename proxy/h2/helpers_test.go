package h2

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// testServer serves h2c on 127.0.0.1 with ServeConn and handler h.
type testServer struct {
	ln     net.Listener
	cancel context.CancelFunc
	wg     sync.WaitGroup
	addr   string
}

func startServer(t testing.TB, opts Options, h func(net.Conn)) *testServer {
	t.Helper()
	return startServerTuned(t, opts, h, nil)
}

// startServerTuned is startServer with tune applied to each accepted
// connection.
func startServerTuned(t testing.TB, opts Options, h func(net.Conn), tune func(*net.TCPConn)) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{ln: ln, cancel: cancel, addr: ln.Addr().String()}
	ts.wg.Add(1)
	go func() {
		defer ts.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if tune != nil {
				tune(c.(*net.TCPConn))
			}
			ts.wg.Add(1)
			go func() {
				defer ts.wg.Done()
				ServeConn(ctx, c, opts, h)
			}()
		}
	}()
	t.Cleanup(ts.close)
	return ts
}

func (ts *testServer) close() {
	ts.ln.Close()
	ts.cancel()
	ts.wg.Wait()
}

// echoH1 reads one HTTP/1.1 request from vc and answers with its request
// line, Host, cookie and body length, as an HTTP/1.1 server would.
func echoH1(vc net.Conn) {
	br := bufio.NewReader(vc)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	out := fmt.Sprintf("%s %s host=%s cookie=%q len=%d te=%q trailer=%q\n", req.Method, req.RequestURI, req.Host,
		req.Header.Get("Cookie"), len(body), req.TransferEncoding, req.Trailer.Get("X-T"))
	fmt.Fprintf(vc, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\nContent-Length: %d\r\n\r\n%s", len(out), out)
}

// h2cClient returns an x/net/http2 client speaking h2c with prior
// knowledge.
func h2cClient() (*http.Client, *http2.Transport) {
	tr := &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}, tr
}

func mustBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var _ = strings.Contains
