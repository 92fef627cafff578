package peers

import (
	"errors"
	"io"
	"time"

	"github.com/goha/goha/proxy/stick"
)

// errProto marks errors answered with a protocol error message.
var errProto = errors.New("protocol error")

// handler treats one received message.
type handler func(ss *session, f Frame) error

// handlers dispatch received messages by class and type. Messages of
// other types are ignored, as HAProxy does; the reserved class is a
// protocol error.
var handlers = map[[2]byte]handler{
	{ClassControl, CtrlResyncReq}:         (*session).onResyncReq,
	{ClassControl, CtrlResyncFinished}:    (*session).onResyncFinished,
	{ClassControl, CtrlResyncPartial}:     (*session).onResyncPartial,
	{ClassControl, CtrlResyncConfirm}:     (*session).onResyncConfirm,
	{ClassControl, CtrlHeartbeat}:         (*session).onHeartbeat,
	{ClassStickTable, StktDefine}:         (*session).onDefine,
	{ClassStickTable, StktSwitch}:         (*session).onSwitch,
	{ClassStickTable, StktAck}:            (*session).onAck,
	{ClassStickTable, StktUpdate}:         (*session).onUpdate,
	{ClassStickTable, StktIncUpdate}:      (*session).onUpdate,
	{ClassStickTable, StktUpdateTimed}:    (*session).onUpdate,
	{ClassStickTable, StktIncUpdateTimed}: (*session).onUpdate,
}

