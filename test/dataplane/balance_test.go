package dataplane

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goha/goha/test/harness"
)

func count(seq string) map[string]int {
	m := map[string]int{}
	for _, s := range strings.Split(seq, ",") {
		m[s]++
	}
	return m
}

func TestBalance(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", nil)
	s2 := harness.NewBackend(t, "s2", nil)
	s3 := harness.NewBackend(t, "s3", nil)
	tests := []struct {
		name  string
		be    string // backend body, %[1]s %[2]s %[3]s = server addresses
		path  string
		n     int
		check func(t *testing.T, seq string)
	}{
		{"roundrobin", "balance roundrobin\n    server s1 %[1]s\n    server s2 %[2]s", "/", 4, func(t *testing.T, seq string) {
			if seq != "s1,s2,s1,s2" && seq != "s2,s1,s2,s1" {
				t.Errorf("order = %s; want alternating", seq)
			}
		}},
		{"roundrobin weights", "balance roundrobin\n    server s1 %[1]s weight 2\n    server s2 %[2]s weight 1", "/", 6, func(t *testing.T, seq string) {
			if c := count(seq); c["s1"] != 4 || c["s2"] != 2 {
				t.Errorf("counts = %v (%s); want s1:4 s2:2", c, seq)
			}
		}},
		{"static-rr weights", "balance static-rr\n    server s1 %[1]s weight 1\n    server s2 %[2]s weight 3", "/", 8, func(t *testing.T, seq string) {
			if c := count(seq); c["s1"] != 2 || c["s2"] != 6 {
				t.Errorf("counts = %v (%s); want s1:2 s2:6", c, seq)
			}
		}},
		{"leastconn", "balance leastconn\n    server s1 %[1]s\n    server s2 %[2]s", "/", 4, func(t *testing.T, seq string) {
			if c := count(seq); c["s1"] == 0 || c["s2"] == 0 {
				t.Errorf("counts = %v; want both servers used when idle", c)
			}
		}},
		{"first", "balance first\n    server s1 %[1]s maxconn 10\n    server s2 %[2]s maxconn 10", "/", 4, func(t *testing.T, seq string) {
			if seq != "s1,s1,s1,s1" {
				t.Errorf("order = %s; want s1 only", seq)
			}
		}},
		{"source", "balance source\n    server s1 %[1]s\n    server s2 %[2]s\n    server s3 %[3]s", "/", 5, func(t *testing.T, seq string) {
			if c := count(seq); len(c) != 1 {
				t.Errorf("counts = %v; want one server for one source", c)
			}
		}},
		{"uri", "balance uri\n    server s1 %[1]s\n    server s2 %[2]s\n    server s3 %[3]s", "/some/path?x=1", 5, func(t *testing.T, seq string) {
			if c := count(seq); len(c) != 1 {
				t.Errorf("counts = %v; want one server for one uri", c)
			}
		}},
		{"backup unused while active up", "server s1 %[1]s\n    server s2 %[2]s backup", "/", 4, func(t *testing.T, seq string) {
			if seq != "s1,s1,s1,s1" {
				t.Errorf("order = %s; want s1 only", seq)
			}
		}},
		{"backup takes over", "server s1 %[1]s disabled\n    server s3 %[3]s disabled\n    server s2 %[2]s backup", "/", 3, func(t *testing.T, seq string) {
			if seq != "s2,s2,s2" {
				t.Errorf("order = %s; want the backup s2", seq)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := harness.FreeAddr(t)
			cfg := defaults + fmt.Sprintf("frontend fe\n    bind %s\n    default_backend be\nbackend be\n    ", fe) +
				fmt.Sprintf(tt.be, s1.Addr, s2.Addr, s3.Addr) + "\n"
			startGoha(t, cfg, fe)
			tt.check(t, sequence(t, "http://"+fe+tt.path, tt.n))
		})
	}
}

// TestURIStickiness checks that different URIs spread and each sticks.
func TestURIStickiness(t *testing.T) {
	s1 := harness.NewBackend(t, "s1", nil)
	s2 := harness.NewBackend(t, "s2", nil)
	fe := harness.FreeAddr(t)
	startGoha(t, defaults+fmt.Sprintf("frontend fe\n    bind %s\n    default_backend be\nbackend be\n    balance uri\n    server s1 %s\n    server s2 %s\n", fe, s1.Addr, s2.Addr), fe)
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		p := fmt.Sprintf("http://%s/u%d", fe, i)
		a := sequence(t, p, 3)
		if c := count(a); len(c) != 1 {
			t.Fatalf("%s served by %v; want one server", p, c)
		}
		seen[strings.Split(a, ",")[0]] = true
	}
	if len(seen) != 2 {
		t.Errorf("20 URIs all went to %v; want both servers used", seen)
	}
}
