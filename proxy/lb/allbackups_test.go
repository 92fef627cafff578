package lb

import (
	"net/netip"
	"testing"

	"github.com/goha/goha/config"
)

// TestAllBackups: with no active server usable, only the first usable
// backup takes traffic, or with `option allbackups` every one, for every
// algorithm; an active server coming back takes everything again.
func TestAllBackups(t *testing.T) {
	for _, algo := range []string{"roundrobin", "static-rr", "leastconn", "random", "source"} {
		for _, all := range []bool{false, true} {
			ss := farm(3)
			ss[1].Backup, ss[2].Backup = true, true
			b, err := New(config.Balance{Algo: algo, AllBackups: all}, ss, nil)
			if err != nil {
				t.Fatal(err)
			}
			b.SetUsable(ss[0], false)
			got := map[string]int{}
			for i := range 200 {
				s := b.Pick(addrN(i), nil, nil)
				if s == nil {
					t.Fatalf("%s allbackups=%v: no server", algo, all)
				}
				got[s.Name]++
				b.Release(s)
			}
			switch {
			case got["s1"] != 0:
				t.Errorf("%s allbackups=%v: the down active server got %d", algo, all, got["s1"])
			case !all && got["s3"] != 0:
				t.Errorf("%s: the second backup got %d without allbackups", algo, got["s3"])
			case all && (got["s2"] == 0 || got["s3"] == 0):
				t.Errorf("%s allbackups: backups got %v, want both", algo, got)
			}
		}
	}
}

// addrN is the i-th client address of a test.
func addrN(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}) }
