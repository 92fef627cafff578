package lb

import (
	"net/netip"
	"sync"
	"testing"

	"github.com/goha/goha/config"
)

// TestLiveAddUnderPicks: servers added to a Live balancer while
// goroutines pick and release are chosen once usable, never before, and
// connection counts carry over the swap (run with -race).
func TestLiveAddUnderPicks(t *testing.T) {
	for _, algo := range []string{"roundrobin", "leastconn", "first", "random"} {
		t.Run(algo, func(t *testing.T) {
			s1 := &Server{Name: "s1", ID: 1}
			l, err := NewLive(config.Balance{Algo: algo}, []*Server{s1}, []int{1})
			if err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			picked := make([]map[*Server]int, 4)
			for g := range picked {
				picked[g] = map[*Server]int{}
				wg.Add(1)
				go func(m map[*Server]int) {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						if s := l.Pick(netip.Addr{}, nil, nil); s != nil {
							m[s]++
							l.Release(s)
						}
					}
				}(picked[g])
			}
			s2 := &Server{Name: "s2", ID: 2}
			if err := l.Add(s2, 1, false); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 200; i++ {
				if s := l.Pick(netip.Addr{}, nil, nil); s == s2 {
					t.Fatal("an unusable added server was picked")
				} else if s != nil {
					l.Release(s)
				}
			}
			l.SetUsable(s1, false)
			l.SetUsable(s2, true)
			s := l.Pick(netip.Addr{}, nil, nil)
			if s != s2 {
				t.Fatalf("with s1 down, Pick = %v; want the added s2", s)
			}
			l.Release(s)
			close(stop)
			wg.Wait()
			if c1, c2 := s1.Conns(), s2.Conns(); c1 != 0 || c2 != 0 {
				t.Errorf("connections left counted: s1 %d, s2 %d", c1, c2)
			}
		})
	}
}