// readLoop reads and treats messages until the connection fails or a
// message is malformed (then answered by an error message).
func (ss *session) readLoop() error {
	for {
		f, err := ReadFrame(ss.r, MaxMessage)
		if err != nil {
			if errors.Is(err, errTooBig) {
				ss.write(AppendFrame(nil, Frame{Class: ClassError, Type: ErrSizeLimit}))
			}
			ss.close()
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		h := handlers[[2]byte{f.Class, f.Type}]
		if h == nil && f.Class == ClassReserved {
			h = func(*session, Frame) error { return failf("reserved message class") }
		}
		if h != nil {
			err = h(ss, f)
		}
		if err != nil {
			ss.sec.mu.Lock()
			ss.p.protoErr++
			ss.sec.mu.Unlock()
			ss.write(AppendFrame(nil, Frame{Class: ClassError, Type: ErrProtocol}))
			ss.close()
			return errors.Join(errProto, err)
		}
		ss.sec.mu.Lock()
		ss.alive = true
		ss.sec.mu.Unlock()
		ss.poke()
	}
}

// onResyncReq starts a lesson: every entry of every table.
func (ss *session) onResyncReq(Frame) error {
	ss.sec.mu.Lock()
	defer ss.sec.mu.Unlock()
	for _, st := range ss.tables {
		st.teachingOrigin = ss.p.acked[st.idx]
		st.lastPushed = st.teachingOrigin
	}
	ss.teach, ss.teachFinished = true, false
	return nil
}

// onResyncFinished ends our lesson from this peer: the resync is done.
func (ss *session) onResyncFinished(Frame) error {
	s := ss.sec
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss.learn {
		ss.learn = false
		s.assigned = nil
		s.resync = resyncFinished
		s.lastChange = time.Now()
	}
	ss.p.confirm++
	return nil
}

// onResyncPartial ends a lesson from a peer that was not up to date
// itself: another peer is asked, until the resync timeout.
func (ss *session) onResyncPartial(Frame) error {
	s := ss.sec
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss.learn {
		ss.learn = false
		s.assigned = nil
		ss.p.notUpToDate = true
		if s.resync == resyncFromLocal {
			s.resync = resyncFromRemote
		}
		s.resyncEnd = time.Now().Add(resyncTimeout)
	}
	ss.p.confirm++
	return nil
}

// onResyncConfirm acknowledges our lesson: pushing resumes from where
// it started (a hand-over ends there).
func (ss *session) onResyncConfirm(Frame) error {
	ss.sec.mu.Lock()
	defer ss.sec.mu.Unlock()
	ss.confirmed = true
	for _, st := range ss.tables {
		st.lastPushed = st.teachingOrigin
	}
	ss.teach, ss.teachFinished = false, false
	return nil
}

// onHeartbeat keeps the session alive.
func (ss *session) onHeartbeat(Frame) error {
	ss.sec.mu.Lock()
	defer ss.sec.mu.Unlock()
	ss.p.reconnect = time.Now().Add(reconnectAfter)
	ss.p.rxHbt++
	return nil
}

// onDefine binds the peer's id for a table to the local table of the
// same name; a table unknown here, or of another key type or size, is
// ignored with its updates.
func (ss *session) onDefine(f Frame) error {
	d, err := DecodeTableDef(f.Payload)
	if err != nil {
		return err
	}
	ss.cur = nil
	ss.sec.mu.Lock()
	defer ss.sec.mu.Unlock()
	for _, st := range ss.tables {
		if st.remoteID == d.ID {
			st.remoteID, st.remote = 0, nil
		}
	}
	for _, st := range ss.tables {
		if st.sh.byName != d.Name {
			continue
		}
		l, err := remoteLayout(d, st.sh.layout)
		if err != nil {
			ss.sec.logf("peers %s: peer %s: %v: ignored", ss.sec.name, ss.p.name, err)
			return nil
		}
		st.remoteID, st.remote, ss.cur = d.ID, l, st
		return nil
	}
	return nil
}

// onSwitch makes the table of the peer's id the current one.
func (ss *session) onSwitch(f Frame) error {
	id, err := DecodeSwitch(f.Payload)
	if err != nil {
		return err
	}
	ss.cur = nil
	ss.sec.mu.Lock()
	defer ss.sec.mu.Unlock()
	for _, st := range ss.tables {
		if st.remote != nil && st.remoteID == id {
			ss.cur = st
		}
	}
	return nil
}

// onAck records the last of our updates the peer received, where a
// new session resumes (ignored during a lesson).
func (ss *session) onAck(f Frame) error {
	a, err := DecodeAck(f.Payload)
	if err != nil {
		return err
	}
	ss.sec.mu.Lock()
	defer ss.sec.mu.Unlock()
	if ss.teach {
		return nil
	}
	for _, st := range ss.tables {
		if st.sh.id == a.TableID {
			// widen the 32-bit id to the nearest update not after the
			// last pushed; an ack of more than this session pushed (a
			// stale or forged id) would skip updates the peer never got
			behind := uint64(uint32(st.lastPushed) - a.Update)
			if behind <= st.lastPushed && int32(uint32(behind)) >= 0 {
				ss.p.acked[st.idx] = st.lastPushed - behind
			}
		}
	}
	return nil
}

// onUpdate applies an entry update to the current table.
func (ss *session) onUpdate(f Frame) error {
	st := ss.cur
	if st == nil || st.remote == nil {
		return nil
	}
	t := st.sh.t
	u, err := DecodeUpdate(f.Type, f.Payload, st.remote, &ss.rxd, uint32(t.Now()))
	if err != nil {
		return err
	}
	ss.sec.mu.Lock()
	if u.HasID {
		st.lastGet = u.ID
	} else {
		st.lastGet++
	}
	st.gotAny = true
	ss.sec.mu.Unlock()
	k, err := tableKey(t, st.sh.layout, u.Key)
	if err != nil {
		return failf("table %s: %v", st.sh.byName, err)
	}
	if err := ss.countNew(st, k); err != nil {
		return err
	}
	up := stick.Update{Key: k, Values: u.Values}
	if u.Timed {
		up.ExpireIn = int64(u.Expire)
	}
	t.Apply(up) // a full nopurge table refuses it, as HAProxy's does
	return nil
}

// countNew bounds the entries a peer creates in a table: at most the
// table's size per expire period (per minute without expire).
func (ss *session) countNew(st *sessTable, k stick.Key) error {
	t := st.sh.t
	if e := t.Lookup(k); e != nil {
		t.Release(e)
		return nil
	}
	window := t.Config().Expire
	if window <= 0 {
		window = time.Minute
	}
	now := time.Now()
	if now.Sub(st.window) > window {
		st.window, st.created = now, 0
	}
	st.created++
	if st.created > t.Config().Size {
		return failf("table %s: peer created more than %d entries (its size) within %v", st.sh.byName, t.Config().Size, window)
	}
	return nil
}
