package worker

import (
	"strings"
	"testing"

	"github.com/goha/goha/config"
)

// TestLoadTLSAlerts: `-c` names the file and line of a bind whose
// certificate cannot be loaded, and of a cipher list crypto/tls cannot
// honour, in HAProxy's words.
func TestLoadTLSAlerts(t *testing.T) {
	src := "defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n" +
		"frontend f\n    bind 127.0.0.1:8443 ssl crt /nonexistent/goha-test.pem\n    http-request return status 200\n"
	cfg, err := config.Parse([]config.Source{{Name: "t.cfg", Data: []byte(src)}},
		config.ParseOptions{AllowTLS: true, Stat: func(string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	b, alerts := LoadTLS(cfg)
	if b != nil || len(alerts) != 1 {
		t.Fatalf("LoadTLS: %v %q, want one alert", b, alerts)
	}
	if a := alerts[0]; !strings.HasPrefix(a, "parsing [t.cfg:7] : ") || !strings.Contains(a, "/nonexistent/goha-test.pem") {
		t.Errorf("alert %q, want it to start with parsing [t.cfg:7] and name the file", a)
	}
}
