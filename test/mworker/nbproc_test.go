package mworker

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// nbproc N starts N workers per generation; `@N` reaches the N-th of the
// current generation, and a reload replaces all of them.
func TestNbprocWorkers(t *testing.T) {
	e := setup(t)
	e.writeCfg(1, "    nbproc 2")
	if out := e.mcli("reload"); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload = %q", out)
	}
	harness.WaitFor(t, 10*time.Second, "two workers", func() bool { return len(e.workers()) == 2 })
	ws := e.workers()
	sort.Ints(ws)
	var got []int
	for _, target := range []string{"@1", "@2"} {
		info := e.mcli(target + " show info")
		var pid, num int
		for _, l := range strings.Split(info, "\n") {
			fmt.Sscanf(l, "Pid: %d", &pid)
			fmt.Sscanf(l, "Process_num: %d", &num)
		}
		if pid == 0 {
			t.Fatalf("%s show info = %q", target, info)
		}
		if want := int(target[1] - '0'); num != want {
			t.Errorf("%s show info: Process_num %d; want %d", target, num, want)
		}
		got = append(got, pid)
	}
	sort.Ints(got)
	if fmt.Sprint(got) != fmt.Sprint(ws) {
		t.Errorf("@1 and @2 reach %v; workers are %v", got, ws)
	}
	if out := e.mcli("@3 show info"); !strings.Contains(out, "Can't find the target PID matching the prefix '@3'") {
		t.Errorf("@3 = %q; want HAProxy's error", out)
	}
	// Both workers serve: each takes connections from the shared socket.
	harness.WaitFor(t, 5*time.Second, "generation 1", func() bool { return e.gen() == 1 })
	e.writeCfg(2, "    nbproc 2")
	if out := e.mcli("reload"); !strings.HasPrefix(out, "Success=1") {
		t.Fatalf("reload = %q", out)
	}
	harness.WaitFor(t, 10*time.Second, "the old pair to leave", func() bool {
		now := e.workers()
		if len(now) != 2 {
			return false
		}
		for _, w := range now {
			for _, o := range ws {
				if w == o {
					return false
				}
			}
		}
		return true
	})
	if p := e.mcli("show proc"); strings.Count(p, " worker ") != 2 {
		t.Errorf("show proc = %q; want two workers", p)
	}
}
