package dataplane

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// queueAbortCfg: two servers at maxconn 2 behind responders that take
// 100 ms per request, stats socket and log for the checks.
func queueAbortCfg(fe, sock, logAddr string, s1, s2 *harness.Backend) string {
	return fmt.Sprintf(`
global
    maxconn 1000
    stats socket %s level admin
defaults
    mode http
    log %s local0
    option httplog
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    timeout queue 5s
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s maxconn 2
    server s2 %s maxconn 2
`, sock, logAddr, fe, s1.Addr, s2.Addr)
}

// queueFigures is what the scenario of issue 23 measured.
type queueFigures struct {
	answered  int           // answers the pipelining clients got
	qcurAfter int64         // backend qcur 1 s after they all closed
	drained   time.Duration // how soon after they closed qcur was 0 (-1: not within 1 s)
	statuses  map[int]int   // the fresh burst's statuses
	slowest   time.Duration // the burst's slowest answer
}

func (f queueFigures) String() string {
	drained := "not 0 within 1 s"
	if f.drained >= 0 {
		drained = "0 after " + f.drained.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("%d answers to the pipelining clients; qcur %d 1 s after they closed (%s); fresh burst: statuses %v, slowest %v",
		f.answered, f.qcurAfter, drained, f.statuses, f.slowest.Round(time.Millisecond))
}

// pipeline runs a wrk-style pipelining client on fe until stop: depth
// requests sent at once, their answers read, again. It adds the answers it
// read to n and closes its connection when stop closes.
func pipeline(fe string, depth int, stop <-chan struct{}, n *int64, mu *sync.Mutex) {
	c, err := net.Dial("tcp", fe)
	if err != nil {
		return
	}
	go func() { <-stop; c.Close() }()
	batch := bytes.Repeat([]byte("GET /slow?ms=100 HTTP/1.1\r\nHost: x\r\n\r\n"), depth)
	br := bufio.NewReader(c)
	for {
		if _, err := c.Write(batch); err != nil {
			return
		}
		for range depth {
			if _, _, err := readResp(br); err != nil {
				return
			}
			mu.Lock()
			*n++
			mu.Unlock()
		}
	}
}

// backendQcur reads the backend's qcur from `show stat`.
func backendQcur(t *testing.T, sock string) int64 {
	t.Helper()
	for _, line := range strings.Split(harness.Socat(t, sock, "show stat\n"), "\n") {
		if f := strings.Split(line, ","); len(f) > 3 && f[0] == "be" && f[1] == "BACKEND" {
			n, _ := strconv.ParseInt(f[2], 10, 64)
			return n
		}
	}
	t.Fatal("no show stat row be,BACKEND")
	return 0
}

// runQueueAbort runs the scenario against a started proxy.
func runQueueAbort(t *testing.T, fe, sock string) queueFigures {
	var fig queueFigures
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var answered int64
	for range 64 {
		wg.Add(1)
		go func() { defer wg.Done(); pipeline(fe, 8, stop, &answered, &mu) }()
	}
	time.Sleep(3 * time.Second) // the load lasts 3 s
	close(stop)
	wg.Wait()
	closed := time.Now()
	mu.Lock()
	fig.answered = int(answered)
	mu.Unlock()
	fig.drained = -1
	for time.Since(closed) < time.Second {
		if backendQcur(t, sock) == 0 {
			fig.drained = time.Since(closed)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	fig.qcurAfter = backendQcur(t, sock)

	type res struct {
		status int
		took   time.Duration
	}
	out := make(chan res, 64)
	for range 64 {
		go func() {
			t0 := time.Now()
			st, _, err := harness.GetTimeout("http://"+fe+"/slow?ms=100", 15*time.Second)
			if err != nil {
				st = -1
			}
			out <- res{st, time.Since(t0)}
		}()
	}
	fig.statuses = map[int]int{}
	for range 64 {
		r := <-out
		fig.statuses[r.status]++
		fig.slowest = max(fig.slowest, r.took)
	}
	return fig
}

// TestQueuedRequestsOfGoneClientsLeave (issue 23): 64 connections
// pipelining through two servers at maxconn 2 fill the backend queue;
// when they all close, their queued requests leave at once (qcur 0 within
// 1 s, logged CQ) instead of holding the queue, and a fresh burst of 64
// requests is served in the time the servers need (16 rounds of 100 ms),
// every answer a 200. goha used to keep ~60 requests of the gone clients
// queued and serve them first.
//
// With GOHA_COMPARE_HAPROXY=1 the same scenario also runs on
// /usr/sbin/haproxy and its figures are logged (HAProxy 2.6 without
// `option abortonclose` keeps the requests of gone clients queued).
func TestQueuedRequestsOfGoneClientsLeave(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", nil)
	s2 := harness.NewBackend(t, "s2", nil)
	run := func(bin string) (queueFigures, *harness.Datagrams) {
		logs := harness.ListenDatagrams(t, "udp4", "127.0.0.1:0")
		dir := t.TempDir()
		fe, sock := harness.FreeAddr(t), filepath.Join(dir, "stats.sock")
		cfg := harness.WriteFile(t, dir, "q.cfg", queueAbortCfg(fe, sock, logs.Addr().String(), s1, s2))
		p := harness.StartBin(t, bin, dir, nil, "-db", "-f", cfg)
		p.WaitListening(t, 10*time.Second, fe)
		fig := runQueueAbort(t, fe, sock)
		return fig, logs
	}
	if os.Getenv("GOHA_COMPARE_HAPROXY") != "" {
		if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
			hf, _ := run("/usr/sbin/haproxy")
			t.Logf("haproxy: %v", hf)
		}
	}
	fig, logs := run(harness.Bin(t))
	t.Logf("goha: %v", fig)
	if fig.answered == 0 {
		t.Fatal("the pipelining clients got no answer: the load never ran")
	}
	if fig.drained < 0 {
		t.Errorf("qcur %d one second after every client closed; want 0 (their queued requests leave)", fig.qcurAfter)
	}
	// 64 requests on 4 slots of 100 ms: 1.6 s, plus a second of slack.
	if fig.statuses[200] != 64 || fig.slowest > 2600*time.Millisecond {
		t.Errorf("fresh burst of 64: statuses %v, slowest %v; want 64x200 within 2.6 s", fig.statuses, fig.slowest.Round(time.Millisecond))
	}
	if !harness.Eventually(2*time.Second, logs.Has(" CQ")) {
		t.Errorf("no request logged with CQ; log:\n%s", lastLines(logs.String(), 5))
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	l := strings.Split(s, "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}
