package bounds

import (
	"fmt"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

const answer = "frontend fe\n    bind {ADDR}\n    http-request return status 200 content-type text/plain string ok\n"

// TestMaxconnDerivedFromFdLimit checks that without `maxconn` the process
// limit is HAProxy 2.6's, derived from the descriptor limit (figures
// measured on /usr/sbin/haproxy with the same configuration), and shown
// as Maxconn and Hard_maxconn.
func TestMaxconnDerivedFromFdLimit(t *testing.T) {
	for _, c := range []struct{ nofile, want int }{{1024, 498}, {256, 114}} {
		t.Run(fmt.Sprintf("ulimit-%d", c.nofile), func(t *testing.T) {
			p := startLimited(t, c.nofile, "    nbthread 2\n", answer)
			in := p.info()
			if in["Maxconn"] != fmt.Sprint(c.want) || in["Hard_maxconn"] != fmt.Sprint(c.want) {
				t.Fatalf("ulimit -n %d: Maxconn %q Hard_maxconn %q, want %d (HAProxy 2.6)", c.nofile, in["Maxconn"], in["Hard_maxconn"], c.want)
			}
		})
	}
}

// TestMaxconnPausesAndResumes checks that at the derived maxconn the
// listener takes no more connections (the kernel queue holds them) and
// takes the queued ones once slots free up.
func TestMaxconnPausesAndResumes(t *testing.T) {
	p := startLimited(t, 256, "    nbthread 2\n", answer)
	const limit, held = 114, 150
	cum0 := p.infoInt("CumConns") // the listening probe's
	release := hold(t, p.addr, held)
	harness.WaitForf(t, 10*time.Second, func() bool { return p.infoInt("CurrConns") == limit },
		"CurrConns reaching the derived maxconn %d (now %d)", limit, p.infoInt("CurrConns"))
	// The accounting must never pass the limit: CumConns counts every
	// accepted connection, and none has ended yet.
	if cum := p.infoInt("CumConns") - cum0; cum != limit {
		t.Fatalf("with %d connections held and maxconn %d, CumConns grew by %d, want %d", held, limit, cum, limit)
	}
	release()
	harness.WaitForf(t, 10*time.Second, func() bool { return p.infoInt("CumConns")-cum0 >= held },
		"the %d queued connections accepted once released (CumConns %d, from %d)", held, p.infoInt("CumConns"), cum0)
	if code, body, err := harness.Get("http://" + p.addr + "/"); err != nil || code != 200 {
		t.Fatalf("after the release: %d %q %v, want 200", code, body, err)
	}
}
