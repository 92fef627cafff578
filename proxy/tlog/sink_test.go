package tlog

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// captureTime is when HAProxy 2.6.12 sent the captured datagrams of
// testdata/haproxy-2.6.12-capture.txt (UTC, pid 13573).
var captureTime = time.Date(2026, 11, 25, 15, 42, 53, 700026000, time.UTC)

const captureMsg = `127.0.0.1:49112 [25/Nov/2026:15:42:53.717] fe_plain be_app/s1 0/0/0/1/1 404 500 - - ---- 1/1/0/0/0 0/0 "GET /nope HTTP/1.1"`

func testHub(t *testing.T, o HubOptions) *Hub {
	t.Helper()
	if o.PID == 0 {
		o.PID = 13573
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now == nil {
		o.Now = func() time.Time { return captureTime }
	}
	h := NewHub(o)
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("Hub.Close: %v", err)
		}
	})
	return h
}

// udpListener returns a UDP socket on 127.0.0.1 and its target address.
func udpListener(t *testing.T) (*net.UDPConn, string) {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, "udp:" + c.LocalAddr().String()
}

// recv reads one datagram, failing after a deadline.
func recv(t *testing.T, c net.PacketConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 70000)
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("reading a datagram: %v", err)
	}
	return string(buf[:n])
}

func TestSinkFormatsUDP(t *testing.T) {
	// Expected datagrams: HAProxy 2.6.12's, captured on a UDP listener
	// (testdata/haproxy-2.6.12-capture.txt), with facilities local0..7.
	cases := []struct {
		format   string
		facility int
		want     string
	}{
		{"", 16, "<134>Nov 25 15:42:53 haproxy[13573]: " + captureMsg + "\n"},
		{"local", 16, "<134>Nov 25 15:42:53 haproxy[13573]: " + captureMsg + "\n"},
		{"rfc3164", 17, "<142>Nov 25 15:42:53 localhost haproxy[13573]: " + captureMsg + "\n"},
		{"rfc5424", 18, "<150>1 2026-11-25T15:42:53.700026+00:00 - haproxy 13573 - - " + captureMsg + "\n"},
		{"priority", 19, "<158>" + captureMsg + "\n"},
		{"short", 20, "<6>" + captureMsg + "\n"},
		{"timed", 21, "<6>2026-11-25T15:42:53.700026+00:00 " + captureMsg + "\n"},
		{"iso", 22, "2026-11-25T15:42:53.700026+00:00 " + captureMsg + "\n"},
		{"raw", 23, captureMsg + "\n"},
	}
	h := testHub(t, HubOptions{})
	for _, c := range cases {
		t.Run("format="+c.format, func(t *testing.T) {
			ln, addr := udpListener(t)
			l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: addr, Format: c.format, Facility: c.facility, Level: 7}}})
			if err != nil {
				t.Fatal(err)
			}
			l.Send(Info, captureMsg)
			if got := recv(t, ln); got != c.want {
				t.Errorf("datagram:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestHeaderHostnameAndLocalDay(t *testing.T) {
	h := headerBuilder{format: fmtRFC3164, host: "web1", pid: "42", loc: time.UTC}
	got := string(h.append(nil, Notice, 1, time.Date(2026, 3, 5, 1, 2, 3, 0, time.UTC), "goha"))
	if want := "<13>Mar  5 01:02:03 web1 goha[42]: "; got != want {
		t.Errorf("rfc3164 header = %q; want %q", got, want)
	}
	h = headerBuilder{format: fmtRFC5424, host: "web1", pid: "42", loc: time.FixedZone("X", -(5*3600 + 30*60))}
	got = string(h.append(nil, Err, 16, time.Date(2026, 3, 5, 12, 0, 0, 1000, time.UTC), "haproxy"))
	if want := "<131>1 2026-03-05T06:30:00.000001-05:30 web1 haproxy 42 - - "; got != want {
		t.Errorf("rfc5424 header = %q; want %q", got, want)
	}
	h = headerBuilder{format: fmtLocal, pid: "42", loc: time.UTC}
	if got := string(h.append(nil, Info, 16, captureTime, "")); got != "<134>Nov 25 15:42:53 " {
		t.Errorf("local header without tag = %q", got)
	}
}

func TestSinkLenTruncation(t *testing.T) {
	h := testHub(t, HubOptions{})
	ln, addr := udpListener(t)
	l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: addr, Len: 80, Facility: 16, Level: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	l.Send(Info, "127.0.0.1:60086 [25/Nov/2026:15:42:52.670] fe_http be_app/s1 0/0/1001/27/1028 404 500")
	// captured from HAProxy with `log 127.0.0.1:19515 len 80 local0`
	want := "<134>Nov 25 15:42:53 haproxy[13573]: 127.0.0.1:60086 [25/Nov/2026:15:42:52.670] \n"
	if got := recv(t, ln); got != want {
		t.Errorf("datagram:\n got %q\nwant %q", got, want)
	}
	// a len shorter than the header cuts the header too
	ln2, addr2 := udpListener(t)
	l2, _ := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: addr2, Len: 10, Facility: 16, Level: 7}}})
	l2.Send(Info, "hello")
	if got := recv(t, ln2); got != "<134>Nov 2\n" {
		t.Errorf("datagram with len 10 = %q", got)
	}
}

