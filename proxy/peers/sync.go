package peers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// syncLoop moves the start-up resync along (HAProxy's
// process_peer_sync()): from the old local process to the remote peers
// when it does not come within 5 s, and to finished when no remote peer
// taught us within 5 s more; it assigns the lesson to an established
// peer that may be up to date.
func (s *Section) syncLoop() {
	defer s.wg.Done()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		s.calls++
		now := time.Now()
		if s.resync == resyncFromLocal && s.assigned == nil && !now.Before(s.resyncEnd) {
			s.resync = resyncFromRemote
			s.resyncEnd = now.Add(resyncTimeout)
		}
		if s.resync == resyncFromRemote && s.assigned == nil {
			s.assign()
			if s.assigned == nil && !now.Before(s.resyncEnd) {
				s.resync = resyncFinished
				s.lastChange = now
			}
		}
		s.mu.Unlock()
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// assign gives the lesson to an established remote peer that may be up
// to date (under s.mu).
func (s *Section) assign() {
	for _, p := range s.peers {
		if p.local || p.sess == nil || p.status != StatusSuccess || p.notUpToDate {
			continue
		}
		p.sess.learn, p.sess.reqSent = true, false
		s.assigned = p
		p.sess.poke()
		return
	}
}

// Resynced reports whether the start-up resync is over (taught by the
// old process or a peer, or timed out).
func (s *Section) Resynced() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resync == resyncFinished
}

// HandOver is the old process of a reload teaching the new one: it
// closes the local listener and every session (so the new process gets
// the port and the peers), connects to the local peer's address, sends
// every entry of every table and returns once the new process confirms,
// or when ctx ends. Stop the section afterwards.
func (s *Section) HandOver(ctx context.Context) error {
	if s.cancel == nil {
		return errors.New("peers: HandOver before Start")
	}
	s.ln.Close()
	s.mu.Lock()
	for _, p := range s.peers {
		p.reconnect = time.Now().Add(time.Hour) // no reconnection while stopping
		if p.sess != nil {
			p.sess.close()
		}
	}
	s.resync = resyncFinished
	s.mu.Unlock()
	var lastErr error
	for {
		err := s.handOverOnce(ctx)
		if err == nil {
			return nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("peers %s: hand-over to the new process: %w (last: %v)", s.name, ctx.Err(), lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// handOverOnce runs one hand-over session.
func (s *Section) handOverOnce(ctx context.Context) error {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "tcp", s.local.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	ss := s.handshake(s.local, c, true)
	if ss == nil {
		s.mu.Lock()
		st := s.local.status
		s.mu.Unlock()
		return fmt.Errorf("new process answered status %d", st)
	}
	ss.run()
	select {
	case <-ss.done:
		return nil
	default:
		return errors.New("session ended before the new process confirmed")
	}
}
