package master

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestShowProcLayout(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)
	now := t0.Add(88 * time.Second)
	procs := []procView{
		{Pid: 26828, Reloads: 0, Started: now.Add(-2 * time.Second), Version: "2.6.12-1+deb12u4", Current: true},
		{Pid: 25758, Reloads: 2, Started: t0, Version: "2.6.12-1+deb12u4"},
	}
	got := showProc(25755, 2, 0, t0, "2.6.12-1+deb12u4", procs, nil, now)
	// HAProxy 2.6's capture (shared/notes/haproxy-spec.md §4.2).
	want := "#<PID>          <type>          <reloads>       <uptime>        <version>      \n" +
		"25755           master          2 [failed: 0]   0d00h01m28s     2.6.12-1+deb12u4\n" +
		"# workers\n" +
		"26828           worker          0               0d00h00m02s     2.6.12-1+deb12u4\n" +
		"# old workers\n" +
		"25758           worker          2               0d00h01m28s     2.6.12-1+deb12u4\n" +
		"# programs\n"
	if got != want {
		t.Errorf("showProc =\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(showProc(1, 0, 0, t0, "v", procs[:1], nil, now), "old workers") {
		t.Error("showProc prints '# old workers' with none draining")
	}
}

func TestFormatUptime(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0d00h00m00s"},
		{4 * time.Second, "0d00h00m04s"},
		{26*time.Hour + 3*time.Minute + 9*time.Second, "1d02h03m09s"},
		{-time.Second, "0d00h00m00s"},
	}
	for _, tt := range tests {
		if got := formatUptime(tt.d); got != tt.want {
			t.Errorf("formatUptime(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
}

func TestExitText(t *testing.T) {
	tests := []struct {
		ws       syscall.WaitStatus
		code     int
		describe string
	}{
		{syscall.WaitStatus(0), 0, "Exit"},
		{syscall.WaitStatus(1 << 8), 1, "Exit"},
		{syscall.WaitStatus(9), 137, "Killed"},
		{syscall.WaitStatus(15), 143, "Terminated"},
		{syscall.WaitStatus(2), 130, "Interrupt"},
	}
	for _, tt := range tests {
		code, d := exitText(tt.ws)
		if code != tt.code || d != tt.describe {
			t.Errorf("exitText(%#x) = %d, %q; want %d, %q", uint32(tt.ws), code, d, tt.code, tt.describe)
		}
	}
}

func TestEnvWithout(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "/run/x")
	t.Setenv("NOTIFY_SOCKET_OTHER", "kept")
	t.Setenv("GOHA_ROLE", "worker")
	env := strings.Join(envWithout("NOTIFY_SOCKET", "GOHA_ROLE"), "\n") + "\n"
	if strings.Contains(env, "NOTIFY_SOCKET=/run/x\n") || strings.Contains(env, "GOHA_ROLE=") {
		t.Errorf("envWithout kept a removed variable:\n%s", env)
	}
	if !strings.Contains(env, "NOTIFY_SOCKET_OTHER=kept\n") {
		t.Error("envWithout removed a variable that only shares a prefix")
	}
	w := strings.Join(workerEnv(), "\n") + "\n"
	if strings.Count(w, "GOHA_ROLE=") != 1 || !strings.Contains(w, "GOHA_ROLE=worker\n") || strings.Contains(w, "NOTIFY_SOCKET=/run/x") {
		t.Errorf("workerEnv =\n%s", w)
	}
}

// TestShowProcPrograms: the `# programs` rows in HAProxy 2.6's layout
// (PID, name, reloads, uptime, "-"), `# old programs` for those a reload
// replaced, and goha's restart count in the last column.
func TestShowProcPrograms(t *testing.T) {
	now := time.Unix(1000, 0)
	progs := []progView{
		{Pid: 3606, Name: "sidecar", Started: now.Add(-2 * time.Second)},
		{Pid: 3607, Name: "keeper", Reloads: 1, Started: now.Add(-62 * time.Second), Leaving: true},
		{Pid: 3609, Name: "agent", Started: now, Restarts: 3},
	}
	got := showProc(1, 0, 0, now, "v", nil, progs, now)
	want := "# programs\n" +
		"3606            sidecar         0               0d00h00m02s     -              \n" +
		"3609            agent           0               0d00h00m00s     restarts=3     \n" +
		"# old programs\n" +
		"3607            keeper          1               0d00h01m02s     -              \n"
	if !strings.HasSuffix(got, want) {
		t.Errorf("showProc =\n%s\nwant it to end with\n%s", got, want)
	}
}
