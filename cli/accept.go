package cli

import (
	"context"
	"errors"
	"net"
	"time"
)

// MaxSessions is how many sessions one CLI listener serves at once.
// HAProxy's CLI takes 10; goha takes more, but bounds them so a flood of
// clients cannot exhaust descriptors.
const MaxSessions = 64

// AcceptLoop accepts connections on ln until ctx ends or ln is closed,
// and runs serve for each on its own goroutine. Clients beyond
// MaxSessions wait in the listen backlog rather than being refused (as
// `stats maxconn` makes them wait in HAProxy); a session ends at its
// idle timeout at the latest, so a slot is never held by a client that
// vanished (HAProxy #3351). Accept errors other than a closed listener
// (EMFILE and friends) back off briefly instead of ending the loop.
func AcceptLoop(ctx context.Context, ln net.Listener, serve func(net.Conn)) {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	slots := make(chan struct{}, MaxSessions)
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		c, err := ln.Accept()
		if err != nil {
			<-slots
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
			}
			continue
		}
		go func() {
			defer func() { <-slots }()
			serve(c)
		}()
	}
}
