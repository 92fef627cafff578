package config

// This file is the one place that lists what HAProxy 2.6 knows and goha
// does not implement. Every keyword HAProxy accepts falls in one of
// three groups:
//
//   - implemented: handled by the section parsers (global.go, listen.go...);
//   - Unsupported: a known HAProxy keyword goha cannot honour yet; using
//     it is an error (ignoring it could open a hole or serve wrong
//     traffic: `http-request lua.*`, stick tables, TLS);
//   - NoEffect: accepted with a warning because ignoring it changes no
//     observable behaviour that matters (performance tuning, TLS
//     defaults that only apply to `ssl` lines, which are themselves
//     unsupported).
//
// An unknown word is an error with HAProxy's "did you mean" suggestion,
// computed over HAProxy's own keyword lists below.

// Support says how goha treats a known HAProxy keyword it does not
// implement.
type Support int

// Support levels.
const (
	// Unsupported keywords are errors.
	Unsupported Support = iota + 1
	// NoEffect keywords are accepted with a warning and ignored.
	NoEffect
)

// GlobalSupport lists global-section keywords HAProxy 2.6 knows that goha
// does not implement.
var GlobalSupport = map[string]Support{
	// TLS material and defaults: no effect while `ssl` itself is refused.
	"ca-base": NoEffect, "crt-base": NoEffect, "issuers-chain-path": NoEffect,
	"ssl-default-bind-ciphers": NoEffect, "ssl-default-bind-ciphersuites": NoEffect,
	"ssl-default-bind-curves": NoEffect, "ssl-default-bind-options": NoEffect,
	"ssl-default-server-ciphers": NoEffect, "ssl-default-server-ciphersuites": NoEffect,
	"ssl-default-server-options": NoEffect, "ssl-dh-param-file": NoEffect,
	"ssl-server-verify": NoEffect, "ssl-skip-self-issued-ca": NoEffect,
	"ssl-load-extra-files": NoEffect, "ssl-load-extra-del-ext": NoEffect,
	"ssl-mode-async": NoEffect, "maxsslconn": NoEffect, "maxsslrate": NoEffect,
	"tune.ssl.cachesize": NoEffect, "tune.ssl.default-dh-param": NoEffect,
	"tune.ssl.force-private-cache": NoEffect, "tune.ssl.lifetime": NoEffect,
	"tune.ssl.maxrecord": NoEffect, "tune.ssl.hard-maxrecord": NoEffect,
	"tune.ssl.ssl-ctx-cache-size": NoEffect, "tune.ssl.capture-cipherlist-size": NoEffect,
	"tune.ssl.capture-buffer-size": NoEffect, "tune.ssl.keylog": NoEffect,
	"ssl-engine": Unsupported, "ssl-propquery": Unsupported, "ssl-provider": Unsupported,
	"ssl-provider-path": Unsupported,
	// Pollers, limits and tuning: goha's runtime decides these.
	"noepoll": NoEffect, "nokqueue": NoEffect, "noevports": NoEffect, "nopoll": NoEffect,
	"nosplice": NoEffect, "nogetaddrinfo": NoEffect, "noreuseport": NoEffect,
	"busy-polling": NoEffect, "set-dumpable": NoEffect, "insecure-fork-wanted": NoEffect,
	"strict-limits": NoEffect, "numa-cpu-mapping": NoEffect, "cpu-map": NoEffect,
	"fd-hard-limit": NoEffect, "maxconnrate": NoEffect, "maxsessrate": NoEffect,
	"maxcomprate": NoEffect, "maxpipes": NoEffect, "maxzlibmem": NoEffect,
	"maxcompcpuusage": NoEffect, "spread-checks": NoEffect, "max-spread-checks": NoEffect,
	"log-send-hostname": NoEffect, "unix-bind": NoEffect, "localpeer": NoEffect,
	"cluster-secret": NoEffect, "grace": NoEffect, "close-spread-time": NoEffect,
	"expose-experimental-directives": NoEffect, "no-memory-trimming": NoEffect,
	"pp2-never-send-local": NoEffect, "profiling.memory": NoEffect, "profiling.tasks": NoEffect,
	"h1-case-adjust": NoEffect, "h1-case-adjust-file": NoEffect,
	"h1-accept-payload-with-any-method": NoEffect, "h2-workaround-bogus-websocket-clients": NoEffect,
	"thread-group": NoEffect, "thread-groups": NoEffect, "default-path": Unsupported,
	"httpclient.resolvers.id": NoEffect, "httpclient.resolvers.prefer": NoEffect,
	"httpclient.ssl.verify": NoEffect, "httpclient.ssl.ca-file": NoEffect,
	"tune.runqueue-depth": NoEffect, "tune.maxpollevents": NoEffect, "tune.maxaccept": NoEffect,
	"tune.recv_enough": NoEffect, "tune.buffers.limit": NoEffect, "tune.buffers.reserve": NoEffect,
	"tune.idletimer": NoEffect, "tune.rcvbuf.client": NoEffect, "tune.rcvbuf.server": NoEffect,
	"tune.sndbuf.client": NoEffect, "tune.sndbuf.server": NoEffect, "tune.pipesize": NoEffect,
	"tune.http.cookielen": NoEffect, "tune.http.logurilen": NoEffect, "tune.http.maxhdr": NoEffect,
	"tune.comp.maxlevel": NoEffect, "tune.pattern.cache-size": NoEffect, "tune.chksize": NoEffect,
	"tune.zlib.memlevel": NoEffect, "tune.zlib.windowsize": NoEffect, "tune.fd.edge-triggered": NoEffect,
	"tune.listener.multi-queue": NoEffect, "tune.h2.header-table-size": NoEffect,
	"tune.h2.initial-window-size": NoEffect, "tune.h2.max-concurrent-streams": NoEffect,
	"tune.h2.max-frame-size": NoEffect, "tune.fail-alloc": NoEffect, "tune.idle-pool.shared": NoEffect,
	"tune.pool-high-fd-ratio": NoEffect, "tune.pool-low-fd-ratio": NoEffect,
	"tune.sched.low-latency": NoEffect, "tune.vars.global-max-size": NoEffect,
	"tune.vars.proc-max-size": NoEffect, "tune.vars.sess-max-size": NoEffect,
	"tune.vars.txn-max-size": NoEffect, "tune.vars.reqres-max-size": NoEffect,
	"tune.vars.check-max-size": NoEffect, "tune.lua.session-timeout": NoEffect,
	"tune.lua.task-timeout": NoEffect, "tune.lua.service-timeout": NoEffect,
	"tune.lua.forced-yield": NoEffect, "tune.lua.maxmem": NoEffect,
	// Features goha does not have.
	"lua-load": Unsupported, "lua-load-per-thread": Unsupported, "lua-prepend-path": Unsupported,
	"set-var": Unsupported, "set-var-fmt": Unsupported, "external-check": Unsupported,
}