func TestLevelFiltering(t *testing.T) {
	h := testHub(t, HubOptions{Now: func() time.Time { return captureTime }})
	ln, addr := udpListener(t)
	// `log ADDR local0 notice err`: nothing above notice; alert and
	// worse are raised to err.
	l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: addr, Format: "priority", Facility: 16, Level: int(Notice), MinLevel: int(Err)}}})
	if err != nil {
		t.Fatal(err)
	}
	l.Send(Info, "dropped: info > notice")
	l.Send(Debug, "dropped: debug")
	l.Send(Notice, "notice")
	l.Send(Alert, "alert capped")
	l.Send(Warning, "warning")
	for _, want := range []string{"<133>notice\n", "<131>alert capped\n", "<132>warning\n"} {
		if got := recv(t, ln); got != want {
			t.Errorf("datagram = %q; want %q", got, want)
		}
	}
}

func TestPriority(t *testing.T) {
	cases := []struct {
		fac   string
		level Level
		want  int
	}{
		{"local0", Info, 134}, {"local1", Info, 142}, {"local1", Notice, 141}, {"kern", Emerg, 0},
		{"local7", Debug, 191}, {"daemon", Err, 27}, {"user", Alert, 9},
	}
	for _, c := range cases {
		f, err := ParseFacility(c.fac)
		if err != nil {
			t.Fatal(err)
		}
		if got := Priority(f, c.level); got != c.want {
			t.Errorf("Priority(%s, %s) = %d; want %d", c.fac, c.level, got, c.want)
		}
		if FacilityName(f) != c.fac {
			t.Errorf("FacilityName(%d) = %q", f, FacilityName(f))
		}
		if l, _ := ParseLevel(c.level.String()); l != c.level {
			t.Errorf("ParseLevel(%q) = %v", c.level.String(), l)
		}
	}
	if _, err := ParseFacility("local8"); err == nil {
		t.Error("ParseFacility(local8) succeeded")
	}
}

func TestSinkUnixgram(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log.sock")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	h := testHub(t, HubOptions{})
	l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: "unix:" + path, Facility: 16, Level: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	l.Send(Notice, "Server be/s3 is DOWN, reason: Layer4 connection problem")
	want := "<133>Nov 25 15:42:53 haproxy[13573]: Server be/s3 is DOWN, reason: Layer4 connection problem\n"
	if got := recv(t, ln); got != want {
		t.Errorf("datagram = %q; want %q", got, want)
	}

	// The daemon restarts: a new socket at the same path. The sink
	// notices the broken connection and reconnects by path.
	ln.Close()
	ln2, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		// the old socket file is still there: remove it as syslogd does
		if err2 := removeAndListen(path, &ln2); err2 != nil {
			t.Fatal(err2)
		}
	}
	defer ln2.Close()
	deadline := time.Now().Add(10 * time.Second)
	got := ""
	for i := 0; time.Now().Before(deadline); i++ {
		l.Send(Info, fmt.Sprintf("after restart %d", i))
		ln2.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		buf := make([]byte, 2048)
		if n, _, err := ln2.ReadFrom(buf); err == nil {
			got = string(buf[:n])
			break
		}
	}
	if !strings.Contains(got, "after restart") {
		t.Fatalf("no datagram reached the restarted socket (got %q)", got)
	}
}

func TestSinkMissingUnixSocketIsNotFatal(t *testing.T) {
	h := testHub(t, HubOptions{})
	l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: "unix:" + filepath.Join(t.TempDir(), "none"), Facility: 16, Level: 7}}})
	if err != nil {
		t.Fatalf("NewLogger with a missing unix socket: %v", err)
	}
	l.Send(Info, "lost")
	waitFor(t, func() bool { return h.Dropped() == 1 }, "the message to be counted as dropped")
}

