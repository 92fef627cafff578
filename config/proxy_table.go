package config

// proxyFunc parses one line of a proxy section (defaults, frontend,
// backend, listen) into px; kwm says whether it was prefixed with "no"
// or "default". It returns whether the line was accepted (then a
// refused or ignored keyword is reported).
type proxyFunc func(p *parser, px *Proxy, args []string, kwm int) bool

// pkw returns a row of the proxy table.
func pkw(name string, parse proxyFunc) keyword[proxyFunc] { return kw(name, parse) }

// proxyDo adapts a parser that reports its own errors.
func proxyDo(f func(*parser, *Proxy, []string)) proxyFunc {
	return func(p *parser, px *Proxy, args []string, _ int) bool { f(p, px, args); return true }
}

// proxyDoM adapts a parser that reports its own errors and reads the
// "no"/"default" prefix.
func proxyDoM(f func(*parser, *Proxy, []string, int)) proxyFunc {
	return func(p *parser, px *Proxy, args []string, kwm int) bool { f(p, px, args, kwm); return true }
}

// Why goha refuses or ignores proxy keywords.
const (
	whyTCPResponse      = "response rules on TCP payloads"
	whyPersistence      = "persistence/forced server choice would silently differ"
	whyTrafficSource    = "changes where or from which address traffic goes"
	whyExternalPrograms = "runs external programs"
	whyDeclare          = "declares capture slots used by rules goha does not implement"
	whyEmailAlert       = "notifications only (mailers)"
	whySocketTuning     = "socket and queue tuning"
	whyRetryOn          = "retries on other events than connection failures: only changes when a request is retried"
	whyStateFile        = "server state files restore runtime state across reloads; the config still decides"
	whyLoggingDetail    = "logging detail"
	whyHTTPError        = "custom error answers for given statuses (content only)"
)

