package stream

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

// compState is a process's compression accounting (HAProxy's
// global.comp_bps_in/out) and the state of its limits: `maxcomprate`
// on the compressor's input rate and `maxcompcpuusage` on the process's
// CPU usage, sampled each second (HAProxy's per-thread idle_pct).
type compState struct {
	in, out    atomic.Int64 // bytes into and out of the compressor
	inRate     *rateCtr
	outRate    *rateCtr
	idlePct    atomic.Int64 // 0..100, over the last second
	lastCPU    time.Duration
	lastSample time.Time
	rateLim    int64 // bytes per second; 0 = none
	minIdle    int64 // percent; 0 = none
}

// initComp registers the compression rates; called from initRates.
func (rt *Process) initComp() {
	c := &rt.comp
	c.inRate = rt.rates.add(&c.in)
	c.outRate = rt.rates.add(&c.out)
	c.rateLim = int64(rt.cfg.Global.MaxCompRate) * 1024
	c.minIdle = int64(rt.cfg.Global.CompMinIdle)
	c.idlePct.Store(100)
	c.lastCPU, c.lastSample = processCPU(), time.Now()
}

// sampleIdle updates the idle percentage from the process's CPU time
// over the last tick, spread over the threads running Go code.
func (c *compState) sampleIdle(now time.Time) {
	cpu := processCPU()
	wall := now.Sub(c.lastSample)
	if wall <= 0 {
		return
	}
	busy := int64((cpu - c.lastCPU) * 100 / (wall * time.Duration(runtime.GOMAXPROCS(0))))
	c.idlePct.Store(100 - min(max(busy, 0), 100))
	c.lastCPU, c.lastSample = cpu, now
}

// processCPU returns the user and system CPU time of the process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// compAllowed reports whether a new response may be compressed: not
// while the compressor's input rate is above maxcomprate, nor while the
// process is busier than maxcompcpuusage allows (HAProxy checks both in
// select_compression_response_header).
func (rt *Process) compAllowed() bool {
	c := &rt.comp
	if c.rateLim > 0 && rt.rates.rate(c.inRate) > c.rateLim {
		return false
	}
	return c.minIdle == 0 || c.idlePct.Load() >= c.minIdle
}

// compCount records n bytes into the compressor and m out of it, for
// the process and the request's frontend and backend.
func (rt *Process) compCount(fe, be *Counters, n, m int) {
	rt.comp.in.Add(int64(n))
	rt.comp.out.Add(int64(m))
	if fe != nil {
		fe.CompIn.Add(int64(n))
		fe.CompOut.Add(int64(m))
	}
	if be != nil {
		be.CompIn.Add(int64(n))
		be.CompOut.Add(int64(m))
	}
}

// CompressRates returns `show info` CompressBpsIn, CompressBpsOut and
// CompressBpsRateLim.
func (rt *Process) CompressRates() (in, out, lim int64) {
	c := &rt.comp
	return rt.rates.rate(c.inRate), rt.rates.rate(c.outRate), c.rateLim
}

// IdlePct returns the process's idle percentage over the last second
// (`show info` Idle_pct).
func (rt *Process) IdlePct() int64 { return rt.comp.idlePct.Load() }
