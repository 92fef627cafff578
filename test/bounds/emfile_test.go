package bounds

import (
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestAcceptBacksOffOnEMFILE checks that a process out of descriptors
// (`ulimit-n 64` below a `maxconn` of 1000) keeps running, says so once
// in its log however many accepts fail (they fail and succeed by turns
// near the limit), and serves again once clients
// leave.
func TestAcceptBacksOffOnEMFILE(t *testing.T) {
	p := startLimited(t, 1024, "    maxconn 1000\n    ulimit-n 64\n", answer)
	release := hold(t, p.addr, 100)
	harness.WaitFor(t, 10*time.Second, "the accept failure in the log",
		func() bool { return strings.Contains(p.Output(), "accept failed") })
	release()
	harness.WaitForf(t, 10*time.Second, func() bool { return harness.Serves("http://" + p.addr + "/") },
		"the frontend to serve again once the 100 clients left:\n%s", p.Output())
	if n := strings.Count(p.Output(), "accept failed"); n != 1 {
		t.Fatalf("the accept failures were logged %d times, want once:\n%s", n, p.Output())
	}
	if p.Exited() {
		t.Fatalf("the process exited:\n%s", p.Output())
	}
}
