package config

import "fmt"

// optionFunc parses an `[no|default] option NAME ...` line of a proxy
// section (args[0] is "option"). It returns whether the option's status
// remains to be reported (false after an error, or when the parser
// reported it in its own words).
type optionFunc func(p *parser, px *Proxy, args []string, kwm int) bool

// okw returns a row of the option table.
func okw(name string, parse optionFunc) keyword[optionFunc] { return kw(name, parse) }

// Why goha refuses or ignores options.
const (
	whyCheckProtocol   = "health-check protocol: goha checks these servers with a TCP connect instead"
	whyTransparent     = "changes where traffic goes"
	whyOriginalTo      = "adds an X-Original-To header; no routing effect"
	whyProxyConnHeader = "legacy proxy-connection header handling"
	whyOptionTuning    = "caching, logging and socket tuning"
)

// optionTable is the names `option` takes: HAProxy 2.6's cfg_opts and
// cfg_opts2, then common_options, in the order
// proxy_find_best_option() scans them for suggestions.
var optionTable = newTable("option",
	// cfg_opts, cfg_opts2
	okw("abortonclose", optionFlag(func(o *Options) *bool { return &o.AbortOnClose }, CapBackend)),
	okw("allbackups", optionFlag(func(o *Options) *bool { return &o.AllBackups }, CapBackend)),
	okw("checkcache", nil).ignored(whyOptionTuning),
	okw("clitcpka", optionFlag(func(o *Options) *bool { return &o.Clitcpka }, CapFrontend)),
	okw("contstats", nil).ignored(whyOptionTuning),
	okw("dontlognull", optionFlag(func(o *Options) *bool { return &o.DontLogNull }, CapFrontend)),
	okw("http-buffer-request", optionFlag(func(o *Options) *bool { return &o.HTTPBufferRequest }, CapListen)),
	okw("http-ignore-probes", nil).ignored(whyOptionTuning),
	okw("idle-close-on-response", nil).ignored(whyOptionTuning),
	okw("prefer-last-server", nil).ignored(whyOptionTuning),
	okw("logasap", optionFlag(func(o *Options) *bool { return &o.LogASAP }, CapFrontend)),
	okw("nolinger", nil).ignored(whyOptionTuning),
	okw("persist", optionFlag(func(o *Options) *bool { return &o.Persist }, CapBackend)),
	okw("srvtcpka", optionFlag(func(o *Options) *bool { return &o.Srvtcpka }, CapBackend)),
	okw("transparent", nil).refused(whyTransparent),
	okw("splice-request", nil).ignored(whyOptionTuning),
	okw("splice-response", nil).ignored(whyOptionTuning),
	okw("splice-auto", nil).ignored(whyOptionTuning),
	okw("accept-invalid-http-request", nil).ignored(whyOptionTuning),
	okw("accept-invalid-http-response", nil).ignored(whyOptionTuning),
	okw("dontlog-normal", nil).ignored(whyOptionTuning),
	okw("log-separate-errors", optionFlag(func(o *Options) *bool { return &o.LogSeparateErrors }, CapFrontend)),
	okw("log-health-checks", optionFlag(func(o *Options) *bool { return &o.LogHealthChecks }, CapBackend)),
	okw("socket-stats", optionFlag(func(o *Options) *bool { return &o.SocketStats }, CapFrontend)),
	okw("tcp-smart-accept", nil).ignored(whyOptionTuning),
	okw("tcp-smart-connect", nil).ignored(whyOptionTuning),
	okw("independent-streams", nil).ignored(whyOptionTuning),
	okw("http-use-proxy-header", nil).ignored(whyProxyConnHeader),
	okw("http-pretend-keepalive", nil).ignored(whyOptionTuning),
	okw("http-no-delay", nil).ignored(whyOptionTuning),
	okw("h1-case-adjust-bogus-client", nil).ignored(whyOptionTuning),
	okw("h1-case-adjust-bogus-server", nil).ignored(whyOptionTuning),
	okw("disable-h2-upgrade", nil).ignored(whyOptionTuning),
	// common_options
	okw("httpclose", (*parser).optionConnMode),
	okw("http-server-close", (*parser).optionConnMode),
	okw("http-keep-alive", (*parser).optionConnMode),
	okw("redispatch", (*parser).optionRedispatch),
	okw("httplog", (*parser).optionHTTPLog),
	okw("tcplog", (*parser).optionTCPLog),
	okw("tcpka", (*parser).optionTcpka),
	okw("httpchk", (*parser).optionHTTPChk),
	okw("ssl-hello-chk", (*parser).parseCheckOption).ignored(whyCheckProtocol),
	okw("smtpchk", (*parser).parseCheckOption).ignored(whyCheckProtocol),
	okw("pgsql-check", (*parser).parseCheckOption).ignored(whyCheckProtocol),
	okw("redis-check", (*parser).parseCheckOption).ignored(whyCheckProtocol),
	okw("mysql-check", (*parser).parseCheckOption).ignored(whyCheckProtocol),
	okw("ldap-check", (*parser).parseCheckOption).ignored(whyCheckProtocol),
	okw("spop-check", (*parser).parseCheckOption).ignored(whyCheckProtocol),
	okw("tcp-check", (*parser).parseCheckOption).ignored(whyCheckProtocol),
	okw("external-check", (*parser).optionExternalCheck),
	okw("forwardfor", (*parser).optionForwardfor),
	okw("original-to", nil), // HAProxy suggests it but knows only "originalto"
	// known, never suggested
	okw("forceclose", (*parser).optionRemoved).hidden(),
	okw("http-tunnel", (*parser).optionRemoved).hidden(),
	okw("http_proxy", (*parser).optionRemoved).hidden(),
	okw("httpslog", (*parser).optionHTTPLog).ignored(whyOptionTuning).hidden(),
	okw("http-restrict-req-hdr-names", nil).ignored(whyOptionTuning).hidden(),
	okw("originalto", nil).ignored(whyOriginalTo).hidden(),
)

// parseOption handles `[no|default] option NAME ...` through
// optionTable. An option without a parser is one goha refuses or
// ignores; a row with neither parser nor status is only a name HAProxy
// suggests.
func (p *parser) parseOption(px *Proxy, args []string, kwm int) {
	name := arg(args, 1)
	if name == "" {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: '%s' expects an option name.", p.file, p.line, args[0]))
		return
	}
	k, ok := optionTable.get(name)
	switch {
	case !ok, k.parse == nil && k.status == implemented:
		if p.plainOption(name, kwm) {
			p.unknownOption(name)
		}
		return
	case k.parse == nil:
		if p.tooManyArgs(0, 1, args) && k.status == NoEffect {
			return
		}
	case !k.parse(p, px, args, kwm):
		return
	}
	if k.status != implemented {
		p.unsupported(k.decision(), fmt.Sprintf("option '%s' is a known HAProxy option", name))
	}
}

// plainOption refuses "no" and "default" before an option that takes
// neither.
func (p *parser) plainOption(name string, kwm int) bool {
	if kwm != kwmStd {
		p.alertRaw(fmt.Sprintf("parsing [%s:%d]: negation/default is not supported for option '%s'.", p.file, p.line, name))
		return false
	}
	return true
}

// unknownOption reports an option no row has, with HAProxy's suggestion.
func (p *parser) unknownOption(name string) {
	if best := bestMatch(name, optionTable.suggest); best != "" {
		p.alertf("unknown option '%s'; did you mean '%s' maybe ?", name, best)
	} else {
		p.alertf("unknown option '%s'.", name)
	}
}
