// Package deploy tests the files under deploy/ with the real goha binary:
// the example configurations, the systemd unit (systemd-analyze verify),
// the LSB init script (every action and exit code) and the rsyslog
// snippet (a real rsyslogd receiving goha's traffic logs).
package deploy

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// envFile reads a shell-style KEY=VALUE file (comments and quotes as the
// shell would treat these simple ones).
func envFile(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var env []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: not KEY=VALUE: %q", path, line)
		}
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = v[1 : len(v)-1]
		}
		env = append(env, k+"="+v)
	}
	return env
}

// Every example configuration passes `goha -c`, and the quickstart one
// really balances between its two applications.
func TestExamples(t *testing.T) {
	root := harness.ModuleRoot(t)
	examples, _ := filepath.Glob(filepath.Join(root, "deploy/examples/*.cfg"))
	if len(examples) < 3 {
		t.Fatalf("only %d example configurations in deploy/examples", len(examples))
	}
	for _, cfg := range examples {
		name := filepath.Base(cfg)
		t.Run(name, func(t *testing.T) {
			var env []string
			if name == "site-env.cfg" {
				env = envFile(t, filepath.Join(root, "deploy/examples/site1.env"))
			}
			out, code := harness.Run(t, root, env, "-c", "-f", cfg)
			if code != 0 || !strings.Contains(out, "Configuration file is valid") {
				t.Fatalf("goha -c -f %s: exit %d\n%s", name, code, out)
			}
		})
	}
	t.Run("site-env.cfg without its variables", func(t *testing.T) {
		out, code := harness.Run(t, root, []string{"LISTEN=", "ABUSERS="}, "-c", "-f", filepath.Join(root, "deploy/examples/site-env.cfg"))
		if code == 0 {
			t.Fatalf("valid without its environment:\n%s", out)
		}
	})
}

// The quickstart demo serves: round robin over app1 and app2, on free
// ports instead of its fixed ones.
func TestQuickstartServes(t *testing.T) {
	dir := harness.TempDir(t)
	text := harness.ModuleFile(t, "deploy/examples/quickstart.cfg")
	ports := map[string]int{}
	for _, p := range []string{"8080", "8081", "8082", "8404"} {
		ports[p] = harness.FreePort(t)
		text = strings.ReplaceAll(text, "127.0.0.1:"+p, fmt.Sprintf("127.0.0.1:%d", ports[p]))
	}
	cfg := harness.WriteFile(t, dir, "quickstart.cfg", text)
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	url := fmt.Sprintf("http://127.0.0.1:%d/", ports["8080"])
	harness.WaitForf(t, 5*time.Second, func() bool { return harness.Serves(url) }, "quickstart serves; output:\n%s", p.Out)
	seen := map[string]int{}
	for i := 0; i < 4; i++ {
		code, body, err := harness.GetTimeout(url, 2*time.Second)
		if err != nil || code != 200 {
			t.Fatalf("GET %s: %d %v", url, code, err)
		}
		seen[strings.TrimSpace(body)]++
	}
	if seen["answered by app1"] != 2 || seen["answered by app2"] != 2 {
		t.Fatalf("round robin over app1 and app2 expected, got %v", seen)
	}
}

// The unit passes `systemd-analyze verify` with its binary path pointing
// at the binary under test, and says what the issue asks.
func TestSystemdUnit(t *testing.T) {
	text := harness.ModuleFile(t, "deploy/systemd/goha.service")
	for _, want := range []string{
		"\nType=notify\n",
		"\nExecStartPre=/usr/sbin/goha -Ws -f $CONFIG -c -q $EXTRAOPTS\n",
		"\nExecStart=/usr/sbin/goha -Ws -f $CONFIG -p $PIDFILE -S /run/goha-master.sock $EXTRAOPTS\n",
		"\nExecReload=/usr/sbin/goha -Ws -f $CONFIG -c -q $EXTRAOPTS\nExecReload=/bin/kill -USR2 $MAINPID\n",
		"\nNotifyAccess=main\n", "\nKillMode=mixed\n", "\nRestart=on-failure\n",
		"\nSuccessExitStatus=143\n", "\nEnvironmentFile=-/etc/default/goha\n",
		"\nRuntimeDirectory=goha\n", "\nProtectSystem=", "\nProtectHome=", "\nPrivateTmp=",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the unit lacks %q", strings.TrimSpace(want))
		}
	}
	// Every hardening directive is explained by the comment above it.
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if regexp.MustCompile(`^(Protect|Private|Restrict|Lock|MemoryDeny|SystemCall|CapabilityBounding|ReadWritePaths)`).MatchString(l) {
			j := i - 1
			for j >= 0 && !strings.HasPrefix(lines[j], "#") && lines[j] != "" {
				j--
			}
			if j < 0 || !strings.HasPrefix(lines[j], "#") {
				t.Errorf("hardening line %q has no comment", l)
			}
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	bin := harness.Bin(t)
	dir := harness.TempDir(t)
	path := filepath.Join(dir, "goha.service")
	harness.WriteFile(t, dir, "goha.service", strings.ReplaceAll(text, "/usr/sbin/goha", bin))
	out, _ := exec.Command(analyze, "verify", path).CombinedOutput()
	var problems []string
	for _, l := range strings.Split(string(out), "\n") {
		// As the acceptance check: "Failed to ..." lines are about the
		// machine (no D-Bus, no running systemd), not about the unit.
		if l != "" && !strings.Contains(l, "Failed to") {
			problems = append(problems, l)
		}
	}
	if len(problems) > 0 {
		t.Fatalf("systemd-analyze verify:\n%s", strings.Join(problems, "\n"))
	}
}

