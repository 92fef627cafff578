package stream

import (
	"context"
	"sync/atomic"
	"time"
)

// rateCtr turns a cumulative counter into HAProxy's per-second rate
// (freq_ctr): a sampler records the total at each second boundary; the
// rate is the events of the current second plus the previous second's
// events weighted by the part of the second not yet elapsed. Nothing is
// added to the data path: the counters are the ones it already keeps.
type rateCtr struct {
	src  *atomic.Int64
	base atomic.Int64 // total at the last tick
	prev atomic.Int64 // events during the last full second
	max  atomic.Int64
}

// rateSet holds every rate of a process.
type rateSet struct {
	tick atomic.Int64 // Unix ns of the last tick
	all  []*rateCtr

	feSess, feReq, feConn map[*Frontend]*rateCtr
	beSess                map[*Backend]*rateCtr
	srvSess               map[*Server]*rateCtr
	conn, sess            *rateCtr // process-wide
	sessTotal             atomic.Int64
}

func (rs *rateSet) add(src *atomic.Int64) *rateCtr {
	r := &rateCtr{src: src}
	r.base.Store(src.Load())
	rs.all = append(rs.all, r)
	return r
}

func (rt *Process) initRates() {
	rs := &rt.rates
	rs.feSess = map[*Frontend]*rateCtr{}
	rs.feReq = map[*Frontend]*rateCtr{}
	rs.feConn = map[*Frontend]*rateCtr{}
	rs.beSess = map[*Backend]*rateCtr{}
	rs.srvSess = map[*Server]*rateCtr{}
	for _, f := range rt.frontends {
		rs.feSess[f] = rs.add(&f.Stot)
		rs.feReq[f] = rs.add(&f.ReqTot)
		rs.feConn[f] = rs.add(&f.ConnTot)
	}
	for _, b := range rt.backends {
		rs.beSess[b] = rs.add(&b.Stot)
		for _, s := range b.ServerList() {
			rs.srvSess[s] = rs.add(&s.Stot)
		}
	}
	rs.conn = rs.add(&rt.CumConns)
	rs.sess = rs.add(&rs.sessTotal)
	rt.initComp()
	rs.tick.Store(time.Now().UnixNano())
}

// SampleRates ticks the rates every second until ctx ends.
func (rt *Process) SampleRates(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			rt.tickRates(now)
		}
	}
}

func (rt *Process) tickRates(now time.Time) {
	rs := &rt.rates
	var sess int64
	for _, f := range rt.frontends {
		sess += f.Stot.Load()
	}
	rs.sessTotal.Store(sess)
	for _, r := range rs.all {
		cur := r.src.Load()
		d := cur - r.base.Load()
		if d < 0 { // counters cleared
			d = 0
		}
		r.prev.Store(d)
		r.base.Store(cur)
		storeMax(&r.max, d)
	}
	rs.tick.Store(now.UnixNano())
	rt.comp.sampleIdle(now)
}

// rate returns the current per-second rate of r.
func (rs *rateSet) rate(r *rateCtr) int64 {
	if r == nil {
		return 0
	}
	cur := r.src.Load() - r.base.Load()
	if cur < 0 {
		cur = 0
	}
	el := time.Now().UnixNano() - rs.tick.Load()
	if el < 0 {
		el = 0
	}
	v := cur
	if el < int64(time.Second) {
		v += r.prev.Load() * (int64(time.Second) - el) / int64(time.Second)
	}
	storeMax(&r.max, v)
	return v
}

// rateMax returns the highest rate seen.
func (rs *rateSet) rateMax(r *rateCtr) int64 {
	if r == nil {
		return 0
	}
	rs.rate(r)
	return r.max.Load()
}

// clearMax resets the maxima (`clear counters`).
func (rs *rateSet) clearMax() {
	for _, r := range rs.all {
		r.max.Store(0)
	}
}

// rebase makes rates restart from the current totals (`clear counters
// all` zeroes the totals).
func (rs *rateSet) rebase() {
	for _, r := range rs.all {
		r.base.Store(r.src.Load())
		r.prev.Store(0)
	}
}

// ProcessRates returns the process-wide connection and session rates and
// their maxima (`show info` ConnRate, MaxConnRate, SessRate, MaxSessRate).
func (rt *Process) ProcessRates() (conn, connMax, sess, sessMax int64) {
	rs := &rt.rates
	return rs.rate(rs.conn), rs.rateMax(rs.conn), rs.rate(rs.sess), rs.rateMax(rs.sess)
}

// waitAcceptRate holds an accept loop while the process is at its
// maxconnrate, as HAProxy pauses its listeners: the clients wait in the
// kernel's queue, none is refused. It returns false when the process
// stops meanwhile.
func (rt *Process) waitAcceptRate() bool {
	limit := int64(rt.cfg.Global.MaxConnRate)
	if limit <= 0 {
		return true
	}
	rs := &rt.rates
	for {
		d := rs.waitBelow(rs.conn, limit, time.Now())
		if d <= 0 {
			return true
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-rt.ctx.Done():
			t.Stop()
			return false
		}
	}
}

// waitBelow returns how long until r's rate (the current second's
// events plus the previous second's weighted by what is left of it,
// HAProxy's freq_ctr) falls below limit; 0 when it is below now.
func (rs *rateSet) waitBelow(r *rateCtr, limit int64, now time.Time) time.Duration {
	const sec = int64(time.Second)
	cur := max(r.src.Load()-r.base.Load(), 0)
	el := min(max(now.UnixNano()-rs.tick.Load(), 0), sec)
	if cur >= limit {
		return time.Duration(sec-el) + time.Millisecond // until the next second
	}
	prev := r.prev.Load()
	if prev == 0 || cur+prev*(sec-el)/sec < limit {
		return 0
	}
	// cur + prev*(sec-el')/sec < limit once el' > sec*(1-(limit-cur)/prev).
	need := sec - sec*(limit-cur)/prev
	return time.Duration(need-el) + time.Millisecond
}

// FrontendRates returns f's session, request and connection rates per
// second, each with its maximum.
func (rt *Process) FrontendRates(f *Frontend) (sess, sessMax, req, reqMax, conn, connMax int64) {
	rs := &rt.rates
	return rs.rate(rs.feSess[f]), rs.rateMax(rs.feSess[f]), rs.rate(rs.feReq[f]), rs.rateMax(rs.feReq[f]),
		rs.rate(rs.feConn[f]), rs.rateMax(rs.feConn[f])
}

// BackendRate returns b's session rate per second and its maximum.
func (rt *Process) BackendRate(b *Backend) (rate, max int64) {
	rs := &rt.rates
	return rs.rate(rs.beSess[b]), rs.rateMax(rs.beSess[b])
}

// ServerRate returns s's session rate per second and its maximum.
func (rt *Process) ServerRate(s *Server) (rate, max int64) {
	rs := &rt.rates
	return rs.rate(rs.srvSess[s]), rs.rateMax(rs.srvSess[s])
}

// ClearRates is the rates' part of `clear counters`: the maxima start
// again from zero, and with all the rates from the cleared totals.
func (rt *Process) ClearRates(all bool) {
	if all {
		rt.rates.rebase()
	}
	rt.rates.clearMax()
}
