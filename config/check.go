package config

import (
	"fmt"
	"strings"
)

// checkConfig runs the checks HAProxy makes once every file is read
// (check_config_validity()): references between proxies, ids.
func (p *parser) checkConfig() {
	p.resolveErrorfiles()
	p.checkCacheRefs()
	p.checkFCGI()
	p.checkUserlistRefs()
	p.checkUserlists()
	p.checkPrograms()
	p.checkExternalChecks()
	p.checkSources()
	p.checkModeMix()
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
		numberServers(px)
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
			case px.Mode == ModeHTTP && be.Mode == ModeTCP:
				p.checkAlert(px.File, px.Line, fmt.Sprintf("%s %s '%s' (%s:%d) tries to use incompatible %s %s '%s' (%s:%d) as its default backend (see 'mode').",
					px.Mode, capString(px.Cap), px.Name, px.File, px.Line, be.Mode, capString(be.Cap), be.Name, be.File, be.Line))
			}
		}
		for _, ub := range px.UseBackends {
			be, ok := backends[ub.Backend]
			switch {
			case !ok && !containsFmt(ub.Backend):
				p.checkAlert(px.File, ub.Line, fmt.Sprintf("Proxy '%s': unable to find required use_backend: '%s'.", px.Name, ub.Backend))
			case ok && px.Mode == ModeHTTP && be.Mode == ModeTCP:
				p.checkAlert(px.File, ub.Line, fmt.Sprintf("%s %s '%s' (%s:%d) tries to use incompatible %s %s '%s' (%s:%d) in a 'use_backend' rule (see 'mode').",
					px.Mode, capString(px.Cap), px.Name, px.File, px.Line, be.Mode, capString(be.Cap), be.Name, be.File, be.Line))
			}
		}
		p.checkStickPeers(px)
		p.checkStickRefs(px)
		p.checkStatsRules(px)
		if px.IsFrontend() && len(px.Binds) == 0 {
			p.rec.warn(px.File, px.Line, fmt.Sprintf("config : %s '%s' has no 'bind' directive. Please declare it as a backend if this was intended.", capString(px.Cap), px.Name))
		}
		seen := map[string]*Server{}
		for _, s := range px.Servers {
			if s.Resolvers != "" && s.Resolvers != "default" && !p.hasResolvers(s.Resolvers) {
				p.checkAlert(s.File, s.Line, fmt.Sprintf("%s '%s', server '%s': unable to find required resolvers '%s'", capString(px.Cap), px.Name, s.Name, s.Resolvers))
			}
			if o, dup := seen[s.Name]; dup {
				p.checkAlert(s.File, s.Line, fmt.Sprintf("parsing [%s:%d] : %s '%s', another server named '%s' was already defined at line %d, please use distinct names.", s.File, s.Line, capString(px.Cap), px.Name, s.Name, o.Line))
				continue
			}
			seen[s.Name] = s
		}
	}
	p.checkPeers()
	p.checkTracks(backends)
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

// checkUserlistRefs checks that http_auth(NAME) and http_auth_group(NAME)
// name an existing userlist, as HAProxy does once everything is read.
func (p *parser) checkUserlistRefs() {
	lists := map[string]bool{}
	for _, u := range p.cfg.Userlists {
		lists[u.Name] = true
	}
	seen := map[*ACL]bool{}
	check := func(px *Proxy, a *ACL) {
		if a == nil || seen[a] || (a.Fetch != "http_auth" && a.Fetch != "http_auth_group") {
			return
		}
		seen[a] = true
		name := a.Arg
		if i := strings.IndexByte(name, ','); i >= 0 {
			name = name[:i]
		}
		if !lists[name] {
			p.checkAlert(a.File, a.Line, fmt.Sprintf("parsing [%s:%d]: unable to find userlist '%s' referenced in arg 1 of ACL keyword '%s' in proxy '%s'.", a.File, a.Line, name, a.Fetch, px.Name))
		}
	}
	for _, px := range append(append([]*Proxy(nil), p.cfg.Defaults...), p.cfg.Proxies...) {
		for _, a := range px.ACLs {
			check(px, a)
		}
		for _, rules := range [][]*Rule{px.HTTPRequest, px.HTTPResponse, px.TCPRequestConnection, px.TCPRequestContent, px.Redirects, px.Stats.HTTPRequest} {
			for _, r := range rules {
				if r.Cond == nil {
					continue
				}
				for _, and := range r.Cond.Or {
					for _, t := range and {
						check(px, t.ACL)
					}
				}
			}
		}
	}
}
