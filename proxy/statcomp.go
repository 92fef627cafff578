package proxy

import "github.com/goha/goha/proxy/stats"

// setComp fills a frontend's or backend's compression columns. comp_byp
// stays 0: HAProxy 2.6 declares it but never counts it (a response left
// uncompressed by maxcomprate or maxcompcpuusage is not counted either).
func setComp(r *stats.Row, c *Counters) {
	r.Set(stats.ColCompIn, c.CompIn.Load())
	r.Set(stats.ColCompOut, c.CompOut.Load())
	r.Set(stats.ColCompByp, 0)
	r.Set(stats.ColCompRsp, c.CompRsp.Load())
}
