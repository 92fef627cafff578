package master

import (
	"context"
	"os"
	"time"

	"github.com/goha/goha/worker"
)

// DefaultTicketRotation is how often the master rotates the TLS
// session-ticket keys it shares with its workers (the
// GOHA_TLS_TICKET_ROTATION duration overrides it). A ticket is encrypted
// with the middle key and dropped two rotations later, so it resumes for
// one to two intervals, and a key is at most three intervals old.
// Rotating on a clock rather than on each reload keeps sessions across
// any burst of reloads while still retiring every key within hours.
const DefaultTicketRotation = time.Hour

// ticketPushTimeout bounds the hand-over of rotated keys to one worker.
const ticketPushTimeout = 2 * time.Second

// tickets are the master's session-ticket keys: generated at the first
// start, carried across its re-exec (masterState), given to every new
// worker in its handoff and to running ones when rotated.
type tickets struct {
	keys    *worker.TicketKeys
	rotated time.Time
	every   time.Duration
}

// initTickets adopts the keys of the previous image (st, nil at the first
// start) or makes fresh ones. Without keys (no randomness), workers keep
// crypto/tls's own per-process keys.
func (m *Master) initTickets(st *masterState) {
	m.tickets.every = durationEnv(m.log, "GOHA_TLS_TICKET_ROTATION", DefaultTicketRotation)
	if st != nil && st.TicketKeys != nil {
		m.tickets.keys, m.tickets.rotated = st.TicketKeys, time.Unix(0, st.TicketsRotated)
		return
	}
	k, err := worker.NewTicketKeys()
	if err != nil {
		m.log.Warn().Msgf("%v: TLS sessions will not resume across workers and reloads", err)
		return
	}
	m.tickets.keys, m.tickets.rotated = k, time.Now()
}

// rotateTickets rotates the keys once they are due, and hands the new
// ones to every worker but those stopping (a pending generation's read
// them once they serve). Called by the loop.
func (m *Master) rotateTickets(now time.Time) {
	t := &m.tickets
	if t.keys == nil || now.Sub(t.rotated) < t.every {
		return
	}
	k, err := t.keys.Rotate()
	if err != nil {
		m.log.Warn().Msgf("%v: TLS ticket keys not rotated", err)
		return
	}
	t.keys, t.rotated = k, now
	m.log.Debug().Msg("TLS session-ticket keys rotated")
	for _, p := range m.procs {
		if p.stopping {
			continue // its listeners are closed: no handshake to come
		}
		go func(pid int, ipc *os.File) {
			ctx, cancel := context.WithTimeout(context.Background(), ticketPushTimeout)
			defer cancel()
			if err := worker.SendTicketKeys(ctx, ipc, k); err != nil {
				m.log.Warn().Msgf("cannot hand the rotated TLS ticket keys to worker %d: %v", pid, err)
			}
		}(p.pid, p.ipc)
	}
}
