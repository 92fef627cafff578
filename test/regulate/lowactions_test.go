package regulate

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// backendQcur returns the qcur column of a backend's BACKEND row in
// `show stat`.
func backendQcur(t *testing.T, sock, be string) string {
	for _, l := range strings.Split(harness.Socat(t, sock, "show stat\n"), "\n") {
		if f := strings.Split(l, ","); len(f) > 3 && f[0] == be && f[1] == "BACKEND" {
			return f[2]
		}
	}
	return ""
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestPriorityClassOrdersQueue: with the server taking one request at a
// time, a request given set-priority-class -10 that queued last is
// served before the three that queued before it, and prio_class reads
// its class back.
func TestPriorityClassOrdersQueue(t *testing.T) {
	gate := make(chan struct{})
	var mu sync.Mutex
	var arrivals []string
	be := harness.NewBackend(t, "slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, strings.TrimPrefix(r.URL.Path, "/"))
		mu.Unlock()
		if r.URL.Path == "/r0" {
			<-gate
		}
		io.WriteString(w, r.URL.Path)
	}))
	fe := harness.FreeAddr(t)
	sock := start(t, fmt.Sprintf(`frontend pq
    bind %s
    http-request set-priority-class int(-10) if { hdr(X-VIP) -m found }
    http-request set-priority-offset int(5) if { path /n3 }
    http-response set-header X-Prio %%[prio_class]/%%[prio_offset]
    default_backend be_prio
backend be_prio
    timeout queue 10s
    server slow %s maxconn 1
`, fe, be.Addr), fe)
	var wg sync.WaitGroup
	prio := map[string]string{}
	get := func(name string, vip bool) {
		defer wg.Done()
		req, _ := http.NewRequest("GET", "http://"+fe+"/"+name, nil)
		if vip {
			req.Header.Set("X-VIP", "1")
		}
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 15 * time.Second}
		resp, err := c.Do(req)
		if err != nil {
			t.Errorf("GET /%s: %v", name, err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		mu.Lock()
		prio[name] = resp.Header.Get("X-Prio")
		mu.Unlock()
	}
	wg.Add(1)
	go get("r0", false)
	waitFor(t, "r0 at the server", func() bool { mu.Lock(); defer mu.Unlock(); return len(arrivals) == 1 })
	for i, n := range []string{"n1", "n2", "n3", "vip"} {
		wg.Add(1)
		go get(n, n == "vip")
		want := fmt.Sprint(i + 1)
		waitFor(t, "queue of "+want, func() bool { return backendQcur(t, sock, "be_prio") == want })
	}
	close(gate)
	wg.Wait()
	if got := strings.Join(arrivals, ","); got != "r0,vip,n1,n2,n3" {
		t.Errorf("server saw %s; want r0,vip,n1,n2,n3 (the VIP first once r0 is done)", got)
	}
	if prio["vip"] != "-10/0" || prio["n1"] != "0/0" || prio["n3"] != "0/5" {
		t.Errorf("X-Prio = vip:%s n1:%s n3:%s; want -10/0, 0/0, 0/5", prio["vip"], prio["n1"], prio["n3"])
	}
}

// ssLine holds a connection to addr (after one keep-alive request when
// req) and returns ss's line for the proxy's end of it.
func ssLine(t *testing.T, addr string, req bool) string {
	t.Helper()
	if _, err := exec.LookPath("ss"); err != nil {
		t.Skip("ss (iproute2) is not installed")
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if req {
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		buf := make([]byte, 12)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "HTTP/1.1 200" {
			t.Fatalf("answer %q, %v", buf, err)
		}
	}
	_, port, _ := net.SplitHostPort(addr)
	local := c.LocalAddr().String()
	var line string
	waitFor(t, "the accepted socket in ss", func() bool {
		out, _ := exec.Command("ss", "-teHn", "--tos", "state", "established", "( sport = :"+port+" )").Output()
		for _, l := range strings.Split(string(out), "\n") {
			if strings.Contains(l, " "+local+" ") {
				line = l
				return !req || strings.Contains(l, "tos:0x")
			}
		}
		return false
	})
	return line
}

// field returns the word of line that starts with prefix.
func field(line, prefix string) string {
	for _, w := range strings.Fields(line) {
		if strings.HasPrefix(w, prefix) {
			return w
		}
	}
	return ""
}

// TestSetMarkAndTos: http-request and tcp-request connection set-mark
// and set-tos mark the proxy's end of the client connection (SO_MARK
// needs CAP_NET_ADMIN: the mark is checked only as root).
func TestSetMarkAndTos(t *testing.T) {
	be := harness.NewBackend(t, "s1", nil)
	fe1, fe2 := harness.FreeAddr(t), harness.FreeAddr(t)
	start(t, fmt.Sprintf(`frontend mk
    bind %s
    http-request set-mark 0x2a
    http-request set-tos 0x10
    default_backend be
frontend mc
    bind %s
    tcp-request connection set-mark 43
    tcp-request connection set-tos 0x20
    default_backend be
backend be
    server s1 %s
`, fe1, fe2, be.Addr), fe1, fe2)
	root := os.Geteuid() == 0
	l := ssLine(t, fe1, true)
	if got := field(l, "tos:"); got != "tos:0x10" {
		t.Errorf("http-request set-tos 0x10: %q in %q", got, l)
	}
	if got := field(l, "fwmark:"); root && got != "fwmark:0x2a" {
		t.Errorf("http-request set-mark 0x2a: %q in %q", got, l)
	}
	l = ssLine(t, fe2, false)
	if got := field(l, "tos:"); got != "tos:0x20" {
		t.Errorf("tcp-request connection set-tos 0x20: %q in %q", got, l)
	}
	if got := field(l, "fwmark:"); root && got != "fwmark:0x2b" {
		t.Errorf("tcp-request connection set-mark 43: %q in %q", got, l)
	}
}
