package harness

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// LoadStats are the counts of a load run.
type LoadStats struct {
	Requests int64
	Errors   int64
	// FirstErrors are the first few errors, for the failure message.
	FirstErrors []string
}

// String sums the run up for a log or failure message.
func (s LoadStats) String() string {
	return fmt.Sprintf("%d requests, %d errors %q", s.Requests, s.Errors, s.FirstErrors)
}

// Load sends GET / to addr (host:port) from clients goroutines until stop
// is closed, then sends the counts on the channel it returned. keepAlive:
// each client keeps its connection open and reconnects only when the
// server says `Connection: close` or closes it between responses;
// otherwise every request has its own connection and says `Connection:
// close`. Like wrk, nothing is retried: a refused or reset connection, a
// failed read or a non-2xx answer is an error.
func Load(addr string, clients int, keepAlive bool, stop <-chan struct{}) <-chan LoadStats {
	perConn := 0
	if !keepAlive {
		perConn = 1
	}
	return LoadPerConn(addr, clients, perConn, stop)
}

// LoadPerConn is Load whose clients close each connection themselves
// after perConn requests (0: never; 1: one request per connection, sent
// with `Connection: close`). Through a TCP-mode frontend, which cannot end
// a connection between two requests at a soft stop, a bounded perConn is
// what lets an old worker drain.
func LoadPerConn(addr string, clients, perConn int, stop <-chan struct{}) <-chan LoadStats {
	keepAlive := perConn != 1
	out := make(chan LoadStats, 1)
	var reqs, errs atomic.Int64
	var mu sync.Mutex
	var first []string
	fail := func(err error) {
		errs.Add(1)
		mu.Lock()
		if len(first) < 5 {
			first = append(first, err.Error())
		}
		mu.Unlock()
	}
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"
	if !keepAlive {
		req = "GET / HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n"
	}
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loadClient(addr, req, perConn, stop, &reqs, fail)
		}()
	}
	go func() {
		wg.Wait()
		mu.Lock()
		out <- LoadStats{Requests: reqs.Load(), Errors: errs.Load(), FirstErrors: first}
		mu.Unlock()
	}()
	return out
}

// loadClient is one of Load's clients: it sends req until stop is
// closed, at most perConn requests per connection (0: no limit).
func loadClient(addr, req string, perConn int, stop <-chan struct{}, reqs *atomic.Int64, fail func(error)) {
	var conn net.Conn
	var br *bufio.Reader
	sent := 0
	drop := func() {
		if conn != nil {
			conn.Close()
			conn = nil
		}
		sent = 0
	}
	defer drop()
	for {
		select {
		case <-stop:
			return
		default:
		}
		if conn == nil {
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				fail(fmt.Errorf("connect: %w", err))
				time.Sleep(time.Millisecond) // no busy loop on a closed port
				continue
			}
			conn, br = c, bufio.NewReader(c)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		closeAfter, err := exchange(conn, br, req)
		reqs.Add(1)
		sent++
		if err != nil {
			fail(err)
			drop()
			continue
		}
		if closeAfter || perConn > 0 && sent >= perConn {
			drop()
		}
	}
}

// exchange writes one request and reads its response; closeAfter says the
// server closes the connection after it.
func exchange(conn net.Conn, br *bufio.Reader, req string) (closeAfter bool, err error) {
	if _, err := io.WriteString(conn, req); err != nil {
		return false, fmt.Errorf("write: %w", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return false, fmt.Errorf("read: %w", err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return false, fmt.Errorf("read body: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.Close, fmt.Errorf("status %d", resp.StatusCode)
	}
	return resp.Close, nil
}
