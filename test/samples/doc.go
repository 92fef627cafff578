// Package samples holds end-to-end tests, on the real binary, of sample
// expressions where HAProxy 2.6 evaluates them beyond header rules:
// log-format lines, stick counter fetches and table converters in rule
// values, and variables in the remaining places (global, tcp-request,
// use-server, conditions of set-var).
package samples
