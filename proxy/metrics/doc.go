// Package metrics is HAProxy 2.6's Prometheus exporter (the
// prometheus-exporter service of `http-request use-service`): it writes
// the haproxy_process_*, haproxy_frontend_*, haproxy_listener_*,
// haproxy_backend_*, haproxy_server_* and haproxy_sticktable_* metric
// families in the text exposition format 0.0.4, with HAProxy's names,
// types, labels, HELP texts and order, so that dashboards and alerts
// built for HAProxy's exporter read goha unchanged.
//
// The values are those of `show info` and `show stat`: a Source gives the
// process's stats.Info and its stats.Rows (package stats builds and types
// them), and two tables here say which family reads which field, for
// which objects, and how (a plain value, milliseconds shown in seconds,
// one sample per state label...). The package imports only the standard
// library and proxy/stats.
//
// A scrape reads the source once, keeping the few columns the families
// need in a compact pooled buffer, then writes family by family (the
// format wants each family's samples together, and HAProxy lists them
// field by field), flushing to the client every 16 kB. Pooled state means
// a steady scrape rate allocates nothing; the source is held only while
// rows are copied, never while the client reads.
//
// The query parameters (ParseURI) are HAProxy's: repeatable `scope=`
// (global, frontend, listener, backend, server, sticktable, `*`, or empty
// to clear) and `no-maint`.
//
// Wiring `http-request use-service prometheus-exporter` (done in package
// stream, with the root package's runtime as Source): count the
// request as intercepted, read the options with ParseURI (an error gets
// the 400 error page), write ResponseHead, then, unless the method is
// HEAD, WriteChunked to the client with the runtime as Source; log the
// request with server <PROMEX>. HAProxy's exporter skips disabled proxies
// (a Source should not give their rows).
//
// Differences from HAProxy 2.6.12, on purpose: label values and HELP texts
// are escaped as the format requires (HAProxy writes them raw; no HAProxy
// name needs escaping), and the version label of
// haproxy_process_build_info is the Info's Version field. The
// *_time_average_seconds families show `show stat`'s averages (qtime,
// ctime, rtime, ttime), where 2.6's exporter divides the sliding sum by
// 1024 whatever the number of samples: the two agree once 1024 requests
// were seen, and goha's is right before.
//
// The tests check the output with a strict validator written for them
// (package promtext, also used by the end-to-end tests; no dependency on
// github.com/prometheus/common), and compare it with a capture of
// HAProxy 2.6.12 (testdata).
package metrics
