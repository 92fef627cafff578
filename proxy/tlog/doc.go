// Package tlog writes HAProxy-format traffic logs and event messages to
// syslog (UDP, unix datagram sockets such as /dev/log), stdout/stderr or
// an inherited file descriptor.
//
// # Pieces
//
//   - Format: a compiled `log-format` string (Compile). The built-in
//     TCPLogFormat, HTTPLogFormat and CLFHTTPLogFormat are HAProxy 2.6's
//     strings for option tcplog, httplog and httplog clf. Format.Append
//     writes one line for an Entry into a caller's []byte and allocates
//     nothing.
//   - Entry: what the data plane fills once per connection (TCP) or
//     request (HTTP) and hands to Logger.Log by pointer. Zero values print
//     what HAProxy prints for missing data ("-", "<NOSRV>", "<BADREQ>",
//     -1 for a phase not reached).
//   - Hub: the worker's set of sinks, one per distinct `log` target, and
//     the DroppedLogs counter of `show info`.
//   - Sink: a target's socket, a bounded queue and one goroutine that
//     drains it, one write per message.
//   - Logger: one per proxy; Log for traffic lines, Send for event
//     messages (server state changes), Connect for proxies with targets
//     but no format.
//
// # Traps
//
//   - Never block the data path: Log formats into a pooled buffer and
//     queues it with a non-blocking send. A full queue drops the message
//     and counts it; nothing waits for a slow or dead syslog daemon.
//   - Open every sink before chroot: a unix socket path such as /dev/log
//     is connected when the Hub opens it. If the daemon restarts, the sink
//     reconnects by path (at most once a second), which only works if the
//     path is still reachable (not after a chroot that hides it).
//   - Header timestamps are the time Log/Send was called, not the time
//     the goroutine writes, so a backlog does not skew them.
//   - `len` bounds header plus message; the final "\n" comes after it,
//     so a datagram is at most len+1 bytes, as HAProxy sends.
//   - The target's max level filters; its min level does not filter but
//     raises the severity of more severe messages to it (HAProxy's
//     MAX(level, minlvl)).
//   - tlog does not import config: Target has config.LogTarget's fields
//     in the same order, so the caller converts with tlog.Target(t).
//
// Messages and header layouts follow HAProxy 2.6 (src/log.c), checked
// against captures of a real HAProxy 2.6 (see testdata).
package tlog
