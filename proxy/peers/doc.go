// Package peers speaks HAProxy's peers protocol, version 2.1 as HAProxy
// 2.6 speaks it, to share stick tables between processes: goha
// instances, HAProxy instances, and the old and new process of a reload.
//
// A Section is one `peers` section at run time. It listens on the local
// peer's address and accepts only the configured peers (the hello names
// both ends: a wrong local name is refused with 503, an unknown remote
// one with 504), connects to every remote peer (one session per peer;
// when both ends connect at once, the newest accepted session wins, as in
// HAProxy), and on each session pushes the local updates of its tables
// (stick.Table.Updates), applies the remote ones (stick.Table.Apply) and
// acknowledges them. On start it asks one established peer for a full
// resync (teach); it teaches any peer that asks. HandOver is the old
// process of a reload teaching the new one through the local peer.
//
// The wire: after a text handshake (protocol line, remote peer name,
// local peer name with pid and relative pid; a status line answers),
// messages are two bytes (class, type) followed, for stick-table
// messages (type with bit 7 set), by a varint length and a payload.
// wire.go holds the varint and the framing, msg.go the messages and
// their encoding, session.go the exchange on one connection, section.go
// the peers' states, reconnection and resync.
//
// Bounds: a message longer than MaxMessage (16 KiB, HAProxy's bufsize)
// is answered with a size-limit error and closes the session; a hello
// line longer than 1 KiB closes it; a peer may create at most the table's
// size of entries per expire period; any malformed message closes only
// that peer's session. The protocol itself has no encryption nor
// authentication: run it on a private network or wrap it in TLS.
//
// Every goroutine ends when the context given to Start is cancelled or
// Stop is called; Stop waits for them.
package peers
