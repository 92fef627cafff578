package mworker

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestSoak sends a random mix of SIGUSR2, SIGHUP, CLI `reload` and CLI
// traffic to a master under load for a minute (GOHA_SOAK_DURATION), then
// checks: the master alive with its PID, one generation serving, no failed
// request, no zombie, as many descriptors as at the start. It runs under
// `make soak` (GOHA_SOAK=1), not `make test`.
func TestSoak(t *testing.T) {
	if os.Getenv("GOHA_SOAK") == "" {
		t.Skip("soak test: run with `make soak` (GOHA_SOAK=1)")
	}
	dur := time.Minute
	if v := os.Getenv("GOHA_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("GOHA_SOAK_DURATION=%q: %v", v, err)
		}
		dur = d
	}
	e := setup(t)
	pid := e.master.Pid()
	fd0 := harness.CountFDs(pid)
	stop := make(chan struct{})
	addr := fmt.Sprintf("127.0.0.1:%d", e.port)
	ka := harness.Load(addr, 4, true, stop)
	cl := harness.Load(addr, 4, false, stop)
	actions := []struct {
		name string
		do   func()
	}{
		{"SIGUSR2", func() { e.master.Signal(syscall.SIGUSR2) }},
		{"SIGHUP", func() { e.master.Signal(syscall.SIGHUP) }},
		{"CLI reload", func() { ask(e.msock, "reload\n", 10*time.Second) }},
		{"show proc", func() { ask(e.msock, "show proc\n", 2*time.Second) }},
		{"@1 show info", func() { ask(e.msock, "@1 show info\n", 2*time.Second) }},
		{"@1 show servers state", func() { ask(e.msock, "@1 show servers state\n", 2*time.Second) }},
	}
	counts := map[string]int{}
	gen := 0
	for end := time.Now().Add(dur); time.Now().Before(end); {
		a := actions[rand.Intn(len(actions))]
		if a.name != "show proc" && !strings.HasPrefix(a.name, "@") {
			gen++
			e.writeCfg(gen, "")
		}
		a.do()
		counts[a.name]++
		time.Sleep(time.Duration(20+rand.Intn(200)) * time.Millisecond)
	}
	close(stop)
	kas, cls := <-ka, <-cl
	t.Logf("actions %v; keep-alive load %v; new-connection load %v", counts, kas, cls)
	if kas.Errors != 0 || cls.Errors != 0 {
		t.Errorf("failed requests: keep-alive %v, new connection %v", kas, cls)
	}
	if e.master.Exited() || !harness.Alive(pid) {
		t.Fatalf("the master (%d) died", pid)
	}
	harness.WaitForf(t, 20*time.Second, func() bool { return e.gen() == gen }, "generation %d to serve", gen)
	harness.WaitForf(t, 20*time.Second, func() bool { return len(e.workers()) == 1 }, "one generation left (workers %v)", e.workers)
	out, err := ask(e.msock, "show proc\n", 5*time.Second)
	if p, _, _, ok := masterRow(out); !ok || p != pid {
		t.Errorf("show proc = %q, %v; want master %d", out, err, pid)
	}
	harness.WaitForf(t, 10*time.Second, func() bool { return len(zombies(pid)) == 0 }, "no zombie child of the master (%v)", zombies(pid))
	harness.WaitForf(t, 10*time.Second, func() bool { return harness.CountFDs(pid) == fd0 }, "the master's descriptors back to %d (now %d)", fd0, harness.CountFDs(pid))
}

// zombies lists pid's children that exited and were not reaped.
func zombies(pid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		var state string
		var ppid int
		if i >= 0 && len(s) > i+2 {
			fmt.Sscanf(s[i+1:], " %s %d", &state, &ppid)
		}
		if ppid == pid && state == "Z" {
			out = append(out, child)
		}
	}
	return out
}