// initScript runs deploy/init.d/goha with an action and the test's
// environment, returning its output and exit status. pidfile names the
// master it may stop: the test process is its subreaper (it adopted the
// daemon), so it reaps the master as soon as it exits, as init would.
func initScript(t *testing.T, env []string, pidfile, action string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(harness.ModuleRoot(t), "deploy/init.d/goha"), action)
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 2 * time.Second
	var out harness.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	master := harness.ReadPid(pidfile)
	if err := cmd.Start(); err != nil {
		t.Fatalf("init.d %s: %v", action, err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
				harness.Alive(master) // reaps it once it has exited
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("init.d %s: %v", action, err)
		}
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

func TestInitScript(t *testing.T) {
	root := harness.ModuleRoot(t)
	script := harness.ModuleFile(t, "deploy/init.d/goha")
	for _, want := range []string{"### BEGIN INIT INFO", "# Provides:", "# Default-Start:", "### END INIT INFO"} {
		if !strings.Contains(script, want) {
			t.Errorf("no %q in the LSB header", want)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "deploy/init.d/goha")); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatal("deploy/init.d/goha is not executable")
	}

	dir := harness.TempDir(t)
	port := harness.FreePort(t)
	backend := harness.NewBackend(t, "s1", nil).Addr
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	good := fmt.Sprintf(`global
    stats socket %s/stats.sock level admin
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
    server s1 %s
`, dir, port, backend)
	cfg := harness.WriteFile(t, dir, "goha.cfg", good)
	pidfile := filepath.Join(dir, "goha.pid")
	env := []string{
		"GOHA_BIN=" + harness.Bin(t), "GOHA_CONFIG=" + cfg, "GOHA_PIDFILE=" + pidfile,
		"GOHA_MASTER_SOCKET=" + filepath.Join(dir, "master.sock"), "GOHA_STOP_TIMEOUT=5",
	}
	step := func(action string, wantCode int) string {
		t.Helper()
		out, code := initScript(t, env, pidfile, action)
		if code != wantCode {
			t.Fatalf("init.d %s: exit %d, want %d\n%s", action, code, wantCode, out)
		}
		return out
	}
	t.Cleanup(func() { initScript(t, env, pidfile, "stop") })

	step("status", 3)
	step("stop", 0) // stopping a stopped service is a success (LSB)
	step("check", 0)
	step("start", 0)
	master := harness.ReadPid(pidfile)
	harness.KillAtEnd(t, master)
	if !harness.Alive(master) || !harness.Serves(url) {
		t.Fatalf("start returned 0 but master %d does not serve", master)
	}
	step("start", 0) // already running: success, nothing started
	if harness.ReadPid(pidfile) != master {
		t.Fatal("a second start replaced the master")
	}
	step("status", 0)
	step("reload", 0)
	if harness.ReadPid(pidfile) != master {
		t.Fatal("reload changed the master's PID")
	}
	harness.WaitForf(t, 10*time.Second, func() bool { return harness.Serves(url) }, "serving after reload")

	harness.WriteFile(t, dir, "goha.cfg", good+"    sever x 1.2.3.4:5\n")
	out := step("reload", 1)
	if !strings.Contains(out, "sever") || !strings.Contains(out, "goha.cfg:") {
		t.Fatalf("a failed reload does not print goha's error:\n%s", out)
	}
	if !harness.Serves(url) || harness.ReadPid(pidfile) != master {
		t.Fatal("the running goha was disturbed by a failed reload")
	}
	out = step("check", 1)
	if !strings.Contains(out, "sever") {
		t.Fatalf("check does not print goha's error:\n%s", out)
	}
	out = step("restart", 1) // refuses to stop a running service for a broken config
	if !strings.Contains(out, "sever") || !harness.Alive(master) {
		t.Fatalf("restart with a broken config: master alive %v\n%s", harness.Alive(master), out)
	}
	harness.WriteFile(t, dir, "goha.cfg", good)

	step("stop", 0)
	if harness.Alive(master) {
		t.Fatalf("master %d still runs after stop", master)
	}
	if _, err := os.Stat(pidfile); err == nil {
		t.Fatal("stop left the pidfile")
	}
	step("status", 3)

	// A stale pidfile: the PID of a process that exited.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	harness.WriteFile(t, dir, "goha.pid", fmt.Sprintf("%d\n", dead.Process.Pid))
	out = step("status", 1)
	if !strings.Contains(out, "dead") {
		t.Fatalf("status on a stale pidfile: %q", out)
	}
	step("start", 0) // a stale pidfile does not prevent a start
	master = harness.ReadPid(pidfile)
	harness.KillAtEnd(t, master)
	step("restart", 0)
	if m := harness.ReadPid(pidfile); m == master || !harness.Alive(m) || !harness.Serves(url) {
		t.Fatalf("restart: master %d -> %d, serving %v", master, m, harness.Serves(url))
	}
	harness.KillAtEnd(t, harness.ReadPid(pidfile))
	step("stop", 0)

	// Missing pieces and bad usage.
	step("frobnicate", 2)
	_, code := initScript(t, append(env, "GOHA_BIN="+filepath.Join(dir, "missing")), pidfile, "start")
	if code != 5 {
		t.Errorf("start without the binary: exit %d, want 5", code)
	}
	_, code = initScript(t, append(env, "GOHA_CONFIG="+filepath.Join(dir, "missing.cfg")), pidfile, "start")
	if code != 6 {
		t.Errorf("start without the configuration: exit %d, want 6", code)
	}
	_, code = initScript(t, env, pidfile, "reload")
	if code != 7 {
		t.Errorf("reload of a stopped service: exit %d, want 7", code)
	}
}