// ListenSupport lists proxy-section keywords (defaults, frontend,
// backend, listen) HAProxy 2.6 knows that goha does not implement.
var ListenSupport = map[string]Support{
	"stick-table": Unsupported, "stick": Unsupported, "compression": Unsupported,
	"filter": Unsupported, "http-after-response": Unsupported, "tcp-response": Unsupported,
	"tcp-check": Unsupported, "use-server": Unsupported, "force-persist": Unsupported,
	"ignore-persist": Unsupported, "persist": Unsupported, "dispatch": Unsupported,
	"source": Unsupported, "usesrc": Unsupported, "transparent": Unsupported,
	"server-template": Unsupported, "dynamic-cookie-key": Unsupported,
	"email-alert": Unsupported, "monitor": Unsupported, "monitor-uri": Unsupported,
	"errorloc": Unsupported, "errorloc302": Unsupported, "errorloc303": Unsupported,
	"errorfiles": Unsupported, "http-error": Unsupported, "rate-limit": Unsupported,
	"declare": Unsupported, "external-check": Unsupported, "use-fcgi-app": Unsupported,
	"http-send-name-header": Unsupported,
	"cookie":                NoEffect, "hash-type": NoEffect, "hash-balance-factor": NoEffect,
	"backlog": NoEffect, "max-keep-alive-queue": NoEffect, "retry-on": NoEffect,
	"clitcpka-cnt": NoEffect, "srvtcpka-cnt": NoEffect, "clitcpka-idle": NoEffect,
	"srvtcpka-idle": NoEffect, "clitcpka-intvl": NoEffect, "srvtcpka-intvl": NoEffect,
	"load-server-state-from-file": NoEffect, "server-state-file-name": NoEffect,
	"unique-id-format": NoEffect, "unique-id-header": NoEffect, "log-format-sd": NoEffect,
	"error-log-format": NoEffect, "log-tag": NoEffect, "max-session-srv-conns": NoEffect,
}

