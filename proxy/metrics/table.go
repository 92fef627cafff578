package metrics

import "github.com/goha/goha/proxy/stats"

// mtype is a metric family's Prometheus type.
type mtype uint8

const (
	gauge mtype = iota
	counter
)

var mtypeNames = [...]string{gauge: "gauge", counter: "counter"}

// objs is a set of object kinds a stat metric is exposed for.
type objs uint8

const (
	fe objs = 1 << iota // haproxy_frontend_*
	li                  // haproxy_listener_*
	be                  // haproxy_backend_*
	sv                  // haproxy_server_*
)

// how says how a metric's samples are made from an object's row.
type how uint8

const (
	plain     how = iota // the column's value; empty or text prints NaN
	seconds              // the column holds milliseconds; printed in seconds ("%f")
	status               // one sample per state label, 1 for the object's state
	chkStatus            // server: one sample per check status label, when checks run
	chkCode              // server: the layer 5-7 check code (0 below L7), when checks run
	chkTime              // server: the last check's duration in seconds, once one ended
	httpCodes            // http_responses_total: one sample per code class
	aggState             // backend: servers per server state label
	aggCheck             // backend: servers per check status label
)

// statMetric is one metric family built from `show stat` columns: its name
// without the haproxy_<kind>_ prefix, type, the column it reads (the first
// of the six hrsp_* columns for http_responses_total), the object kinds it
// exists for, how samples are made, whether it exists for HTTP proxies
// only, and the HELP text when HAProxy does not use the column's
// description.
type statMetric struct {
	name     string
	typ      mtype
	col      int
	objs     objs
	how      how
	httpOnly bool
	help     string
}

