package bounds

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// activity is one `show activity` counter's total (-1 when absent).
func (p *proc) activity(name string) int {
	out := harness.Socat(p.t, p.sock, "show activity\n")
	m := regexp.MustCompile(`(?m)^` + name + `: (\d+)`).FindStringSubmatch(out)
	if m == nil {
		return -1
	}
	v, _ := strconv.Atoi(m[1])
	return v
}

// TestGoroutinesAndHeapReturnToBaseline checks, from the process's own
// figures, that goroutines grow with the connections in flight and come
// back to the idle count when they end, and that the heap in use
// (`PoolUsed_bytes`) does not keep what they took.
func TestGoroutinesAndHeapReturnToBaseline(t *testing.T) {
	p := startLimited(t, 4096, "", answer)
	const n = 300
	g0, h0 := p.activity("goroutines"), p.infoInt("PoolUsed_bytes")
	if g0 <= 0 || h0 <= 0 {
		t.Fatalf("show activity goroutines %d, show info PoolUsed_bytes %d: want both figures", g0, h0)
	}
	release := hold(t, p.addr, n)
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for range 50 { // requests served meanwhile, each on its own connection
		resp, err := client.Get("http://" + p.addr + "/")
		if err != nil {
			t.Fatalf("a request while %d are held: %v", n, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("a request while %d are held: %s", n, resp.Status)
		}
	}
	harness.WaitForf(t, 10*time.Second, func() bool { return p.infoInt("CurrConns") >= n }, // +1: the CLI's own
		"the %d held connections in CurrConns (%d)", n, p.infoInt("CurrConns"))
	if g := p.activity("goroutines"); g < g0+n {
		t.Fatalf("%d goroutines with %d connections in flight, %d idle: the figure does not follow the work", g, n, g0)
	}
	release()
	harness.WaitForf(t, 10*time.Second, func() bool { return p.infoInt("CurrConns") <= 1 && p.activity("goroutines") <= g0+2 },
		"goroutines back to the idle %d once the %d connections ended (now %d, CurrConns %d)",
		g0, n, p.activity("goroutines"), p.infoInt("CurrConns"))
	const slack = 8 << 20
	harness.WaitForf(t, 10*time.Second, func() bool { return p.infoInt("PoolUsed_bytes") <= h0+slack },
		"heap in use back within 8 MiB of the idle %d bytes (now %d)", h0, p.infoInt("PoolUsed_bytes"))
	t.Logf("idle: %d goroutines, %d heap bytes; after: %d, %d", g0, h0, p.activity("goroutines"), p.infoInt("PoolUsed_bytes"))
}
