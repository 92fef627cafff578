package config

import (
	"fmt"
	"sort"
)

// This file is the one place that lists what HAProxy 2.6 knows and goha
// does not implement, with the reason for each decision. Every keyword
// HAProxy accepts falls in one of three groups:
//
//   - implemented: handled by the section parsers into the model
//     (global.go, listen.go, sections.go...);
//   - Unsupported: a known HAProxy keyword goha cannot honour yet and
//     whose absence would change behaviour that matters (security rules,
//     TLS, rate limiting, traffic sent elsewhere): using it is an error
//     that says so;
//   - NoEffect: accepted with a warning because ignoring it changes
//     nothing that matters for security or correctness (tuning,
//     notifications, caching hints, health-check protocols degraded to a
//     TCP connect...).
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

// Decision is goha's treatment of one HAProxy keyword and why.
type Decision struct {
	Support Support
	Why     string
}

// SupportTable is the single table of HAProxy 2.6 keywords goha knows
// but does not implement, keyed by "CONTEXT KEYWORD" where CONTEXT is
// one of: global, proxy (defaults/frontend/backend/listen), option,
// section, server, bind, filter, http-request, http-response,
// http-after-response, tcp-request, tcp-response, stats.
var SupportTable = buildSupportTable()

func buildSupportTable() map[string]Decision {
	t := map[string]Decision{}
	add := func(ctx string, s Support, why string, kws ...string) {
		for _, k := range kws {
			t[ctx+" "+k] = Decision{s, why}
		}
	}
	U, N := Unsupported, NoEffect

	// global
	add("global", N, "TLS defaults: no effect while `ssl` itself is refused",
		"ca-base", "crt-base", "issuers-chain-path", "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites",
		"ssl-default-bind-curves", "ssl-default-bind-options", "ssl-default-server-ciphers",
		"ssl-default-server-ciphersuites", "ssl-default-server-options", "ssl-dh-param-file", "ssl-server-verify",
		"ssl-skip-self-issued-ca", "ssl-load-extra-files", "ssl-load-extra-del-ext", "ssl-mode-async",
		"maxsslconn", "maxsslrate", "tune.ssl.cachesize", "tune.ssl.default-dh-param",
		"tune.ssl.force-private-cache", "tune.ssl.lifetime", "tune.ssl.maxrecord", "tune.ssl.hard-maxrecord",
		"tune.ssl.ssl-ctx-cache-size", "tune.ssl.capture-cipherlist-size", "tune.ssl.capture-buffer-size",
		"tune.ssl.keylog", "ssl-engine", "ssl-propquery", "ssl-provider", "ssl-provider-path")
	add("global", N, "pollers, limits and tuning: goha's runtime decides these",
		"noepoll", "nokqueue", "noevports", "nopoll", "nosplice", "nogetaddrinfo", "noreuseport",
		"busy-polling", "set-dumpable", "insecure-fork-wanted", "strict-limits", "numa-cpu-mapping", "cpu-map",
		"fd-hard-limit", "maxconnrate", "maxsessrate", "maxcomprate", "maxpipes", "maxzlibmem",
		"maxcompcpuusage", "spread-checks", "max-spread-checks", "unix-bind", "grace", "close-spread-time",
		"expose-experimental-directives", "no-memory-trimming", "pp2-never-send-local", "profiling.memory",
		"profiling.tasks", "h1-case-adjust", "h1-case-adjust-file", "h1-accept-payload-with-any-method",
		"h2-workaround-bogus-websocket-clients", "thread-group", "thread-groups", "tune.runqueue-depth",
		"tune.maxpollevents", "tune.maxaccept", "tune.recv_enough", "tune.buffers.limit",
		"tune.buffers.reserve", "tune.idletimer", "tune.rcvbuf.client", "tune.rcvbuf.server",
		"tune.sndbuf.client", "tune.sndbuf.server", "tune.pipesize", "tune.http.cookielen",
		"tune.http.logurilen", "tune.http.maxhdr", "tune.comp.maxlevel", "tune.pattern.cache-size",
		"tune.chksize", "tune.zlib.memlevel", "tune.zlib.windowsize", "tune.fd.edge-triggered",
		"tune.listener.multi-queue", "tune.h2.header-table-size", "tune.h2.initial-window-size",
		"tune.h2.max-concurrent-streams", "tune.h2.max-frame-size", "tune.fail-alloc", "tune.idle-pool.shared",
		"tune.pool-high-fd-ratio", "tune.pool-low-fd-ratio", "tune.sched.low-latency",
		"tune.vars.global-max-size", "tune.vars.proc-max-size", "tune.vars.sess-max-size",
		"tune.vars.txn-max-size", "tune.vars.reqres-max-size", "tune.vars.check-max-size",
		"tune.lua.session-timeout", "tune.lua.task-timeout", "tune.lua.service-timeout",
		"tune.lua.forced-yield", "tune.lua.maxmem", "tune.stick-counters")
	add("global", N, "logging detail and peer/cluster identity: nothing served differently",
		"log-send-hostname", "localpeer", "cluster-secret")
	add("global", N, "internal HTTP client (used by Lua/ACME only)",
		"httpclient.resolvers.id", "httpclient.resolvers.prefer", "httpclient.ssl.verify", "httpclient.ssl.ca-file")
	add("global", N, "loads Lua code; every use of it (lua.* actions, services, fetches) is refused on its own",
		"lua-load", "lua-load-per-thread", "lua-prepend-path")
	add("global", U, "process-wide variables feed rules goha cannot evaluate", "set-var", "set-var-fmt")
	add("global", N, "only permits `option external-check`, which is refused on its own", "external-check")

	// proxy sections
	add("proxy", U, "stick tables drive rate limiting and persistence: ignoring them changes who gets served",
		"stick-table", "stick", "rate-limit")
	add("proxy", U, "response rules on TCP payloads", "tcp-response")
	add("proxy", U, "persistence/forced server choice would silently differ",
		"use-server", "force-persist", "ignore-persist", "persist", "dynamic-cookie-key")
	add("proxy", U, "changes where or from which address traffic goes",
		"dispatch", "source", "usesrc", "transparent", "http-send-name-header", "use-fcgi-app")
	add("proxy", U, "runs external programs", "external-check")
	add("proxy", U, "`monitor fail` answers 503 on conditions goha does not evaluate", "monitor")
	add("proxy", U, "declares capture slots used by rules goha does not implement", "declare")
	add("proxy", N, "notifications only (mailers)", "email-alert")
	add("proxy", N, "socket and queue tuning", "backlog", "max-keep-alive-queue", "clitcpka-cnt", "srvtcpka-cnt",
		"clitcpka-idle", "srvtcpka-idle", "clitcpka-intvl", "srvtcpka-intvl", "max-session-srv-conns")
	add("proxy", N, "retries on other events than connection failures: only changes when a request is retried", "retry-on")
	add("proxy", N, "server state files restore runtime state across reloads; the config still decides",
		"load-server-state-from-file", "server-state-file-name")
	add("proxy", N, "logging detail", "unique-id-format", "unique-id-header", "log-format-sd", "error-log-format", "log-tag")
	add("proxy", N, "custom error answers for given statuses (content only)", "http-error")

	// options
	add("option", N, "health-check protocol: goha checks these servers with a TCP connect instead",
		"ssl-hello-chk", "smtpchk", "pgsql-check", "redis-check", "mysql-check", "ldap-check", "spop-check",
		"tcp-check")
	add("option", U, "runs external programs", "external-check")
	add("option", U, "changes where traffic goes", "transparent")
	add("option", N, "adds an X-Original-To header; no routing effect", "originalto")
	add("option", N, "legacy proxy-connection header handling", "http-use-proxy-header")
	add("option", N, "caching, logging and socket tuning", "checkcache", "contstats", "http-ignore-probes",
		"idle-close-on-response", "prefer-last-server", "nolinger", "persist", "splice-request",
		"splice-response", "splice-auto", "accept-invalid-http-request", "accept-invalid-http-response",
		"dontlog-normal", "tcp-smart-accept", "tcp-smart-connect", "independent-streams",
		"http-pretend-keepalive", "http-no-delay", "h1-case-adjust-bogus-client", "h1-case-adjust-bogus-server",
		"disable-h2-upgrade", "http-restrict-req-hdr-names", "httpslog")
	add("option", U, "backup servers all used at once would change the balancing", "allbackups")

	// sections
	add("section", N, "DNS resolvers: goha resolves server names once at start-up (init-addr)", "resolvers")
	add("section", N, "peers only synchronise stick tables, which are refused where used", "peers")
	add("section", N, "cache storage: responses are simply not cached", "cache")
	add("section", N, "mail notifications", "mailers")
	add("section", N, "log rings and log forwarding", "ring", "log-forward")
	add("section", U, "runs external programs", "program")
	add("section", U, "FastCGI applications are not implemented", "fcgi-app")

	// server options
	add("server", U, "TLS to servers is not implemented", "ssl", "check-ssl", "sni", "verify", "verifyhost",
		"ca-file", "crt", "alpn", "ciphers", "ciphersuites", "crl-file", "npn", "check-sni", "check-alpn",
		"send-proxy-v2-ssl", "send-proxy-v2-ssl-cn")
	add("server", U, "tracking another server's state would differ", "track")
	add("server", U, "changes how or where traffic goes", "socks4", "source", "redir", "ws", "proto", "namespace",
		"usesrc", "check-proto", "check-via-socks4", "check-send-proxy", "agent-check")
	add("server", N, "reactions to errors and state changes: sessions are not killed, servers not marked down early",
		"on-error", "on-marked-down", "on-marked-up", "observe", "error-limit")
	add("server", N, "runtime DNS: the address is resolved once at start-up", "resolvers", "resolve-prefer",
		"resolve-opts", "resolve-net")
	add("server", N, "connection pool, slow start and agent tuning", "slowstart", "pool-max-conn",
		"pool-low-conn", "pool-purge-delay", "max-reuse", "minconn", "tfo", "no-tfo", "tcp-ut", "log-proto",
		"agent-port", "agent-inter", "agent-addr", "agent-send", "no-agent-check", "shard", "stick")

	// filters
	add("filter", N, "tracing, caching and bandwidth shaping do not change what is served",
		"trace", "cache", "bwlim-in", "bwlim-out")
	add("filter", U, "SPOE agents (WAF, auth...) decide about requests", "spoe")
	add("filter", U, "FastCGI applications are not implemented", "fcgi-app")

	// rule actions (http-request, http-response, http-after-response,
	// tcp-request); "set-var" stands for set-var(NAME) and the like.
	for _, ctx := range []string{"http-request", "http-response", "http-after-response", "tcp-request"} {
		add(ctx, N, "variables: fetches reading them are refused where used; log-format uses expand empty",
			"set-var", "set-var-fmt", "unset-var")
		add(ctx, N, "logging and scheduling detail", "set-log-level", "set-nice", "set-priority-class",
			"set-priority-offset", "capture", "set-mark", "set-tos", "strict-mode", "ot-group")
		add(ctx, U, "stick counters drive rate limiting and tracking",
			"track-sc0", "track-sc1", "track-sc2", "sc-inc-gpc", "sc-inc-gpc0", "sc-inc-gpc1", "sc-set-gpt", "sc-set-gpt0")
		add(ctx, U, "changes runtime ACL/map contents", "add-acl", "del-acl", "set-map", "del-map")
		add(ctx, U, "rewrites the request or answer in ways goha does not implement yet",
			"replace-header", "replace-value", "replace-path", "replace-pathq", "replace-uri", "set-uri", "set-query",
			"set-method", "set-pathq", "normalize-uri", "set-status", "set-src", "set-src-port", "set-dst",
			"set-dst-port", "silent-drop", "do-resolve", "send-spoe-group", "switch-mode", "expect-proxy",
			"expect-netscaler-cip")
	}
	add("http-request", N, "serves from a cache: without it requests go to the servers", "cache-use")
	add("http-response", N, "stores into a cache: without it nothing is cached", "cache-store")
	add("http-request", N, "the built-in Prometheus exporter: such requests go on to the next rules instead",
		"use-service prometheus-exporter")
	add("http-request", N, "timing and retry tuning", "wait-for-handshake", "wait-for-body", "disable-l7-retry",
		"early-hint", "set-timeout")
	add("http-response", N, "timing tuning", "wait-for-body")
	add("stats", N, "stats page display options", "show-modules")
	add("stats", U, "access rules of the stats page", "http-request")
	return t
}

