package stream

import (
	"strings"
	"testing"
	"time"
)

// TestMonitorFail: `monitor fail if { nbsrv(be) lt 1 }` makes the
// monitor-uri answer 503 while no server of be is usable, 200 otherwise.
func TestMonitorFail(t *testing.T) {
	rt, fe := startProxy(t, testDefaults+"frontend fe\n    bind {{fe:fe}}\n    monitor-uri /health\n    monitor fail if { nbsrv(be) lt 1 }\n    default_backend be\nbackend be\n    server s1 127.0.0.1:1\n")
	s1 := rt.FindBackend("be").FindServer("s1")
	status := func() string {
		got := rawRequest(t, fe["fe"], "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2*time.Second)
		line, _, _ := strings.Cut(got, "\r\n")
		return line
	}
	s := []string{status()}
	s1.SetAdminState(AdminMaint)
	s = append(s, status())
	s1.SetAdminState(AdminReady)
	s = append(s, status())
	want := []string{"HTTP/1.1 200 OK", "HTTP/1.1 503 Service Unavailable", "HTTP/1.1 200 OK"}
	if strings.Join(s, "|") != strings.Join(want, "|") {
		t.Errorf("monitor-uri answers %q, want %q", s, want)
	}
}
