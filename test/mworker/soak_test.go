package mworker

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
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

// soakCfg is the configuration of reload i of TestSoakReloads: an HTTP
// and a TCP frontend on fixed ports, answering X-Gen: i on HTTP; odd
// reloads add a server and a frontend (on extra), even ones remove them;
// broken ones hold a keyword the preflight refuses.
func soakCfg(i, httpPort, tcpPort, extra int, s1, s2 string, broken bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
    maxconn 4000
    hard-stop-after 10s
defaults
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    mode http
    option http-keep-alive
    bind 127.0.0.1:%d
    http-response set-header X-Gen %d
    default_backend be
frontend fe_tcp
    mode tcp
    bind 127.0.0.1:%d
    default_backend be_tcp
backend be
    mode http
    balance roundrobin
    server s1 %s
    server s2 %s
`, httpPort, i, tcpPort, s1, s2)
	if i%2 == 1 {
		fmt.Fprintf(&b, "    server s3 %s\nfrontend fx\n    mode http\n    bind 127.0.0.1:%d\n    default_backend be\n", s1, extra)
	}
	fmt.Fprintf(&b, "backend be_tcp\n    mode tcp\n    server t1 %s\n    server t2 %s\n", s1, s2)
	if broken {
		b.WriteString("    no-such-keyword-for-the-soak\n")
	}
	return b.String()
}

// procFigure reads a "Key:   N kB" or "Key:   N" line of /proc/pid/status.
func procFigure(pid int, key string) int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	return -1
}

// masterFigures are what a reload could leak in the master.
type masterFigures struct{ fds, rssKB, threads, children, zombies int }

func (f masterFigures) String() string {
	return fmt.Sprintf("fds %d, RSS %d kB, threads %d, children %d, zombies %d", f.fds, f.rssKB, f.threads, f.children, f.zombies)
}

func figuresOf(pid int) masterFigures {
	return masterFigures{harness.CountFDs(pid), procFigure(pid, "VmRSS"), procFigure(pid, "Threads"),
		len(harness.Children(pid)), len(zombies(pid))}
}

// TestSoakReloads makes GOHA_SOAK_RELOADS (default 1000) SIGUSR2 reloads
// of a master under continuous HTTP and TCP load, each with keep-alive
// and new-connection clients, one reload after the other (each awaited).
// The configuration changes at every reload (a server and a frontend
// added, then removed) and one reload in ten fails its preflight. It
// checks: no failed request or connection; after the last reload the
// master's descriptors, children and zombies what they were once the
// first reload with the same frontends settled, its RSS within 1.5x + 8 MiB of it and its thread
// count within +8; the listening sockets of the steady frontends never
// rebound; `show proc` with the right counts and one generation. The
// master re-executes itself at every reload, so its goroutines and heap
// start afresh each time: what can leak across reloads is what crosses
// the exec (descriptors, children), and that is what is compared.
// It runs under `make soak` (GOHA_SOAK=1), not `make test`.
func TestSoakReloads(t *testing.T) {
	if os.Getenv("GOHA_SOAK") == "" {
		t.Skip("soak test: run with `make soak` (GOHA_SOAK=1)")
	}
	n := 1000
	if v := os.Getenv("GOHA_SOAK_RELOADS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 2 {
			t.Fatalf("GOHA_SOAK_RELOADS=%q: want a number of reloads >= 2", v)
		}
	}
	s1, s2 := harness.NewBackend(t, "s1", nil), harness.NewBackend(t, "s2", nil)
	hp, tp, xp := harness.FreePort(t), harness.FreePort(t), harness.FreePort(t)
	m, dir, sock := bareMaster(t, "", soakCfg(0, hp, tp, xp, s1.Addr, s2.Addr, false), hp, nil)
	pid := m.Pid()
	inodes := func() string { return listenInode(hp) + "," + listenInode(tp) }
	in0 := inodes()
	stop := make(chan struct{})
	haddr, taddr := fmt.Sprintf("127.0.0.1:%d", hp), fmt.Sprintf("127.0.0.1:%d", tp)
	loads := []struct {
		name string
		st   <-chan harness.LoadStats
	}{
		{"HTTP keep-alive", harness.LoadPerConn(haddr, 3, 0, stop)},
		{"HTTP new connections", harness.LoadPerConn(haddr, 3, 1, stop)},
		{"TCP keep-alive (50 requests a connection)", harness.LoadPerConn(taddr, 2, 50, stop)},
		{"TCP new connections", harness.LoadPerConn(taddr, 2, 1, stop)},
	}
	stopLoad := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
	}
	defer stopLoad()
	url := fmt.Sprintf("http://127.0.0.1:%d/", hp)
	settled := func(what string) masterFigures {
		harness.WaitForf(t, 30*time.Second, func() bool { return len(harness.Children(pid)) == 1 }, "%s: one worker left (%v)", what, harness.Children(pid))
		harness.WaitForf(t, 10*time.Second, func() bool { return len(zombies(pid)) == 0 }, "%s: no zombie (%v)", what, zombies(pid))
		// A CLI session the test just closed may still hold a descriptor
		// for a moment: the figures are those read three times alike.
		var f masterFigures
		same := 0
		harness.WaitForf(t, 10*time.Second, func() bool {
			g := figuresOf(pid)
			if g.fds == f.fds && g.children == f.children {
				same++
			} else {
				same = 0
			}
			f = g
			time.Sleep(50 * time.Millisecond)
			return same >= 2
		}, "%s: the master's descriptors to settle (%v)", what, f)
		return f
	}
	start := time.Now()
	// The figures are compared with those after the first reload with
	// the last one's configuration shape (fx there or not: one socket).
	ref := 2 - n%2
	var first masterFigures
	var lat []time.Duration
	failed, maxChildren := 0, 0
	for i := 1; i <= n; i++ {
		// The fifth of every ten fails (the last one never does).
		broken := i%10 == 5
		harness.WriteFile(t, dir, "c.cfg", soakCfg(i, hp, tp, xp, s1.Addr, s2.Addr, broken))
		t0 := time.Now()
		m.Signal(syscall.SIGUSR2)
		want := 0 // show proc's failed count: those since the last good reload
		if broken {
			failed, want = failed+1, 1
		}
		last := ""
		ok := harness.Eventually(60*time.Second, func() bool {
			if c := len(harness.Children(pid)); c > maxChildren {
				maxChildren = c
			}
			out, _ := ask(sock, "show proc\n", 2*time.Second)
			last = out
			_, r, f, _ := masterRow(out)
			return r == i && f == want && (broken || genOf(url) == i)
		})
		if !ok || m.Exited() {
			t.Fatalf("reload %d (broken %v) not done within 60 s: show proc %q; master exited %v\n%s", i, broken, last, m.Exited(), tail(m.Output(), 3000))
		}
		lat = append(lat, time.Since(t0))
		if i == ref {
			first = settled(fmt.Sprintf("after reload %d", ref))
		}
	}
	elapsed := time.Since(start)
	stopLoad()
	for _, l := range loads {
		st := <-l.st
		t.Logf("%s: %v", l.name, st)
		if st.Errors != 0 || st.Requests < int64(n) {
			t.Errorf("%s across %d reloads: %v; want no error and at least %d requests", l.name, n, st, n)
		}
	}
	end := settled("after the last reload")
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	t.Logf("%d reloads (%d failing their preflight) in %v: per reload median %v, p99 %v, max %v; at most %d children at once",
		n, failed, elapsed.Round(time.Second), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), maxChildren)
	t.Logf("master after reload %d: %v", ref, first)
	t.Logf("master after reload %d: %v", n, end)
	if end.fds != first.fds || end.children != first.children || end.zombies != 0 {
		t.Errorf("master leaked across %d reloads: after reload %d %v; at the end %v", n, ref, first, end)
	}
	if end.rssKB > first.rssKB*3/2+8<<10 || end.threads > first.threads+8 {
		t.Errorf("master grew across %d reloads beyond the bound (RSS 1.5x + 8 MiB, threads +8): after reload %d %v; at the end %v", n, ref, first, end)
	}
	if in := inodes(); in != in0 {
		t.Errorf("listening sockets (HTTP, TCP) rebound: inodes %s -> %s", in0, in)
	}
	out, _ := ask(sock, "show proc\n", 5*time.Second)
	if p, r, f, ok := masterRow(out); !ok || p != pid || r != n || f != 0 {
		t.Errorf("show proc = %q; want master %d with %d reloads", out, pid, n)
	}
	if rows := strings.Count(out, " worker "); rows != 1 {
		t.Errorf("show proc at the end: %d worker rows; want one generation of one worker:\n%s", rows, out)
	}
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
