package config

import "fmt"

// checkModeMix refuses a frontend whose default or static use_backend
// backend has another mode: HAProxy upgrades a TCP stream to HTTP for an
// HTTP backend, which goha's data plane does not do yet (and -c must
// refuse what a start would).
func (p *parser) checkModeMix() {
	backends := map[string]*Proxy{}
	for _, px := range p.cfg.Proxies {
		if px.IsBackend() {
			if _, dup := backends[px.Name]; !dup {
				backends[px.Name] = px
			}
		}
	}
	for _, px := range p.cfg.Proxies {
		if !px.IsFrontend() {
			continue
		}
		names := []string{px.DefaultBackend}
		for _, u := range px.UseBackends {
			names = append(names, u.Backend)
		}
		for _, n := range names {
			be := backends[n]
			if be == nil || be.Mode == px.Mode {
				continue
			}
			p.alertRaw(fmt.Sprintf("Proxy '%s' (mode %s) uses backend '%s' (mode %s): switching between TCP and HTTP modes is known to HAProxy but goha does not support it yet.", px.Name, px.Mode, be.Name, be.Mode))
			break
		}
	}
}
