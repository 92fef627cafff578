// Package getsocks implements HAProxy's `_getsocks` exchange, by which a
// new process takes the listening sockets of the process it replaces over
// that process's stats socket (`-x SOCKET` on the new side, `stats socket
// ... expose-fd listeners` on the old side), so that no connection waiting
// in a kernel accept queue is lost during a classic `-sf` reload.
//
// The wire protocol, as HAProxy 2.6 speaks it (src/cli.c, src/sock.c):
//
//   - the client sends the line "_getsocks\n";
//   - the server answers with the number of sockets as a native-endian
//     32-bit int, or closes the connection when the socket is not flagged
//     `expose-fd listeners`;
//   - then the sockets come in batches of at most MaxBatch descriptors
//     (SCM_RIGHTS), each batch's data holding, per descriptor,
//     [1-byte length][network namespace][1-byte length][interface][4 bytes
//     of legacy options, zero];
//   - the client acknowledges every batch with a 4-byte int; the server
//     waits for that acknowledgement after every batch but the last.
//
// Server side: Send writes the answer on a connection, and Listener wraps a
// stats socket's listener so that a connection whose first line is
// `_getsocks` is answered (or refused) before the CLI ever sees it; every
// other connection is handed on unchanged, first bytes included.
// Client side: Fetch runs the exchange and returns the sockets with the
// address each is bound to; Take matches them to the configuration's bind
// lines by address.
//
// Traps:
//   - A unix socket bound the HAProxy way (at "PATH.PID.tmp", then renamed)
//     reports its temporary name from getsockname; Take strips the
//     ".PID.tmp" suffix before comparing.
//   - Go listens on [::] (dual stack) for "tcp" with an empty or 0.0.0.0
//     host, so any unspecified address matches any other unspecified
//     address of the same port.
//   - Received descriptors are the old process's very sockets: closing one
//     here never affects the old process, but every socket not taken must
//     be closed, or it keeps receiving connections nobody accepts.
//   - The exchange must not block a process: every read and write has a
//     deadline.
package getsocks
