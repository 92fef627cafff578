package stats

// Field indexes of `show info`, HAProxy 2.6.12's positions.
const (
	InfName                       = iota // Product name
	InfVersion                           // Product version
	InfReleaseDate                       // Date of latest source code update
	InfNbthread                          // Number of started threads (global.nbthread)
	InfNbproc                            // Number of started worker processes (historical, always 1)
	InfProcessNum                        // Relative worker process number (1)
	InfPid                               // This worker process identifier for the system
	InfUptime                            // How long ago this worker process was started (days+hours+minutes+seconds)
	InfUptimeSec                         // How long ago this worker process was started (seconds)
	InfMemmaxMB                          // Worker process's hard limit on memory usage in MB (-m on command line)
	InfPoolAllocMB                       // Amount of memory allocated in pools (in MB)
	InfPoolUsedMB                        // Amount of pool memory currently used (in MB)
	InfPoolFailed                        // Number of failed pool allocations since this worker was started
	InfUlimitN                           // Hard limit on the number of per-process file descriptors
	InfMaxsock                           // Hard limit on the number of per-process sockets
	InfMaxconn                           // Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)
	InfHardMaxconn                       // Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)
	InfCurrConns                         // Current number of connections on this worker process
	InfCumConns                          // Total number of connections on this worker process since started
	InfCumReq                            // Total number of requests on this worker process since started
	InfMaxSslConns                       // Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited
	InfCurrSslConns                      // Current number of SSL endpoints on this worker process (front+back)
	InfCumSslConns                       // Total number of SSL endpoints on this worker process since started (front+back)
	InfMaxpipes                          // Hard limit on the number of pipes for splicing, 0=unlimited
	InfPipesUsed                         // Current number of pipes in use in this worker process
	InfPipesFree                         // Current number of allocated and available pipes in this worker process
	InfConnRate                          // Number of front connections created on this worker process over the last second
	InfConnRateLimit                     // Hard limit for ConnRate (global.maxconnrate)
	InfMaxConnRate                       // Highest ConnRate reached on this worker process since started (in connections per second)
	InfSessRate                          // Number of sessions created on this worker process over the last second
	InfSessRateLimit                     // Hard limit for SessRate (global.maxsessrate)
	InfMaxSessRate                       // Highest SessRate reached on this worker process since started (in sessions per second)
	InfSslRate                           // Number of SSL connections created on this worker process over the last second
	InfSslRateLimit                      // Hard limit for SslRate (global.maxsslrate)
	InfMaxSslRate                        // Highest SslRate reached on this worker process since started (in connections per second)
	InfSslFrontendKeyRate                // Number of SSL keys created on frontends in this worker process over the last second
	InfSslFrontendMaxKeyRate             // Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)
	InfSslFrontendSessionReusePct        // Percent of frontend SSL connections which did not require a new key
	InfSslBackendKeyRate                 // Number of SSL keys created on backends in this worker process over the last second
	InfSslBackendMaxKeyRate              // Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)
	InfSslCacheLookups                   // Total number of SSL session ID lookups in the SSL session cache on this worker since started
	InfSslCacheMisses                    // Total number of SSL session ID lookups that didn't find a session in the SSL session cache on this worker since started
	InfCompressBpsIn                     // Number of bytes submitted to the HTTP compressor in this worker process over the last second
	InfCompressBpsOut                    // Number of bytes emitted by the HTTP compressor in this worker process over the last second
	InfCompressBpsRateLim                // Limit of CompressBpsOut beyond which HTTP compression is automatically disabled
	InfZlibMemUsage                      // Amount of memory currently used by HTTP compression on the current worker process (in bytes)
	InfMaxZlibMemUsage                   // Limit on the amount of memory used by HTTP compression above which it is automatically disabled (in bytes, see global.maxzlibmem)
	InfTasks                             // Total number of tasks in the current worker process (active + sleeping)
	InfRunQueue                          // Total number of active tasks+tasklets in the current worker process
	InfIdlePct                           // Percentage of last second spent waiting in the current worker thread
	InfNode                              // Node name (global.node)
	InfDescription                       // Node description (global.description)
	InfStopping                          // 1 if the worker process is currently stopping, otherwise zero
	InfJobs                              // Current number of active jobs on the current worker process (frontend connections, master connections, listeners)
	InfUnstoppableJobs                   // Current number of unstoppable jobs on the current worker process (master connections)
	InfListeners                         // Current number of active listeners on the current worker process
	InfActivePeers                       // Current number of verified active peers connections on the current worker process
	InfConnectedPeers                    // Current number of peers having passed the connection step on the current worker process
	InfDroppedLogs                       // Total number of dropped logs for current worker process since started
	InfBusyPolling                       // 1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)
	InfFailedResolutions                 // Total number of failed DNS resolutions in current worker process since started
	InfTotalBytesOut                     // Total number of bytes emitted by current worker process since started
	InfTotalSplicdedBytesOut             // Total number of bytes emitted by current worker process through a kernel pipe since started
	InfBytesOutRate                      // Number of bytes emitted by current worker process over the last second
	InfDebugCommandsIssued               // Number of debug commands issued on this process (anything > 0 is unsafe)
	InfCumRecvLogs                       // Total number of log messages received by log-forwarding listeners on this worker process since started
	InfBuildInfo                         // Build info
	InfMemmaxBytes                       // Worker process's hard limit on memory usage in byes (-m on command line)
	InfPoolAllocBytes                    // Amount of memory allocated in pools (in bytes)
	InfPoolUsedBytes                     // Amount of pool memory currently used (in bytes)
	InfStartTimeSec                      // Start time in seconds
	InfTainted                           // Experimental features used

	// NumInfoFields is the number of fields of an Info.
	NumInfoFields
)