// OptionSupport lists `option` names HAProxy 2.6 knows that goha does
// not implement.
var OptionSupport = map[string]Support{
	"ssl-hello-chk": Unsupported, "smtpchk": Unsupported, "pgsql-check": Unsupported,
	"redis-check": Unsupported, "mysql-check": Unsupported, "ldap-check": Unsupported,
	"spop-check": Unsupported, "tcp-check": Unsupported, "external-check": Unsupported,
	"transparent": Unsupported, "originalto": Unsupported, "http-use-proxy-header": Unsupported,
	"checkcache": NoEffect, "contstats": NoEffect, "http-ignore-probes": NoEffect,
	"idle-close-on-response": NoEffect, "prefer-last-server": NoEffect, "nolinger": NoEffect,
	"persist": NoEffect, "allbackups": Unsupported, "splice-request": NoEffect,
	"splice-response": NoEffect, "splice-auto": NoEffect,
	"accept-invalid-http-request": NoEffect, "accept-invalid-http-response": NoEffect,
	"dontlog-normal": NoEffect, "tcp-smart-accept": NoEffect, "tcp-smart-connect": NoEffect,
	"independent-streams": NoEffect, "http-pretend-keepalive": NoEffect, "http-no-delay": NoEffect,
	"h1-case-adjust-bogus-client": NoEffect, "h1-case-adjust-bogus-server": NoEffect,
	"disable-h2-upgrade": NoEffect, "http-restrict-req-hdr-names": NoEffect, "httpslog": NoEffect,
}

// UnsupportedSections are section headers HAProxy 2.6 knows that goha
// does not implement: using one is an error.
var UnsupportedSections = []string{"peers", "resolvers", "mailers", "cache", "ring", "http-errors", "program", "log-forward", "fcgi-app"}

