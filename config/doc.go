// Package config parses HAProxy 2.6's configuration language into the
// plain data model of model.go, and reports problems in HAProxy's exact
// words so `goha -c` prints what `haproxy -c` would.
//
// Use: srcs, err := ReadSources(paths); cfg, err := Parse(srcs, opts).
// On failure Parse returns an *ErrorList holding every error (HAProxy
// keeps going after most errors) and Messages, the whole ordered output
// including warnings and the trailer lines; Report(cfg, err) gives the
// messages to print in both cases.
//
// Phases, as in HAProxy: (1) reading each file (tokenizer, .if blocks,
// keywords), ending with "Error(s) found in configuration file : F" per
// bad file and "Fatal errors found in configuration."; some errors abort
// at once (.alert, a bad .if, a broken http-request rule); (2) checks
// across proxies (missing backends); (3) resolving server host names
// ("Failed to initialize server(s) addr.").
//
// Traps: environment variables expand only inside double quotes;
// setenv & co. change an overlay, never the real environment; keywords
// HAProxy knows but goha does not implement are listed in unsupported.go
// (errors, or accepted with a warning when harmless); `ssl` on bind or
// server lines is refused because TLS is not implemented; `nbproc` is
// accepted (HAProxy 2.5+ refuses it); `tune.bufsize 16k` is rejected
// (HAProxy 2.6 crashes on it). Files are read through ParseOptions so
// tests never depend on the machine (ReadFile, Stat, Resolve, users).
package config
