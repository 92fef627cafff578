package mworker

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// parentSockets plays the parent process of HAProxy's regression tests
// (VTest) or of a service manager: it binds a TCP listener and a unix
// socket for the master CLI and returns them as files to pass as fd 3
// and fd 4, with the TCP address and the unix path.
func parentSockets(t *testing.T, dir string) ([]*os.File, string, string) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lf, err := ln.(*net.TCPListener).File()
	ln.Close()
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "master.sock")
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ul.SetUnlinkOnClose(false)
	uf, err := ul.File()
	ul.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lf.Close(); uf.Close() })
	return []*os.File{lf, uf}, ln.Addr().String(), sock
}

func fdConfig(backend string) string {
	return "global\n    stats timeout 5s\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n" +
		"frontend fe\n    bind fd@3\n    default_backend be\nbackend be\n    server s1 " + backend + "\n"
}

// TestFDBindMasterWorker starts goha -W the way VTest does: its frontend
// on fd@3 and its master CLI on -S fd@4, both bound by the parent. The
// worker serves on the inherited socket, the master CLI answers on the
// other, and a reload (the master re-executes itself) keeps both.
func TestFDBindMasterWorker(t *testing.T) {
	dir := t.TempDir()
	be := harness.NewBackend(t, "s1", nil)
	harness.WriteFile(t, dir, "fd.cfg", fdConfig(be.Addr))
	files, addr, sock := parentSockets(t, dir)
	m := harness.StartFiles(t, dir, nil, files, "-W", "-S", "fd@4", "-f", "fd.cfg")
	// The parent keeps its copies open (as VTest does): the sockets
	// accept whether or not goha serves, so only answers count.
	serves := func() bool {
		code, body, err := harness.Get("http://" + addr + "/")
		return err == nil && code == 200 && body == "s1\n"
	}
	harness.WaitForf(t, 10*time.Second, serves, "goha -W to serve on fd@3 (%s): %s", addr, m.Out)
	harness.WaitForf(t, 10*time.Second, func() bool {
		return strings.Contains(harness.Socat(t, sock, "show proc\n"), "worker")
	}, "the master CLI on -S fd@4 to list its worker: %s", m.Out)
	before := harness.Children(m.Pid())
	m.Signal(syscall.SIGUSR2)
	harness.WaitForf(t, 15*time.Second, func() bool {
		now := harness.Children(m.Pid())
		return len(now) == 1 && len(before) == 1 && !slices.Equal(now, before)
	}, "a new worker to replace %v after the reload: %s", before, m.Out)
	for i := 0; i < 20; i++ {
		if !serves() {
			t.Fatalf("request %d after the reload failed: the new worker does not serve fd@3\n%s", i, m.Out)
		}
	}
	if out := harness.Socat(t, sock, "show proc\n"); !strings.Contains(out, "worker") {
		t.Errorf("the master CLI on fd@4 after the reload answers %q", out)
	}
	if m.Exited() {
		t.Fatalf("master exited: %s", m.Out)
	}
}

// TestFDBindStandalone serves on fd@3 in one standalone process.
func TestFDBindStandalone(t *testing.T) {
	dir := t.TempDir()
	be := harness.NewBackend(t, "s1", nil)
	harness.WriteFile(t, dir, "fd.cfg", fdConfig(be.Addr))
	files, addr, _ := parentSockets(t, dir)
	p := harness.StartFiles(t, dir, nil, files[:1], "-db", "-f", "fd.cfg")
	harness.WaitForf(t, 10*time.Second, func() bool {
		code, body, err := harness.Get("http://" + addr + "/")
		return err == nil && code == 200 && body == "s1\n"
	}, "goha -db to serve on fd@3 (%s): %s", addr, p.Out)
}

