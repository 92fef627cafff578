package peers

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// writeTimeout bounds a write to a peer that does not read.
const writeTimeout = 10 * time.Second

// pushBatch is how many updates a session takes from a table at a time.
const pushBatch = 256

// session is one established connection with a peer.
type session struct {
	sec      *Section
	p        *peer
	c        net.Conn
	r        *bufio.Reader
	outgoing bool
	handover bool // the old process teaching the new one: ends on confirm
	done     chan struct{}
	wake     chan struct{}
	stopOnce sync.Once
	stopped  chan struct{}
	wmu      sync.Mutex

	// guarded by sec.mu
	tables        []*sessTable
	teach         bool // teaching a lesson (PEER_F_TEACH_PROCESS)
	teachFinished bool
	learn         bool // assigned to teach us (PEER_F_LEARN_ASSIGN)
	reqSent       bool
	alive         bool
	confirmed     bool

	// reader only
	cur *sessTable
	rxd rxDict
	// writer only
	lastLocal *sessTable
	txd       txDict
}

// sessTable is a table's state on one session (HAProxy's shared_table).
type sessTable struct {
	sh             *shared
	idx            int
	remoteID       uint64  // sec.mu
	remote         *Layout // reader
	lastGet        uint32  // sec.mu
	gotAny         bool
	lastAcked      uint32
	lastPushed     uint64 // sec.mu
	teachingOrigin uint64
	created        int // reader: entries this peer created in the window
	window         time.Time
}

// newSession makes the session of peer p on c.
func (s *Section) newSession(p *peer, c net.Conn, r *bufio.Reader, outgoing bool) *session {
	ss := &session{sec: s, p: p, c: c, r: r, outgoing: outgoing, done: make(chan struct{}),
		wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	for i, sh := range s.tables {
		ss.tables = append(ss.tables, &sessTable{sh: sh, idx: i})
	}
	return ss
}

// initSession sets the cursors and the resync role of a new session
// (HAProxy's init_accepted_peer() and init_connected_peer()); called
// under s.mu.
func (s *Section) initSession(ss *session) {
	p := ss.p
	now := time.Now()
	p.heartbeat = now.Add(heartbeatEvery)
	p.reconnect = now.Add(reconnectAfter)
	p.confirm = 0
	ss.alive = true
	for _, st := range ss.tables {
		acked := p.acked[st.idx]
		if last := st.sh.t.LastUpdate(); acked > last {
			acked = last
		}
		st.lastPushed, st.teachingOrigin = acked, acked
	}
	switch {
	case p.local && ss.outgoing:
		ss.teach = true
	case p.local:
		if s.resync == resyncFromLocal && s.assigned == nil {
			ss.learn, ss.reqSent, s.assigned = true, true, p
		}
	case s.resync == resyncFromRemote && s.assigned == nil && !p.notUpToDate:
		ss.learn, s.assigned = true, p
	}
}

// close ends the session's connection (its goroutines then return).
func (ss *session) close() {
	ss.stopOnce.Do(func() {
		close(ss.stopped)
		ss.c.Close()
	})
}

// poke wakes the writer.
func (ss *session) poke() {
	select {
	case ss.wake <- struct{}{}:
	default:
	}
}

// run exchanges messages until the connection ends: a reader goroutine
// applies what comes, this one sends.
func (ss *session) run() {
	ss.sec.logf("peers %s: session with %s established (outgoing %v)", ss.sec.name, ss.p.name, ss.outgoing)
	rerr := make(chan error, 1)
	go func() { rerr <- ss.readLoop() }()
	err := ss.writeLoop()
	ss.close()
	if e := <-rerr; err == nil {
		err = e
	}
	ss.sec.end(ss, err)
}

// end unregisters a finished session.
func (s *Section) end(ss *session, err error) {
	ss.close()
	s.mu.Lock()
	p := ss.p
	if p.sess == ss {
		p.sess = nil
		// A link lost by an error (the other end closed it, or broke the
		// protocol) is retried soon (50 to 550 ms), not at the end of the
		// reconnect period its traffic kept pushing back. HAProxy waits
		// up to 2 s there; goha's tie-break on simultaneous connections
		// (admit) makes the shorter wait safe.
		if retry := time.Now().Add(retryDelay()); !p.local && s.ctx.Err() == nil && p.reconnect.After(retry) {
			p.reconnect = retry
		}
	}
	if ss.learn && s.assigned == p {
		s.assigned = nil
	}
	s.mu.Unlock()
	if err != nil && !errors.Is(err, errClosed) {
		s.logf("peers %s: session with %s ended: %v", s.name, p.name, err)
	}
	kickPeer(p)
}

// write sends b.
func (ss *session) write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	ss.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := ss.c.Write(b)
	return err
}

// writeLoop sends pending messages whenever woken, every Poll (to catch
// local updates) and on the heartbeat timer, and enforces liveness.
func (ss *session) writeLoop() error {
	tick := time.NewTicker(ss.sec.opts.Poll)
	defer tick.Stop()
	for {
		if err := ss.flush(); err != nil {
			return err
		}
		if ss.handover && ss.isConfirmed() {
			close(ss.done)
			return nil
		}
		select {
		case <-ss.stopped:
			return errClosed
		case <-ss.sec.ctx.Done():
			return errClosed
		case <-ss.wake:
		case <-tick.C:
		}
	}
}

func (ss *session) isConfirmed() bool {
	ss.sec.mu.Lock()
	defer ss.sec.mu.Unlock()
	return ss.confirmed
}

// errNoHeartbeat ends a session silent for a reconnect period.
var errNoHeartbeat = errors.New("peers: nothing received for 5 s")

