package config

import "time"

// The timeout keywords of proxy sections.

// parseTimeout handles `timeout NAME TIME` (and refuses the pre-2.1
// clitimeout, contimeout and srvtimeout).
func (p *parser) parseTimeout(px *Proxy, args []string) {
	if args[0] != "timeout" {
		p.alertf("the '%s' directive is not supported anymore since HAProxy 2.1. Use 'timeout %s'.", args[0],
			map[string]string{"clitimeout": "client", "srvtimeout": "server", "contimeout": "connect"}[args[0]])
		return
	}
	name := arg(args, 1)
	t := &px.Timeouts
	var dst *time.Duration
	var c Cap
	switch name {
	case "client":
		dst, c = &t.Client, CapFrontend
	case "tarpit":
		dst, c = &t.Tarpit, CapListen
	case "http-keep-alive":
		dst, c = &t.HTTPKeepAlive, CapListen
	case "http-request":
		dst, c = &t.HTTPRequest, CapListen
	case "server":
		dst, c = &t.Server, CapBackend
	case "connect":
		dst, c = &t.Connect, CapBackend
	case "check":
		dst, c = &t.Check, CapBackend
	case "queue":
		dst, c = &t.Queue, CapBackend
	case "tunnel":
		dst, c = &t.Tunnel, CapBackend
	case "client-fin":
		dst, c = &t.ClientFin, CapFrontend
	case "server-fin":
		dst, c = &t.ServerFin, CapBackend
	default:
		p.alertf("'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '%s')", name)
		return
	}
	v := arg(args, 2)
	if v == "" {
		p.alertf("'timeout %s' expects an integer value (in milliseconds)", name)
		return
	}
	d, res, bad, trailing := parseTime(v, time.Millisecond)
	switch res {
	case timeOver:
		p.alertf("timer overflow in argument '%s' to 'timeout %s' (maximum value is 2147483647 ms or ~24.8 days)", v, name)
		return
	case timeUnder:
		p.alertf("timer underflow in argument '%s' to 'timeout %s' (minimum non-null value is 1 ms)", v, name)
		return
	case timeBadChar:
		p.alertf("unexpected character '%c' in 'timeout %s'", bad, name)
		return
	}
	if trailing != "" {
		p.rec.warn(p.file, p.line, timeWarning(trailing, v))
	}
	if px.Cap&CapDefaults == 0 && px.Cap&c == 0 {
		p.warnf("timeout %s will be ignored because %s '%s' has no %s capability", name, capString(px.Cap), px.Name, map[Cap]string{CapFrontend: "frontend", CapBackend: "backend"}[c])
		return
	}
	if len(args) > 3 && args[3] != "" {
		p.alertf("'timeout %s' cannot handle unexpected argument '%s'.", name, args[3])
		return
	}
	*dst = d
}