// TestQueueFullDrops checks that a stuck syslog daemon (a unix socket
// nobody reads) costs dropped messages, never a blocked caller.
func TestQueueFullDrops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stuck.sock")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	h := testHub(t, HubOptions{QueueLen: 4, CloseGrace: 50 * time.Millisecond})
	l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: "unix:" + path, Facility: 16, Level: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("x", 900)
	start := time.Now()
	const n = 5000
	for range n {
		l.Send(Info, body)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("%d sends to a stuck daemon took %v; they must not wait for it", n, d)
	}
	if h.Dropped() == 0 {
		t.Errorf("Dropped() = 0 after %d messages to a socket nobody reads", n)
	}
}

func TestSinkBadTargets(t *testing.T) {
	h := testHub(t, HubOptions{})
	for _, tg := range []Target{
		{Addr: "tcp:1.2.3.4:5", Level: 7},
		{Addr: "udp:nohostport", Level: 7},
		{Addr: "unix:", Level: 7},
		{Addr: "fd@x", Level: 7},
		{Addr: "stdout", Format: "json", Level: 7},
		{Addr: "stdout", Facility: 24, Level: 7},
	} {
		if _, err := h.Open(tg); err == nil {
			t.Errorf("Open(%+v) succeeded; want an error", tg)
		} else if !strings.Contains(err.Error(), tg.Addr) {
			t.Errorf("Open(%+v) error %q does not name the target", tg, err)
		}
	}
}

func TestHubSharesSinks(t *testing.T) {
	h := testHub(t, HubOptions{})
	_, addr := udpListener(t)
	tg := Target{Addr: addr, Facility: 16, Level: 7}
	a, _ := h.Open(tg)
	b, _ := h.Open(tg)
	if a != b {
		t.Error("the same target opened twice gave two sinks")
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Open(Target{Addr: "stderr", Level: 7}); err == nil {
		t.Error("Open after Close succeeded")
	}
	// a logger used after Close neither panics nor blocks
	l := &Logger{hub: h, sinks: []*Sink{a}, tag: "x"}
	for range 3000 {
		l.Send(Info, "late")
	}
}

func TestSinkFD(t *testing.T) {
	// fd@N writes one line per message to an inherited descriptor.
	r, fd, err := osPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := testHub(t, HubOptions{})
	l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: fmt.Sprintf("fd@%d", fd), Format: "raw", Level: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	l.Send(Info, "one\n")
	l.Send(Info, "two")
	buf := make([]byte, 0, 64)
	tmp := make([]byte, 64)
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	for !bytes.Equal(buf, []byte("one\ntwo\n")) {
		n, err := r.Read(tmp)
		if err != nil {
			t.Fatalf("reading the pipe: %v (so far %q)", err, buf)
		}
		buf = append(buf, tmp[:n]...)
	}
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSinkUDPIPv6(t *testing.T) {
	c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	defer c.Close()
	port := c.LocalAddr().(*net.UDPAddr).Port
	h := testHub(t, HubOptions{})
	// both spellings a parser may produce
	for _, addr := range []string{fmt.Sprintf("udp:[::1]:%d", port), fmt.Sprintf("udp:::1:%d", port)} {
		l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: addr, Format: "raw", Level: 7}}})
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		l.Send(Info, "v6")
		if got := recv(t, c); got != "v6\n" {
			t.Errorf("%s: datagram = %q", addr, got)
		}
	}
}

// TestSinkUDPDaemonStartsLater: messages sent while nothing listens are
// lost (and counted), and the next ones reach the daemon once it is up.
func TestSinkUDPDaemonStartsLater(t *testing.T) {
	c, addr := udpListener(t)
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	h := testHub(t, HubOptions{})
	l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: addr, Format: "raw", Level: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	s := l.sinks[0]
	l.Send(Info, "nobody listens")
	waitFor(t, func() bool { return s.Sent()+s.Dropped() == 1 }, "the first message to be handled")
	c2, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Skipf("port %d taken meanwhile: %v", port, err)
	}
	defer c2.Close()
	l.Send(Info, "up now")
	// The message that met the closed port is sent again first (a
	// "Server x/y is DOWN" logged while syslog was still starting must
	// not be lost), then the new one.
	if got := recv(t, c2); got != "nobody listens\n" {
		t.Errorf("first datagram = %q; want the refused one again", got)
	}
	if got := recv(t, c2); got != "up now\n" {
		t.Errorf("datagram = %q; want %q", got, "up now\n")
	}
}