// statMetrics lists HAProxy 2.6's exporter families of frontends,
// listeners, backends and servers, in column order: HAProxy writes the
// families of one kind in this order. Source: addons/promex/
// service-prometheus.c (2.6), checked against a capture of 2.6.12
// (testdata/haproxy-2.6.12.prom).
var statMetrics = []statMetric{
	{name: "current_queue", col: stats.ColQcur, objs: be | sv},
	{name: "max_queue", col: stats.ColQmax, objs: be | sv},
	{name: "current_sessions", col: stats.ColScur, objs: fe | li | be | sv},
	{name: "max_sessions", col: stats.ColSmax, objs: fe | li | be | sv},
	{name: "limit_sessions", col: stats.ColSlim, objs: fe | li | be | sv},
	{name: "sessions_total", typ: counter, col: stats.ColStot, objs: fe | li | be | sv},
	{name: "bytes_in_total", typ: counter, col: stats.ColBin, objs: fe | li | be | sv},
	{name: "bytes_out_total", typ: counter, col: stats.ColBout, objs: fe | li | be | sv},
	{name: "requests_denied_total", typ: counter, col: stats.ColDreq, objs: fe | li | be},
	{name: "responses_denied_total", typ: counter, col: stats.ColDresp, objs: fe | li | be | sv},
	{name: "request_errors_total", typ: counter, col: stats.ColEreq, objs: fe | li},
	{name: "connection_errors_total", typ: counter, col: stats.ColEcon, objs: be | sv},
	{name: "response_errors_total", typ: counter, col: stats.ColEresp, objs: be | sv},
	{name: "retry_warnings_total", typ: counter, col: stats.ColWretr, objs: be | sv},
	{name: "redispatch_warnings_total", typ: counter, col: stats.ColWredis, objs: be | sv},
	{name: "status", col: stats.ColStatus, objs: fe | li | be | sv, how: status,
		help: "Current status of the service, per state label value."},
	{name: "weight", col: stats.ColWeight, objs: be | sv},
	{name: "active_servers", col: stats.ColAct, objs: be},
	{name: "backup_servers", col: stats.ColBck, objs: be},
	{name: "check_failures_total", typ: counter, col: stats.ColChkfail, objs: sv},
	{name: "check_up_down_total", typ: counter, col: stats.ColChkdown, objs: be | sv},
	{name: "check_last_change_seconds", col: stats.ColLastchg, objs: be | sv},
	{name: "downtime_seconds_total", typ: counter, col: stats.ColDowntime, objs: be | sv},
	{name: "queue_limit", col: stats.ColQlimit, objs: sv},
	{name: "current_throttle", col: stats.ColThrottle, objs: sv},
	{name: "loadbalanced_total", typ: counter, col: stats.ColLbtot, objs: be | sv},
	{name: "limit_session_rate", col: stats.ColRateLim, objs: fe},
	{name: "max_session_rate", col: stats.ColRateMax, objs: fe | be | sv},
	{name: "check_status", col: stats.ColCheckStatus, objs: sv, how: chkStatus,
		help: "Status of last health check, per state label value."},
	{name: "check_code", col: stats.ColCheckCode, objs: sv, how: chkCode,
		help: "layer5-7 code, if available of the last health check."},
	{name: "check_duration_seconds", col: stats.ColCheckDuration, objs: sv, how: chkTime,
		help: "Total duration of the latest server health check, in seconds."},
	{name: "http_responses_total", typ: counter, col: stats.ColHrsp1xx, objs: fe | be | sv, how: httpCodes, httpOnly: true},
	{name: "http_requests_rate_max", col: stats.ColReqRateMax, objs: fe, httpOnly: true},
	{name: "http_requests_total", typ: counter, col: stats.ColReqTot, objs: fe | be, httpOnly: true},
	{name: "client_aborts_total", typ: counter, col: stats.ColCliAbrt, objs: be | sv},
	{name: "server_aborts_total", typ: counter, col: stats.ColSrvAbrt, objs: be | sv},
	{name: "http_comp_bytes_in_total", typ: counter, col: stats.ColCompIn, objs: fe | be, httpOnly: true},
	{name: "http_comp_bytes_out_total", typ: counter, col: stats.ColCompOut, objs: fe | be, httpOnly: true},
	{name: "http_comp_bytes_bypassed_total", typ: counter, col: stats.ColCompByp, objs: fe | be, httpOnly: true},
	{name: "http_comp_responses_total", typ: counter, col: stats.ColCompRsp, objs: fe | be, httpOnly: true},
	{name: "last_session_seconds", col: stats.ColLastsess, objs: be | sv},
	{name: "queue_time_average_seconds", col: stats.ColQtime, objs: be | sv, how: seconds,
		help: "Avg. queue time for last 1024 successful connections."},
	{name: "connect_time_average_seconds", col: stats.ColCtime, objs: be | sv, how: seconds,
		help: "Avg. connect time for last 1024 successful connections."},
	{name: "response_time_average_seconds", col: stats.ColRtime, objs: be | sv, how: seconds,
		help: "Avg. response time for last 1024 successful connections."},
	{name: "total_time_average_seconds", col: stats.ColTtime, objs: be | sv, how: seconds,
		help: "Avg. total time for last 1024 successful connections."},
	{name: "connections_rate_max", col: stats.ColConnRateMax, objs: fe},
	{name: "connections_total", typ: counter, col: stats.ColConnTot, objs: fe},
	{name: "intercepted_requests_total", typ: counter, col: stats.ColIntercepted, objs: fe, httpOnly: true},
	{name: "denied_connections_total", typ: counter, col: stats.ColDcon, objs: fe | li},
	{name: "denied_sessions_total", typ: counter, col: stats.ColDses, objs: fe | li},
	{name: "failed_header_rewriting_total", typ: counter, col: stats.ColWrew, objs: fe | li | be | sv},
	{name: "connection_attempts_total", typ: counter, col: stats.ColConnect, objs: be | sv},
	{name: "connection_reuses_total", typ: counter, col: stats.ColReuse, objs: be | sv},
	{name: "http_cache_lookups_total", typ: counter, col: stats.ColCacheLookups, objs: fe | be, httpOnly: true},
	{name: "http_cache_hits_total", typ: counter, col: stats.ColCacheHits, objs: fe | be, httpOnly: true},
	{name: "idle_connections_current", col: stats.ColSrvIcur, objs: sv},
	{name: "idle_connections_limit", col: stats.ColSrvIlim, objs: sv},
	{name: "max_queue_time_seconds", col: stats.ColQtimeMax, objs: be | sv, how: seconds,
		help: "Maximum observed time spent in the queue"},
	{name: "max_connect_time_seconds", col: stats.ColCtimeMax, objs: be | sv, how: seconds,
		help: "Maximum observed time spent waiting for a connection to complete"},
	{name: "max_response_time_seconds", col: stats.ColRtimeMax, objs: be | sv, how: seconds,
		help: "Maximum observed time spent waiting for a server response"},
	{name: "max_total_time_seconds", col: stats.ColTtimeMax, objs: be | sv, how: seconds,
		help: "Maximum observed total request+response time (request+queue+connect+response+processing)"},
	{name: "internal_errors_total", typ: counter, col: stats.ColEint, objs: fe | li | be | sv},
	{name: "unsafe_idle_connections_current", col: stats.ColIdleConnCur, objs: sv},
	{name: "safe_idle_connections_current", col: stats.ColSafeConnCur, objs: sv},
	{name: "used_connections_current", col: stats.ColUsedConnCur, objs: sv},
	{name: "need_connections_current", col: stats.ColNeedConnEst, objs: sv},
	{name: "uweight", col: stats.ColUweight, objs: be | sv},
	{name: "agg_server_status", col: stats.ColAggServerStatus, objs: be, how: aggState},
	{name: "agg_server_check_status", col: stats.ColAggServerCheckStatus, objs: be, how: aggState},
	{name: "agg_check_status", col: stats.ColAggCheckStatus, objs: be, how: aggCheck},
}

