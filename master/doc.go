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
//  1. preflight: the binary installed at the master's path runs with -c
//     on the configuration; a failure changes nothing;
//  2. the current workers are asked for `show servers state`, so runtime
//     changes survive;
//  3. the master re-executes itself in place (same PID) with its state in
//     a versioned JSON memfd (GOHA_MASTER_HANDOFF): sockets by key,
//     workers (pid, generation, socketpair fd), counters, CLI clients
//     awaiting the `reload` answer. The signals it acts on are blocked on
//     every thread across the exec, so one arriving then stays pending and
//     reaches the new image instead of killing it;
//  4. the new image re-parses, reuses every socket whose key is still
//     configured (the kernel accept queue is never closed), binds new
//     ones, closes removed ones, starts the next generation and waits for
//     all of it to be ready (DefaultReadyTimeout, or GOHA_WORKER_READY_TIMEOUT); only then are previous workers
//     sent SIGUSR1 (soft stop). If the new generation fails, it is killed
//     and the previous one keeps serving.
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
