package config

import "time"

// The timeout keywords of proxy sections.

// proxyTimeout is one `timeout NAME` keyword: the field it sets and the
// capability a proxy needs for it to apply.
type proxyTimeout struct {
	field func(*Timeouts) *time.Duration
	cap   Cap
}

// proxyTimeouts has a row per timeout name.
var proxyTimeouts = map[string]proxyTimeout{
	"client":          {func(t *Timeouts) *time.Duration { return &t.Client }, CapFrontend},
	"tarpit":          {func(t *Timeouts) *time.Duration { return &t.Tarpit }, CapListen},
	"http-keep-alive": {func(t *Timeouts) *time.Duration { return &t.HTTPKeepAlive }, CapListen},
	"http-request":    {func(t *Timeouts) *time.Duration { return &t.HTTPRequest }, CapListen},
	"server":          {func(t *Timeouts) *time.Duration { return &t.Server }, CapBackend},
	"connect":         {func(t *Timeouts) *time.Duration { return &t.Connect }, CapBackend},
	"check":           {func(t *Timeouts) *time.Duration { return &t.Check }, CapBackend},
	"queue":           {func(t *Timeouts) *time.Duration { return &t.Queue }, CapBackend},
	"tunnel":          {func(t *Timeouts) *time.Duration { return &t.Tunnel }, CapBackend},
	"client-fin":      {func(t *Timeouts) *time.Duration { return &t.ClientFin }, CapFrontend},
	"server-fin":      {func(t *Timeouts) *time.Duration { return &t.ServerFin }, CapBackend},
}

// parseTimeout handles `timeout NAME TIME` (and refuses the pre-2.1
// clitimeout, contimeout and srvtimeout).
func (p *parser) parseTimeout(px *Proxy, args []string) {
	if args[0] != "timeout" {
		p.alertf("the '%s' directive is not supported anymore since HAProxy 2.1. Use 'timeout %s'.", args[0],
			map[string]string{"clitimeout": "client", "srvtimeout": "server", "contimeout": "connect"}[args[0]])
		return
	}
	name := arg(args, 1)
	kw, ok := proxyTimeouts[name]
	if !ok {
		p.alertf("'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '%s')", name)
		return
	}
	dst, c := kw.field(&px.Timeouts), kw.cap
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
