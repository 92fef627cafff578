package stream

import (
	"sync/atomic"
	"time"
)

// avgWindow is the number of samples HAProxy's ctime/qtime/rtime/ttime
// averages cover (TIME_STATS_SAMPLES).
const avgWindow = 1024

// Avg is a sliding average of durations in milliseconds, updated the way
// HAProxy's swrate_add does (sum -= sum/N; sum += v), without locks: a
// lost update under contention only perturbs an estimate.
type Avg struct {
	sum atomic.Int64
	n   atomic.Int64
}

// Add records one sample.
func (a *Avg) Add(d time.Duration) {
	v := d.Milliseconds()
	if v < 0 {
		return
	}
	n := a.n.Load()
	if n < avgWindow {
		a.n.Store(n + 1)
		a.sum.Add(v)
		return
	}
	s := a.sum.Load()
	a.sum.Store(s - s/avgWindow + v)
}

// Value returns the average in milliseconds.
func (a *Avg) Value() int64 {
	n := a.n.Load()
	if n == 0 {
		return 0
	}
	if n > avgWindow {
		n = avgWindow
	}
	return a.sum.Load() / n
}

// Counters are the statistics shared by frontends, backends and servers,
// named after HAProxy's `show stat` fields. All are safe for concurrent
// use; the stats glue reads them with Load.
type Counters struct {
	// Scur is the current number of sessions; Smax its maximum; Stot the
	// cumulative number of sessions.
	Scur, Smax, Stot atomic.Int64
	// Bin and Bout are bytes received from and sent to clients (servers
	// count what they exchanged on behalf of clients).
	Bin, Bout atomic.Int64
	// Dreq and Dresp are requests and responses denied by rules.
	Dreq, Dresp atomic.Int64
	// Ereq counts request errors (frontends), Econ connection errors to
	// servers, Eresp response errors (servers and backends).
	Ereq, Econ, Eresp atomic.Int64
	// Wretr counts connection retries, Wredis redispatches.
	Wretr, Wredis atomic.Int64
	// Hrsp counts HTTP responses by class: [0] 1xx ... [4] 5xx, [5] other.
	Hrsp [6]atomic.Int64
	// ReqTot is the number of HTTP requests received (frontends) or
	// processed (backends, servers).
	ReqTot atomic.Int64
	// CliAbrt and SrvAbrt count data transfers aborted by the client and
	// by the server.
	CliAbrt, SrvAbrt atomic.Int64
	// Lbtot counts how many times a server was selected.
	Lbtot atomic.Int64
	// CompIn and CompOut are the bytes into and out of the HTTP
	// compressor, CompRsp the responses compressed (frontends and
	// backends: HAProxy's comp_in, comp_out, comp_rsp).
	CompIn, CompOut, CompRsp atomic.Int64
	// Qcur and Qmax are the current and maximum queued requests.
	Qcur, Qmax atomic.Int64
	// Ctime, Qtime, Rtime and Ttime are average connect, queue, response
	// and total times in ms over the last 1024 requests.
	Ctime, Qtime, Rtime, Ttime Avg
	// Lastsess is the Unix time (seconds) of the last session.
	Lastsess atomic.Int64
	// ConnTot counts accepted connections (frontends: conn_tot).
	ConnTot atomic.Int64
	// Intercepted counts requests answered locally (return, redirect,
	// deny...: HAProxy's intercepted_req).
	Intercepted atomic.Int64
	// DeniedConn counts connections rejected by tcp-request connection.
	DeniedConn atomic.Int64
}

// sessStart counts a new session.
func (c *Counters) sessStart(now time.Time) {
	c.Stot.Add(1)
	v := c.Scur.Add(1)
	storeMax(&c.Smax, v)
	c.Lastsess.Store(now.Unix())
}

func (c *Counters) sessEnd() { c.Scur.Add(-1) }

// hrsp counts a response by status class.
func (c *Counters) hrsp(status int) {
	i := status/100 - 1
	if i < 0 || i > 4 {
		i = 5
	}
	c.Hrsp[i].Add(1)
}

func storeMax(m *atomic.Int64, v int64) {
	for {
		o := m.Load()
		if v <= o || m.CompareAndSwap(o, v) {
			return
		}
	}
}

// Clear is `clear counters` on c: the maxima start again from the
// current values, and with all every total and average from zero.
func (c *Counters) Clear(all bool) {
	c.Smax.Store(c.Scur.Load())
	c.Qmax.Store(c.Qcur.Load())
	if !all {
		return
	}
	for _, a := range []interface{ Store(int64) }{&c.Stot, &c.Bin, &c.Bout, &c.Dreq, &c.Dresp,
		&c.Ereq, &c.Econ, &c.Eresp, &c.Wretr, &c.Wredis, &c.ReqTot, &c.CliAbrt, &c.SrvAbrt,
		&c.Lbtot, &c.ConnTot, &c.Intercepted, &c.DeniedConn, &c.Lastsess} {
		a.Store(0)
	}
	for i := range c.Hrsp {
		c.Hrsp[i].Store(0)
	}
	for _, a := range []*Avg{&c.Ctime, &c.Qtime, &c.Rtime, &c.Ttime} {
		a.n.Store(0)
		a.sum.Store(0)
	}
}
