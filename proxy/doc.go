// Package proxy is the handle the worker holds on goha's data plane:
// New turns a parsed config into one generation of frontends, backends
// and servers (built by package stream, which runs every connection),
// Start serves them on the listening sockets the worker inherited,
// SoftStop and HardStop end them. Around the engine it wires what is
// not on a request's path:
//
//   - health and agent checks (checks.go, package check): checkers per
//     server, their verdicts applied to the balancer, state changes
//     logged in HAProxy's words on the backend's log targets;
//   - the runtime API's entry points (ServerAdmin, SetServerHealth,
//     SetCheckEnabled, SetServerAddr, RestoreDown, ServerStates ...);
//   - `show stat`/`show info` rows (statrows.go, package stats) and the
//     stats page's source (statspage_glue.go, package statspage).
//
// Runtime embeds *stream.Process, so the process-wide counters and
// limits (ActConn, CumConns, Maxconn, Sessions ...) are read through it;
// Frontend, Backend, Server and their states are stream's types, named
// here for the worker. The engine's model, its hot-path rules and its
// traps are in package stream's documentation.
package proxy
