package config

// HasListener reports whether the configuration would make HAProxy
// listen on anything: an enabled frontend or listen section with a
// `bind` line, a `stats socket`, master-worker mode (whose master
// has its own socket) or a peers section naming this host. HAProxy's `-c` exits with status 2 ("no error
// but will not start (no listener)") when this is false, so `goha -c`
// should too. masterWorker is -W on the command line.
func (c *Config) HasListener(masterWorker bool) bool {
	if c == nil {
		return false
	}
	if masterWorker || c.Global.MasterWorker || len(c.Global.StatsSockets) > 0 {
		return true
	}
	for _, px := range c.Proxies {
		if px.IsFrontend() && !px.Disabled && len(px.Binds) > 0 {
			return true
		}
	}
	for _, pr := range c.Peers {
		if pr.Serving() {
			return true
		}
	}
	return false
}