// infoTable lists, per `show info` field: name, description, and
// "<origin><nature><scope>:<type>" as HAProxy 2.6 fills it (src/stats.c
// stats_fill_info, checked against captured `show info typed desc`).
// Fields marked "?" (compression memory, description) are printed only
// when set, as HAProxy prints them only when applicable.
var infoTable = [NumInfoFields]columnDef{
	InfName:                       {"Name", "Product name", [4]string{"POS:str"}},
	InfVersion:                    {"Version", "Product version", [4]string{"POS:str"}},
	InfReleaseDate:                {"Release_date", "Date of latest source code update", [4]string{"POS:str"}},
	InfNbthread:                   {"Nbthread", "Number of started threads (global.nbthread)", [4]string{"CGS:u32"}},
	InfNbproc:                     {"Nbproc", "Number of started worker processes (historical, always 1)", [4]string{"CGS:u32"}},
	InfProcessNum:                 {"Process_num", "Relative worker process number (1)", [4]string{"KGP:u32"}},
	InfPid:                        {"Pid", "This worker process identifier for the system", [4]string{"SGP:u32"}},
	InfUptime:                     {"Uptime", "How long ago this worker process was started (days+hours+minutes+seconds)", [4]string{"MDP:str"}},
	InfUptimeSec:                  {"Uptime_sec", "How long ago this worker process was started (seconds)", [4]string{"MDP:u32"}},
	InfMemmaxMB:                   {"Memmax_MB", "Worker process's hard limit on memory usage in MB (-m on command line)", [4]string{"CLP:u32"}},
	InfPoolAllocMB:                {"PoolAlloc_MB", "Amount of memory allocated in pools (in MB)", [4]string{"MGP:u32"}},
	InfPoolUsedMB:                 {"PoolUsed_MB", "Amount of pool memory currently used (in MB)", [4]string{"MGP:u32"}},
	InfPoolFailed:                 {"PoolFailed", "Number of failed pool allocations since this worker was started", [4]string{"MCP:u32"}},
	InfUlimitN:                    {"Ulimit-n", "Hard limit on the number of per-process file descriptors", [4]string{"CLP:u32"}},
	InfMaxsock:                    {"Maxsock", "Hard limit on the number of per-process sockets", [4]string{"CLP:u32"}},
	InfMaxconn:                    {"Maxconn", "Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)", [4]string{"CLP:u32"}},
	InfHardMaxconn:                {"Hard_maxconn", "Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)", [4]string{"CLP:u32"}},
	InfCurrConns:                  {"CurrConns", "Current number of connections on this worker process", [4]string{"MGP:u32"}},
	InfCumConns:                   {"CumConns", "Total number of connections on this worker process since started", [4]string{"MCP:u32"}},
	InfCumReq:                     {"CumReq", "Total number of requests on this worker process since started", [4]string{"MCP:u32"}},
	InfMaxSslConns:                {"MaxSslConns", "Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited", [4]string{"MMP:u32"}},
	InfCurrSslConns:               {"CurrSslConns", "Current number of SSL endpoints on this worker process (front+back)", [4]string{"MGP:u32"}},
	InfCumSslConns:                {"CumSslConns", "Total number of SSL endpoints on this worker process since started (front+back)", [4]string{"MCP:u32"}},
	InfMaxpipes:                   {"Maxpipes", "Hard limit on the number of pipes for splicing, 0=unlimited", [4]string{"CLP:u32"}},
	InfPipesUsed:                  {"PipesUsed", "Current number of pipes in use in this worker process", [4]string{"MGP:u32"}},
	InfPipesFree:                  {"PipesFree", "Current number of allocated and available pipes in this worker process", [4]string{"MGP:u32"}},
	InfConnRate:                   {"ConnRate", "Number of front connections created on this worker process over the last second", [4]string{"MRP:u32"}},
	InfConnRateLimit:              {"ConnRateLimit", "Hard limit for ConnRate (global.maxconnrate)", [4]string{"CLP:u32"}},
	InfMaxConnRate:                {"MaxConnRate", "Highest ConnRate reached on this worker process since started (in connections per second)", [4]string{"MMP:u32"}},
	InfSessRate:                   {"SessRate", "Number of sessions created on this worker process over the last second", [4]string{"MRP:u32"}},
	InfSessRateLimit:              {"SessRateLimit", "Hard limit for SessRate (global.maxsessrate)", [4]string{"CLP:u32"}},
	InfMaxSessRate:                {"MaxSessRate", "Highest SessRate reached on this worker process since started (in sessions per second)", [4]string{"MRP:u32"}},
	InfSslRate:                    {"SslRate", "Number of SSL connections created on this worker process over the last second", [4]string{"MRP:u32"}},
	InfSslRateLimit:               {"SslRateLimit", "Hard limit for SslRate (global.maxsslrate)", [4]string{"CLP:u32"}},
	InfMaxSslRate:                 {"MaxSslRate", "Highest SslRate reached on this worker process since started (in connections per second)", [4]string{"MMP:u32"}},
	InfSslFrontendKeyRate:         {"SslFrontendKeyRate", "Number of SSL keys created on frontends in this worker process over the last second", [4]string{"MGP:u32"}},
	InfSslFrontendMaxKeyRate:      {"SslFrontendMaxKeyRate", "Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)", [4]string{"MMP:u32"}},
	InfSslFrontendSessionReusePct: {"SslFrontendSessionReuse_pct", "Percent of frontend SSL connections which did not require a new key", [4]string{"MGP:u32"}},
	InfSslBackendKeyRate:          {"SslBackendKeyRate", "Number of SSL keys created on backends in this worker process over the last second", [4]string{"MRP:u32"}},
	InfSslBackendMaxKeyRate:       {"SslBackendMaxKeyRate", "Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)", [4]string{"MMP:u32"}},
	InfSslCacheLookups:            {"SslCacheLookups", "Total number of SSL session ID lookups in the SSL session cache on this worker since started", [4]string{"MCP:u32"}},
	InfSslCacheMisses:             {"SslCacheMisses", "Total number of SSL session ID lookups that didn't find a session in the SSL session cache on this worker since started", [4]string{"MCP:u32"}},
	InfCompressBpsIn:              {"CompressBpsIn", "Number of bytes submitted to the HTTP compressor in this worker process over the last second", [4]string{"MRP:u32"}},
	InfCompressBpsOut:             {"CompressBpsOut", "Number of bytes emitted by the HTTP compressor in this worker process over the last second", [4]string{"MRP:u32"}},
	InfCompressBpsRateLim:         {"CompressBpsRateLim", "Limit of CompressBpsOut beyond which HTTP compression is automatically disabled", [4]string{"CLP:u32"}},
	InfZlibMemUsage:               {"ZlibMemUsage", "Amount of memory currently used by HTTP compression on the current worker process (in bytes)", [4]string{"MGP:u32?"}},
	InfMaxZlibMemUsage:            {"MaxZlibMemUsage", "Limit on the amount of memory used by HTTP compression above which it is automatically disabled (in bytes, see global.maxzlibmem)", [4]string{"CLP:u32?"}},
	InfTasks:                      {"Tasks", "Total number of tasks in the current worker process (active + sleeping)", [4]string{"MGP:u32"}},
	InfRunQueue:                   {"Run_queue", "Total number of active tasks+tasklets in the current worker process", [4]string{"MGP:u32"}},
	InfIdlePct:                    {"Idle_pct", "Percentage of last second spent waiting in the current worker thread", [4]string{"MaP:u32"}},
	InfNode:                       {"node", "Node name (global.node)", [4]string{"COS:str"}},
	InfDescription:                {"description", "Node description (global.description)", [4]string{"COS:str?"}},
	InfStopping:                   {"Stopping", "1 if the worker process is currently stopping, otherwise zero", [4]string{"MGP:u32"}},
	InfJobs:                       {"Jobs", "Current number of active jobs on the current worker process (frontend connections, master connections, listeners)", [4]string{"MGP:u32"}},
	InfUnstoppableJobs:            {"Unstoppable Jobs", "Current number of unstoppable jobs on the current worker process (master connections)", [4]string{"MGP:u32"}},
	InfListeners:                  {"Listeners", "Current number of active listeners on the current worker process", [4]string{"MGP:u32"}},
	InfActivePeers:                {"ActivePeers", "Current number of verified active peers connections on the current worker process", [4]string{"MGP:u32"}},
	InfConnectedPeers:             {"ConnectedPeers", "Current number of peers having passed the connection step on the current worker process", [4]string{"MGP:u32"}},
	InfDroppedLogs:                {"DroppedLogs", "Total number of dropped logs for current worker process since started", [4]string{"MGP:u32"}},
	InfBusyPolling:                {"BusyPolling", "1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)", [4]string{"MGP:u32"}},
	InfFailedResolutions:          {"FailedResolutions", "Total number of failed DNS resolutions in current worker process since started", [4]string{"MGP:u32"}},
	InfTotalBytesOut:              {"TotalBytesOut", "Total number of bytes emitted by current worker process since started", [4]string{"MGP:u64"}},
	InfTotalSplicdedBytesOut:      {"TotalSplicdedBytesOut", "Total number of bytes emitted by current worker process through a kernel pipe since started", [4]string{"MGP:u64"}},
	InfBytesOutRate:               {"BytesOutRate", "Number of bytes emitted by current worker process over the last second", [4]string{"MRP:u64"}},
	InfDebugCommandsIssued:        {"DebugCommandsIssued", "Number of debug commands issued on this process (anything > 0 is unsafe)", [4]string{"MGP:u32"}},
	InfCumRecvLogs:                {"CumRecvLogs", "Total number of log messages received by log-forwarding listeners on this worker process since started", [4]string{"MCP:u32"}},
	InfBuildInfo:                  {"Build info", "Build info", [4]string{"POS:str"}},
	InfMemmaxBytes:                {"Memmax_bytes", "Worker process's hard limit on memory usage in byes (-m on command line)", [4]string{"CLP:u32"}},
	InfPoolAllocBytes:             {"PoolAlloc_bytes", "Amount of memory allocated in pools (in bytes)", [4]string{"MGP:u64"}},
	InfPoolUsedBytes:              {"PoolUsed_bytes", "Amount of pool memory currently used (in bytes)", [4]string{"MGP:u64"}},
	InfStartTimeSec:               {"Start_time_sec", "Start time in seconds", [4]string{"MDP:u32"}},
	InfTainted:                    {"Tainted", "Experimental features used", [4]string{"SGP:str"}},
}
