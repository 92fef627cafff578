package worker

import (
	"testing"

	"github.com/goha/goha/config"
)

// TestIdealMaxconnMatchesHAProxy checks the derived maxconn against the
// figures HAProxy 2.6 shows in `show info` for the same configuration,
// thread count and descriptor limit (measured with /usr/sbin/haproxy).
func TestIdealMaxconnMatchesHAProxy(t *testing.T) {
	const oneFE = "global\n    stats socket /tmp/x.sock\n" +
		"defaults\n    mode http\nfrontend fe\n    bind 127.0.0.1:8080\n"
	const threeBinds = "global\n    stats socket /tmp/x.sock\n" +
		"defaults\n    mode http\nfrontend fe\n    bind 127.0.0.1:8080\n    bind 127.0.0.1:8081\n" +
		"frontend fe2\n    bind 127.0.0.1:8082\nbackend b\n    server s 127.0.0.1:80 check\n"
	cases := []struct {
		name            string
		cfg             string
		nofile, threads int
		extra           int
		want            int
	}{
		{"ulimit 20000, 2 threads", oneFE, 20000, 2, 0, 9986},
		{"ulimit 4096, 2 threads", oneFE, 4096, 2, 0, 2034},
		{"ulimit 1024, 2 threads", oneFE, 1024, 2, 0, 498},
		{"ulimit 256, 2 threads", oneFE, 256, 2, 0, 114},
		{"4 listeners, 1 thread", threeBinds, 20000, 1, 0, 9986},
		{"master-worker (-W)", oneFE, 20000, 2, 1, 9985},
		{"tight limit keeps HAProxy's floor", oneFE, 64, 2, 0, 100},
	}
	for _, c := range cases {
		cfg, err := config.Parse([]config.Source{{Name: "t.cfg", Data: []byte(c.cfg)}}, config.ParseOptions{})
		if err != nil {
			t.Fatalf("%s: parse: %v", c.name, err)
		}
		if got := IdealMaxconn(cfg, c.nofile, c.threads, c.extra); got != c.want {
			t.Errorf("%s: IdealMaxconn = %d, want %d (HAProxy 2.6)", c.name, got, c.want)
		}
	}
}

// TestDeriveMaxconnKeepsConfigured checks a configured maxconn is never
// replaced by the derived one.
func TestDeriveMaxconnKeepsConfigured(t *testing.T) {
	cfg := &config.Config{}
	cfg.Global.Maxconn = 42
	if got := DeriveMaxconn(cfg, 0); got != 42 || cfg.Global.Maxconn != 42 {
		t.Fatalf("DeriveMaxconn with maxconn 42 = %d (global %d), want 42", got, cfg.Global.Maxconn)
	}
	cfg.Global.Maxconn, cfg.Global.UlimitN = 0, 1024
	if got := DeriveMaxconn(cfg, 0); got <= 0 || cfg.Global.Maxconn != got {
		t.Fatalf("DeriveMaxconn without maxconn = %d (global %d), want a positive limit", got, cfg.Global.Maxconn)
	}
}