// infoMetric is one haproxy_process_* family: its name without the
// prefix, type and `show info` field; the HELP text is the field's
// description. build_info is special: a version label and the value 1.
type infoMetric struct {
	name  string
	typ   mtype
	field int
}

// infoMetrics lists HAProxy 2.6's process families in field order (the
// fields it leaves out: name, version, release date, pid, uptime text, the
// _MB sizes, node, description, debug commands, tainted).
var infoMetrics = []infoMetric{
	{"nbthread", gauge, stats.InfNbthread},
	{"nbproc", gauge, stats.InfNbproc},
	{"relative_process_id", gauge, stats.InfProcessNum},
	{"uptime_seconds", gauge, stats.InfUptimeSec},
	{"pool_failures_total", counter, stats.InfPoolFailed},
	{"max_fds", gauge, stats.InfUlimitN},
	{"max_sockets", gauge, stats.InfMaxsock},
	{"max_connections", gauge, stats.InfMaxconn},
	{"hard_max_connections", gauge, stats.InfHardMaxconn},
	{"current_connections", gauge, stats.InfCurrConns},
	{"connections_total", counter, stats.InfCumConns},
	{"requests_total", counter, stats.InfCumReq},
	{"max_ssl_connections", gauge, stats.InfMaxSslConns},
	{"current_ssl_connections", gauge, stats.InfCurrSslConns},
	{"ssl_connections_total", counter, stats.InfCumSslConns},
	{"max_pipes", gauge, stats.InfMaxpipes},
	{"pipes_used_total", counter, stats.InfPipesUsed},
	{"pipes_free_total", counter, stats.InfPipesFree},
	{"current_connection_rate", gauge, stats.InfConnRate},
	{"limit_connection_rate", gauge, stats.InfConnRateLimit},
	{"max_connection_rate", gauge, stats.InfMaxConnRate},
	{"current_session_rate", gauge, stats.InfSessRate},
	{"limit_session_rate", gauge, stats.InfSessRateLimit},
	{"max_session_rate", gauge, stats.InfMaxSessRate},
	{"current_ssl_rate", gauge, stats.InfSslRate},
	{"limit_ssl_rate", gauge, stats.InfSslRateLimit},
	{"max_ssl_rate", gauge, stats.InfMaxSslRate},
	{"current_frontend_ssl_key_rate", gauge, stats.InfSslFrontendKeyRate},
	{"max_frontend_ssl_key_rate", gauge, stats.InfSslFrontendMaxKeyRate},
	{"frontend_ssl_reuse", gauge, stats.InfSslFrontendSessionReusePct},
	{"current_backend_ssl_key_rate", gauge, stats.InfSslBackendKeyRate},
	{"max_backend_ssl_key_rate", gauge, stats.InfSslBackendMaxKeyRate},
	{"ssl_cache_lookups_total", counter, stats.InfSslCacheLookups},
	{"ssl_cache_misses_total", counter, stats.InfSslCacheMisses},
	{"http_comp_bytes_in_total", counter, stats.InfCompressBpsIn},
	{"http_comp_bytes_out_total", counter, stats.InfCompressBpsOut},
	{"limit_http_comp", gauge, stats.InfCompressBpsRateLim},
	{"current_zlib_memory", gauge, stats.InfZlibMemUsage},
	{"max_zlib_memory", gauge, stats.InfMaxZlibMemUsage},
	{"current_tasks", gauge, stats.InfTasks},
	{"current_run_queue", gauge, stats.InfRunQueue},
	{"idle_time_percent", gauge, stats.InfIdlePct},
	{"stopping", gauge, stats.InfStopping},
	{"jobs", gauge, stats.InfJobs},
	{"unstoppable_jobs", gauge, stats.InfUnstoppableJobs},
	{"listeners", gauge, stats.InfListeners},
	{"active_peers", gauge, stats.InfActivePeers},
	{"connected_peers", gauge, stats.InfConnectedPeers},
	{"dropped_logs_total", counter, stats.InfDroppedLogs},
	{"busy_polling_enabled", gauge, stats.InfBusyPolling},
	{"failed_resolutions", counter, stats.InfFailedResolutions},
	{"bytes_out_total", counter, stats.InfTotalBytesOut},
	{"spliced_bytes_out_total", counter, stats.InfTotalSplicdedBytesOut},
	{"bytes_out_rate", gauge, stats.InfBytesOutRate},
	{"recv_logs_total", counter, stats.InfCumRecvLogs},
	{"build_info", gauge, stats.InfBuildInfo},
	{"max_memory_bytes", gauge, stats.InfMemmaxBytes},
	{"pool_allocated_bytes", gauge, stats.InfPoolAllocBytes},
	{"pool_used_bytes", gauge, stats.InfPoolUsedBytes},
	{"start_time_seconds", gauge, stats.InfStartTimeSec},
}

