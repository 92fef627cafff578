// Package stream is goha's data plane engine: the pipeline a client
// connection runs from accept to its last log line, the way HAProxy's
// streams run analysers and filters. A Frontend accepts (maxconn,
// tcp-request connection rules) and starts a session: a tcpSession in
// mode tcp (tcp.go, tcprelay.go), an httpSession in mode http (http.go,
// idle.go). An HTTP request runs requestPhases (stream.go,
// stream_response.go), a table of small named phases; rules compiled by
// package rules are executed here (httprules.go), a server is picked by
// Backend.connect (tcp.go, queue.go, package lb), heads are rewritten by
// buildRequest and buildResponse (httpreq.go), bodies move in httpio.go
// and upload.go, and filters (filter.go, compress.go) see heads and
// bodies on the way. Process is what a generation's sessions share:
// connection slots, the work pool, the session registry, rates and the
// parking lot; New builds it, with every Frontend, Backend and Server,
// from a config.Config. The root package (proxy) wraps it with health
// checks, stats and the runtime API; this package never imports it.
//
// Model. One goroutine per client connection. In mode tcp it connects to
// a server (timeout connect, retries with HAProxy's turn-around pause,
// redispatch on the last retry), then hands both sockets to a relay loop
// and ends (package relay): one epoll loop per P relays every mode
// tcp session with read and write (a short read means drained), splice
// through a pipe once a direction fills its buffer twice in a row, and
// shutdown(SHUT_WR) to pass half-closes on; its sockets are accepted and
// connected raw, never entering Go's netpoller (relay.Accept, relay.Dial). The
// HTTP Upgrade tunnel and non-TCP sockets relay on the session goroutine
// instead (one goroutine per direction). In mode http it runs goha's HTTP/1.1 engine
// (package http1) over the connection: http-request rules, use_backend,
// a balancer pick (package lb), a pooled server connection, one write per
// head (body bytes at hand included, writev when they do not fit),
// bodies streamed by Content-Length or chunked framing, 1xx forwarded,
// 101 switched to a tunnel.
//
// TLS (tls.go, srvtls.go): a connection accepted on an `ssl` bind
// handshakes on its own session goroutine, bounded by timeout client
// (and http-request in mode http), then runs the same HTTP or TCP
// session over crypto/tls; the raw-descriptor paths (relay loops,
// splice, MSG_PEEK) step aside for it, the parking lot does not. `ssl`
// servers are dialled, then handshaken within timeout connect.
//
// Hot-path rules (measured, see ../shared/notes/perf-spike.md):
//
//   - No allocation per request in steady state (BenchmarkHTTPKeepAlive).
//   - An idle connection holds no buffer: the next request is read by a
//     RawConn.Read callback that takes a pooled work area, reads into it
//     and gives it back on EAGAIN, so parking costs no extra syscall. The
//     session goroutine's stack stays at 4 KiB because dials run on a
//     helper goroutine (the dial path is deep).
//   - A session yields (runtime.Gosched) before reading a response it
//     has just asked for and before reading the next request after a
//     response: the peer answers while other sessions run, so the read
//     usually finds data instead of returning EAGAIN and parking (5.6 to
//     4.6 syscalls per keep-alive request, nbthread 1).
//   - Deadlines are re-armed at most about once a second per connection
//     (type deadlines): a timeout fires between T and T+1s after the last
//     activity.
//   - Server connections: after a response the connection stays attached
//     to its client session while the client is active and goes to the
//     server's idle pool (LIFO, at most 256, closed after 10 s idle) when
//     the client goes idle. Any request, a client's first included, may
//     take a pooled connection (HAProxy 2.6 reuses them across client
//     connections too: with a new client connection per request it
//     leaves no TIME-WAIT toward the servers). A request that fails on a
//     reused connection the server had closed meanwhile, before any
//     response byte and after being sent in one write, is
//     retried once on a fresh connection; `http-reuse never` disables
//     pooling.
//
// Soft stop and idle keep-alive connections. HAProxy 2.6 closes idle
// keep-alive connections at once on soft stop and loses the requests
// that clients were sending at that moment. goha does not close an idle
// connection under its client: the next request on it is served with
// "connection: close" and the connection closed after the response; a
// connection that stays idle is closed only when its normal idle timeout
// (timeout http-keep-alive, else http-request, else client) expires,
// capped at softIdleGrace (10 s) during a soft stop. That close has the
// same (tiny) race as any keep-alive timeout, which HTTP clients handle
// by retrying idempotent requests; a busy client never meets it because
// its next request arrives long before. hard-stop-after (the worker's)
// bounds the whole stop.
//
// Traps:
//
//   - A Server must not be copied (it embeds the balancer's lb.Server).
//   - Request slices in an http1.Request point into the session's work
//     buffer: they are reused when a body is streamed, so http-response
//     rules that test request fetches see garbage after a body larger
//     than the buffer.
//   - Rule values (set-header, add-header, set-path, redirect targets,
//     return/deny lf-string bodies, use_backend names) are HAProxy
//     log-format strings compiled once by sample.CompileFormat (package
//     sample; sampleenv.go is what it reads of frontends and backends;
//     compiled in package rules)
//     and evaluated per request into the work area (w.vals) without
//     allocating (regsub excepted). The fetches, converters and %X
//     variables supported are exactly
//     config.SupportedSampleFetches/SupportedConverters/SupportedLogVars
//     (sample's TestSampleTables): the parser refuses the rest, so `goha
//     -c` and a start agree (TestCorpusValidStarts checks the corpus).
//     Map files come from config.Config.MapFiles (read before the
//     chroot).
//   - A backend's http-request rules run after use_backend picked it; its
//     http-response and http-after-response rules before the frontend's
//     (Process.beRules, compiled once by rules.CompileSet). http-after-response rules also rewrite
//     pages goha answers itself (afterPage), and monitor-uri answers
//     before any rule, unlogged.
//   - Mode tcp content rules (tlsinspect.go) peek at the client's first
//     bytes with MSG_PEEK (raw relay sockets are borrowed with
//     detach/attach and a duplicate waits in the netpoller) and never
//     consume them; a payload fetch that cannot decide yet makes the
//     rules wait, within tcp-request inspect-delay (HAProxy's
//     ACL_TEST_MISS, acl.Cond.EvalPartial).
//   - Soft stop closes this process' listeners; the master keeps its own
//     copies of the sockets.
package stream
