package config

import "strings"

// The keywords choosing how a backend spreads requests over its servers.

// parseBalance handles `balance ALGORITHM [args]`.
func (p *parser) parseBalance(px *Proxy, args []string) {
	algo := arg(args, 1)
	if algo == "" {
		algo = "roundrobin" // what HAProxy takes a bare `balance` for
	}
	b := Balance{Hash: px.Balance.Hash}
	if len(args) > 2 {
		b.Args = append([]string(nil), args[2:]...)
	}
	switch {
	case algo == "roundrobin", algo == "static-rr", algo == "leastconn", algo == "first", algo == "source":
		b.Algo = algo
	case algo == "random":
		b.Algo = algo
		if len(args) > 2 && args[2] != "" {
			if n := atoiC(args[2]); n <= 0 {
				p.alertf("%s : 'balance random' : draws must be > 0.", px.Name)
				return
			}
		}
	case algo == "uri":
		b.Algo = algo
		for i := 2; i < len(args) && args[i] != ""; i++ {
			switch args[i] {
			case "whole":
				b.URIWhole = true
			case "len", "depth":
				if i+1 >= len(args) || atoiC(args[i+1]) <= 0 {
					p.alertf("'balance uri %s' expects a positive integer (got '%s').", args[i], arg(args, i+1))
					return
				}
				if args[i] == "len" {
					b.URILen = atoiC(args[i+1])
				} else {
					b.URIDepth = atoiC(args[i+1])
				}
				i++
			case "path-only":
			default:
				p.alertf("%s only accepts parameters 'len', 'depth', 'path-only', and 'whole'.", "'balance uri'")
				return
			}
		}
	case algo == "url_param":
		if arg(args, 2) == "" {
			p.alertf("'balance url_param' requires an URL parameter name.")
			return
		}
		b.Algo, b.Param = algo, args[2]
		for i := 3; i < len(args) && args[i] != ""; i++ {
			if args[i] == "check_post" {
				continue
			}
			p.alertf("%s only accepts 'check_post' modifier.", "'balance url_param'")
			return
		}
	case strings.HasPrefix(algo, "hdr("):
		end := strings.IndexByte(algo, ')')
		if end < 0 || end == 4 {
			p.alertf("'balance hdr(name)' requires an http header field name.")
			return
		}
		b.Algo, b.Param = "hdr", algo[4:end]
		for i := 2; i < len(args) && args[i] != ""; i++ {
			if args[i] != "use_domain_only" {
				p.alertf("%s only accepts 'use_domain_only' modifier.", "'balance hdr(name)'")
				return
			}
		}
	case strings.HasPrefix(algo, "rdp-cookie"), algo == "hash":
		p.alertf("'balance %s' is a known HAProxy algorithm that goha does not support yet.", algo)
		return
	default:
		p.alertf("balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.")
		return
	}
	px.Balance = b
}

// hashFuncs are the hash functions `hash-type` accepts (HAProxy 2.6).
var hashFuncs = map[string]bool{"sdbm": true, "djb2": true, "wt6": true, "crc32": true}

// parseHashType handles `hash-type {map-based|consistent} [<func> [avalanche]]`.
// Without a function, consistent hashing uses sdbm with the avalanche
// modifier and map-based plain sdbm, as HAProxy does.
func (p *parser) parseHashType(px *Proxy, args []string) {
	kw, typ, fn, mod := args[0], arg(args, 1), arg(args, 2), arg(args, 3)
	p.capOK(px, CapBackend, kw)
	h := HashType{Func: fn, BalanceFactor: px.Balance.Hash.BalanceFactor}
	switch typ {
	case "consistent":
		h.Consistent = true
	case "map-based":
	case "avalanche":
		p.alertf("experimental feature '%s %s' is not supported anymore, please use '%s map-based sdbm avalanche' instead.", kw, typ, kw)
		return
	default:
		p.alertf("'%s' only supports 'consistent' and 'map-based'.", kw)
		return
	}
	switch {
	case fn == "":
		h.Avalanche = h.Consistent
	case !hashFuncs[fn]:
		p.alertf("'%s' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.", kw)
		return
	case mod == "avalanche":
		h.Avalanche = true
	case mod != "":
		p.alertf("'%s' only supports 'avalanche' as a modifier for hash functions.", kw)
		return
	}
	px.Balance.Hash = h
}

// proxyHashBalanceFactor handles `hash-balance-factor N`.
func (p *parser) proxyHashBalanceFactor(px *Proxy, args []string, _ int) bool {
	if arg(args, 1) == "" {
		p.alertf("'%s' expects an integer argument.", args[0])
		return false
	}
	n := atoiC(args[1])
	if n != 0 && n <= 100 {
		p.alertf("'%s' must be 0 or greater than 100.", args[0])
		return false
	}
	px.Balance.Hash.BalanceFactor = n
	return true
}
