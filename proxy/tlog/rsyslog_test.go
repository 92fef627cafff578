package tlog

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/goha/goha/proxy/tlog/tlogtest"
)

// TestRsyslogEndToEnd sends httplog lines and a server state message
// through the real sinks to a real rsyslogd, over UDP and over a unix
// socket, and checks the lines it writes are exactly the expected ones.
func TestRsyslogEndToEnd(t *testing.T) {
	rs := tlogtest.StartRsyslog(t)
	h := testHub(t, HubOptions{})
	f := MustCompile(HTTPLogFormat, FormatOptions{HTTP: true, Location: time.UTC})
	for _, c := range []struct {
		name   string
		target Target
		prefix string
	}{
		{"udp", Target{Addr: "udp:" + rs.UDPAddr, Facility: 16, Level: 7}, "<134>Nov 25 15:42:53 haproxy[13573]: "},
		{"unix", Target{Addr: "unix:" + rs.UnixPath, Format: "rfc5424", Facility: 17, Level: 7},
			"<142>1 2026-11-25T15:42:53.700026+00:00 - haproxy 13573 - - "},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(rs.Lines())
			l, err := NewLogger(h, LoggerOptions{Targets: []Target{c.target}, Format: f, HTTP: true})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			e := &Entry{}
			for i := range 5 {
				e.Reset()
				e.Client = netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", 40000+i))
				e.AcceptTime = time.Date(2026, 11, 25, 15, 42, 53, i*1e6, time.UTC)
				e.FrontendName, e.BackendName, e.ServerName = "fe", "be", "s1"
				e.Tr, e.Tt = time.Duration(i)*time.Millisecond, time.Duration(i+1)*time.Millisecond
				e.Status, e.BytesOut, e.BytesIn = 200, 132, 78
				e.Term = [2]byte{'-', '-'}
				e.ActConn, e.FeConn, e.BeConn, e.SrvConn = 1, 1, 1, 1
				e.ReqLine = fmt.Appendf(nil, "GET /%d HTTP/1.1", i)
				l.Log(e)
				want = append(want, c.prefix+fmt.Sprintf(
					`127.0.0.1:%d [25/Nov/2026:15:42:53.00%d] fe be/s1 0/0/0/%d/%d 200 132 - - ---- 1/1/1/1/0 0/0 "GET /%d HTTP/1.1"`,
					40000+i, i, i, i+1, i))
			}
			l.Send(Notice, "Server be/s3 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
			p := c.prefix
			// notice instead of info: PRI one less
			if c.name == "udp" {
				p = "<133>" + p[5:]
			} else {
				p = "<141>" + p[5:]
			}
			want = append(want, p+"Server be/s3 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")

			got := rs.WaitLines(before+len(want), 10*time.Second)[before:]
			if len(got) != len(want) {
				t.Fatalf("rsyslogd wrote %d lines; want %d:\n%q", len(got), len(want), got)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("line %d:\n got %q\nwant %q", i, got[i], want[i])
				}
			}
		})
	}
}