// rsyslogd with deploy/rsyslog/49-goha.conf (port and file adapted)
// writes goha's traffic logs to the file.
func TestRsyslog(t *testing.T) {
	rsyslogd, err := exec.LookPath("rsyslogd")
	if err != nil {
		t.Skip("rsyslogd not installed")
	}
	snippet := harness.ModuleFile(t, "deploy/rsyslog/49-goha.conf")
	dir := harness.TempDir(t)
	logfile := filepath.Join(dir, "goha.log")
	udp := freeUDPPort(t)
	conf := snippet
	for old, new := range map[string]string{
		`port="514"`:        fmt.Sprintf(`port="%d"`, udp),
		"/var/log/goha.log": logfile,
	} {
		if !strings.Contains(conf, old) {
			t.Fatalf("the snippet has no %q to adapt", old)
		}
		conf = strings.ReplaceAll(conf, old, new)
	}
	conf = fmt.Sprintf("global(workDirectory=%q)\n", dir) + conf
	confPath := harness.WriteFile(t, dir, "rsyslog.conf", conf)
	if out, err := exec.Command(rsyslogd, "-N1", "-f", confPath).CombinedOutput(); err != nil {
		t.Fatalf("rsyslogd -N1 rejects the snippet: %v\n%s", err, out)
	}
	rs := exec.Command(rsyslogd, "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslogd.pid"))
	var rsOut harness.Buffer
	rs.Stdout, rs.Stderr = &rsOut, &rsOut
	if err := rs.Start(); err != nil {
		t.Fatal(err)
	}
	rsDone := make(chan struct{})
	go func() { rs.Wait(); close(rsDone) }()
	t.Cleanup(func() {
		rs.Process.Signal(syscall.SIGTERM)
		select {
		case <-rsDone:
		case <-time.After(5 * time.Second):
			rs.Process.Kill()
			<-rsDone
		}
	})

	port := harness.FreePort(t)
	backend := harness.NewBackend(t, "s1", nil).Addr
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    log 127.0.0.1:%d local0
defaults
    log global
    mode http
    option httplog
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    server s1 %s
`, udp, port, backend))
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	url := fmt.Sprintf("http://127.0.0.1:%d/rsyslog-probe", port)
	harness.WaitForf(t, 5*time.Second, func() bool { return harness.Serves(url) }, "goha serves; output:\n%s", p.Out)
	// UDP may be dropped while rsyslogd starts: ask again until a line
	// with the probe's path is in the file.
	harness.WaitForf(t, 10*time.Second, func() bool {
		harness.GetTimeout(url, time.Second)
		b, _ := os.ReadFile(logfile)
		return strings.Contains(string(b), "GET /rsyslog-probe HTTP/1.1")
	}, "a traffic log line in %s; rsyslogd said:\n%s", logfile, &rsOut)
	b, _ := os.ReadFile(logfile)
	line := strings.SplitN(string(b), "\n", 2)[0]
	if !regexp.MustCompile(`^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ haproxy\[\d+\]: 127\.0\.0\.1:\d+ \[`).MatchString(line) {
		t.Errorf("unexpected log line shape: %q", line)
	}
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	for i := 0; i < 100; i++ {
		p := harness.FreePort(t)
		c, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			c.Close()
			return p
		}
	}
	t.Fatal("no free UDP port")
	return 0
}
