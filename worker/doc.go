// Package worker is the life of a process that serves traffic: a
// master's worker (RunChild) or a standalone goha (Serve, called by
// cmd/goha).
//
// A worker reads its handoff (worker.Handoff, fd 4), adopts the inherited
// listening sockets (fds 5..), parses the exact configuration bytes the
// master checked, builds the data plane (package proxy) and loads
// everything it needs from disk, then drops privileges for good (Drop:
// RLIMIT_NOFILE, chroot, setgroups, setgid, setuid, no_new_privs, each on
// every thread), serves, and tells the master it is ready.
//
// Signals: SIGUSR1 is a soft stop (stop accepting, finish what is in
// flight, exit; `hard-stop-after` bounds it), SIGTERM/SIGINT a hard stop.
// EOF on the master socketpair (fd 3) means the master died: the worker
// exits at once, so no worker ever outlives its master.
//
// The master reaches the runtime API through the same socketpair: each
// forwarded CLI command arrives as a stream socket attached to a "cli
// LEVEL" message (SCM_RIGHTS) and is served as one CLI session.
package worker
