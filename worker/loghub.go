package worker

import (
	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/tlog"
)

// NewLogHub returns the traffic and event log hub of a serving process,
// from the global section (`log-tag`). Build it before dropping
// privileges (it opens /dev/log and friends as its loggers are made), pass
// it in proxy.Options.LogHub, and Close it at exit to flush queued lines.
func NewLogHub(cfg *config.Config) *tlog.Hub {
	return tlog.NewHub(tlog.HubOptions{Tag: cfg.Global.LogTag})
}
