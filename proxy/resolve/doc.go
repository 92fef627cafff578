// Package resolve is goha's run-time DNS service discovery: one
// Resolvers per `resolvers` section of the configuration, which keeps
// server names resolved while the process runs, as HAProxy 2.6's
// resolvers do (configuration.txt 5.3).
//
// A Resolvers owns one UDP socket per datagram nameserver and a single
// loop goroutine (Start(ctx) to Stop) that sends the queries, reads the
// answers and runs the timers. Queries go to every nameserver of the
// section at once with an EDNS0 OPT record announcing
// accepted_payload_size; the first valid answer wins, and an error
// counts only once every nameserver has answered (HAProxy's rule). A
// truncated UDP answer is asked again over TCP from the same
// nameserver; `tcp@` nameservers are always asked over TCP.
//
// Answers are checked before anything else reads them: larger than
// accepted_payload_size (too_big), an unknown query ID (outdated), a
// source address other than the nameserver's, an unparsable message or
// one whose question is not the one asked (invalid) are dropped and
// counted, and the query keeps waiting for the real answer. Counters are
// per nameserver and printed by WriteShow as `show resolvers` does.
//
// Servers follow the answers through groups: Subscribe registers the
// N slots of a server-template (or the one slot of a server with a
// name) and a callback that receives an Event whenever a slot gets an
// address, a new port or weight (SRV), or loses its address
// (maintenance). The slot-filling rules are HAProxy's: an address still
// in the answers stays in its slot; a new one takes the first free slot,
// chosen by score (preferred family 8, preferred network 4, unused by
// another slot 2, current address 1); two slots never share an address
// unless allow-dup-ip. An SRV name (`_service._proto.name`) fills one
// slot per SRV record with the record's port and its weight scaled from
// 0..65535 to 0..256 ((w+255)/256, unless ignore-weight), its address
// from the answer's additional records or, without one, from an A/AAAA
// query for the target.
//
// The hold timers are HAProxy's: `hold valid` is how long an answer is
// used before the name is asked again; `hold nx|timeout|refused|other`
// is how long after the last valid answer the slots keep their
// addresses when resolution ends in that status (past it, they go to
// maintenance); `hold obsolete` is how long a record missing from the
// answers keeps its slot. A resolution ends in timeout after
// resolve_retries queries without an answer, `timeout retry` apart.
package resolve
