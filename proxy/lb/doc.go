// Package lb implements HAProxy's load-balancing algorithms (the `balance`
// keyword): roundrobin, static-rr, leastconn, first, source, uri,
// url_param, hdr and random, one file each, and New, which maps the
// keyword to its constructor. With `hash-type consistent` the hash
// algorithms (source, uri, url_param, hdr) use chash.go's ring instead of
// the map, placing keys exactly where HAProxy does (hashfn.go holds
// HAProxy's hash functions); map-based hashing stays the default.
//
// The proxy owns the Server values; it creates one Balancer per backend
// with New and then tells it about events: SetUsable when health checks or
// the CLI change a server's state, SetWeight when its weight changes.
// Algorithms keep their own structure current on those events (HAProxy's
// lb_ops), so a pick never scans the server list: roundrobin and leastconn
// keep an indexed heap (O(log n) per pick under a mutex), the static and
// hash algorithms a precomputed map (O(1), lock-free), random the
// cumulative weights (O(log n), lock-free). first walks servers in id
// order until one has a free slot.
//
// Traps:
//   - A successful Pick counts one connection on the server it returns;
//     Take counts one on a server chosen another way. Each must be
//     matched by exactly one Release, or leastconn and first drift.
//   - Only usable servers with a non-zero weight take load-balanced
//     traffic. Backup servers are used only when no active server does,
//     and then only the first usable backup in declaration order, or
//     with `option allbackups` every usable backup.
//   - uri, url_param and hdr need a Request; without one (TCP mode, or the
//     input is missing) they fall back to round robin over the same map,
//     like HAProxy. source falls back the same way without a valid address.
//   - A server at its maxconn (Server.SetMaxconn) is skipped when the
//     algorithm chooses freely, and Pick returns nil when all are full (the
//     proxy queues the request in the backend). A hash algorithm with its
//     key returns its server even when full (Server.Overbooked): the
//     request waits for that server, as in HAProxy's server queue.
//   - A Server belongs to one Balancer and must not be copied.
package lb
