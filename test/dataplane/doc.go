// Package dataplane holds goha's end-to-end data-plane tests: they start
// the real binary ($GOHA_BIN, or ./cmd/goha built into a temporary
// directory) with `-db -f cfg` on loopback ports, in front of Go net/http
// test servers, and check what real clients (Go's net/http, curl and raw
// sockets) see: balancing, content switching, rules, keep-alive and
// connection reuse, bodies, upgrades, TCP mode, queueing, retries and the
// refusal of malformed or smuggling requests.
package dataplane
