// Package stats formats HAProxy 2.6's statistics outputs from a plain
// snapshot: `show stat` (CSV, typed, JSON, with its filters), `show info`
// (plain, typed, JSON), `show servers state` and `show backend`. It only
// formats: whoever owns the live counters builds the snapshot and calls
// these functions, so the package imports nothing of goha.
//
// A Row is one `show stat` line, a fixed array of typed Fields indexed by
// the Col* constants (HAProxy's positions). NewRow fills every column
// HAProxy always fills for that kind of object (frontend, backend, server,
// listener) with its zero value, typed and tagged as HAProxy types and
// tags it (the table in columns.go, read from src/stats.c and checked
// against captured output); the filler then Sets what it counted and the
// conditional columns that apply (check_* when a server is checked, slim
// when a server has a maxconn...). A column left empty prints as HAProxy
// prints a column it does not fill: an empty CSV cell, no typed line, no
// JSON object. Info works the same way for `show info`.
//
// Traps: the CSV has a "-" column after the 103 fixed ones (agg_check_status)
// which the typed and JSON forms do not count, so typed position 103 is CSV
// column 104. Columns 0..102 never move; scripts index them. u32 columns
// truncate as C does. HAProxy 2.6 prints JSON strings unescaped; this
// package escapes quotes, backslashes and control bytes, identical for
// every ordinary value. The address, cookie and algorithm columns are shown
// to operator and admin sessions only (StatOptions.Legends).
package stats
