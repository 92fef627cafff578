package harness

import (
	"testing"
	"time"
)

// pollEvery is how often the waiting helpers test their condition.
const pollEvery = 10 * time.Millisecond

// Eventually polls cond until it holds (true) or the timeout passes
// (false).
func Eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollEvery)
	}
}

// WaitFor polls cond until it holds, or fails the test after the timeout
// saying what it waited for.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Eventually(timeout, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// WaitForf is WaitFor with a formatted message. The arguments are
// formatted only on failure, so a fmt.Stringer such as a Buffer shows
// what it holds then.
func WaitForf(t testing.TB, timeout time.Duration, cond func() bool, format string, a ...any) {
	t.Helper()
	if !Eventually(timeout, cond) {
		t.Fatalf("not within %v: "+format, append([]any{timeout}, a...)...)
	}
}
