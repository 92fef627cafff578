package stats

// Column indexes of `show stat`, HAProxy 2.6.12's positions (the typed
// and JSON forms number them this way; the CSV inserts a "-" column between
// ColAggCheckStatus and ColSslSess, so CSV column n ≥ 103 is index n-1).
const (
	ColPxname               = iota // Proxy name
	ColSvname                      // Server name
	ColQcur                        // Number of current queued connections
	ColQmax                        // Highest value of queued connections encountered since process started
	ColScur                        // Number of current sessions on the frontend, backend or server
	ColSmax                        // Highest value of current sessions encountered since process started
	ColSlim                        // Frontend/listener/server's maxconn, backend's fullconn
	ColStot                        // Total number of sessions since process started
	ColBin                         // Total number of request bytes since process started
	ColBout                        // Total number of response bytes since process started
	ColDreq                        // Total number of denied requests since process started
	ColDresp                       // Total number of denied responses since process started
	ColEreq                        // Total number of invalid requests since process started
	ColEcon                        // Total number of failed connections to server since the worker process started
	ColEresp                       // Total number of invalid responses since the worker process started
	ColWretr                       // Total number of server connection retries since the worker process started
	ColWredis                      // Total number of server redispatches due to connection failures since the worker process started
	ColStatus                      // Frontend/listen status: OPEN/WAITING/FULL/STOP; backend: UP/DOWN; server: last check status
	ColWeight                      // Server's effective weight, or sum of active servers' effective weights for a backend
	ColAct                         // Total number of active UP servers with a non-zero weight
	ColBck                         // Total number of backup UP servers with a non-zero weight
	ColChkfail                     // Total number of failed individual health checks per server/backend, since the worker process started
	ColChkdown                     // Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started
	ColLastchg                     // How long ago the last server state changed, in seconds
	ColDowntime                    // Total time spent in DOWN state, for server or backend
	ColQlimit                      // Limit on the number of connections in queue, for servers only (maxqueue argument)
	ColPid                         // Relative worker process number (1)
	ColIid                         // Frontend or Backend numeric identifier ('id' setting)
	ColSid                         // Server numeric identifier ('id' setting)
	ColThrottle                    // Throttling ratio applied to a server's maxconn and weight during the slowstart period (0 to 100%)
	ColLbtot                       // Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)
	ColTracked                     // Name of the other server this server tracks for its state
	ColType                        // Type of the object (Listener, Frontend, Backend, Server)
	ColRate                        // Total number of sessions processed by this object over the last second (sessions for listeners/frontends, requests for backends/servers)
	ColRateLim                     // Limit on the number of sessions accepted in a second (frontend only, 'rate-limit sessions' setting)
	ColRateMax                     // Highest value of sessions per second observed since the worker process started
	ColCheckStatus                 // Status report of the server's latest health check, prefixed with '*' if a check is currently in progress
	ColCheckCode                   // HTTP/SMTP/LDAP status code reported by the latest server health check
	ColCheckDuration               // Total duration of the latest server health check, in milliseconds
	ColHrsp1xx                     // Total number of HTTP responses with status 100-199 returned by this object since the worker process started
	ColHrsp2xx                     // Total number of HTTP responses with status 200-299 returned by this object since the worker process started
	ColHrsp3xx                     // Total number of HTTP responses with status 300-399 returned by this object since the worker process started
	ColHrsp4xx                     // Total number of HTTP responses with status 400-499 returned by this object since the worker process started
	ColHrsp5xx                     // Total number of HTTP responses with status 500-599 returned by this object since the worker process started
	ColHrspOther                   // Total number of HTTP responses with status <100, >599 returned by this object since the worker process started (error -1 included)
	ColHanafail                    // Total number of failed checks caused by an 'on-error' directive after an 'observe' condition matched
	ColReqRate                     // Number of HTTP requests processed over the last second on this object
	ColReqRateMax                  // Highest value of http requests observed since the worker process started
	ColReqTot                      // Total number of HTTP requests processed by this object since the worker process started
	ColCliAbrt                     // Total number of requests or connections aborted by the client since the worker process started
	ColSrvAbrt                     // Total number of requests or connections aborted by the server since the worker process started
	ColCompIn                      // Total number of bytes submitted to the HTTP compressor for this object since the worker process started
	ColCompOut                     // Total number of bytes emitted by the HTTP compressor for this object since the worker process started
	ColCompByp                     // Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)
	ColCompRsp                     // Total number of HTTP responses that were compressed for this object since the worker process started
	ColLastsess                    // How long ago some traffic was seen on this object on this worker process, in seconds
	ColLastChk                     // Short description of the latest health check report for this server (see also check_desc)
	ColLastAgt                     // Short description of the latest agent check report for this server (see also agent_desc)
	ColQtime                       // Time spent in the queue, in milliseconds, averaged over the 1024 last requests (backend/server)
	ColCtime                       // Time spent waiting for a connection to complete, in milliseconds, averaged over the 1024 last requests (backend/server)
	ColRtime                       // Time spent waiting for a server response, in milliseconds, averaged over the 1024 last requests (backend/server)
	ColTtime                       // Total request+response time (request+queue+connect+response+processing), in milliseconds, averaged over the 1024 last requests (backend/server)
	ColAgentStatus                 // Status report of the server's latest agent check, prefixed with '*' if a check is currently in progress
	ColAgentCode                   // Status code reported by the latest server agent check
	ColAgentDuration               // Total duration of the latest server agent check, in milliseconds
	ColCheckDesc                   // Textual description of the latest health check report for this server
	ColAgentDesc                   // Textual description of the latest agent check report for this server
	ColCheckRise                   // Number of successful health checks before declaring a server UP (server 'rise' setting)
	ColCheckFall                   // Number of failed health checks before declaring a server DOWN (server 'fall' setting)
	ColCheckHealth                 // Current server health check level (0..fall-1=DOWN, fall..rise-1=UP)
	ColAgentRise                   // Number of successful agent checks before declaring a server UP (server 'rise' setting)
	ColAgentFall                   // Number of failed agent checks before declaring a server DOWN (server 'fall' setting)
	ColAgentHealth                 // Current server agent check level (0..fall-1=DOWN, fall..rise-1=UP)
	ColAddr                        // Server's address:port, shown only if show-legends is set, or at levels oper/admin for the CLI
	ColCookie                      // Backend's cookie name or Server's cookie value, shown only if show-legends is set, or at levels oper/admin for the CLI
	ColMode                        // 'mode' setting (tcp/http/health/cli)
	ColAlgo                        // Backend's load balancing algorithm, shown only if show-legends is set, or at levels oper/admin for the CLI
	ColConnRate                    // Number of new connections accepted over the last second on the frontend for this worker process
	ColConnRateMax                 // Highest value of connections per second observed since the worker process started
	ColConnTot                     // Total number of new connections accepted on this frontend since the worker process started
	ColIntercepted                 // Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started
	ColDcon                        // Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started
	ColDses                        // Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started
	ColWrew                        // Total number of failed HTTP header rewrites since the worker process started
	ColConnect                     // Total number of outgoing connection attempts on this backend/server since the worker process started
	ColReuse                       // Total number of reused connection on this backend/server since the worker process started
	ColCacheLookups                // Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started
	ColCacheHits                   // Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started
	ColSrvIcur                     // Current number of idle connections available for reuse on this server
	ColSrvIlim                     // Limit on the number of available idle connections on this server (server 'pool_max_conn' directive)
	ColQtimeMax                    // Maximum observed time spent in the queue, in milliseconds (backend/server)
	ColCtimeMax                    // Maximum observed time spent waiting for a connection to complete, in milliseconds (backend/server)
	ColRtimeMax                    // Maximum observed time spent waiting for a server response, in milliseconds (backend/server)
	ColTtimeMax                    // Maximum observed total request+response time (request+queue+connect+response+processing), in milliseconds (backend/server)
	ColEint                        // Total number of internal errors since process started
	ColIdleConnCur                 // Current number of unsafe idle connections
	ColSafeConnCur                 // Current number of safe idle connections
	ColUsedConnCur                 // Current number of connections in use
	ColNeedConnEst                 // Estimated needed number of connections
	ColUweight                     // Server's user weight, or sum of active servers' user weights for a backend
	ColAggServerStatus             // Backend's aggregated gauge of servers' status
	ColAggServerCheckStatus        // Backend's aggregated gauge of servers' state check status
	ColAggCheckStatus              // Backend's aggregated gauge of servers' state check status

	// Module columns (ssl, h2, h1), after the "-" CSV column.
	ColSslSess                      // Total number of ssl sessions established
	ColSslReusedSess                // Total number of ssl sessions reused
	ColSslFailedHandshake           // Total number of failed handshake
	ColH2HeadersRcvd                // Total number of received HEADERS frames
	ColH2DataRcvd                   // Total number of received DATA frames
	ColH2SettingsRcvd               // Total number of received SETTINGS frames
	ColH2RstStreamRcvd              // Total number of received RST_STREAM frames
	ColH2GoawayRcvd                 // Total number of received GOAWAY frames
	ColH2DetectedConnProtocolErrors // Total number of connection protocol errors
	ColH2DetectedStrmProtocolErrors // Total number of stream protocol errors
	ColH2RstStreamResp              // Total number of RST_STREAM sent on detected error
	ColH2GoawayResp                 // Total number of GOAWAY sent on detected error
	ColH2OpenConnections            // Count of currently open connections
	ColH2BackendOpenStreams         // Count of currently open streams
	ColH2TotalConnections           // Total number of connections
	ColH2BackendTotalStreams        // Total number of streams
	ColH1OpenConnections            // Count of currently open connections
	ColH1OpenStreams                // Count of currently open streams
	ColH1TotalConnections           // Total number of connections
	ColH1TotalStreams               // Total number of streams
	ColH1BytesIn                    // Total number of bytes received
	ColH1BytesOut                   // Total number of bytes send
	ColH1SplicedBytesIn             // Total number of bytes received using kernel splicing
	ColH1SplicedBytesOut            // Total number of bytes sendusing kernel splicing

	// NumColumns is the number of columns of a Row.
	NumColumns
)

