package mworker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// programRows parses the `# programs` section of show proc: name to
// its row's fields (PID, name, reloads, uptime, last column).
func programRows(showProc string) map[string][]string {
	out := map[string][]string{}
	in := false
	for _, l := range strings.Split(showProc, "\n") {
		switch {
		case l == "# programs":
			in = true
		case strings.HasPrefix(l, "#"):
			in = false
		case in:
			if f := strings.Fields(l); len(f) == 5 {
				out[f[1]] = f
			}
		}
	}
	return out
}

// programPid is the PID show proc lists for the current program name,
// 0 when none.
func programPid(t *testing.T, sock, name string) int {
	out, _ := ask(sock, "show proc\n", 2*time.Second)
	if r, ok := programRows(out)[name]; ok {
		pid, _ := strconv.Atoi(r[0])
		return pid
	}
	return 0
}

// parentOf is the parent PID of pid (from /proc/PID/stat), 0 when gone.
func parentOf(pid int) int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		if f := strings.Fields(s[i+1:]); len(f) > 1 {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// statusIDs is the real uid and gid of pid from /proc/PID/status.
func statusIDs(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	var uid, gid string
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 1 && f[0] == "Uid:" {
			uid = f[1]
		}
		if len(f) > 1 && f[0] == "Gid:" {
			gid = f[1]
		}
	}
	return uid + "/" + gid
}

