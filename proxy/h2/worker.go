package h2

import (
	"sync/atomic"
	"time"
)

// Stream handlers run on pooled goroutines: a new goroutine starts with a
// small stack and grows it (copying it each time) through the conversion
// and the caller's handler, which cost a quarter of the CPU of a request
// when every stream had a fresh goroutine. A worker that finishes a
// handler waits workerIdle for the next one, then exits.

// workerIdle is how long an idle worker waits for a handler to run.
const workerIdle = 2 * time.Second

var (
	workerTasks = make(chan func()) // handed to an idle worker, if one waits
	idleWorkers atomic.Int32        // workers waiting for a task (tests count them)
)

// goHandle runs f on an idle worker, or on a new one.
func goHandle(f func()) {
	select {
	case workerTasks <- f:
	default:
		go worker(f)
	}
}

func worker(f func()) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		f()
		f = nil
		t.Reset(workerIdle)
		idleWorkers.Add(1)
		select {
		case f = <-workerTasks:
			idleWorkers.Add(-1)
		case <-t.C:
			idleWorkers.Add(-1)
			return
		}
	}
}
