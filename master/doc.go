// Package master is goha's supervising process in master-worker mode
// (-W, -Ws, or `master-worker` in global).
//
// The master never proxies traffic. It parses and checks the
// configuration, binds every listening socket (frontends' binds, stats
// sockets, the -S master CLI) while privileged, starts `nbproc` workers
// (the same binary, recognised by GOHA_ROLE=worker) and watches them. A
// worker inherits fd 3, its end of a SOCK_SEQPACKET socketpair; fd 4, a
// memfd with the JSON handoff (the exact config bytes checked, the socket
// keys, its generation); fds 5.. the listening sockets. It says "ready"
// on the socketpair once it serves.
//
// One goroutine (loop) owns all state: signals, CLI requests (run as
// closures through m.calls), worker readiness and exits arrive as events.
//
// Reload (SIGUSR2, SIGHUP, `reload` on the master CLI):
//  1. the check runs off the loop, bounded (DefaultCheckTimeout, or
//     GOHA_RELOAD_CHECK_TIMEOUT): the binary installed at the master's
//     path runs -c in the master's mode (-W/-Ws, -L, -N, -n) on the
//     configuration, then the current workers are asked for `show servers
//     state` (2 s), so runtime changes survive. A failure changes nothing;
//     the loop answers the CLI and signals all along;
//  2. the master re-executes itself in place (same PID) with its state in
//     a sealed, versioned JSON memfd (GOHA_MASTER_HANDOFF): sockets by key,
//     workers (pid, generation, socketpair fd), counters, CLI clients
//     awaiting the `reload` answer, and the signals not acted on yet. The
//     signals it acts on are ignored across the exec (holdSignals) and
//     caught again by package earlysig before the new image parses
//     anything. A new binary
//     that cannot read the state re-executes the previous executable,
//     kept open across the exec (GOHA_MASTER_ROLLBACK; see rollback.go);
//  3. the new image keeps the running configuration and sockets, stages the
//     new ones (sockets whose key is still configured are shared, so the
//     kernel accept queue is never closed; new ones are bound), starts the
//     next generation and waits for all of it to be ready (DefaultReadyTimeout,
//     or GOHA_WORKER_READY_TIMEOUT). Only then are the staged sockets and
//     configuration committed, removed sockets closed and previous workers
//     sent SIGUSR1 (soft stop). If the new generation fails, it is killed,
//     what it bound is closed and the previous one keeps serving.
//
// Every send to a worker has a deadline (worker.SendMsg), and `reload`
// answers are written off the loop with one, so neither a stopped worker
// nor a client that never reads can stall the master.
//
// Traps: os.File.Fd switches a socket to blocking mode for every process
// sharing it, so descriptors are read with worker.RawFD and workers are
// started with syscall.ForkExec. Every adopted descriptor gets its
// close-on-exec flag back at resume, or the next workers would inherit
// other workers' socketpairs and never see the master die. Workers are
// reaped by PID (Wait4), so exec.Cmd's own waits (the preflight) are never
// stolen. PR_SET_PDEATHSIG is not used (per thread, cleared by setuid,
// fired by the re-exec): a worker exits on EOF of its socketpair.
package master
