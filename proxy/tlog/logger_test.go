package tlog

import (
	"net/netip"
	"testing"
	"time"
)

func TestLoggerOptions(t *testing.T) {
	h := testHub(t, HubOptions{})
	ln, addr := udpListener(t)
	f := MustCompile("%lc %ST %ts", FormatOptions{HTTP: true})
	l, err := NewLogger(h, LoggerOptions{
		Targets: []Target{{Addr: addr, Format: "priority", Facility: 16, Level: 7}},
		Format:  f, HTTP: true, DontLogNull: true, SeparateErrors: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !l.Enabled() {
		t.Fatal("Enabled() = false")
	}
	cases := []struct {
		name string
		e    Entry
		want string // "" = not logged
	}{
		{"null connection skipped (dontlognull)", Entry{Status: 200, Term: [2]byte{'C', 'R'}}, ""},
		{"normal at info", Entry{BytesIn: 1, Status: 200, Term: [2]byte{'-', '-'}}, "<134>1 200 --"},
		{"local answer is not an error", Entry{BytesIn: 1, Status: 403, Term: [2]byte{'P', 'R'}}, "<131>2 403 PR"},
		{"stats page is local", Entry{BytesIn: 1, Status: 200, Term: [2]byte{'L', 'R'}}, "<134>3 200 LR"},
		{"5xx is an error", Entry{BytesIn: 1, Status: 503, Term: [2]byte{'-', '-'}}, "<131>4 503 --"},
		{"server abort is an error", Entry{BytesIn: 1, Status: 200, Term: [2]byte{'S', 'D'}}, "<131>5 200 SD"},
		{"retried is an error", Entry{BytesIn: 1, Status: 200, Retries: 1}, "<131>6 200 --"},
		{"redispatched is an error", Entry{BytesIn: 1, Status: 200, Redispatched: true}, "<131>7 200 --"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l.Log(&c.e)
			if c.want == "" {
				return
			}
			if got := recv(t, ln); got != c.want+"\n" {
				t.Errorf("datagram = %q; want %q", got, c.want+"\n")
			}
		})
	}
}

func TestLoggerConnect(t *testing.T) {
	h := testHub(t, HubOptions{})
	ln, addr := udpListener(t)
	l, err := NewLogger(h, LoggerOptions{Targets: []Target{{Addr: addr, Format: "raw", Level: 7}}, Name: "www", HTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	if l.Enabled() {
		t.Error("Enabled() = true without a format")
	}
	l.Log(&Entry{BytesIn: 1}) // no format: nothing
	l.Connect(netip.MustParseAddrPort("10.0.1.2:33312"), netip.MustParseAddrPort("10.0.3.31:8012"), 0)
	if got, want := recv(t, ln), "Connect from 10.0.1.2:33312 to 10.0.3.31:8012 (www/HTTP)\n"; got != want {
		t.Errorf("datagram = %q; want %q", got, want)
	}
	l.Connect(netip.AddrPort{}, netip.AddrPort{}, 2)
	if got, want := recv(t, ln), "Connect to unix:2 (www/HTTP)\n"; got != want {
		t.Errorf("datagram = %q; want %q", got, want)
	}
}

func TestLoggerWithoutTargets(t *testing.T) {
	h := testHub(t, HubOptions{})
	l, err := NewLogger(h, LoggerOptions{Format: MustCompile(TCPLogFormat, FormatOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	if l.Enabled() || l.HasTargets() {
		t.Error("a logger without targets says it is enabled")
	}
	l.Log(&Entry{})
	l.Send(Alert, "x")
	var nilLogger *Logger
	nilLogger.Log(&Entry{}) // a nil *Logger is a valid "no logs"
	nilLogger.Send(Info, "x")
}

func TestProxyFormat(t *testing.T) {
	cases := []struct {
		name                       string
		logFormat                  string
		httpLog, clf, tcpLog, http bool
		want                       string
	}{
		{"none", "", false, false, false, true, ""},
		{"httplog", "", true, false, false, true, HTTPLogFormat},
		{"httplog clf", "", true, true, false, true, CLFHTTPLogFormat},
		{"httplog in tcp mode falls back", "", true, false, false, false, TCPLogFormat},
		{"implied httplog string in tcp mode", HTTPLogFormat, false, false, false, false, TCPLogFormat},
		{"tcplog", "", false, false, true, false, TCPLogFormat},
		{"log-format wins", "%ci", true, false, false, true, "%ci"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ProxyFormat(c.logFormat, c.httpLog, c.clf, c.tcpLog, c.http); got != c.want {
				t.Errorf("ProxyFormat = %q; want %q", got, c.want)
			}
		})
	}
}

func TestTargets(t *testing.T) {
	own := []Target{{Addr: "stdout"}}
	global := []Target{{Addr: "udp:127.0.0.1:514"}}
	if got := Targets(own, true, true, global); len(got) != 0 {
		t.Errorf("no log: %v", got)
	}
	if got := Targets(own, true, false, global); len(got) != 2 || got[1] != global[0] {
		t.Errorf("log global: %v", got)
	}
	if got := Targets(nil, false, false, global); len(got) != 0 {
		t.Errorf("no log line: %v", got)
	}
}

func TestEntryReset(t *testing.T) {
	e := Entry{Status: 200, ReqCaptures: [][]byte{[]byte("a"), nil}, ReqLine: []byte("x")}
	e.Reset()
	if e.Status != 0 || e.ReqLine != nil || len(e.ReqCaptures) != 2 || e.ReqCaptures[0] != nil {
		t.Errorf("Reset left %+v", e)
	}
}

func BenchmarkLoggerLogUDP(b *testing.B) {
	ln, err := netListenUDP()
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() { // drain
		buf := make([]byte, 2048)
		for {
			if _, _, err := ln.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	h := NewHub(HubOptions{QueueLen: 4096})
	defer h.Close()
	l, err := NewLogger(h, LoggerOptions{
		Targets: []Target{{Addr: "udp:" + ln.LocalAddr().String(), Facility: 16, Level: 7}},
		Format:  MustCompile(HTTPLogFormat, FormatOptions{HTTP: true}), HTTP: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	e := benchEntry()
	e.AcceptTime = time.Now()
	b.ReportAllocs()
	for b.Loop() {
		l.Log(e)
	}
	b.ReportMetric(float64(h.Dropped()), "dropped")
}