// liveness applies HAProxy's timers (under sec.mu): a session that
// received nothing during a reconnect period (5 s) is closed and retried
// after a random delay; one idle for 3 s sends a heartbeat.
func (ss *session) liveness(now time.Time, pushed bool) (heartbeat bool, err error) {
	p := ss.p
	if ss.handover {
		return false, nil
	}
	if pushed {
		p.heartbeat = now.Add(heartbeatEvery)
		return false, nil
	}
	if !now.Before(p.reconnect) {
		if !ss.alive {
			p.noHbt++
			p.reconnect = now.Add(randomDelay())
			p.heartbeat = time.Time{}
			return false, errNoHeartbeat
		}
		ss.alive = false
		p.reconnect = now.Add(reconnectAfter)
	}
	if !p.heartbeat.IsZero() && !now.Before(p.heartbeat) {
		p.heartbeat = now.Add(heartbeatEvery)
		p.txHbt++
		return true, nil
	}
	return false, nil
}

// flush sends what is due: a resync request, acknowledgements, local
// updates (or a lesson), the end of a lesson, confirmations and a
// heartbeat (HAProxy's peer_send_msgs()).
func (ss *session) flush() error {
	sec := ss.sec
	var b []byte
	sec.mu.Lock()
	if ss.learn && !ss.reqSent {
		b = AppendFrame(b, Control(CtrlResyncReq))
		ss.reqSent = true
	}
	for _, st := range ss.tables {
		if st.gotAny && st.lastGet != st.lastAcked {
			b = AppendFrame(b, Ack{TableID: st.remoteID, Update: st.lastGet}.Encode())
			st.lastAcked = st.lastGet
		}
	}
	teach, push := ss.teach && !ss.teachFinished, !ss.teach && !ss.learn
	sec.mu.Unlock()
	if err := ss.write(b); err != nil {
		return err
	}
	pushed := false
	for _, st := range ss.tables {
		var n int
		var err error
		if teach {
			n, err = ss.teachTable(st)
		} else if push {
			n, err = ss.pushTable(st)
		}
		if err != nil {
			return err
		}
		pushed = pushed || n > 0
	}
	return ss.flushControl(teach, pushed)
}

// flushControl sends the end of a lesson, confirmations and heartbeats.
func (ss *session) flushControl(taught, pushed bool) error {
	sec := ss.sec
	var b []byte
	sec.mu.Lock()
	if taught {
		ss.teachFinished = true
		typ := byte(CtrlResyncPartial)
		if sec.resync == resyncFinished {
			typ = CtrlResyncFinished
		}
		b = AppendFrame(b, Control(typ))
	}
	for ; ss.p.confirm > 0; ss.p.confirm-- {
		b = AppendFrame(b, Control(CtrlResyncConfirm))
	}
	hb, err := ss.liveness(time.Now(), pushed || len(b) > 0)
	sec.mu.Unlock()
	if err != nil {
		return err
	}
	if hb {
		b = AppendFrame(b, Control(CtrlHeartbeat))
	}
	return ss.write(b)
}

// defineIfNeeded returns b with the table's definition when the last
// table sent on was another one (HAProxy defines rather than switches).
func (ss *session) defineIfNeeded(b []byte, st *sessTable) []byte {
	if ss.lastLocal == st {
		return b
	}
	ss.lastLocal = st
	return AppendFrame(b, st.sh.def.Encode())
}

// pushTable sends the table's local updates after the last pushed.
func (ss *session) pushTable(st *sessTable) (int, error) {
	t := st.sh.t
	sent := 0
	for rounds := 0; rounds < 16; rounds++ {
		last := t.LastUpdate()
		ss.sec.mu.Lock()
		from := st.lastPushed
		ss.sec.mu.Unlock()
		if from >= last {
			return sent, nil
		}
		ups := t.Updates(from, pushBatch)
		var b []byte
		now := uint32(t.Now())
		prev := from
		for _, u := range ups {
			b = ss.defineIfNeeded(b, st)
			m := &UpdateMsg{HasID: prev == 0 || u.Seq != prev+1, ID: uint32(u.Seq), Key: wireKey(st.sh.layout, u.Key), Values: u.Values}
			b = AppendFrame(b, EncodeUpdate(m, st.sh.layout, &ss.txd, now))
			prev = u.Seq
		}
		if len(ups) < pushBatch && last > prev {
			prev = last
		}
		if err := ss.write(b); err != nil {
			return sent, err
		}
		ss.sec.mu.Lock()
		st.lastPushed = prev
		ss.sec.mu.Unlock()
		sent += len(ups)
	}
	return sent, nil
}

// teachTable sends every entry of the table, with its expiry (a
// lesson).
func (ss *session) teachTable(st *sessTable) (int, error) {
	t := st.sh.t
	all := t.Snapshot()
	now := uint32(t.Now())
	b := ss.defineIfNeeded(nil, st)
	for i, u := range all {
		m := &UpdateMsg{HasID: true, ID: uint32(u.Seq), Timed: true, Expire: uint32(min(max(u.ExpireIn, 0), 1<<31-1)),
			Key: wireKey(st.sh.layout, u.Key), Values: u.Values}
		b = AppendFrame(b, EncodeUpdate(m, st.sh.layout, &ss.txd, now))
		if len(b) > 64<<10 {
			if err := ss.write(b); err != nil {
				return i, err
			}
			b = b[:0]
		}
	}
	return len(all), ss.write(b)
}

// failf makes a protocol error.
func failf(format string, args ...any) error { return fmt.Errorf("peers: "+format, args...) }