// supportOf returns goha's decision for KEYWORD in CONTEXT, if any.
func supportOf(ctx, kw string) (Decision, bool) {
	d, ok := SupportTable[ctx+" "+kw]
	return d, ok
}

// SupportReport lists the table as "CONTEXT KEYWORD: error|warning: why"
// lines, sorted, for documentation.
func SupportReport() []string {
	out := make([]string, 0, len(SupportTable))
	for k, d := range SupportTable {
		lvl := "error"
		if d.Support == NoEffect {
			lvl = "warning"
		}
		out = append(out, k+": "+lvl+": "+d.Why)
	}
	sort.Strings(out)
	return out
}

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
	ctx, known := "proxy", haproxyListenKeywords
	if section == "global" {
		ctx, known = "global", haproxyGlobalKeywords
	}
	if d, ok := supportOf(ctx, kw); ok {
		p.unsupported(d, fmt.Sprintf("'%s' is a known HAProxy keyword in '%s' section", kw, p.section))
		return
	}
	best := bestMatch(kw, known)
	if best != "" {
		p.alertf("unknown keyword '%s' in '%s' section; did you mean '%s' maybe ?", kw, p.section, best)
	} else {
		p.alertf("unknown keyword '%s' in '%s' section", kw, p.section)
	}
}

// unsupported reports a keyword of the support table: an error for an
// Unsupported one, a warning for a NoEffect one. what names it, e.g.
// "'stick-table' is a known HAProxy keyword in 'backend' section".
func (p *parser) unsupported(d Decision, what string) {
	if d.Support == Unsupported {
		p.alertf("%s that goha does not support yet (%s).", what, d.Why)
		return
	}
	p.warnf("%s that goha accepts but ignores (%s).", what, d.Why)
}
