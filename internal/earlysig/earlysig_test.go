package earlysig

import (
	"syscall"
	"testing"
	"time"
)

// Signals are taken one at a time in arrival order; carried ones go in
// front of those that arrived since.
func TestBoxOrder(t *testing.T) {
	b := Start()
	defer b.Stop()
	b.Add(syscall.SIGUSR2)
	b.Prepend([]syscall.Signal{syscall.SIGHUP, syscall.SIGTERM})
	var got []syscall.Signal
	for s, ok := b.Pop(); ok; s, ok = b.Pop() {
		got = append(got, s)
	}
	want := []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGUSR2}
	if len(got) != len(want) {
		t.Fatalf("got %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v; want %v", got, want)
		}
	}
}

// A real signal reaches the box and wakes its owner.
func TestBoxCatchesSignals(t *testing.T) {
	b := Start()
	defer b.Stop()
	syscall.Kill(syscall.Getpid(), syscall.SIGUSR2)
	select {
	case <-b.Wake():
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up for SIGUSR2")
	}
	if s, ok := b.Pop(); !ok || s != syscall.SIGUSR2 {
		t.Errorf("Pop = %v, %v; want SIGUSR2", s, ok)
	}
}
