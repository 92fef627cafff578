package proxy

import (
	"os"

	"github.com/goha/goha/proxy/metrics"
	"github.com/goha/goha/proxy/stats"
)

// metricsSource is the data plane as the Prometheus exporter reads it:
// the `show stat` rows of the enabled proxies, built one at a time from
// the live counters, and the `show info` fields info fills in (the
// worker builds them; nil gives the few the runtime knows itself).
type metricsSource struct {
	rt   *Runtime
	info func(*stats.Info)
}

// Info fills in with the `show info` fields.
func (m metricsSource) Info(in *stats.Info) {
	if m.info != nil {
		m.info(in)
		return
	}
	*in = stats.NewInfo()
	in.SetStr(stats.InfName, "goha")
	pid := m.rt.opt.Pid
	if pid == 0 {
		pid = os.Getpid()
	}
	in.Set(stats.InfPid, int64(pid))
	in.SetUptime(m.rt.Uptime())
	in.Set(stats.InfCurrConns, m.rt.ActConn.Load())
	in.Set(stats.InfCumConns, m.rt.CumConns.Load())
	in.Set(stats.InfCumReq, m.rt.CumReq.Load())
}

// Rows gives the rows of the enabled proxies whose type is wanted.
func (m metricsSource) Rows(types int, row *stats.Row, emit func() bool) {
	m.rt.eachStatRow(types, true, row, emit)
}

var _ metrics.Source = metricsSource{}

// initMetrics gives the Prometheus exporter its source, with the
// runtime's own few info fields until SetInfo is called.
func (rt *Runtime) initMetrics() { rt.SetMetrics(metricsSource{rt: rt}) }

// SetInfo gives the runtime what fills in the `show info` fields (the
// worker's, which knows the process and the configuration around the
// data plane) for the Prometheus exporter's haproxy_process_* families.
// Called before Start.
func (rt *Runtime) SetInfo(fill func(in *stats.Info)) {
	rt.SetMetrics(metricsSource{rt: rt, info: fill})
}
