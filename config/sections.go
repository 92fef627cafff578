package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// otherSection holds the state of the section being read when it is
// not a proxy, global or userlist section.
type otherSection struct {
	kind    string
	name    string
	file    string
	line    int
	cache   *Cache
	fcgi    *FCGIApp
	errors  map[int][]byte
	res     *Resolvers
	peers   *Peers
	refused bool // an Unsupported section: its body is skipped
}

// sectionKeywordsOf lists the keywords HAProxy 2.6 accepts inside the
// sections goha parses for validation only.
var sectionKeywordsOf = map[string]map[string]bool{
	"resolvers": set("nameserver", "parse-resolv-conf", "hold", "resolve_retries", "timeout", "accepted_payload_size", "resolvers"),
	"peers": set("peer", "bind", "default-bind", "default-server", "server", "disabled", "enabled",
		"log", "table", "peers"),
	"cache":       set("total-max-size", "max-age", "max-object-size", "process-vary", "max-secondary-entries", "cache"),
	"http-errors": set("errorfile", "http-errors"),
	"mailers":     set("mailer", "timeout", "mailers"),
	"ring":        set("description", "format", "maxlen", "size", "timeout", "server", "ring"),
	"log-forward": set("bind", "dgram-bind", "log", "maxconn", "backlog", "timeout", "log-forward"),
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// parseOtherSection handles one line of a resolvers, peers, cache,
// http-errors, mailers, ring, log-forward, program or fcgi-app section.
func (p *parser) parseOtherSection(args []string) {
	kw := args[0]
	if kw == p.section {
		p.endOtherSection()
		st := &otherSection{kind: kw, name: arg(args, 1), file: p.file, line: p.line}
		p.other = st
		if st.name == "" {
			p.alertf("missing name for %s section.", kw)
			return
		}
		if ch, bad := invalidChar(st.name); bad {
			p.alertf("character '%c' is not permitted in '%s' name '%s'.", ch, kw, st.name)
			return
		}
		switch kw {
		case "resolvers":
			p.resolversDuplicate(st.name)
			st.res = newResolvers(st.name, p.file, p.line)
			p.cfg.Resolvers = append(p.cfg.Resolvers, st.res)
		case "peers":
			p.peersHeader(args)
			st.peers = &Peers{Name: st.name, File: p.file, Line: p.line}
			p.cfg.Peers = append(p.cfg.Peers, st.peers)
		case "cache":
			st.cache = p.newCacheSection(st.name)
		case "http-errors":
			st.errors = map[int][]byte{}
			if p.cfg.HTTPErrors == nil {
				p.cfg.HTTPErrors = map[string]map[int][]byte{}
			}
			if _, dup := p.cfg.HTTPErrors[st.name]; dup {
				p.alertf("http-errors section '%s' already exists.", st.name)
				return
			}
			p.cfg.HTTPErrors[st.name] = st.errors
		}
		return
	}
	st := p.other
	if st == nil || st.refused {
		return
	}
	if !sectionKeywordsOf[st.kind][kw] {
		if st.kind == "ring" {
			p.alertf("unknown statement '%s'.", kw)
		} else {
			p.alertf("unknown keyword '%s' in '%s' section", kw, st.kind)
		}
		return
	}
	if st.kind == "cache" {
		p.parseCacheLine(st.cache, args)
		return
	}
	if st.kind == "peers" {
		if st.peers != nil {
			p.peersLine(st.peers, kw, args)
		}
		return
	}
	if st.kind == "resolvers" {
		if st.res != nil {
			resolversKeywords[kw](p, st.res, args)
		}
		return
	}
	a1 := arg(args, 1)
	switch st.kind + " " + kw {
	case "mailers timeout":
		if v := arg(args, 2); v != "" {
			if _, res, bad, _ := parseTime(v, time.Millisecond); res == timeBadChar {
				p.alertf("'%s %s' : unexpected character '%c' in argument.", kw, a1, bad)
			}
		}
	case "mailers mailer":
		if a1 == "" || arg(args, 2) == "" {
			p.alertf("'%s' expects <name> and <addr>[:<port>] as arguments.", kw)
			return
		}
		if msg := p.checkHostPort(args[2]); msg != "" {
			p.alertf("'%s %s' : %s", kw, a1, msg)
			return
		}
	case "http-errors errorfile":
		if arg(args, 2) == "" {
			p.alertf("%s : <%s> expects <status_code> and <file> as arguments.", st.name, kw)
			return
		}
		code := atoiC(a1)
		if !errorCodes[code] {
			p.alertf("%s : status code '%s' not handled.", kw, a1)
			return
		}
		data, err := p.opts.ReadFile(p.filePath(args[2]))
		if err != nil {
			p.alertf("%s : error opening file '%s'.", kw, args[2])
			return
		}
		st.errors[code] = data
	}
}

// endOtherSection runs the checks HAProxy makes when such a section ends.
func (p *parser) endOtherSection() {
	st := p.other
	p.other = nil
	if st == nil || st.refused || st.name == "" {
		return
	}
	if st.kind == "cache" {
		p.endCacheSection(st)
	}
}

// resolveErrorfiles applies `errorfiles NAME [CODES]` once every
// http-errors section is known.
func (p *parser) resolveErrorfiles() {
	all := append(append([]*Proxy(nil), p.cfg.Defaults...), p.cfg.Proxies...)
	for _, px := range all {
		for _, ref := range px.ErrorFilesRefs {
			sec, ok := p.cfg.HTTPErrors[ref.Name]
			if !ok {
				p.checkAlert(ref.File, ref.Line, fmt.Sprintf("proxy '%s': unknown http-errors section '%s' (at %s:%d).", px.Name, ref.Name, ref.File, ref.Line))
				continue
			}
			if px.ErrorFiles == nil {
				px.ErrorFiles = map[int][]byte{}
			}
			if len(ref.Codes) == 0 {
				for code, data := range sec {
					px.ErrorFiles[code] = data
				}
				continue
			}
			for _, code := range ref.Codes {
				if data, ok := sec[code]; ok {
					px.ErrorFiles[code] = data
				}
			}
		}
	}
}

// checkHostPort validates an address that needs a host and a port
// (nameserver, peer, mailer), as str2sa_range() does; msg is HAProxy's
// text after "'KW NAME' : ".
func (p *parser) checkHostPort(addr string) string {
	a := envExpand(addr, p.env.get)
	if a == "" {
		return fmt.Sprintf("'%s' resolves to an empty address (environment variable missing?)", addr)
	}
	for _, pfx := range []string{"ipv4@", "ipv6@", "udp@", "udp4@", "udp6@", "tcp@", "tcp4@", "tcp6@"} {
		a = strings.TrimPrefix(a, pfx)
	}
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		return fmt.Sprintf("missing port specification in '%s'", a)
	}
	host, port := a[:i], a[i+1:]
	if port == "" {
		return fmt.Sprintf("missing port specification in '%s'", a)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("invalid port '%s'", port)
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" || host == "*" {
		return ""
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return ""
	}
	if _, err := p.resolve(host); err != nil {
		return fmt.Sprintf("invalid address: '%s' in '%s'", host, a)
	}
	return ""
}

// resolve resolves a host name with ParseOptions.Resolve or the system.
func (p *parser) resolve(host string) (string, error) {
	if p.opts.Resolve != nil {
		return p.opts.Resolve(host)
	}
	return systemResolve(host)
}