// TestFDBindRefusesWhatIsNotAListener fails to start, with the fd in the
// alert, when fd@N is not a listening socket.
func TestFDBindRefusesWhatIsNotAListener(t *testing.T) {
	dir := t.TempDir()
	harness.WriteFile(t, dir, "fd.cfg", fdConfig("127.0.0.1:9"))
	f, err := os.Open(filepath.Join(dir, "fd.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := harness.StartFiles(t, dir, nil, []*os.File{f}, "-db", "-f", "fd.cfg")
	if code := p.Wait(10 * time.Second); code == 0 {
		t.Errorf("goha with fd@3 on a regular file exited %d; want a failure", code)
	}
	if !strings.Contains(p.Output(), "cannot use file descriptor '3'") {
		t.Errorf("output does not name fd 3: %s", p.Output())
	}
}

// TestAbnsChainsTwoFrontends sends traffic from a TCP frontend through a
// server on abns@NAME to a second frontend bound on the same abstract
// socket, next to unix@ and ipv4@ binds.
func TestAbnsChainsTwoFrontends(t *testing.T) {
	dir := t.TempDir()
	be := harness.NewBackend(t, "s1", nil)
	port, port2 := harness.FreePort(t), harness.FreePort(t)
	name := fmt.Sprintf("goha-test-chain-%d", os.Getpid())
	sock := filepath.Join(dir, "fe.sock")
	cfg := "defaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n" +
		fmt.Sprintf("frontend outer\n    bind ipv4@127.0.0.1:%d\n    bind unix@%s\n    default_backend to_inner\n", port, sock) +
		"backend to_inner\n    server inner abns@" + name + "\n" +
		fmt.Sprintf("frontend inner\n    bind abns@%s\n    bind 127.0.0.1:%d\n    http-response set-header X-Via inner\n    default_backend be\n", name, port2) +
		"backend be\n    server s1 " + be.Addr + "\n"
	harness.WriteFile(t, dir, "abns.cfg", cfg)
	p := harness.Start(t, dir, nil, "-db", "-f", "abns.cfg")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p.WaitListening(t, 10*time.Second, addr, fmt.Sprintf("127.0.0.1:%d", port2))
	resp, err := getVia(addr, "tcp")
	if err != nil || !strings.Contains(strings.ToLower(resp), "x-via: inner") || !strings.HasSuffix(resp, "s1\n") {
		t.Fatalf("GET through ipv4@ then abns@: %v %q\n%s", err, resp, p.Output())
	}
	resp, err = getVia(sock, "unix")
	if err != nil || !strings.Contains(strings.ToLower(resp), "x-via: inner") || !strings.HasSuffix(resp, "s1\n") {
		t.Fatalf("GET through unix@ then abns@: %v %q\n%s", err, resp, p.Output())
	}
	if data, err := os.ReadFile("/proc/net/unix"); err == nil && !strings.Contains(string(data), "@"+name+"@@@@") {
		t.Errorf("abns@%s is not bound with HAProxy's padded name", name)
	}
}

// getVia sends one HTTP/1.0 GET over network/addr and returns the answer.
func getVia(addr, network string) (string, error) {
	c, err := net.DialTimeout(network, addr, 3*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("GET / HTTP/1.0\r\nHost: x\r\n\r\n")); err != nil {
		return "", err
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String(), nil
}

// TestFDBindDaemon: with -D the daemon is a re-executed copy of goha,
// which must still have fd@3 at its number (HAProxy's fork keeps it).
func TestFDBindDaemon(t *testing.T) {
	dir := t.TempDir()
	be := harness.NewBackend(t, "s1", nil)
	harness.WriteFile(t, dir, "fd.cfg", fdConfig(be.Addr))
	files, addr, _ := parentSockets(t, dir)
	pidf := filepath.Join(dir, "pid")
	cmd := harness.Command(t, dir, nil, "-W", "-D", "-p", pidf, "-f", "fd.cfg")
	cmd.ExtraFiles = files[:1]
	out, err := cmd.CombinedOutput()
	if pid := harness.ReadPid(pidf); pid > 0 {
		harness.KillAtEnd(t, pid)
	}
	if err != nil {
		t.Fatalf("goha -W -D with fd@3: %v\n%s", err, out)
	}
	if code, body, err := harness.Get("http://" + addr + "/"); err != nil || code != 200 || body != "s1\n" {
		t.Fatalf("the daemon does not serve fd@3 once -D returned: %d %q %v", code, body, err)
	}
}

// TestSocketActivation runs goha -W under a real systemd-socket-activate,
// which binds the socket, sets LISTEN_FDS and LISTEN_PID and executes
// goha with the socket as fd 3 at the first connection.
func TestSocketActivation(t *testing.T) {
	const activate = "/usr/bin/systemd-socket-activate"
	if _, err := os.Stat(activate); err != nil {
		t.Skipf("%s is not installed", activate)
	}
	dir := t.TempDir()
	be := harness.NewBackend(t, "s1", nil)
	harness.WriteFile(t, dir, "fd.cfg", fdConfig(be.Addr))
	addr := harness.FreeAddr(t)
	p := harness.StartBin(t, activate, dir, nil, "-l", addr, harness.Bin(t), "-W", "-f", "fd.cfg")
	p.WaitListening(t, 10*time.Second, addr)
	harness.WaitForf(t, 10*time.Second, func() bool {
		code, body, err := harness.Get("http://" + addr + "/")
		return err == nil && code == 200 && body == "s1\n"
	}, "goha under systemd-socket-activate to serve %s: %s", addr, p.Out)
}
