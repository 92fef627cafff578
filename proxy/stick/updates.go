package stick

import "sync"

// updates is what peers need: every local change gives the entry the
// next sequence number and moves it to the tail of a list kept in
// sequence order, so the changes since a number are a walk from the
// tail. It costs nothing until EnableUpdates.
type updates struct {
	mu      sync.Mutex
	seq     uint64
	head    Entry // sentinel: head.uprev is the latest update
	enabled bool  // read under the shard lock only after EnableUpdates (set before use)
}

func (u *updates) init() { u.head.unext, u.head.uprev = &u.head, &u.head }

// mark gives e the next update number (called under e's shard lock).
func (u *updates) mark(e *Entry) {
	if !u.enabled {
		return
	}
	u.mu.Lock()
	u.seq++
	e.seq = u.seq
	if e.unext != nil {
		e.uprev.unext, e.unext.uprev = e.unext, e.uprev
	}
	e.uprev, e.unext = u.head.uprev, &u.head
	u.head.uprev.unext = e
	u.head.uprev = e
	u.mu.Unlock()
}

// unmark takes a removed entry off the list.
func (u *updates) unmark(e *Entry) {
	if e.unext == nil {
		return
	}
	u.mu.Lock()
	e.uprev.unext, e.unext.uprev = e.unext, e.uprev
	e.uprev, e.unext = nil, nil
	u.mu.Unlock()
}

// EnableUpdates starts numbering local changes for peers. Call it before
// the table is used.
func (t *Table) EnableUpdates() { t.upd.enabled = true }

// LastUpdate is the number of the latest local change.
func (t *Table) LastUpdate() uint64 {
	t.upd.mu.Lock()
	defer t.upd.mu.Unlock()
	return t.upd.seq
}

// Value is one stored element as peers and snapshots carry it: a number
// (counters, gauges), a Freq (rates) or a string (server_key).
type Value struct {
	Type DataType
	Idx  int
	Num  uint64
	Freq Freq
	Str  string
}

// Update is one entry's state: its key, its last local update number,
// the ms left before it expires (0 for tables without expire) and its
// data.
type Update struct {
	Key      Key
	Seq      uint64
	ExpireIn int64
	Values   []Value
}

// Updates returns up to max entries changed locally after number since,
// in update order (the peers protocol's "updates since the last acked").
func (t *Table) Updates(since uint64, max int) []Update {
	t.upd.mu.Lock()
	var picked []*Entry
	e := t.upd.head.uprev
	for e != &t.upd.head && e.seq > since {
		e = e.uprev
	}
	for e = e.unext; e != &t.upd.head && len(picked) < max; e = e.unext {
		picked = append(picked, e)
	}
	t.upd.mu.Unlock()
	out := make([]Update, 0, len(picked))
	for _, e := range picked {
		e.shard.mu.Lock()
		if e.prev != nil { // still in the table
			out = append(out, t.snapshotLocked(e, t.clock()))
		}
		e.shard.mu.Unlock()
	}
	return out
}

// Snapshot returns every entry (a reload hands them to the next
// generation; a peer teaches them on resync).
func (t *Table) Snapshot() []Update {
	var out []Update
	now := t.clock()
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for e := sh.head.next; e != &sh.head; e = e.next {
			out = append(out, t.snapshotLocked(e, now))
		}
		sh.mu.Unlock()
	}
	return out
}

// snapshotLocked copies one entry's state.
func (t *Table) snapshotLocked(e *Entry, now int64) Update {
	u := Update{Key: e.key, Seq: e.seq}
	if t.expire != 0 {
		u.ExpireIn = max(e.order-now, 0)
	}
	for d := range numDataTypes {
		s := t.slots[d]
		for i := 0; s.stored && i < s.n; i++ {
			v := Value{Type: d, Idx: i}
			switch dataTypes[d].w {
			case frq:
				v.Freq = e.freqs[s.base+i]
			case str:
				v.Str = e.skey
			default:
				v.Num = e.vals[s.base+i]
			}
			u.Values = append(u.Values, v)
		}
	}
	return u
}

// Apply stores a remote or handed-over entry state: its values replace
// the local ones (data types the table does not store are skipped) and
// its expiry is ExpireIn from now (the table's expire when 0). It does
// not count as a local update, so it is not sent back to peers. conn_cur
// is local to each process, as in HAProxy, and kept.
func (t *Table) Apply(u Update) error {
	e, err := t.Get(u.Key)
	if err != nil {
		return err
	}
	sh := e.shard
	now := t.clock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, v := range u.Values {
		if v.Type < 0 || v.Type >= numDataTypes || v.Type == ConnCur {
			continue
		}
		s := t.slots[v.Type]
		if !s.stored || v.Idx < 0 || v.Idx >= s.n {
			continue
		}
		switch dataTypes[v.Type].w {
		case frq:
			e.freqs[s.base+v.Idx] = v.Freq
		case str:
			e.skey = v.Str
		default:
			e.vals[s.base+v.Idx] = v.Num
		}
	}
	e.refs--
	t.touchLocked(e, now, false)
	if u.ExpireIn > 0 && t.expire != 0 {
		t.reorderLocked(e, now+u.ExpireIn)
	}
	return nil
}

// reorderLocked gives e the expiry date order and moves it where the
// expiry list stays sorted (newest first).
func (t *Table) reorderLocked(e *Entry, order int64) {
	sh := e.shard
	e.prev.next, e.next.prev = e.next, e.prev
	e.order = order
	at := &sh.head
	for at.next != &sh.head && at.next.order > order {
		at = at.next
	}
	e.prev, e.next = at, at.next
	at.next.prev = e
	at.next = e
}
