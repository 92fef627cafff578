package mworker

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// taskStatus returns the given field ("Uid", "Gid", "Groups",
// "NoNewPrivs") of every task (thread) of pid.
func taskStatus(t *testing.T, pid int, field string) map[string]bool {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no tasks for %d: %v", pid, err)
	}
	out := map[string]bool{}
	for _, f := range tasks {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, field+":") {
				out[strings.Join(strings.Fields(l[len(field)+1:]), " ")] = true
			}
		}
	}
	return out
}

func TestWorkerDropsPrivilegesOnEveryThread(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to change identity")
	}
	dir := harness.TempDir(t)
	jail := filepath.Join(dir, "empty")
	os.Mkdir(jail, 0o555)
	b := harness.NewBackend(t, "s1", nil)
	port := harness.FreePort(t)
	priv := privilegedPort(t)
	cfg := harness.WriteFile(t, dir, "c.cfg", fmt.Sprintf(`global
    user nobody
    group nogroup
    chroot %s
    hard-stop-after 5s
    stats socket %s/stats.sock mode 640 level admin user nobody group nogroup
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:%d
    bind 127.0.0.1:%d
    default_backend be
backend be
    server s1 %s
`, jail, dir, port, priv, b.Addr))
	m := harness.Start(t, dir, nil, "-W", "-f", cfg, "-S", filepath.Join(dir, "m.sock")+",mode,660,uid,65534,gid,65534")
	harness.WaitFor(t, 10*time.Second, "serving", func() bool { return harness.Serves(fmt.Sprintf("http://127.0.0.1:%d/", port)) })
	ws := harness.Children(m.Pid())
	if len(ws) != 1 {
		t.Fatalf("workers = %v", ws)
	}
	w := ws[0]
	// Load the worker so the Go runtime starts more threads.
	for i := 0; i < 50; i++ {
		harness.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	}
	want := map[string]string{"Uid": "65534 65534 65534 65534", "Gid": "65534 65534 65534 65534", "Groups": "", "NoNewPrivs": "1"}
	for field, v := range want {
		got := taskStatus(t, w, field)
		if len(got) != 1 || !got[v] {
			t.Errorf("worker %d threads' %s = %v; want only %q", w, field, got, v)
		}
	}
	if root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", w)); err != nil || root != jail {
		t.Errorf("worker root = %q, %v; want %q", root, err, jail)
	}
	// The master stays root to be able to reload.
	if got := taskStatus(t, m.Pid(), "Uid"); !got["0 0 0 0"] {
		t.Errorf("master Uid = %v; want root", got)
	}
	for _, sock := range []struct {
		name string
		mode os.FileMode
	}{{"stats.sock", 0o640}, {"m.sock", 0o660}} {
		fi, err := os.Stat(filepath.Join(dir, sock.name))
		if err != nil {
			t.Errorf("%s: %v", sock.name, err)
			continue
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm() != sock.mode || st.Uid != 65534 || st.Gid != 65534 {
			t.Errorf("%s: mode %v owner %d:%d; want %v 65534:65534", sock.name, fi.Mode().Perm(), st.Uid, st.Gid, sock.mode)
		}
	}
	// The privileged port was bound by the (root) master and serves
	// through the unprivileged worker.
	if code, _, err := harness.Get(fmt.Sprintf("http://127.0.0.1:%d/", priv)); err != nil || code != 200 {
		t.Errorf("privileged port %d: %d %v", priv, code, err)
	}
}

func TestNonRootWithUserConfigFailsClearly(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start the test as another user")
	}
	// t.TempDir's parent is private to root: nobody needs its own.
	dir := harness.TempDir(t)
	os.Chmod(dir, 0o777)
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "c.cfg", fmt.Sprintf(`global
    user nobody
    chroot /var/empty
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:%d
    http-request return status 200 content-type text/plain string ok
`, port))
	cmd := harness.Command(t, dir, nil, "-W", "-f", cfg)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatal("goha started as nobody with `user nobody` + chroot neither failed nor served")
	}
	if err == nil {
		t.Fatalf("goha as non-root with chroot exited 0:\n%s", out)
	}
	if !strings.Contains(string(out), "need goha to be started as root") {
		t.Errorf("output lacks a clear reason (%v):\n%s", err, out)
	}
}

// privilegedPort finds a free port below 1024.
func privilegedPort(t *testing.T) int {
	t.Helper()
	for p := 990; p > 900; p-- {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			ln.Close()
			return p
		}
	}
	t.Skip("no free privileged port")
	return 0
}
