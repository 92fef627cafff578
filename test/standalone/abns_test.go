package standalone

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/goha/goha/test/harness"
)

// TestClassicReloadKeepsAbstractSocket: a new daemon started with
// `-x stats.sock -sf OLD` takes the old one's abns@ listener (an
// abstract socket cannot be bound twice: without it the new daemon
// fails to start) and serves through it.
func TestClassicReloadKeepsAbstractSocket(t *testing.T) {
	s := newSite(t, "level admin mode 600 expose-fd listeners")
	name := fmt.Sprintf("goha-test-x-%d", os.Getpid())
	cfg, err := os.ReadFile(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	chained := strings.Replace(string(cfg), "    default_backend be\n",
		"    default_backend to_inner\nbackend to_inner\n    server inner abns@"+name+"\n"+
			"frontend inner\n    bind abns@"+name+"\n    default_backend be\n", 1)
	harness.WriteFile(t, s.dir, "goha.cfg", chained)
	old := s.daemon(t)
	if !harness.Serves(s.url) {
		t.Fatalf("the first daemon does not serve through abns@%s", name)
	}
	cur := s.daemon(t, "-x", s.stats, "-sf", fmt.Sprint(old))
	if cur == old {
		t.Fatalf("the pidfile still names %d after the reload", old)
	}
	if !harness.Serves(s.url) {
		t.Fatalf("the new daemon %d does not serve through abns@%s", cur, name)
	}
}
