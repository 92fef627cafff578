package config

import "testing"

// TestBalanceWithoutAlgorithm: HAProxy takes a bare `balance` as
// roundrobin (goha used to panic slicing its arguments).
func TestBalanceWithoutAlgorithm(t *testing.T) {
	src := "backend b\n  balance\n  server s 127.0.0.1:80\n"
	cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(src)}}, testOpts(nil))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if b := cfg.Proxies[0].Balance; b.Algo != "roundrobin" || len(b.Args) != 0 {
		t.Errorf("balance = %+v, want roundrobin without arguments", b)
	}
}
