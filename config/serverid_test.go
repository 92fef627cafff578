package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// parseText parses one configuration text and returns it with its alerts.
func parseText(t *testing.T, text string) (*Config, []string) {
	t.Helper()
	cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(text)}}, testOpts(nil))
	if err != nil {
		var l *ErrorList
		if !errors.As(err, &l) {
			t.Fatalf("Parse = %v; want an *ErrorList", err)
		}
		return cfg, l.Alerts()
	}
	return cfg, nil
}

func proxyNamed(cfg *Config, name string) *Proxy {
	for _, px := range cfg.Proxies {
		if px.Name == name {
			return px
		}
	}
	return nil
}

// TestServerAutoIDs checks HAProxy's numbering of servers without `id`:
// the first unused id from a counter that moves past every server.
// Consistent hashing places servers by id; goha used to number by
// position, which gave s3 below id 3, already s1's.
func TestServerAutoIDs(t *testing.T) {
	cfg, alerts := parseText(t, `backend be
    server s1 127.0.0.1:1 id 3
    server s2 127.0.0.1:2 id 10
    server s3 127.0.0.1:3
    server s4 127.0.0.1:4 id 100
    server s5 127.0.0.1:5
    server s6 127.0.0.1:6
`)
	if len(alerts) > 0 {
		t.Fatal(alerts)
	}
	var got []string
	for _, s := range proxyNamed(cfg, "be").Servers {
		got = append(got, fmt.Sprintf("%s=%d", s.Name, s.ID))
	}
	if want := "s1=3 s2=10 s3=4 s4=100 s5=6 s6=7"; strings.Join(got, " ") != want {
		t.Errorf("ids %s; want %s", strings.Join(got, " "), want)
	}
	_, alerts = parseText(t, "backend be\n    server s1 127.0.0.1:1 id 3\n    server s2 127.0.0.1:2 id 3\n")
	want := "'server be/s2' : 'id' : custom id 3 already used at t.cfg:2 ('server s1')."
	if len(alerts) == 0 || !strings.HasSuffix(alerts[0], want) {
		t.Errorf("duplicate id: alerts %q; want one ending %q", alerts, want)
	}
}
