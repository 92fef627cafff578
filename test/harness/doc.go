// Package harness is what goha's end-to-end tests (test/...) share: the
// real binary (built once, or $GOHA_BIN), processes started and always
// cleaned up, scripted backends that count what reaches them, free
// loopback ports, a load client that never retries behind the test's
// back, socat as the CLI client, and waiting on conditions with a
// deadline (never a sleep and a hope).
//
// A test package calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { harness.Main(m) }
//
// Traps:
//   - An exited process stays a zombie until its parent reaps it, and
//     `kill -0` succeeds on a zombie. Daemons (-D, -W -D) and
//     self-upgraded processes are orphans; where PID 1 does not reap (some
//     containers and microVMs) they would look alive forever. Main makes
//     the test process a child subreaper, so orphans are re-parented to
//     it, and Alive reaps them (never a process started by Start: its own
//     Wait does that).
//   - Go's http.Transport retries an idempotent request on a keep-alive
//     connection the server closed: a load generator built on it would
//     hide exactly the errors a reload test must count. Load speaks
//     HTTP/1.1 on raw connections instead.
//   - A port from a port-0 listener is in the kernel's ephemeral range:
//     any outgoing connection (a load client's socket, a backend dial) can
//     take it between the test choosing it and goha binding it. FreePort
//     chooses below that range.
//   - Unix socket paths must stay under 108 bytes: t.TempDir's are long
//     and its parent is private to the test's user, so a worker that
//     dropped to nobody cannot reach it. TempDir is short and
//     world-readable.
//   - Bin reads $GOHA_BIN at every call, so a test may point it at a
//     wrapper or another build with t.Setenv.
package harness