// haproxyGlobalKeywords is HAProxy 2.6's list of registered global
// keywords followed by cfgparse-global.c's common_kw_list, in the order
// cfg_find_best_match() scans them (ties go to the first).
var haproxyGlobalKeywords = []string{
	"profiling.memory", "profiling.tasks", "ca-base", "crt-base", "issuers-chain-path", "maxsslconn",
	"ssl-default-bind-options", "ssl-default-server-options", "ssl-dh-param-file", "ssl-mode-async",
	"ssl-engine", "ssl-propquery", "ssl-provider", "ssl-provider-path", "ssl-skip-self-issued-ca",
	"tune.ssl.cachesize", "tune.ssl.default-dh-param", "tune.ssl.force-private-cache", "tune.ssl.lifetime",
	"tune.ssl.maxrecord", "tune.ssl.hard-maxrecord", "tune.ssl.ssl-ctx-cache-size",
	"tune.ssl.capture-cipherlist-size", "tune.ssl.capture-buffer-size", "tune.ssl.keylog",
	"ssl-default-bind-ciphers", "ssl-default-server-ciphers", "ssl-default-bind-curves",
	"ssl-default-bind-ciphersuites", "ssl-default-server-ciphersuites", "ssl-load-extra-files",
	"ssl-load-extra-del-ext", "default-path", "stats", "tune.zlib.memlevel", "tune.zlib.windowsize",
	"pp2-never-send-local", "tune.fd.edge-triggered", "lua-prepend-path", "lua-load", "lua-load-per-thread",
	"tune.lua.session-timeout", "tune.lua.task-timeout", "tune.lua.service-timeout", "tune.lua.forced-yield",
	"tune.lua.maxmem", "httpclient.resolvers.id", "httpclient.resolvers.prefer", "httpclient.ssl.verify",
	"httpclient.ssl.ca-file", "tune.listener.multi-queue", "h1-accept-payload-with-any-method",
	"h1-case-adjust", "h1-case-adjust-file", "tune.h2.header-table-size", "tune.h2.initial-window-size",
	"tune.h2.max-concurrent-streams", "tune.h2.max-frame-size", "mworker-max-reloads", "tune.fail-alloc",
	"no-memory-trimming", "grace", "hard-stop-after", "close-spread-time", "tune.idle-pool.shared",
	"tune.pool-high-fd-ratio", "tune.pool-low-fd-ratio", "tune.sched.low-latency", "nbthread",
	"thread-group", "thread-groups", "set-var", "set-var-fmt", "tune.vars.global-max-size",
	"tune.vars.proc-max-size", "tune.vars.sess-max-size", "tune.vars.txn-max-size",
	"tune.vars.reqres-max-size", "tune.vars.check-max-size",
	// common_kw_list
	"global", "daemon", "master-worker", "noepoll", "nokqueue", "noevports", "nopoll", "busy-polling",
	"set-dumpable", "insecure-fork-wanted", "insecure-setuid-wanted", "nosplice", "nogetaddrinfo",
	"noreuseport", "quiet", "zero-warning", "tune.runqueue-depth", "tune.maxpollevents", "tune.maxaccept",
	"tune.recv_enough", "tune.buffers.limit", "tune.buffers.reserve", "tune.bufsize", "tune.maxrewrite",
	"tune.idletimer", "tune.rcvbuf.client", "tune.rcvbuf.server", "tune.sndbuf.client", "tune.sndbuf.server",
	"tune.pipesize", "tune.http.cookielen", "tune.http.logurilen", "tune.http.maxhdr", "tune.comp.maxlevel",
	"tune.pattern.cache-size", "uid", "gid", "external-check", "user", "group", "nbproc", "maxconn",
	"ssl-server-verify", "maxconnrate", "maxsessrate", "maxsslrate", "maxcomprate", "maxpipes", "maxzlibmem",
	"maxcompcpuusage", "ulimit-n", "chroot", "description", "node", "pidfile", "unix-bind", "log",
	"log-send-hostname", "server-state-base", "server-state-file", "log-tag", "spread-checks",
	"max-spread-checks", "cpu-map", "setenv", "presetenv", "unsetenv", "resetenv", "strict-limits",
	"localpeer", "numa-cpu-mapping", "defaults", "listen", "frontend", "backend", "peers", "resolvers",
	"cluster-secret",
}

// globalInline are global keywords HAProxy parses inline that are not in
// either list above (so they are known, but never suggested).
var globalInline = []string{"tune.chksize", "expose-experimental-directives", "fd-hard-limit",
	"h2-workaround-bogus-websocket-clients", "userlist", "mailers", "cache", "ring", "http-errors",
	"program", "log-forward", "fcgi-app"}

