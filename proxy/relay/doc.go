// Package relay owns the data plane's per-CPU epoll loops, over raw
// file descriptors: the TCP relay that moves a mode tcp session's bytes
// between its two sockets (read and write, splice through a pipe for
// bulk streams) without a goroutine, and the parking lot that holds idle
// HTTP keep-alive connections without a goroutine or a buffer until
// their client sends again. Both loops' epoll descriptors sit in Go's
// netpoller, so no thread blocks in a system call.
//
// The sessions stay in package stream; they meet the loops through small
// interfaces: a mode tcp session is an Owner (its lock, whether it was
// killed, and its end: counters and log) handed to a Relay with its two
// connections, and an idle HTTP session is a Parkable (its socket, its
// Parking state, and how to resume it) handed to a Lot.
//
// The package also accepts and connects the raw sockets of mode tcp
// (Accept, Dial: a Conn never enters Go's netpoller) and wraps the
// non-blocking system calls the loops make (RawSyscall: they never
// block). Only Linux has the loops; elsewhere Start and Park decline and
// the sessions wait on their goroutines.
//
// It imports only the standard library and golang.org/x/sys.
package relay
