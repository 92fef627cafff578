package dataplane

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestDispatch: a backend without servers and with `dispatch ADDR:PORT`
// sends every request there, logged as <NOSRV> as HAProxy does, and
// shows no server row.
func TestDispatch(t *testing.T) {
	be := harness.NewBackend(t, "d1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "d1")
	}))
	dir := t.TempDir()
	port := harness.FreePort(t)
	sock := filepath.Join(dir, "s.sock")
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:%d
    default_backend disp
backend disp
    dispatch %s
`, sock, port, be.Addr))
	harness.Start(t, dir, nil, "-db", "-f", cfg)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	harness.WaitFor(t, 10*time.Second, "goha serving", func() bool { return harness.Serves(url) })
	for i := 0; i < 3; i++ {
		if code, body, err := harness.Get(url); err != nil || code != 200 || body != "d1" {
			t.Fatalf("request %d through dispatch: %d %q %v", i, code, body, err)
		}
	}
	var rows []string
	for _, l := range strings.Split(harness.Socat(t, sock, "show stat\n"), "\n") {
		if f := strings.Split(l, ","); len(f) > 17 && f[0] == "disp" {
			rows = append(rows, f[1]+"="+f[17])
		}
	}
	if strings.Join(rows, " ") != "BACKEND=UP" {
		t.Errorf("show stat rows of the dispatch backend: %v; want only BACKEND=UP", rows)
	}
}

// TestExternalCheck: `option external-check` runs the command with
// HAProxy's arguments and variables, as the worker's user; exit 0 is UP
// (PROCOK), another status DOWN (PROCERR, the status as the code).
func TestExternalCheck(t *testing.T) {
	be := harness.NewBackend(t, "e1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	dir := t.TempDir()
	up := filepath.Join(dir, "up")
	args := filepath.Join(dir, "args")
	script := harness.WriteFile(t, dir, "check.sh", fmt.Sprintf(`#!/bin/sh
echo "$1 $2 $3 $4 $HAPROXY_SERVER_NAME $HAPROXY_PROXY_NAME $HAPROXY_SERVER_ADDR $HAPROXY_SERVER_PORT $PATH" > %s.tmp
mv %s.tmp %s
[ -e %s ]
`, args, args, args, up))
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	harness.WriteFile(t, dir, "up", "")
	sock := filepath.Join(dir, "s.sock")
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    insecure-fork-wanted
    external-check
    stats socket %s level admin
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    timeout check 5s
backend ext
    option external-check
    external-check path "/usr/bin:/bin"
    external-check command %s
    server e1 %s check inter 200 rise 1 fall 1
`, sock, script, be.Addr))
	harness.Start(t, dir, nil, "-db", "-f", cfg)
	status := func() string {
		for _, l := range strings.Split(harness.Socat(t, sock, "show stat\n"), "\n") {
			if f := strings.Split(l, ","); len(f) > 37 && f[0] == "ext" && f[1] == "e1" {
				return f[17] + "/" + f[36] + "/" + f[37]
			}
		}
		return ""
	}
	harness.WaitFor(t, 10*time.Second, "stats socket", func() bool { _, err := os.Stat(sock); return err == nil })
	harness.WaitForf(t, 10*time.Second, func() bool { return strings.HasPrefix(status(), "UP/PROCOK") }, "e1 UP by PROCOK (%s)", status())
	got, _ := os.ReadFile(args)
	want := fmt.Sprintf("NOT_USED NOT_USED 127.0.0.1 %d e1 ext 127.0.0.1 %d /usr/bin:/bin\n", be.Port, be.Port)
	if string(got) != want {
		t.Errorf("the command's arguments and variables:\n got %q\nwant %q", got, want)
	}
	os.Remove(up)
	harness.WaitForf(t, 10*time.Second, func() bool { return status() == "DOWN/PROCERR/1" }, "e1 DOWN by PROCERR code 1 (%s)", status())
}

// TestSourceUseSrc: `source ADDR` binds server connections to ADDR;
// `usesrc clientip` binds the client's address with IP_TRANSPARENT, which
// works after the drop to user nobody because the worker keeps
// CAP_NET_ADMIN (the client's address is a loopback one here, so no
// TPROXY routing is needed for the answers).
func TestSourceUseSrc(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (user nobody, IP_TRANSPARENT)")
	}
	be := harness.NewBackend(t, "b", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.RemoteAddr, ":")
		fmt.Fprint(w, host)
	}))
	dir := t.TempDir()
	pSrc, pTP := harness.FreePort(t), harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    user nobody
    group nogroup
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fsrc
    bind 127.0.0.1:%d
    default_backend bsrc
frontend ftp
    bind 127.0.0.1:%d
    default_backend btp
backend bsrc
    source 127.0.0.2
    server s1 %s
backend btp
    server s1 %s source 0.0.0.0 usesrc clientip
`, pSrc, pTP, be.Addr, be.Addr))
	harness.Start(t, dir, nil, "-db", "-f", cfg)
	src := fmt.Sprintf("http://127.0.0.1:%d/", pSrc)
	harness.WaitFor(t, 10*time.Second, "goha serving", func() bool { return harness.Serves(src) })
	if _, body, err := harness.Get(src); err != nil || body != "127.0.0.2" {
		t.Errorf("source 127.0.0.2: the server saw %q (%v)", body, err)
	}
	c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.5")}}).DialContext}}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/", pTP))
	if err != nil {
		t.Fatalf("usesrc clientip: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "127.0.0.5" {
		t.Errorf("usesrc clientip from 127.0.0.5, as nobody: %d, the server saw %q", resp.StatusCode, body)
	}
}
