package config

import "fmt"

// checkConfig runs the checks HAProxy makes once every file is read
// (check_config_validity()): references between proxies, ids.
func (p *parser) checkConfig() {
	p.resolveErrorfiles()
	backends := map[string]*Proxy{}
	for _, px := range p.cfg.Proxies {
		if px.IsBackend() {
			if _, dup := backends[px.Name]; !dup {
				backends[px.Name] = px
			}
		}
	}
	next := 2
	used := map[int]bool{}
	for _, px := range p.cfg.Proxies {
		if px.ID != 0 {
			used[px.ID] = true
		}
	}
	for _, px := range p.cfg.Proxies {
		if px.ID == 0 {
			for used[next] {
				next++
			}
			px.ID = next
			used[next] = true
		}
		if px.Disabled {
			continue
		}
		if px.IsFrontend() && px.DefaultBackend != "" {
			be, ok := backends[px.DefaultBackend]
			switch {
			case !ok:
				p.checkAlert(px.File, px.Line, fmt.Sprintf("Proxy '%s': unable to find required default_backend: '%s'.", px.Name, px.DefaultBackend))
			case be == px:
				p.checkAlert(px.File, px.Line, fmt.Sprintf("Proxy '%s': loop detected for default_backend: '%s'.", px.Name, px.DefaultBackend))
			}
		}
		for _, ub := range px.UseBackends {
			if _, ok := backends[ub.Backend]; !ok && !containsFmt(ub.Backend) {
				p.checkAlert(px.File, ub.Line, fmt.Sprintf("Proxy '%s': unable to find required use_backend: '%s'.", px.Name, ub.Backend))
			}
		}
		if px.IsFrontend() && len(px.Binds) == 0 {
			p.rec.warn(px.File, px.Line, fmt.Sprintf("config : %s '%s' has no 'bind' directive. Please declare it as a backend if this was intended.", capString(px.Cap), px.Name))
		}
		seen := map[string]*Server{}
		for _, s := range px.Servers {
			if s.Resolvers != "" && s.Resolvers != "default" && !p.hasResolvers(s.Resolvers) {
				p.checkAlert(s.File, s.Line, fmt.Sprintf("%s '%s', server '%s': unable to find required resolvers '%s'", capString(px.Cap), px.Name, s.Name, s.Resolvers))
			}
			if o, dup := seen[s.Name]; dup {
				p.rec.warn(s.File, s.Line, fmt.Sprintf("parsing [%s:%d] : backend '%s' : server name '%s' already used at %s:%d.", s.File, s.Line, px.Name, s.Name, o.File, o.Line))
			}
			seen[s.Name] = s
		}
	}
}

// containsFmt reports whether a use_backend name is a log-format
// expression (resolved at run time, as HAProxy does with %[...]).
func containsFmt(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && s[i+1] == '[' {
			return true
		}
	}
	return false
}

// hasResolvers reports whether a resolvers section has this name.
func (p *parser) hasResolvers(name string) bool {
	for _, r := range p.cfg.Resolvers {
		if r.Name == name {
			return true
		}
	}
	return false
}