// proxyTable is the keywords of defaults, frontend, backend and listen
// sections: HAProxy 2.6's registered proxy keywords, then
// cfgparse-listen.c's common_kw_list, in the order its suggestions scan
// them. A row's capabilities say where it is valid: elsewhere it is
// ignored with a warning (HAProxy's warnifnotcap()), or refused in a
// defaults section without CapDefaults.
var proxyTable = newTable("proxy",
	pkw("external-check", (*parser).parseExternalCheck).in(CapBackend|CapDefaults),
	pkw("use-fcgi-app", (*parser).useFCGIApp),
	pkw("filter", proxyDo((*parser).parseFilter)),
	pkw("compression", proxyDo((*parser).parseCompression)),
	pkw("errorloc", proxyDo((*parser).parseErrorloc)),
	pkw("errorloc302", proxyDo((*parser).parseErrorloc)),
	pkw("errorloc303", proxyDo((*parser).parseErrorloc)),
	pkw("errorfile", proxyDo((*parser).parseErrorfile)),
	pkw("errorfiles", proxyDo((*parser).parseErrorfiles)),
	pkw("http-error", nil).ignored(whyHTTPError),
	pkw("timeout", proxyDo((*parser).parseTimeout)),
	pkw("clitimeout", proxyDo((*parser).parseTimeout)),
	pkw("contimeout", proxyDo((*parser).parseTimeout)),
	pkw("srvtimeout", proxyDo((*parser).parseTimeout)),
	pkw("rate-limit", proxyDo((*parser).parseRateLimit)).in(CapFrontend|CapDefaults),
	pkw("max-keep-alive-queue", nil).ignored(whySocketTuning),
	pkw("declare", (*parser).proxyDeclareCapture).in(CapFrontend),
	pkw("retry-on", nil).ignored(whyRetryOn),
	pkw("clitcpka-cnt", nil).ignored(whySocketTuning),
	pkw("srvtcpka-cnt", nil).ignored(whySocketTuning),
	pkw("clitcpka-idle", nil).ignored(whySocketTuning),
	pkw("srvtcpka-idle", nil).ignored(whySocketTuning),
	pkw("clitcpka-intvl", nil).ignored(whySocketTuning),
	pkw("srvtcpka-intvl", nil).ignored(whySocketTuning),
	pkw("tcp-request", proxyDo((*parser).parseRuleLine)),
	pkw("tcp-response", nil).refused(whyTCPResponse),
	pkw("http-check", proxyDo((*parser).parseHTTPCheck)),
	pkw("tcp-check", proxyDo((*parser).parseTCPCheck)).in(CapBackend|CapDefaults),
	// cfgparse-listen.c's common_kw_list
	pkw("listen", nil),   // opens a section: see parseListen
	pkw("frontend", nil), // opens a section: see parseListen
	pkw("backend", nil),  // opens a section: see parseListen
	pkw("defaults", nil), // opens a section: see parseListen
	pkw("server", proxyDo((*parser).parseServer)),
	pkw("default-server", proxyDo((*parser).parseServer)),
	pkw("server-template", proxyDo((*parser).parseServerTemplate)),
	pkw("bind", proxyDo((*parser).parseBind)).in(CapFrontend),
	pkw("monitor-net", (*parser).proxyRemoved),
	pkw("monitor-uri", proxyDo((*parser).parseMonitorURI)),
	pkw("mode", (*parser).proxyMode),
	pkw("id", (*parser).proxyID).in(CapListen),
	pkw("description", (*parser).proxyDescription).in(CapListen),
	pkw("disabled", (*parser).proxyDisabled),
	pkw("enabled", (*parser).proxyDisabled),
	pkw("bind-process", (*parser).proxyBindProcess),
	pkw("acl", proxyDo((*parser).parseACLLine)),
	pkw("dynamic-cookie-key", nil).refused(whyPersistence),
	pkw("cookie", proxyDo((*parser).parseCookie)).in(CapBackend|CapDefaults),
	pkw("email-alert", nil).ignored(whyEmailAlert),
	pkw("persist", nil).refused(whyPersistence),
	pkw("appsession", (*parser).proxyRemoved),
	pkw("load-server-state-from-file", nil).ignored(whyStateFile),
	pkw("server-state-file-name", nil).ignored(whyStateFile),
	pkw("max-session-srv-conns", nil).ignored(whySocketTuning),
	pkw("capture", proxyDo((*parser).parseCapture)),
	pkw("retries", proxyInt(func(px *Proxy) *int { return &px.Retries }, "'%s' expects an integer argument (dispatch counts for one).")).in(CapBackend|CapDefaults),
	pkw("http-request", proxyDo((*parser).parseRuleLine)),
	pkw("http-response", proxyDo((*parser).parseRuleLine)),
	pkw("http-after-response", proxyDo((*parser).parseAfterResponse)),
	pkw("http-send-name-header", nil).refused(whyTrafficSource),
	pkw("block", (*parser).proxyRemoved),
	pkw("redirect", proxyDo((*parser).parseRedirectKeyword)).in(CapFrontend|CapDefaults),
	pkw("use_backend", (*parser).proxyUseBackend).in(CapFrontend),
	pkw("use-server", nil).refused(whyPersistence),
	pkw("force-persist", nil).refused(whyPersistence),
	pkw("ignore-persist", nil).refused(whyPersistence),
	pkw("stick-table", proxyDo((*parser).parseProxyStickTable)),
	pkw("stick", proxyDo((*parser).parseStick)),
	pkw("stats", proxyDo((*parser).parseStats)),
	pkw("option", proxyDoM((*parser).parseOption)),
	pkw("default_backend", (*parser).proxyDefaultBackend).in(CapFrontend|CapDefaults),
	pkw("http-reuse", (*parser).proxyHTTPReuse).in(CapBackend|CapDefaults),
	pkw("monitor", proxyDo((*parser).parseMonitor)),
	pkw("transparent", nil).refused(whyTrafficSource),
	pkw("maxconn", proxyInt(func(px *Proxy) *int { return &px.Maxconn }, "'%s' expects an integer argument.")).in(CapFrontend|CapDefaults),
	pkw("backlog", nil).ignored(whySocketTuning),
	pkw("fullconn", proxyInt(func(px *Proxy) *int { return &px.Fullconn }, "'%s' expects an integer argument.")).in(CapBackend|CapDefaults),
	pkw("dispatch", (*parser).parseDispatch).in(CapBackend),
	pkw("balance", proxyDo((*parser).parseBalance)).in(CapBackend|CapDefaults),
	pkw("hash-type", proxyDo((*parser).parseHashType)),
	pkw("hash-balance-factor", (*parser).proxyHashBalanceFactor),
	pkw("unique-id-format", (*parser).proxyUniqueIDFormat),
	pkw("unique-id-header", (*parser).proxyUniqueIDHeader),
	pkw("log-format", (*parser).proxyLogFormat),
	pkw("log-format-sd", (*parser).proxyOtherLogFormat).ignored(whyLoggingDetail),
	pkw("log-tag", nil).ignored(whyLoggingDetail),
	pkw("log", proxyDoM((*parser).parseProxyLog)),
	pkw("source", (*parser).parseProxySource).in(CapBackend|CapDefaults),
	pkw("usesrc", nil).refused(whyTrafficSource),
	pkw("error-log-format", (*parser).proxyOtherLogFormat).ignored(whyLoggingDetail),
	// removed from HAProxy and parsed inline there: known, never suggested
	pkw("reqadd", (*parser).proxyRemoved).hidden(),
	pkw("reqallow", (*parser).proxyRemoved).hidden(),
	pkw("reqdel", (*parser).proxyRemoved).hidden(),
	pkw("reqdeny", (*parser).proxyRemoved).hidden(),
	pkw("reqiallow", (*parser).proxyRemoved).hidden(),
	pkw("reqidel", (*parser).proxyRemoved).hidden(),
	pkw("reqideny", (*parser).proxyRemoved).hidden(),
	pkw("reqipass", (*parser).proxyRemoved).hidden(),
	pkw("reqirep", (*parser).proxyRemoved).hidden(),
	pkw("reqitarpit", (*parser).proxyRemoved).hidden(),
	pkw("reqpass", (*parser).proxyRemoved).hidden(),
	pkw("reqrep", (*parser).proxyRemoved).hidden(),
	pkw("reqtarpit", (*parser).proxyRemoved).hidden(),
	pkw("rspadd", (*parser).proxyRemoved).hidden(),
	pkw("rspdel", (*parser).proxyRemoved).hidden(),
	pkw("rspdeny", (*parser).proxyRemoved).hidden(),
	pkw("rspidel", (*parser).proxyRemoved).hidden(),
	pkw("rspideny", (*parser).proxyRemoved).hidden(),
	pkw("rspirep", (*parser).proxyRemoved).hidden(),
	pkw("rsprep", (*parser).proxyRemoved).hidden(),
	pkw("cliexp", (*parser).proxyRemoved).hidden(),
	pkw("srvexp", (*parser).proxyRemoved).hidden(),
	pkw("redisp", (*parser).proxyRemoved).hidden(),
	pkw("redispatch", (*parser).proxyRemoved).hidden(),
)

// parseListen handles one line of a defaults/frontend/backend/listen
// section through proxyTable.
func (p *parser) parseListen(args []string, kwm int) {
	kw := args[0]
	switch kw {
	case "defaults", "frontend", "backend", "listen":
		p.newSection(args)
		return
	}
	px := p.cur
	if px == nil {
		return // the section header failed
	}
	k, ok := proxyTable.get(kw)
	if !ok {
		p.unknownKeyword(kw, proxyTable.suggest)
		return
	}
	if !p.proxyCapOK(px, k.caps, kw) {
		return
	}
	if k.parse != nil && !k.parse(p, px, args, kwm) {
		return
	}
	p.knownKeyword(k.status, k.why, kw)
}

// proxyCapOK checks a keyword valid in caps (0: everywhere) against the
// proxy it is used in.
func (p *parser) proxyCapOK(px *Proxy, caps Cap, kw string) bool {
	if caps == 0 {
		return true
	}
	if px.Cap&CapDefaults != 0 && caps&CapDefaults == 0 {
		p.alertf("'%s' not allowed in 'defaults' section.", kw)
		return false
	}
	if c := caps & CapListen; c != CapListen {
		return p.capOK(px, c, kw)
	}
	return true
}