// NumBaseColumns is the number of fixed columns before the "-" separator.
const NumBaseColumns = ColSslSess

// columnTable lists, per column: name, description, and what HAProxy 2.6
// puts in it for a frontend, backend, server and listener row, as
// "<origin><nature><scope>:<type>" (tags as in `show stat typed`), with a
// trailing "?" when HAProxy fills it only in some cases (the row starts
// empty there and the filler sets it), or "" when it stays empty. Read from
// src/stats.c (stats_fill_{fe,be,sv,li}_stats) and checked against
// captured `show stat typed` output.
var columnTable = [NumColumns]columnDef{
	ColPxname:                       {"pxname", "Proxy name", [4]string{"KNS:str", "KNS:str", "KNS:str", "KNS:str"}},
	ColSvname:                       {"svname", "Server name", [4]string{"KNS:str", "KNS:str", "KNS:str", "KNS:str"}},
	ColQcur:                         {"qcur", "Number of current queued connections", [4]string{"", "MGP:u32", "MGP:u32", ""}},
	ColQmax:                         {"qmax", "Highest value of queued connections encountered since process started", [4]string{"", "MMP:u32", "MMP:u32", ""}},
	ColScur:                         {"scur", "Number of current sessions on the frontend, backend or server", [4]string{"MGP:u32", "MGP:u32", "MGP:u32", "MGP:u32"}},
	ColSmax:                         {"smax", "Highest value of current sessions encountered since process started", [4]string{"MMP:u32", "MMP:u32", "MMP:u32", "MMP:u32"}},
	ColSlim:                         {"slim", "Frontend/listener/server's maxconn, backend's fullconn", [4]string{"CLP:u32", "CLP:u32", "CLP:u32?", "CLP:u32"}},
	ColStot:                         {"stot", "Total number of sessions since process started", [4]string{"MCP:u64", "MCP:u64", "MCP:u64", "MCP:u64"}},
	ColBin:                          {"bin", "Total number of request bytes since process started", [4]string{"MCP:u64", "MCP:u64", "MCP:u64", "MCP:u64"}},
	ColBout:                         {"bout", "Total number of response bytes since process started", [4]string{"MCP:u64", "MCP:u64", "MCP:u64", "MCP:u64"}},
	ColDreq:                         {"dreq", "Total number of denied requests since process started", [4]string{"MCP:u64", "MCP:u64", "", "MCP:u64"}},
	ColDresp:                        {"dresp", "Total number of denied responses since process started", [4]string{"MCP:u64", "MCP:u64", "MCP:u64", "MCP:u64"}},
	ColEreq:                         {"ereq", "Total number of invalid requests since process started", [4]string{"MCP:u64", "", "", "MCP:u64"}},
	ColEcon:                         {"econ", "Total number of failed connections to server since the worker process started", [4]string{"", "MCP:u64", "MCP:u64", ""}},
	ColEresp:                        {"eresp", "Total number of invalid responses since the worker process started", [4]string{"", "MCP:u64", "MCP:u64", ""}},
	ColWretr:                        {"wretr", "Total number of server connection retries since the worker process started", [4]string{"", "MCP:u64", "MCP:u64", ""}},
	ColWredis:                       {"wredis", "Total number of server redispatches due to connection failures since the worker process started", [4]string{"", "MCP:u64", "MCP:u64", ""}},
	ColStatus:                       {"status", "Frontend/listen status: OPEN/WAITING/FULL/STOP; backend: UP/DOWN; server: last check status", [4]string{"SGP:str", "SGP:str", "SGP:str", "SGP:str"}},
	ColWeight:                       {"weight", "Server's effective weight, or sum of active servers' effective weights for a backend", [4]string{"", "MaP:u32", "MaP:u32", ""}},
	ColAct:                          {"act", "Total number of active UP servers with a non-zero weight", [4]string{"", "MGP:u32", "SGP:u32", ""}},
	ColBck:                          {"bck", "Total number of backup UP servers with a non-zero weight", [4]string{"", "MGP:u32", "SGP:u32", ""}},
	ColChkfail:                      {"chkfail", "Total number of failed individual health checks per server/backend, since the worker process started", [4]string{"", "", "MCP:u64?", ""}},
	ColChkdown:                      {"chkdown", "Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started", [4]string{"", "MCP:u64", "MCP:u64?", ""}},
	ColLastchg:                      {"lastchg", "How long ago the last server state changed, in seconds", [4]string{"", "MAP:u32", "MAP:u32", ""}},
	ColDowntime:                     {"downtime", "Total time spent in DOWN state, for server or backend", [4]string{"", "MCP:u32?", "MCP:u32?", ""}},
	ColQlimit:                       {"qlimit", "Limit on the number of connections in queue, for servers only (maxqueue argument)", [4]string{"", "", "CGS:u32?", ""}},
	ColPid:                          {"pid", "Relative worker process number (1)", [4]string{"KGP:u32", "KGP:u32", "KGP:u32", "KGP:u32"}},
	ColIid:                          {"iid", "Frontend or Backend numeric identifier ('id' setting)", [4]string{"KGS:u32", "KGS:u32", "KGS:u32", "KGS:u32"}},
	ColSid:                          {"sid", "Server numeric identifier ('id' setting)", [4]string{"KGS:u32", "KGS:u32", "KGS:u32", "KGS:u32"}},
	ColThrottle:                     {"throttle", "Throttling ratio applied to a server's maxconn and weight during the slowstart period (0 to 100%)", [4]string{"", "", "MaP:u32?", ""}},
	ColLbtot:                        {"lbtot", "Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)", [4]string{"", "MCP:u64", "MCP:u64", ""}},
	ColTracked:                      {"tracked", "Name of the other server this server tracks for its state", [4]string{"", "", "CNS:str?", ""}},
	ColType:                         {"type", "Type of the object (Listener, Frontend, Backend, Server)", [4]string{"CGS:u32", "CGS:u32", "CGS:u32", "CGS:u32"}},
	ColRate:                         {"rate", "Total number of sessions processed by this object over the last second (sessions for listeners/frontends, requests for backends/servers)", [4]string{"MRP:u32", "MGP:u32", "MRP:u32", ""}},
	ColRateLim:                      {"rate_lim", "Limit on the number of sessions accepted in a second (frontend only, 'rate-limit sessions' setting)", [4]string{"CLP:u32", "", "", ""}},
	ColRateMax:                      {"rate_max", "Highest value of sessions per second observed since the worker process started", [4]string{"MMP:u32", "MGP:u32", "MMP:u32", ""}},
	ColCheckStatus:                  {"check_status", "Status report of the server's latest health check, prefixed with '*' if a check is currently in progress", [4]string{"", "", "MOP:str?", ""}},
	ColCheckCode:                    {"check_code", "HTTP/SMTP/LDAP status code reported by the latest server health check", [4]string{"", "", "MOP:u32?", ""}},
	ColCheckDuration:                {"check_duration", "Total duration of the latest server health check, in milliseconds", [4]string{"", "", "MDP:u64?", ""}},
	ColHrsp1xx:                      {"hrsp_1xx", "Total number of HTTP responses with status 100-199 returned by this object since the worker process started", [4]string{"MCP:u64?", "MCP:u64?", "MCP:u64?", ""}},
	ColHrsp2xx:                      {"hrsp_2xx", "Total number of HTTP responses with status 200-299 returned by this object since the worker process started", [4]string{"MCP:u64?", "MCP:u64?", "MCP:u64?", ""}},
	ColHrsp3xx:                      {"hrsp_3xx", "Total number of HTTP responses with status 300-399 returned by this object since the worker process started", [4]string{"MCP:u64?", "MCP:u64?", "MCP:u64?", ""}},
	ColHrsp4xx:                      {"hrsp_4xx", "Total number of HTTP responses with status 400-499 returned by this object since the worker process started", [4]string{"MCP:u64?", "MCP:u64?", "MCP:u64?", ""}},
	ColHrsp5xx:                      {"hrsp_5xx", "Total number of HTTP responses with status 500-599 returned by this object since the worker process started", [4]string{"MCP:u64?", "MCP:u64?", "MCP:u64?", ""}},
	ColHrspOther:                    {"hrsp_other", "Total number of HTTP responses with status <100, >599 returned by this object since the worker process started (error -1 included)", [4]string{"MCP:u64?", "MCP:u64?", "MCP:u64?", ""}},
	ColHanafail:                     {"hanafail", "Total number of failed checks caused by an 'on-error' directive after an 'observe' condition matched", [4]string{"", "", "MCP:u64?", ""}},
	ColReqRate:                      {"req_rate", "Number of HTTP requests processed over the last second on this object", [4]string{"MRP:u32", "", "", ""}},
	ColReqRateMax:                   {"req_rate_max", "Highest value of http requests observed since the worker process started", [4]string{"MMP:u32", "", "", ""}},
	ColReqTot:                       {"req_tot", "Total number of HTTP requests processed by this object since the worker process started", [4]string{"MCP:u64", "MCP:u64?", "MCP:u64?", ""}},
	ColCliAbrt:                      {"cli_abrt", "Total number of requests or connections aborted by the client since the worker process started", [4]string{"", "MCP:u64", "MCP:u64", ""}},
	ColSrvAbrt:                      {"srv_abrt", "Total number of requests or connections aborted by the server since the worker process started", [4]string{"", "MCP:u64", "MCP:u64", ""}},
	ColCompIn:                       {"comp_in", "Total number of bytes submitted to the HTTP compressor for this object since the worker process started", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColCompOut:                      {"comp_out", "Total number of bytes emitted by the HTTP compressor for this object since the worker process started", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColCompByp:                      {"comp_byp", "Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColCompRsp:                      {"comp_rsp", "Total number of HTTP responses that were compressed for this object since the worker process started", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColLastsess:                     {"lastsess", "How long ago some traffic was seen on this object on this worker process, in seconds", [4]string{"", "MAP:s32", "MAP:s32", ""}},
	ColLastChk:                      {"last_chk", "Short description of the latest health check report for this server (see also check_desc)", [4]string{"", "", "MOP:str?", ""}},
	ColLastAgt:                      {"last_agt", "Short description of the latest agent check report for this server (see also agent_desc)", [4]string{"", "", "MOP:str?", ""}},
	ColQtime:                        {"qtime", "Time spent in the queue, in milliseconds, averaged over the 1024 last requests (backend/server)", [4]string{"", "MaP:u32", "MaP:u32", ""}},
	ColCtime:                        {"ctime", "Time spent waiting for a connection to complete, in milliseconds, averaged over the 1024 last requests (backend/server)", [4]string{"", "MaP:u32", "MaP:u32", ""}},
	ColRtime:                        {"rtime", "Time spent waiting for a server response, in milliseconds, averaged over the 1024 last requests (backend/server)", [4]string{"", "MaP:u32", "MaP:u32", ""}},
	ColTtime:                        {"ttime", "Total request+response time (request+queue+connect+response+processing), in milliseconds, averaged over the 1024 last requests (backend/server)", [4]string{"", "MaP:u32", "MaP:u32", ""}},
	ColAgentStatus:                  {"agent_status", "Status report of the server's latest agent check, prefixed with '*' if a check is currently in progress", [4]string{"", "", "MOP:str?", ""}},
	ColAgentCode:                    {"agent_code", "Status code reported by the latest server agent check", [4]string{"", "", "MOP:u32?", ""}},
	ColAgentDuration:                {"agent_duration", "Total duration of the latest server agent check, in milliseconds", [4]string{"", "", "MDP:u64?", ""}},
	ColCheckDesc:                    {"check_desc", "Textual description of the latest health check report for this server", [4]string{"", "", "MOP:str?", ""}},
	ColAgentDesc:                    {"agent_desc", "Textual description of the latest agent check report for this server", [4]string{"", "", "MOP:str?", ""}},
	ColCheckRise:                    {"check_rise", "Number of successful health checks before declaring a server UP (server 'rise' setting)", [4]string{"", "", "CGS:u32?", ""}},
	ColCheckFall:                    {"check_fall", "Number of failed health checks before declaring a server DOWN (server 'fall' setting)", [4]string{"", "", "CGS:u32?", ""}},
	ColCheckHealth:                  {"check_health", "Current server health check level (0..fall-1=DOWN, fall..rise-1=UP)", [4]string{"", "", "CGS:u32?", ""}},
	ColAgentRise:                    {"agent_rise", "Number of successful agent checks before declaring a server UP (server 'rise' setting)", [4]string{"", "", "CGS:u32?", ""}},
	ColAgentFall:                    {"agent_fall", "Number of failed agent checks before declaring a server DOWN (server 'fall' setting)", [4]string{"", "", "CGS:u32?", ""}},
	ColAgentHealth:                  {"agent_health", "Current server agent check level (0..fall-1=DOWN, fall..rise-1=UP)", [4]string{"", "", "CGS:u32?", ""}},
	ColAddr:                         {"addr", "Server's address:port, shown only if show-legends is set, or at levels oper/admin for the CLI", [4]string{"", "", "CGS:str", "CGS:str"}},
	ColCookie:                       {"cookie", "Backend's cookie name or Server's cookie value, shown only if show-legends is set, or at levels oper/admin for the CLI", [4]string{"", "CNS:str?", "CNS:str?", ""}},
	ColMode:                         {"mode", "'mode' setting (tcp/http/health/cli)", [4]string{"CGS:str", "CGS:str", "CGS:str", "CGS:str"}},
	ColAlgo:                         {"algo", "Backend's load balancing algorithm, shown only if show-legends is set, or at levels oper/admin for the CLI", [4]string{"", "CGS:str", "", ""}},
	ColConnRate:                     {"conn_rate", "Number of new connections accepted over the last second on the frontend for this worker process", [4]string{"MRP:u32", "", "", ""}},
	ColConnRateMax:                  {"conn_rate_max", "Highest value of connections per second observed since the worker process started", [4]string{"MMP:u32", "", "", ""}},
	ColConnTot:                      {"conn_tot", "Total number of new connections accepted on this frontend since the worker process started", [4]string{"MCP:u64", "", "", ""}},
	ColIntercepted:                  {"intercepted", "Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started", [4]string{"MCP:u64?", "", "", ""}},
	ColDcon:                         {"dcon", "Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started", [4]string{"MCP:u64", "", "", "MCP:u64"}},
	ColDses:                         {"dses", "Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started", [4]string{"MCP:u64", "", "", "MCP:u64"}},
	ColWrew:                         {"wrew", "Total number of failed HTTP header rewrites since the worker process started", [4]string{"MCP:u64", "MCP:u64", "MCP:u64", "MCP:u64"}},
	ColConnect:                      {"connect", "Total number of outgoing connection attempts on this backend/server since the worker process started", [4]string{"", "MCP:u64", "MCP:u64", ""}},
	ColReuse:                        {"reuse", "Total number of reused connection on this backend/server since the worker process started", [4]string{"", "MCP:u64", "MCP:u64", ""}},
	ColCacheLookups:                 {"cache_lookups", "Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started", [4]string{"MCP:u64?", "MCP:u64?", "", ""}},
	ColCacheHits:                    {"cache_hits", "Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started", [4]string{"MCP:u64?", "MCP:u64?", "", ""}},
	ColSrvIcur:                      {"srv_icur", "Current number of idle connections available for reuse on this server", [4]string{"", "", "MGP:u32", ""}},
	ColSrvIlim:                      {"src_ilim", "Limit on the number of available idle connections on this server (server 'pool_max_conn' directive)", [4]string{"", "", "CLP:u32?", ""}},
	ColQtimeMax:                     {"qtime_max", "Maximum observed time spent in the queue, in milliseconds (backend/server)", [4]string{"", "MMP:u32", "MMP:u32", ""}},
	ColCtimeMax:                     {"ctime_max", "Maximum observed time spent waiting for a connection to complete, in milliseconds (backend/server)", [4]string{"", "MMP:u32", "MMP:u32", ""}},
	ColRtimeMax:                     {"rtime_max", "Maximum observed time spent waiting for a server response, in milliseconds (backend/server)", [4]string{"", "MMP:u32", "MMP:u32", ""}},
	ColTtimeMax:                     {"ttime_max", "Maximum observed total request+response time (request+queue+connect+response+processing), in milliseconds (backend/server)", [4]string{"", "MMP:u32", "MMP:u32", ""}},
	ColEint:                         {"eint", "Total number of internal errors since process started", [4]string{"MCP:u64", "MCP:u64", "MCP:u64", "MCP:u64"}},
	ColIdleConnCur:                  {"idle_conn_cur", "Current number of unsafe idle connections", [4]string{"", "", "MGP:u32", ""}},
	ColSafeConnCur:                  {"safe_conn_cur", "Current number of safe idle connections", [4]string{"", "", "MGP:u32", ""}},
	ColUsedConnCur:                  {"used_conn_cur", "Current number of connections in use", [4]string{"", "", "MGP:u32", ""}},
	ColNeedConnEst:                  {"need_conn_est", "Estimated needed number of connections", [4]string{"", "", "MGP:u32", ""}},
	ColUweight:                      {"uweight", "Server's user weight, or sum of active servers' user weights for a backend", [4]string{"", "MaP:u32", "MaP:u32", ""}},
	ColAggServerStatus:              {"agg_server_status", "Backend's aggregated gauge of servers' status", [4]string{"", "MGP:u32", "", ""}},
	ColAggServerCheckStatus:         {"agg_server_check_status", "Backend's aggregated gauge of servers' state check status", [4]string{"", "MGP:u32", "", ""}},
	ColAggCheckStatus:               {"agg_check_status", "Backend's aggregated gauge of servers' state check status", [4]string{"", "MGP:u32", "", ""}},
	ColSslSess:                      {"ssl_sess", "Total number of ssl sessions established", [4]string{"MCP:u64", "MCP:u64", "MCP:u64", "MCP:u64"}},
	ColSslReusedSess:                {"ssl_reused_sess", "Total number of ssl sessions reused", [4]string{"MCP:u64", "MCP:u64", "MCP:u64", "MCP:u64"}},
	ColSslFailedHandshake:           {"ssl_failed_handshake", "Total number of failed handshake", [4]string{"MCP:u64", "MCP:u64", "MCP:u64", "MCP:u64"}},
	ColH2HeadersRcvd:                {"h2_headers_rcvd", "Total number of received HEADERS frames", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2DataRcvd:                   {"h2_data_rcvd", "Total number of received DATA frames", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2SettingsRcvd:               {"h2_settings_rcvd", "Total number of received SETTINGS frames", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2RstStreamRcvd:              {"h2_rst_stream_rcvd", "Total number of received RST_STREAM frames", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2GoawayRcvd:                 {"h2_goaway_rcvd", "Total number of received GOAWAY frames", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2DetectedConnProtocolErrors: {"h2_detected_conn_protocol_errors", "Total number of connection protocol errors", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2DetectedStrmProtocolErrors: {"h2_detected_strm_protocol_errors", "Total number of stream protocol errors", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2RstStreamResp:              {"h2_rst_stream_resp", "Total number of RST_STREAM sent on detected error", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2GoawayResp:                 {"h2_goaway_resp", "Total number of GOAWAY sent on detected error", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2OpenConnections:            {"h2_open_connections", "Count of currently open connections", [4]string{"MGP:u64", "MGP:u64", "", ""}},
	ColH2BackendOpenStreams:         {"h2_backend_open_streams", "Count of currently open streams", [4]string{"MGP:u64", "MGP:u64", "", ""}},
	ColH2TotalConnections:           {"h2_total_connections", "Total number of connections", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH2BackendTotalStreams:        {"h2_backend_total_streams", "Total number of streams", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH1OpenConnections:            {"h1_open_connections", "Count of currently open connections", [4]string{"MGP:u64", "MGP:u64", "", ""}},
	ColH1OpenStreams:                {"h1_open_streams", "Count of currently open streams", [4]string{"MGP:u64", "MGP:u64", "", ""}},
	ColH1TotalConnections:           {"h1_total_connections", "Total number of connections", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH1TotalStreams:               {"h1_total_streams", "Total number of streams", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH1BytesIn:                    {"h1_bytes_in", "Total number of bytes received", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH1BytesOut:                   {"h1_bytes_out", "Total number of bytes send", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH1SplicedBytesIn:             {"h1_spliced_bytes_in", "Total number of bytes received using kernel splicing", [4]string{"MCP:u64", "MCP:u64", "", ""}},
	ColH1SplicedBytesOut:            {"h1_spliced_bytes_out", "Total number of bytes sendusing kernel splicing", [4]string{"MCP:u64", "MCP:u64", "", ""}},
}
