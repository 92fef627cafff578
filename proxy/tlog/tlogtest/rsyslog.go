// Package tlogtest runs a real rsyslogd for tests: a daemon in the
// foreground with a temporary configuration that receives syslog on a
// loopback UDP port and on a unix datagram socket, and writes every
// message's raw bytes (%rawmsg%, one per line) to a file the test reads.
//
// It is used by proxy/tlog's own end-to-end test and by the end-to-end
// tests of the goha binary (test/...). rsyslogd must be installed (Debian
// package rsyslog; .ci/run installs it): a missing rsyslogd fails the
// test rather than skipping it.
package tlogtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// probeToken marks the messages StartRsyslog sends to learn that the
// daemon listens; Lines leaves them out.
const probeToken = "goha-rsyslog-probe"

// Rsyslog is a running rsyslogd.
type Rsyslog struct {
	// UDPAddr is the loopback "127.0.0.1:PORT" it receives UDP on.
	UDPAddr string
	// UnixPath is the unix datagram socket it receives on.
	UnixPath string
	// OutPath is the file it writes the messages to.
	OutPath string

	dir string
	cmd *exec.Cmd
	// exited is closed when the daemon's process has been waited for.
	exited chan struct{}
}

// Binary returns the path of rsyslogd, or an error naming what to install.
func Binary() (string, error) {
	if p, err := exec.LookPath("rsyslogd"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/rsyslogd"); err == nil {
		return "/usr/sbin/rsyslogd", nil
	}
	return "", errors.New("rsyslogd not found: install the Debian package rsyslog (.ci/run does)")
}

const confTemplate = `global(workDirectory=%q)
module(load="imudp")
module(load="imuxsock" SysSock.Use="off")
input(type="imudp" address="127.0.0.1" port="%d")
input(type="imuxsock" Socket=%q CreatePath="on")
template(name="goharaw" type="string" string="%%rawmsg%%\n")
*.* action(type="omfile" file=%q template="goharaw")
`

// StartRsyslog starts rsyslogd and waits until it has written a probe
// message received on each of its inputs. The daemon is stopped when the
// test ends.
func StartRsyslog(t testing.TB) *Rsyslog {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		r, err := start(t, bin)
		if err == nil {
			return r
		}
		lastErr = err
	}
	t.Fatalf("starting rsyslogd: %v", lastErr)
	return nil
}

func start(t testing.TB, bin string) (*Rsyslog, error) {
	// unix socket paths are limited to 108 bytes: keep the dir short
	dir, err := os.MkdirTemp("", "rsys")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	port, err := freeUDPPort()
	if err != nil {
		return nil, err
	}
	r := &Rsyslog{
		UDPAddr:  fmt.Sprintf("127.0.0.1:%d", port),
		UnixPath: filepath.Join(dir, "log.sock"),
		OutPath:  filepath.Join(dir, "out.log"),
		dir:      dir,
		exited:   make(chan struct{}),
	}
	conf := filepath.Join(dir, "rsyslog.conf")
	text := fmt.Sprintf(confTemplate, dir, port, r.UnixPath, r.OutPath)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	r.cmd = exec.Command(bin, "-n", "-f", conf, "-i", filepath.Join(dir, "rsyslogd.pid"))
	r.cmd.Stdout, r.cmd.Stderr = &stderr, &stderr
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", bin, err)
	}
	go func() { r.cmd.Wait(); close(r.exited) }()
	t.Cleanup(r.stop)
	if err := r.waitReady(10 * time.Second); err != nil {
		r.stop()
		return nil, fmt.Errorf("%w (rsyslogd output: %q)", err, stderr.String())
	}
	return r, nil
}

// freeUDPPort asks the kernel for a free loopback UDP port.
func freeUDPPort() (int, error) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// waitReady sends probe messages on both inputs until both show up in
// the output file.
func (r *Rsyslog) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	udp, err := net.Dial("udp", r.UDPAddr)
	if err != nil {
		return err
	}
	defer udp.Close()
	for i := 0; ; i++ {
		select {
		case <-r.exited:
			return errors.New("rsyslogd exited")
		default:
		}
		out, _ := os.ReadFile(r.OutPath)
		if bytes.Contains(out, []byte(probeToken+" udp")) && bytes.Contains(out, []byte(probeToken+" unix")) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("rsyslogd did not log probe messages within %v", timeout)
		}
		fmt.Fprintf(udp, "<14>%s udp %d\n", probeToken, i)
		if c, err := net.Dial("unixgram", r.UnixPath); err == nil {
			fmt.Fprintf(c, "<14>%s unix %d\n", probeToken, i)
			c.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Lines returns the messages written so far, one per line without the
// final newline, leaving out the readiness probes.
func (r *Rsyslog) Lines() []string {
	out, _ := os.ReadFile(r.OutPath)
	var lines []string
	for _, l := range strings.SplitAfter(string(out), "\n") {
		if !strings.HasSuffix(l, "\n") || strings.Contains(l, probeToken) {
			continue // empty tail, a partial line, or a probe
		}
		lines = append(lines, strings.TrimSuffix(l, "\n"))
	}
	return lines
}

// WaitLines polls the output until it holds at least n messages (probes
// left out) or timeout passes, and returns what it holds then.
func (r *Rsyslog) WaitLines(n int, timeout time.Duration) []string {
	deadline := time.Now().Add(timeout)
	for {
		lines := r.Lines()
		if len(lines) >= n || time.Now().After(deadline) {
			return lines
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop terminates the daemon (SIGTERM, then SIGKILL after 5s).
func (r *Rsyslog) stop() {
	select {
	case <-r.exited:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
	}
}