// haproxyListenKeywords is HAProxy 2.6's list of registered proxy
// keywords followed by cfgparse-listen.c's common_kw_list.
var haproxyListenKeywords = []string{
	"external-check", "use-fcgi-app", "filter", "compression", "errorloc", "errorloc302", "errorloc303",
	"errorfile", "errorfiles", "http-error", "timeout", "clitimeout", "contimeout", "srvtimeout",
	"rate-limit", "max-keep-alive-queue", "declare", "retry-on", "clitcpka-cnt", "srvtcpka-cnt",
	"clitcpka-idle", "srvtcpka-idle", "clitcpka-intvl", "srvtcpka-intvl", "tcp-request", "tcp-response",
	"http-check", "tcp-check",
	// common_kw_list
	"listen", "frontend", "backend", "defaults", "server", "default-server", "server-template", "bind",
	"monitor-net", "monitor-uri", "mode", "id", "description", "disabled", "enabled", "bind-process",
	"acl", "dynamic-cookie-key", "cookie", "email-alert", "persist", "appsession",
	"load-server-state-from-file", "server-state-file-name", "max-session-srv-conns", "capture",
	"retries", "http-request", "http-response", "http-after-response", "http-send-name-header", "block",
	"redirect", "use_backend", "use-server", "force-persist", "ignore-persist", "force-persist",
	"stick-table", "stick", "stats", "option", "default_backend", "http-reuse", "monitor", "transparent",
	"maxconn", "backlog", "fullconn", "dispatch", "balance", "hash-type", "hash-balance-factor",
	"unique-id-format", "unique-id-header", "log-format", "log-format-sd", "log-tag", "log", "source",
	"usesrc", "error-log-format",
}

// haproxyOptions is cfg_opts then cfg_opts2 (proxy_find_best_option()
// scans them, then common_options).
var haproxyOptions = []string{
	"abortonclose", "allbackups", "checkcache", "clitcpka", "contstats", "dontlognull",
	"http-buffer-request", "http-ignore-probes", "idle-close-on-response", "prefer-last-server",
	"logasap", "nolinger", "persist", "srvtcpka", "transparent",
	"splice-request", "splice-response", "splice-auto", "accept-invalid-http-request",
	"accept-invalid-http-response", "dontlog-normal", "log-separate-errors", "log-health-checks",
	"socket-stats", "tcp-smart-accept", "tcp-smart-connect", "independent-streams",
	"http-use-proxy-header", "http-pretend-keepalive", "http-no-delay", "h1-case-adjust-bogus-client",
	"h1-case-adjust-bogus-server", "disable-h2-upgrade",
	// common_options
	"httpclose", "http-server-close", "http-keep-alive", "redispatch", "httplog", "tcplog", "tcpka",
	"httpchk", "ssl-hello-chk", "smtpchk", "pgsql-check", "redis-check", "mysql-check", "ldap-check",
	"spop-check", "tcp-check", "external-check", "forwardfor", "original-to",
}

// otherKeyword handles a keyword the section parser does not implement:
// a known-but-unsupported keyword is an error, a no-effect one a warning,
// anything else an unknown keyword with HAProxy's suggestion.
func (p *parser) otherKeyword(section string, args []string) {
	kw := args[0]
	table, known := ListenSupport, haproxyListenKeywords
	if section == "global" {
		table, known = GlobalSupport, haproxyGlobalKeywords
	}
	switch table[kw] {
	case Unsupported:
		p.alertf("'%s' is a known HAProxy keyword in '%s' section that goha does not support yet.", kw, p.section)
		return
	case NoEffect:
		p.warnf("'%s' is a known HAProxy keyword in '%s' section that goha accepts but ignores.", kw, p.section)
		return
	}
	best := bestMatch(kw, known)
	if best != "" {
		p.alertf("unknown keyword '%s' in '%s' section; did you mean '%s' maybe ?", kw, p.section, best)
	} else {
		p.alertf("unknown keyword '%s' in '%s' section", kw, p.section)
	}
}
