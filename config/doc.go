// Package config parses HAProxy 2.6's configuration language into the
// plain data model of model.go, and reports problems in HAProxy's exact
// words so `goha -c` prints what `haproxy -c` would.
//
// Use: srcs, err := ReadSources(paths); cfg, err := Parse(srcs, opts).
// On failure Parse returns an *ErrorList holding every error (HAProxy
// keeps going after most errors) and Messages, the whole ordered output
// including warnings and the trailer lines; Report(cfg, err) gives the
// messages to print in both cases. A configuration that parses but
// listens on nothing makes HAProxy's -c exit with status 2:
// cfg.HasListener(masterWorker) tells.
//
// Phases, as in HAProxy: (1) reading each file (tokenizer, .if blocks,
// keywords), ending with "Error(s) found in configuration file : F" per
// bad file and "Fatal errors found in configuration."; some errors abort
// at once (.alert, a bad .if, a broken http-request rule); (2) checks
// across proxies (missing backends, http frontend to tcp backend,
// duplicate server names, userlists, http-errors references); (3)
// resolving server host names ("Failed to initialize server(s) addr.").
//
// Keywords live in tables, one per section kind (keywords.go and the
// *_table.go files): one row per keyword with where it is valid, its
// parser and its support status; adding a keyword is adding a row.
// What goha does not implement is the status column, with the reason,
// gathered in SupportTable (unsupported.go, written out as
// testdata/support.txt). Unsupported entries are errors (ignoring them
// would change security or routing: TLS, stick tables, rewrites...),
// NoEffect entries are accepted with a warning (tuning, logging detail,
// health-check protocols degraded to a TCP connect, caching...). Some
// accepted features are modelled for the data plane to honour:
// MonitorURI, ErrorLocs, errorfiles/http-errors (merged into
// ErrorFiles), HTTPAfterResponse, Cookie, Compression, HealthChk.Type
// and its tcp-check/http-check rules, Server.InitAddr/Resolvers.
//
// testdata/corpus holds a few hundred real-world and edge-case
// configurations named after HAProxy 2.6.12's verdict; TestCorpus checks
// goha agrees on each, except the deliberate differences listed with
// their reason in testdata/corpus/KNOWN-MISMATCHES.
//
// Traps:
//   - The tokenizer expands environment variables only outside single
//     quotes, but HAProxy also expands $VAR and ${VAR} (no defaults)
//     inside every address (bind, server, log, nameserver...) whatever
//     the quoting: envExpand does that second pass.
//   - setenv & co. change an overlay, never the real environment.
//   - `ssl` on bind or server lines is refused unless
//     ParseOptions.AllowTLS is set; certificates, CA files and server
//     verification are checked like HAProxy either way.
//   - `,lower`/`,upper` ACL converters are accepted only where they are
//     exactly -i (no pattern of the other case, no regex): the model
//     then has IgnoreCase set and the converter in ACL.Converters.
//   - %[...] sample expressions (log-format, use_backend, header
//     values, set-var) are validated: fetch and converter names, and map
//     files must open, as HAProxy does while parsing.
//   - `nbproc` is accepted (HAProxy 2.5+ refuses it); `tune.bufsize 16k`
//     is rejected (HAProxy 2.6 crashes on it).
//   - Files are read through ParseOptions so tests never depend on the
//     machine (ReadFile, Stat, Resolve, users, LocalPeer); relative
//     names honour `default-path`, crt-base and ca-base.
package config
