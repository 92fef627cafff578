package stick

// Freq is HAProxy's freq_ctr: the events of the current period (Curr),
// those of the previous one (Prev) and the start of the current period
// (Tick, a wrapping millisecond date whose low bit HAProxy keeps clear as
// its lock bit). The zero value is an empty counter.
type Freq struct {
	Tick, Curr, Prev uint32
}

// Add counts n events at date now over period ms, rotating the periods
// when the current one is over (update_freq_ctr_period()), and returns
// the current period's count.
func (f *Freq) Add(now, period, n uint32) uint32 {
	if now-f.Tick < period {
		f.Curr += n
		return f.Curr
	}
	f.Prev, f.Curr = f.Curr, n
	tick := f.Tick + period
	if now-tick >= period {
		// at least two periods missed: nothing of the past counts
		f.Prev = 0
		tick = now
	}
	f.Tick = tick &^ 1
	return n
}

// Total is HAProxy's freq_ctr_total(): the events over the sliding
// period ending at now, times period (the previous period weighted by
// what remains of the current one), plus pend pending events. A negative
// pend asks for the low-rate correction: a lone past event counts whole.
func (f Freq) Total(now, period uint32, pend int) uint64 {
	curr, past := uint64(f.Curr), uint64(f.Prev)
	remain := int64(int32(f.Tick + period - now))
	if remain < 0 {
		remain += int64(period)
		past = 0
		if remain >= 0 {
			past = curr
		}
		curr = 0
	}
	if pend < 0 {
		pend = 0
		if curr == 0 && past <= 1 {
			return past * uint64(period)
		}
	}
	if remain < 0 {
		remain = 0
	}
	return past*uint64(remain) + (curr+uint64(pend))*uint64(period)
}

// Rate is HAProxy's read_freq_ctr_period(): events per period at now.
func (f Freq) Rate(now, period uint32) uint32 {
	if period == 0 {
		return 0
	}
	return uint32(f.Total(now, period, -1) / uint64(period))
}

// set stores v as the current period's count starting now, as `set
// table ... data.<rate> V` does: the rate reads v for a period, then
// fades out over the next.
func (f *Freq) set(now uint32, v uint32) {
	f.Tick, f.Prev, f.Curr = now&^1, 0, v
}
