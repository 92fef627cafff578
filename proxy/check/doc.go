// Package check runs HAProxy-style health checks: one Checker per server
// with `check`, doing TCP connect checks or, with `option httpchk`, HTTP
// checks (`http-check send hdr`, `http-check expect
// [!] status|rstatus|string|rstring`), every inter / fastinter /
// downinter, with rise and fall, `port`/`addr` and `timeout check`.
//
// A Checker reports what changed through a callback of Events: the
// server going DOWN or UP (with HAProxy's message, which StateMessage
// completes with the backend-wide counts the proxy knows), and with
// `option log-health-checks` every check that changed the health. The
// proxy core wires EventState to lb.SetUsable and logs the messages.
// Snapshot gives `show stat` its check_status, check_code,
// check_duration, check_desc and the "UP 1/3" status.
//
// An Agent (`agent-check`, agent.go) runs beside a server's Checker: it
// reads one line from the server's agent every agent-inter, hands the
// words on weight, maxconn and administrative state to the proxy, and
// turns its own verdict up or down on the health words; a server is up
// when its Checker and its Agent both say so.
//
// Traps:
//   - Initial state is HAProxy's: UP with health = rise, so the first
//     failed check takes the server DOWN at once and no message is
//     printed at startup for servers that are fine.
//   - Intervals count from the end of the previous check, and the first
//     checks of a backend's servers are spread over the longest interval
//     (Spread, RunAll) so they do not all fire at once.
//   - Timeouts: without `timeout check`, connect and response must both
//     fit in inter; with it, the connect gets min(timeout connect, inter)
//     and the response `timeout check`.
//   - Only one worker generation should run checks: cancel the context
//     given to Run at soft stop.
//   - Error texts are the C library's ("Connection refused"), as HAProxy
//     prints strerror().
package check
