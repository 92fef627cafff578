// Package cli tests the runtime API end to end: the real binary under
// `-W -S master.sock` with an admin, an operator and a user stats socket,
// spoken to with real socat, one-shot and in prompt mode, while real
// traffic flows through the proxy.
package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// needSocat skips a test that talks to the CLI sockets without socat.
func needSocat(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/socat"); err != nil {
		t.Skip("socat is not installed")
	}
}

type env struct {
	t                *testing.T
	dir, cfg         string
	port             int
	s1, s2           *harness.Backend
	master           *harness.Proc
	msock            string
	admin, oper, usr string
}

func setup(t *testing.T) *env {
	t.Helper()
	needSocat(t)
	e := &env{t: t, dir: t.TempDir()}
	e.s1 = harness.NewBackend(t, "s1", nil)
	e.s2 = harness.NewBackend(t, "s2", nil)
	e.port = harness.FreePort(t)
	e.msock = filepath.Join(e.dir, "master.sock")
	e.admin = filepath.Join(e.dir, "admin.sock")
	e.oper = filepath.Join(e.dir, "oper.sock")
	e.usr = filepath.Join(e.dir, "user.sock")
	e.cfg = harness.WriteFile(t, e.dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin mode 600
    stats socket %s mode 600
    stats socket %s level user mode 666
    stats timeout 2m
    hard-stop-after 5s
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    balance roundrobin
    server s1 %s
    server s2 %s
`, e.admin, e.oper, e.usr, e.port, e.s1.Addr, e.s2.Addr))
	e.master = harness.Start(t, e.dir, nil, "-W", "-S", e.msock, "-f", e.cfg)
	harness.WaitFor(t, 10*time.Second, "goha serving with its stats sockets", func() bool {
		_, err := os.Stat(e.usr)
		return err == nil && harness.Serves(e.url())
	})
	return e
}

func (e *env) url() string { return fmt.Sprintf("http://127.0.0.1:%d/", e.port) }

// cli sends one line (one-shot mode) to a socket with socat.
func (e *env) cli(sock, line string) string { return harness.Socat(e.t, sock, line+"\n") }

// seq does n requests and returns the servers that answered, in order.
func (e *env) seq(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		_, body, err := harness.Get(e.url())
		if err != nil {
			e.t.Fatalf("request %d: %v", i, err)
		}
		b.WriteString(strings.TrimSpace(body))
	}
	return b.String()
}

// field returns column col of the `show stat` row px,sv.
func field(stat, px, sv string, col int) string {
	for _, l := range strings.Split(stat, "\n") {
		f := strings.Split(l, ",")
		if len(f) > col && f[0] == px && f[1] == sv {
			return f[col]
		}
	}
	return ""
}

const (
	colStot   = 7
	colStatus = 17
	colWeight = 18
)

// TestCommandsAtEachLevel runs every runtime API command on the user,
// operator and admin sockets, one-shot and in prompt mode: refused below
// its level ("Permission denied"), answered at and above it.
func TestCommandsAtEachLevel(t *testing.T) {
	e := setup(t)
	levels := []struct {
		name string
		sock string
		rank int
	}{{"user", e.usr, 0}, {"operator", e.oper, 1}, {"admin", e.admin, 2}}
	cmds := []struct {
		line string
		need int    // 0 user, 1 operator, 2 admin
		want string // a substring of the answer when allowed ("" = anything but an error)
	}{
		{"show info", 0, "Name: goha"},
		{"show info typed", 0, ".Pid.1:SGP:u32:"},
		{"show info json", 0, `"name":"Uptime_sec"`},
		{"show stat", 0, "# pxname,svname,"},
		{"show stat typed", 0, "F.2.0.0.pxname.1:KNS:str:fe"},
		{"show stat json", 0, `"objType":"Backend"`},
		{"show stat be 4 -1", 0, "be,s1,"},
		{"show servers state", 0, "# be_id be_name srv_id"},
		{"show servers state be", 0, " be 1 s1 "},
		{"show backend", 0, "# name\nbe\n"},
		{"show activity", 0, "thread_id:"},
		{"get weight be/s1", 0, "1 (initial 1)"},
		{"help", 0, "show info"},
		{"show sess", 1, ""},
		{"show errors", 1, "Total events captured"},
		{"clear counters", 1, ""},
		{"set server be/s2 weight 1", 2, ""},
		{"set weight be/s2 1", 2, ""},
		{"set server be/s2 state ready", 2, ""},
		{"enable server be/s2", 2, ""},
		{"set server be/s2 health up", 2, ""},
		{"set server be/s2 addr " + strings.Split(e.s2.Addr, ":")[0] + " port " + strconv.Itoa(e.s2.Port), 2, "no need to change the addr"},
		{"set maxconn server be/s2 0", 2, ""},
		{"set maxconn frontend fe 0", 2, ""},
		{"set maxconn global 0", 2, ""},
		{"enable frontend fe", 2, "All sockets are already enabled."},
		{"clear counters all", 2, ""},
		{"shutdown session 0x1", 2, "No such session"},
		{"enable health be/s2", 2, "Health check was not configured"},
		{"disable health be/s2", 2, ""},
	}
	for _, mode := range []string{"one-shot", "prompt"} {
		for _, lv := range levels {
			for _, c := range cmds {
				t.Run(mode+"/"+lv.name+"/"+c.line, func(t *testing.T) {
					var out string
					if mode == "prompt" {
						out = harness.Socat(t, lv.sock, "prompt\n"+c.line+"\nquit\n")
						if !strings.HasPrefix(out, "\n> ") && !strings.HasPrefix(out, "> ") {
							t.Errorf("prompt mode: no prompt in %q", firstLines(out))
						}
					} else {
						out = e.cli(lv.sock, c.line)
					}
					denied := strings.Contains(out, "Permission denied")
					switch {
					case lv.rank < c.need && !denied:
						t.Errorf("level %s: %q allowed: %q", lv.name, c.line, firstLines(out))
					case lv.rank >= c.need && denied:
						t.Errorf("level %s: %q refused", lv.name, c.line)
					case lv.rank >= c.need && strings.Contains(out, "Unknown command"):
						t.Errorf("%q unknown: %q", c.line, firstLines(out))
					case lv.rank >= c.need && c.want != "" && !strings.Contains(out, c.want):
						t.Errorf("%q: answer lacks %q: %q", c.line, c.want, firstLines(out))
					}
				})
			}
		}
	}
	// Bad input gets HAProxy's answers.
	for _, tc := range []struct{ line, want string }{
		{"disable server nope/s1", "No such backend."},
		{"disable server be/nope", "No such server."},
		{"disable server be", "Require 'backend/server'."},
		{"set server be/s1 weight 300", "Absolute weight can only be between 0 and 256 inclusive."},
		{"set server be/s1 state sleepy", "'set server <srv> state' expects 'ready', 'drain' and 'maint'."},
		{"disable frontend nope", "No such frontend."},
		{"show servers state nope", "Can't find backend."},
		{"frobnicate now", "Unknown command"},
	} {
		t.Run("bad/"+tc.line, func(t *testing.T) {
			if out := e.cli(e.admin, tc.line); !strings.Contains(out, tc.want) {
				t.Errorf("answer %q, want %q", firstLines(out), tc.want)
			}
		})
	}
}

func firstLines(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// TestShowStatCountsRealTraffic compares the header with HAProxy 2.6's
// and checks that stot counts the requests really sent.
func TestShowStatCountsRealTraffic(t *testing.T) {
	e := setup(t)
	want, err := os.ReadFile("testdata/showstat-header-2.6.txt")
	if err != nil {
		t.Fatal(err)
	}
	const n = 10
	e.cli(e.admin, "clear counters all") // setup's readiness probes
	before := e.s1.Requests.Load()
	e.seq(n)
	served := int(e.s1.Requests.Load() - before)
	stat := e.cli(e.admin, "show stat")
	if got, _, _ := strings.Cut(stat, "\n"); got+"\n" != string(want) && got != strings.TrimSuffix(string(want), "\n") {
		t.Errorf("header differs from HAProxy 2.6's:\n got %q\nwant %q", got, want)
	}
	for _, row := range [][2]string{{"fe", "FRONTEND"}, {"be", "s1"}, {"be", "s2"}, {"be", "BACKEND"}} {
		if field(stat, row[0], row[1], 0) == "" {
			t.Errorf("no row %s,%s", row[0], row[1])
		}
	}
	s1, _ := strconv.Atoi(field(stat, "be", "s1", colStot))
	s2, _ := strconv.Atoi(field(stat, "be", "s2", colStot))
	be, _ := strconv.Atoi(field(stat, "be", "BACKEND", colStot))
	fe, _ := strconv.Atoi(field(stat, "fe", "FRONTEND", colStot))
	if s1+s2 != n || be != n || fe != n || s1 != served {
		t.Errorf("stot fe=%d be=%d s1=%d s2=%d; want %d requests (s1 served %d)", fe, be, s1, s2, n, served)
	}
	if st := field(stat, "be", "s1", colStatus); st != "no check" {
		t.Errorf("s1 status %q", st)
	}
	// clear counters all resets them.
	e.cli(e.admin, "clear counters all")
	stat = e.cli(e.admin, "show stat")
	if v := field(stat, "be", "BACKEND", colStot); v != "0" {
		t.Errorf("after clear counters all: be stot %q", v)
	}
	// show info counts the process' requests.
	info := e.cli(e.usr, "show info")
	if !strings.Contains(info, "\nCumReq: ") || !strings.Contains(info, "\nPid: ") {
		t.Errorf("show info: %q", firstLines(info))
	}
}

// TestServerControlActsOnTraffic checks disable/enable/drain/weight on
// real traffic, and that the user level changes nothing.
func TestServerControlActsOnTraffic(t *testing.T) {
	e := setup(t)
	rr := func(s string) bool { return s == "s1s2s1s2" || s == "s2s1s2s1" }
	if out := e.cli(e.usr, "disable server be/s1"); !strings.Contains(out, "Permission denied") {
		t.Errorf("user socket: %q", out)
	}
	if s := e.seq(4); !rr(s) {
		t.Errorf("after a refused disable: %s", s)
	}
	steps := []struct {
		line, want string
		check      func(string) bool
	}{
		{"disable server be/s1", "s2s2s2s2", nil},
		{"enable server be/s1", "", rr},
		{"set server be/s2 state drain", "s1s1s1s1", nil},
		{"set server be/s2 state ready", "", rr},
		{"set server be/s1 state maint", "s2s2s2s2", nil},
		{"set server be/s1 state ready", "", rr},
		{"set server be/s1 weight 0", "s2s2s2s2", nil},
		{"set server be/s1 weight 100%", "", rr},
		{"set server be/s2 health down", "s1s1s1s1", nil},
		{"set server be/s2 health up", "", rr},
	}
	for _, st := range steps {
		t.Run(st.line, func(t *testing.T) {
			if out := strings.TrimSpace(e.cli(e.admin, st.line)); out != "" {
				t.Errorf("answer %q", out)
			}
			s := e.seq(4)
			if (st.check != nil && !st.check(s)) || (st.check == nil && s != st.want) {
				t.Errorf("traffic %s, want %s", s, st.want)
			}
		})
	}
	if st := field(e.cli(e.admin, "show stat"), "be", "s1", colStatus); st != "no check" {
		t.Errorf("s1 status after the steps: %q", st)
	}
	e.cli(e.admin, "set server be/s1 state drain")
	stat := e.cli(e.admin, "show stat")
	if st := field(stat, "be", "s1", colStatus); st != "DRAIN" {
		t.Errorf("drain status %q", st)
	}
	e.cli(e.admin, "disable server be/s1")
	if st := field(e.cli(e.admin, "show stat"), "be", "s1", colStatus); st != "MAINT" {
		t.Errorf("maint status %q", st)
	}
	// A disabled frontend stops accepting; enabling it resumes.
	e.cli(e.admin, "enable server be/s1")
	if out := e.cli(e.admin, "disable frontend fe"); strings.TrimSpace(out) != "" {
		t.Errorf("disable frontend: %q", out)
	}
	if st := field(e.cli(e.admin, "show stat"), "fe", "FRONTEND", colStatus); st != "PAUSED" {
		t.Errorf("paused frontend status %q", st)
	}
	e.cli(e.admin, "enable frontend fe")
	if _, _, err := harness.Get(e.url()); err != nil {
		t.Errorf("after enable frontend: %v", err)
	}
}

// workerPids returns the master's current children.
func (e *env) workerPids() []int { return harness.Children(e.master.Pid()) }

// TestStateSurvivesReload disables a server and changes a weight, reloads
// through the master CLI and checks the new generation kept both.
func TestStateSurvivesReload(t *testing.T) {
	e := setup(t)
	old := e.workerPids()
	e.cli(e.admin, "disable server be/s1")
	e.cli(e.admin, "set server be/s2 weight 7")
	out := harness.Socat(t, e.msock, "reload\n")
	if !strings.Contains(out, "Success=1") {
		t.Fatalf("reload: %q", out)
	}
	harness.WaitFor(t, 10*time.Second, "the old worker to exit", func() bool {
		return harness.NoneAlive(old...) && len(e.workerPids()) == 1
	})
	if s := e.seq(4); s != "s2s2s2s2" {
		t.Errorf("after reload: traffic %s, want s2s2s2s2", s)
	}
	state := e.cli(e.admin, "show servers state be")
	if !strings.Contains(state, " be 1 s1 127.0.0.1 0 1 ") {
		t.Errorf("s1 not in forced maintenance after reload:\n%s", state)
	}
	if got := strings.TrimSpace(e.cli(e.admin, "get weight be/s2")); got != "7 (initial 1)" {
		t.Errorf("weight after reload: %q", got)
	}
	if proc := harness.Socat(t, e.msock, "show proc\n"); !strings.Contains(proc, "master") {
		t.Errorf("show proc: %q", proc)
	}
}

// TestConcurrentClientsDoNotDisturbTraffic runs 100 CLI clients at once
// (through real socat) while HTTP clients send requests: every CLI client
// gets its answer and no request fails.
func TestConcurrentClientsDoNotDisturbTraffic(t *testing.T) {
	e := setup(t)
	stop := make(chan struct{})
	var reqs, fails atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, _, err := harness.Get(e.url())
				reqs.Add(1)
				if err != nil || code != 200 {
					fails.Add(1)
				}
			}
		}()
	}
	var cliWG sync.WaitGroup
	var bad atomic.Int64
	var firstBad atomic.Value
	for i := 0; i < 100; i++ {
		cliWG.Add(1)
		go func(i int) {
			defer cliWG.Done()
			line := "show stat"
			if i%2 == 1 {
				line = "show info"
			}
			out := harness.Socat(t, e.admin, line+"\n")
			if !strings.Contains(out, "# pxname") && !strings.Contains(out, "Name: goha") {
				bad.Add(1)
				firstBad.CompareAndSwap(nil, out)
			}
		}(i)
	}
	cliWG.Wait()
	close(stop)
	wg.Wait()
	if bad.Load() > 0 {
		t.Errorf("%d of 100 CLI clients got no answer; first: %q", bad.Load(), firstBad.Load())
	}
	if fails.Load() > 0 || reqs.Load() == 0 {
		t.Errorf("%d of %d requests failed during the CLI storm", fails.Load(), reqs.Load())
	}
	t.Logf("%d requests during 100 concurrent CLI sessions", reqs.Load())
}

// TestBinaryLineChangesNothing sends a 200 KB binary line: refused, the
// process keeps serving.
func TestBinaryLineChangesNothing(t *testing.T) {
	e := setup(t)
	c, err := net.Dial("unix", e.admin)
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, 200000)
	for i := range junk {
		junk[i] = byte(i*7+1) | 1
		if junk[i] == '\n' {
			junk[i] = 'x'
		}
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write(junk)
	c.Close()
	if s := e.seq(2); s != "s1s2" && s != "s2s1" {
		t.Errorf("traffic after a binary line: %s", s)
	}
	if out := e.cli(e.admin, "show info"); !strings.Contains(out, "Name: goha") {
		t.Errorf("CLI after a binary line: %q", firstLines(out))
	}
}
