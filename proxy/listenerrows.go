package proxy

import (
	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/stats"
)

// listenerRows emits the listener rows (type 3) of a frontend with
// `option socket-stats`, after its FRONTEND row as HAProxy lists them;
// false when emit asked to stop.
func listenerRows(f *Frontend, pid int64, row *stats.Row, emit func() bool) bool {
	http := f.Mode() == config.ModeHTTP
	for _, l := range f.Listeners() {
		r := stats.NewRow(stats.ObjListener, f.Name, l.Name, f.Cfg.ID, l.ID, http)
		r.Set(stats.ColPid, pid)
		r.Set(stats.ColScur, l.Scur.Load())
		r.Set(stats.ColSmax, l.Smax.Load())
		r.Set(stats.ColSlim, int64(l.Maxconn))
		r.Set(stats.ColStot, l.Stot.Load())
		status := "OPEN"
		if f.Cfg.Disabled {
			status = "STOP"
		}
		r.SetStr(stats.ColStatus, status)
		r.SetStr(stats.ColAddr, l.Addr)
		if *row = r; !emit() {
			return false
		}
	}
	return true
}
