package stream

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestCompAllowed: compression is refused to new responses while the
// input rate is above maxcomprate or the idle percentage below 100 -
// maxcompcpuusage, and allowed otherwise (no limit by default).
func TestCompAllowed(t *testing.T) {
	cases := []struct {
		name             string
		rateLim, minIdle int64
		inLastSec        int64
		idle             int64
		want             bool
	}{
		{"no limits", 0, 0, 1 << 30, 0, true},
		{"rate below", 10240, 0, 5000, 100, true},
		{"rate above", 10240, 0, 20000, 100, false},
		{"cpu usage below maxcompcpuusage 80", 0, 20, 0, 50, true},
		{"cpu usage above maxcompcpuusage 80", 0, 20, 0, 10, false},
		{"maxcompcpuusage 0, fully idle", 0, 100, 0, 100, true},
	}
	for _, c := range cases {
		rt := &Process{}
		var src atomic.Int64
		rt.comp.inRate = rt.rates.add(&src)
		rt.rates.tick.Store(time.Now().UnixNano())
		src.Store(c.inLastSec) // all within the current second
		rt.comp.rateLim, rt.comp.minIdle = c.rateLim, c.minIdle
		rt.comp.idlePct.Store(c.idle)
		if got := rt.compAllowed(); got != c.want {
			t.Errorf("%s: compAllowed %v, want %v", c.name, got, c.want)
		}
	}
}

// TestSampleIdle: the idle percentage follows the process's CPU time
// over the last tick, within 0..100.
func TestSampleIdle(t *testing.T) {
	var c compState
	c.lastCPU, c.lastSample = processCPU(), time.Now()
	// Keep one thread busy until the process has used 20 ms of CPU
	// (however loaded the machine), the sample then covers that time.
	deadline := time.Now().Add(10 * time.Second)
	for processCPU()-c.lastCPU < 20*time.Millisecond && time.Now().Before(deadline) {
	}
	c.sampleIdle(time.Now())
	if v := c.idlePct.Load(); v < 0 || v >= 100 {
		t.Fatalf("idle %d%% after a busy loop, want within 0..99", v)
	}
}
