// Package bounds holds goha's end-to-end tests of process-wide resource
// bounds: the global maxconn derived from the descriptor limit, the
// listener pausing at maxconn and resuming, accept backing off when the
// process runs out of descriptors. Each starts the real binary under a
// chosen `ulimit -n` and reads its figures from `show info`.
package bounds
