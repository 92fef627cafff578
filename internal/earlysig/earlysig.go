// Package earlysig catches the signals a master acts on from the first
// moments of a master re-executed by a reload, long before main runs.
//
// A re-executed master inherits its signals set to SIG_IGN (package
// master ignores them just before the exec, so none kills the new image
// with its default action). This package is imported by cmd/goha and
// initialised as soon as os/signal is: when GOHA_MASTER_HANDOFF says the
// process is a re-executed master, its init asks for every master signal
// at once and starts collecting them in a Box, so nothing the re-executed
// image does before its loop runs (flag and configuration parsing,
// reading the state) loses them. See ARCHITECTURE.md.
package earlysig

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// EnvHandoff names the variable that tells a re-executed master which
// descriptor holds its state (package master writes and reads it).
const EnvHandoff = "GOHA_MASTER_HANDOFF"

// Signals are the signals a master acts on.
var Signals = []os.Signal{syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGTERM,
	syscall.SIGINT, syscall.SIGCHLD, syscall.SIGTTOU, syscall.SIGTTIN}

// Box collects signals without ever blocking the goroutine that reads
// them from os/signal: a signal is in the os/signal channel, in the box,
// or taken by its owner. SIGCHLD only wakes Child.
type Box struct {
	ch    chan os.Signal
	wake  chan struct{}
	child chan struct{}
	stop  chan struct{}
	done  chan struct{}

	mu      sync.Mutex
	pending []syscall.Signal
}

var early *Box

func init() {
	if os.Getenv(EnvHandoff) != "" {
		early = Start()
	}
}

// Catch returns the box started at init for a re-executed master, or
// starts one now.
func Catch() *Box {
	if b := early; b != nil {
		early = nil
		return b
	}
	return Start()
}

// Start asks os/signal for Signals and collects them until Stop.
func Start() *Box {
	b := &Box{
		ch:    make(chan os.Signal, 64),
		wake:  make(chan struct{}, 1),
		child: make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	signal.Notify(b.ch, Signals...)
	go b.run()
	return b
}

func (b *Box) run() {
	defer close(b.done)
	for {
		select {
		case s := <-b.ch:
			if s == syscall.SIGCHLD {
				poke(b.child)
				continue
			}
			b.Add(s.(syscall.Signal))
		case <-b.stop:
			return
		}
	}
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Stop stops the delivery of signals to the box and its goroutine.
func (b *Box) Stop() {
	signal.Stop(b.ch)
	close(b.stop)
	<-b.done
}

// Renotify asks os/signal again for sigs (after signal.Ignore).
func (b *Box) Renotify(sigs ...os.Signal) { signal.Notify(b.ch, sigs...) }

// Wake receives a value whenever a signal was added.
func (b *Box) Wake() <-chan struct{} { return b.wake }

// Child receives a value when a SIGCHLD arrived.
func (b *Box) Child() <-chan struct{} { return b.child }

// Add appends s.
func (b *Box) Add(s ...syscall.Signal) {
	b.mu.Lock()
	b.pending = append(b.pending, s...)
	b.mu.Unlock()
	poke(b.wake)
}

// Pop takes the oldest signal, if any.
func (b *Box) Pop() (syscall.Signal, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		return 0, false
	}
	s := b.pending[0]
	b.pending = b.pending[1:]
	return s, true
}

// TakeAll takes every signal in the box, oldest first.
func (b *Box) TakeAll() []syscall.Signal {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.pending
	b.pending = nil
	return p
}

// Prepend puts signals back in front of the box (they came first).
func (b *Box) Prepend(s []syscall.Signal) {
	if len(s) == 0 {
		return
	}
	b.mu.Lock()
	b.pending = append(append([]syscall.Signal(nil), s...), b.pending...)
	b.mu.Unlock()
	poke(b.wake)
}
