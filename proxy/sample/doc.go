// Package sample is what the data plane reads out of a stream: sample
// fetches (src, path, req.hdr(), status, req.ssl_sni...), converters
// (lower, map_beg, regsub, ipmask...), sample expressions chaining them
// (%[fetch(args),conv(args)...]), HAProxy log-format strings mixing
// literal text, %X variables and expressions, and map files. Rule values
// (set-header, redirect, return bodies, dynamic use_backend) are
// log-format strings; ACLs read the connection and request through Conn
// and HTTP, which implement acl.Sample; balancers read an HTTP request
// through LBRequest.
//
// Shape: CompileFormat parses a log-format string once, at configuration
// time (Options carries the map files it may name); Format.AppendTo
// evaluates it per request against a Ctx, which holds the connection,
// the request and response, and what is read of the frontend and the
// backend through the small Frontend and Backend interfaces their owner
// implements. This package never imports the proxy that uses it.
//
// Fetches and converters are tables, one row per keyword, registered by
// the file that implements them: fetch_conn.go (addresses and ports),
// fetch_http.go (request and response), fetch_payload.go (the start of a
// TCP stream), fetch_proxy.go (frontend, backend), fetch_const.go
// (constants, date, env); conv_string.go, conv_encode.go, conv_int.go,
// conv_ip.go, conv_hash.go and conv_map.go (map files, map.go), with the
// casts between sample types in cast.go. %X variables are the table in
// logvar.go.
//
// Traps:
//   - Evaluation does not allocate in steady state (TestLogFormatNoAlloc):
//     values point into the request buffers or into the Ctx's two
//     ping-pong scratch buffers, and the value being evaluated lives in
//     the Ctx so that it does not escape. regsub is the exception (Go's
//     regexp returns fresh match indexes).
//   - A value is valid until the next evaluation on the same Ctx.
//   - The fetches, converters and %X variables supported are exactly
//     config.SupportedSampleFetches, SupportedConverters and
//     SupportedLogVars (TestSampleTables): the config parser refuses the
//     rest, so `goha -c` and a start agree.
//   - A sample that cannot be fetched or converted produces nothing in a
//     rule value (HAProxy's LOG_OPT_HTTP, not "-"); control characters of
//     a sample are written as %XX; spaces are literal.
//   - Map files come from Options.Maps (read by the config parser before
//     the chroot); a file is compiled once per match kind and output type
//     and shared between the expressions of one Options.
package sample
