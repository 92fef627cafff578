package stream

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestWaitBelow: how long an accept loop waits under maxconnrate, from
// HAProxy's freq_ctr (the current second's count plus the previous
// second's weighted by what is left of it).
func TestWaitBelow(t *testing.T) {
	tick := time.Unix(1000, 0)
	for _, tc := range []struct {
		name      string
		prev, cur int64
		elapsed   time.Duration
		want      time.Duration
	}{
		{"under the limit", 0, 5, 300 * time.Millisecond, 0},
		{"at the limit in this second", 0, 20, 300 * time.Millisecond, 701 * time.Millisecond},
		{"the previous second still weighs", 20, 0, 0, time.Millisecond},
		{"previous second's weight fading", 20, 10, 200 * time.Millisecond, 301 * time.Millisecond},
		{"past the weight", 20, 10, 600 * time.Millisecond, 0},
	} {
		var src atomic.Int64
		rs := &rateSet{}
		r := rs.add(&src)
		r.prev.Store(tc.prev)
		src.Add(tc.cur)
		rs.tick.Store(tick.UnixNano())
		if got := rs.waitBelow(r, 20, tick.Add(tc.elapsed)); got != tc.want {
			t.Errorf("%s: wait %v, want %v", tc.name, got, tc.want)
		}
	}
}