// The state labels, in HAProxy's order. A frontend is DOWN when stopped;
// a backend is DOWN when it has servers and none carries weight; a
// listener is WAITING (not accepting yet), OPEN or FULL (at maxconn).
var (
	frontendStates = []string{"DOWN", "UP"}
	listenerStates = []string{"WAITING", "OPEN", "FULL"}
	backendStates  = []string{"DOWN", "UP"}
	serverStates   = []string{"DOWN", "UP", "MAINT", "DRAIN", "NOLB"}
	// checkStates are the check statuses that say how a check ended
	// (HAProxy's HCHK_STATUS_* whose result is failed or better).
	checkStates = []string{"HANA", "SOCKERR", "L4OK", "L4TOUT", "L4CON", "L6OK", "L6TOUT",
		"L6RSP", "L7TOUT", "L7RSP", "L7OK", "L7OKC", "L7STS", "PROCERR", "PROCTOUT", "PROCOK"}
	httpCodeLabels = []string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"}
)

// kind describes one object kind: its family prefix, row type, the label
// naming the object besides "proxy" ("" for frontends and backends), the
// objs bit, its state labels and the scope that selects it.
type kind struct {
	prefix string
	obj    stats.ObjType
	label  string
	bit    objs
	states []string
	scope  Scope
}

// kinds lists the stat object kinds in the order HAProxy writes them.
var kinds = []kind{
	{"haproxy_frontend_", stats.ObjFrontend, "", fe, frontendStates, ScopeFrontend},
	{"haproxy_listener_", stats.ObjListener, "listener", li, listenerStates, ScopeListener},
	{"haproxy_backend_", stats.ObjBackend, "", be, backendStates, ScopeBackend},
	{"haproxy_server_", stats.ObjServer, "server", sv, serverStates, ScopeServer},
}

// stickMetrics are the haproxy_sticktable_* families.
var stickMetrics = []struct {
	name, help string
	value      func(t *StickTable) int64
}{
	{"size", "Stick table size.", func(t *StickTable) int64 { return t.Size }},
	{"used", "Number of entries used in this stick table.", func(t *StickTable) int64 { return t.Used }},
}
