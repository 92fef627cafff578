package config

import (
	"fmt"
	"strconv"
)

// Cache is a `cache NAME` section: HAProxy's small-object cache.
type Cache struct {
	Name string
	// TotalMaxSize is total-max-size in bytes (the section gives MB).
	TotalMaxSize int64
	// MaxObjectSize is max-object-size in bytes; it defaults to a
	// 256th of TotalMaxSize and may not exceed half of it.
	MaxObjectSize int64
	// MaxAge is max-age in seconds (60 by default).
	MaxAge int
	// ProcessVary is `process-vary on`: responses with a Vary header on
	// accept-encoding, referer or origin are stored per variant
	// (without it, a response with Vary is not stored).
	ProcessVary bool
	// MaxSecondaryEntries bounds the variants of one URL (10).
	MaxSecondaryEntries int
	File                string
	Line                int
}

// cacheBlockSize is HAProxy's cache block: total-max-size is counted in
// such blocks (show cache's "available blocks").
const cacheBlockSize = 1024

// cacheKeywords are the parsers of a cache section's lines.
var cacheKeywords = map[string]func(p *parser, c *Cache, args []string){
	"total-max-size": func(p *parser, c *Cache, args []string) {
		n, err := strconv.ParseUint(arg(args, 1), 10, 64)
		if err != nil {
			p.abortf("total-max-size wrong value '%s'", arg(args, 1))
			return
		}
		if n > 4095 {
			p.abortf("\"total-max-size\" (%s) must not be greater than 4095", args[1])
			return
		}
		c.TotalMaxSize = int64(n) << 20
	},
	"max-age": func(p *parser, c *Cache, args []string) {
		if arg(args, 1) == "" {
			p.warnf("'%s' expects an age parameter in seconds.", args[0])
		}
		c.MaxAge = atoiC(arg(args, 1))
	},
	"max-object-size": func(p *parser, c *Cache, args []string) {
		n, err := strconv.ParseUint(arg(args, 1), 10, 32)
		if err != nil {
			p.abortf("max-object-size wrong value '%s'", arg(args, 1))
			return
		}
		c.MaxObjectSize = int64(n)
	},
	"process-vary": func(p *parser, c *Cache, args []string) {
		switch arg(args, 1) {
		case "on":
			c.ProcessVary = true
		case "off":
			c.ProcessVary = false
		default:
			p.warnf("'%s' expects \"on\" or \"off\" (enable or disable vary processing).", args[0])
		}
	},
	"max-secondary-entries": func(p *parser, c *Cache, args []string) {
		n, err := strconv.ParseUint(arg(args, 1), 10, 32)
		if err != nil || n == 0 {
			p.abortf("max-secondary-entries wrong value '%s'", arg(args, 1))
			return
		}
		c.MaxSecondaryEntries = int(n)
	},
}

// newCacheSection starts a cache section, refusing a duplicate name.
func (p *parser) newCacheSection(name string) *Cache {
	if len(name) > 32 {
		name = name[:32]
		p.warnf("cache name is limited to 32 characters, truncate to '%s'.", name)
	}
	for _, c := range p.cfg.Caches {
		if c.Name == name {
			p.abortf("Duplicate cache name '%s'.", name)
			return nil
		}
	}
	c := &Cache{Name: name, MaxAge: 60, MaxSecondaryEntries: 10, File: p.file, Line: p.line}
	p.cfg.Caches = append(p.cfg.Caches, c)
	return c
}

// parseCacheLine parses one line of a cache section.
func (p *parser) parseCacheLine(c *Cache, args []string) {
	if c == nil {
		return
	}
	if a := arg(args, 2); a != "" {
		p.abortf("'%s' cannot handle unexpected argument '%s'.", args[0], a)
		return
	}
	cacheKeywords[args[0]](p, c, args)
}

// endCacheSection checks a cache section once it is read, as HAProxy
// does when the section ends.
func (p *parser) endCacheSection(st *otherSection) {
	c := st.cache
	if c == nil {
		return
	}
	if c.TotalMaxSize < cacheBlockSize {
		p.rec.alert(&Error{File: st.file, Line: st.line, Msg: fmt.Sprintf("Size not specified for cache '%s'", st.name), Phase: PhaseCheck})
		return
	}
	if c.MaxObjectSize == 0 {
		c.MaxObjectSize = c.TotalMaxSize >> 8
	} else if c.MaxObjectSize > c.TotalMaxSize/2 {
		p.rec.alert(&Error{File: st.file, Line: st.line, Phase: PhaseCheck,
			Msg: fmt.Sprintf("\"max-object-size\" is limited to an half of \"total-max-size\" => %d", c.TotalMaxSize/2)})
	}
}

// actionCache parses `cache-use NAME` and `cache-store NAME`.
func (p *parser) actionCache(r *Rule, body []string) string {
	if len(body) == 0 {
		return "expects a cache name."
	}
	if len(body) > 1 {
		return fmt.Sprintf("unexpected argument '%s'.", body[1])
	}
	r.Name = body[0]
	return ""
}

// checkCacheRefs refuses cache-use and cache-store rules naming a cache
// no section declares, in HAProxy's words.
func (p *parser) checkCacheRefs() {
	known := map[string]bool{}
	for _, c := range p.cfg.Caches {
		known[c.Name] = true
	}
	for _, px := range p.cfg.Proxies {
		reported := map[string]bool{}
		for _, set := range [][]*Rule{px.HTTPRequest, px.HTTPResponse} {
			for _, r := range set {
				if (r.Action == "cache-use" || r.Action == "cache-store") && !known[r.Name] && !reported[r.Name] {
					reported[r.Name] = true
					p.checkAlert(r.File, r.Line, fmt.Sprintf("config: %s '%s': unable to find the cache '%s' referenced by the filter 'cache'.",
						proxyTypeStr(px), px.Name, r.Name))
				}
			}
		}
	}
}

// proxyTypeStr is HAProxy's proxy_type_str().
func proxyTypeStr(px *Proxy) string {
	switch px.Cap &^ CapDefaults {
	case CapFrontend:
		return "frontend"
	case CapBackend:
		return "backend"
	}
	return "proxy"
}

// The cache fetches are evaluated in rule values.
func init() {
	SupportedSampleFetches["res.cache_hit"] = true
	SupportedSampleFetches["res.cache_name"] = true
}