// TestProgramsStartReloadStop: `program` sections under -W are started
// by the master (as their user), listed in show proc, restarted at a
// reload by default, kept untouched with `no option start-on-reload`
// (which ignores nothing: the keeper would die of SIGUSR1), and stopped
// with the master.
func TestProgramsStartReloadStop(t *testing.T) {
	port := harness.FreePort(t)
	user := ""
	if os.Getuid() == 0 {
		user = "    user nobody\n    group nogroup\n"
	}
	cfg := simpleCfg(port, "ok", "    master-worker no-exit-on-failure", `
program sidecar
    command /bin/sleep 1000
`+user+`
program keeper
    command /bin/sh -c "while :; do sleep 1; done"
    no option start-on-reload
`)
	m, _, sock := bareMaster(t, "", cfg, port, nil)
	var side, keep int
	harness.WaitForf(t, 5*time.Second, func() bool {
		side, keep = programPid(t, sock, "sidecar"), programPid(t, sock, "keeper")
		return side != 0 && keep != 0
	}, "both programs in show proc: %s", m.Out)
	for _, pid := range []int{side, keep} {
		if pp := parentOf(pid); pp != m.Pid() {
			t.Errorf("program %d has parent %d; want the master %d", pid, pp, m.Pid())
		}
	}
	if user != "" {
		if ids := statusIDs(side); ids != "65534/65534" {
			t.Errorf("sidecar runs as %s; want nobody/nogroup 65534/65534", ids)
		}
	}
	if a := harness.Socat(t, sock, fmt.Sprintf("@!%d show info\n", side)); !strings.HasPrefix(a, "Can't find the target PID") {
		t.Errorf("@!%d (a program) = %q; want no target", side, a)
	}

	m.Signal(syscall.SIGUSR2)
	var side2 int
	harness.WaitForf(t, 10*time.Second, func() bool {
		side2 = programPid(t, sock, "sidecar")
		return side2 != 0 && side2 != side && !harness.Alive(side)
	}, "a new sidecar and the old one gone after the reload: %s", m.Out)
	if got := programPid(t, sock, "keeper"); got != keep || !harness.Alive(keep) {
		t.Errorf("keeper after the reload: show proc %d, alive %v; want %d kept", got, harness.Alive(keep), keep)
	}
	out, _ := ask(sock, "show proc\n", 2*time.Second)
	if r := programRows(out)["keeper"]; len(r) != 5 || r[2] != "1" || r[4] != "-" {
		t.Errorf("keeper row %q; want 1 reload survived and '-'", r)
	}
	harness.WaitForf(t, 5*time.Second, func() bool {
		return strings.Contains(m.Output(), fmt.Sprintf("Former program 'sidecar' (%d) exited with code", side))
	}, "the old sidecar's exit logged: %s", m.Out)

	m.Signal(syscall.SIGTERM)
	if code := m.Wait(8 * time.Second); code < 0 {
		t.Fatalf("master still running 8 s after SIGTERM: %s", m.Out)
	}
	for _, pid := range []int{keep, side2} {
		if harness.Alive(pid) {
			t.Errorf("program %d outlived the master", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// TestProgramCrashLoopBackoff: a program that keeps exiting is started
// again with a doubling delay (HAProxy leaves it dead), logged with its
// status, while the master and its worker go on serving.
func TestProgramCrashLoopBackoff(t *testing.T) {
	port := harness.FreePort(t)
	dir := t.TempDir()
	starts := filepath.Join(dir, "starts")
	cfg := simpleCfg(port, "ok", "    master-worker no-exit-on-failure", fmt.Sprintf(`
program crasher
    command /bin/sh -c "date +%%s.%%N >> %s; exit 3"
`, starts))
	m, _, _ := bareMaster(t, "", cfg, port, nil)
	var times []float64
	harness.WaitForf(t, 10*time.Second, func() bool {
		data, _ := os.ReadFile(starts)
		times = times[:0]
		for _, f := range strings.Fields(string(data)) {
			v, _ := strconv.ParseFloat(f, 64)
			times = append(times, v)
		}
		return len(times) >= 4
	}, "four starts of the crashing program: %s", m.Out)
	// 200 ms, 400 ms, 800 ms between starts (the loop's 200 ms tick may
	// add to each, never subtract).
	for i, want := range []float64{0.2, 0.4, 0.8} {
		if gap := times[i+1] - times[i]; gap < want-0.05 {
			t.Errorf("restart %d came %.2fs after the previous start; want at least %.1fs", i+1, gap, want)
		}
	}
	if !harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", port)) || m.Exited() {
		t.Fatalf("the master stopped serving during the crash loop: %s", m.Out)
	}
	for _, want := range []string{"Current program 'crasher' (", "exited with code 3 (Exit)", "Program 'crasher' will be started again in 400ms (restart 2)"} {
		if !strings.Contains(m.Output(), want) {
			t.Errorf("master log lacks %q:\n%s", want, m.Output())
		}
	}
}

// TestProgramFailureExitOnFailure: without no-exit-on-failure a program
// failing is HAProxy's exit-on-failure: everything stops, with its code.
func TestProgramFailureExitOnFailure(t *testing.T) {
	port := harness.FreePort(t)
	cfg := simpleCfg(port, "ok", "    master-worker", `
program failing
    command /bin/sh -c "sleep 0.5; exit 5"
`)
	m, _, _ := bareMaster(t, "", cfg, port, nil)
	code := m.Wait(10 * time.Second)
	if code != 5 || !strings.Contains(m.Output(), "exit-on-failure: killing every processes with SIGTERM") {
		t.Errorf("master exit code %d; want 5 after exit-on-failure:\n%s", code, m.Output())
	}
}

// TestProgramNeedsMasterWorker: a program section outside master-worker
// mode is refused with HAProxy's message.
func TestProgramNeedsMasterWorker(t *testing.T) {
	dir := t.TempDir()
	cfg := harness.WriteFile(t, dir, "c.cfg", simpleCfg(harness.FreePort(t), "ok", "", "program p\n    command /bin/true\n"))
	out, code := harness.Run(t, dir, nil, "-c", "-f", cfg)
	if code != 1 || !strings.Contains(out, "Can't use a 'program' section without master worker mode.") {
		t.Errorf("-c without -W: exit %d, %q; want 1 and HAProxy's message", code, out)
	}
	if out, code := harness.Run(t, dir, nil, "-c", "-W", "-f", cfg); code != 0 {
		t.Errorf("-c -W: exit %d, %q; want 0", code, out)
	}
}
