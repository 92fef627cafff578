package stick

import "errors"

// ErrNotStored is returned when the table does not store a data type (a
// fetch on it then has no value, as in HAProxy).
var ErrNotStored = errors.New("stick: data type not stored in this table")

// now32 is the wrapping millisecond tick rates use.
func now32(now int64) uint32 { return uint32(now) }

// Track is `track-sc*`: it returns k's entry (made if missing) with one
// more reference, and counts a connection on it (conn_cur, conn_cnt,
// conn_rate: HAProxy's stream_start_counters()). Untrack ends it.
func (t *Table) Track(k Key) (*Entry, error) {
	e, err := t.Get(k)
	if err != nil {
		return nil, err
	}
	sh := e.shard
	now := t.clock()
	sh.mu.Lock()
	t.addLocked(e, ConnCur, 0, 1, now)
	t.countLocked(e, EvConn, 1, now)
	t.touchLocked(e, now, true)
	sh.mu.Unlock()
	return e, nil
}

// Untrack ends a Track: conn_cur goes down (not below 0), the expiry is
// refreshed and the reference dropped (stream_store_counters()).
func (t *Table) Untrack(e *Entry) {
	sh := e.shard
	now := t.clock()
	sh.mu.Lock()
	if s := t.slots[ConnCur]; s.stored && e.vals[s.base] > 0 {
		e.vals[s.base]--
	}
	e.refs--
	t.touchLocked(e, now, t.slots[ConnCur].stored)
	sh.mu.Unlock()
}

// Count adds n occurrences of ev to a tracked entry: its counter and its
// rate, whichever the table stores.
func (t *Table) Count(e *Entry, ev Event, n uint64) {
	sh := e.shard
	now := t.clock()
	sh.mu.Lock()
	if t.countLocked(e, ev, n, now) {
		t.touchLocked(e, now, true)
	}
	sh.mu.Unlock()
}

// countLocked counts ev on e; it reports whether anything is stored.
func (t *Table) countLocked(e *Entry, ev Event, n uint64, now int64) bool {
	pair := events[ev]
	a := t.addLocked(e, pair[0], 0, n, now)
	b := t.addLocked(e, pair[1], 0, n, now)
	return a || b
}

// addLocked adds n to element idx of data type d (a counter, gauge or
// rate), wrapping at the type's width; false when not stored.
func (t *Table) addLocked(e *Entry, d DataType, idx int, n uint64, now int64) bool {
	s := t.slots[d]
	if !s.stored || idx >= s.n {
		return false
	}
	switch dataTypes[d].w {
	case frq:
		e.freqs[s.base+idx].Add(now32(now), s.period, uint32(n))
	case u64:
		e.vals[s.base+idx] += n
	case u32, s32:
		e.vals[s.base+idx] = uint64(uint32(e.vals[s.base+idx] + n))
	}
	return true
}

// gpcAliases are the single data types that fall back to an element of
// an array type when only the array is stored, as HAProxy 2.6's gpc0,
// gpc1 and gpt0 actions and fetches do.
var gpcAliases = map[DataType]struct {
	array DataType
	idx   int
}{
	GPC0: {GPC, 0}, GPC1: {GPC, 1}, GPT0: {GPT, 0}, GPC0Rate: {GPCRate, 0}, GPC1Rate: {GPCRate, 1},
}

// resolve returns where d's element idx lives: d itself when stored,
// else the array element gpc0/gpc1/gpt0 stand for.
func (t *Table) resolve(d DataType, idx int) (DataType, int, bool) {
	if t.slots[d].stored {
		return d, idx, idx < t.slots[d].n
	}
	if a, ok := gpcAliases[d]; ok && t.slots[a.array].stored && a.idx < t.slots[a.array].n {
		return a.array, a.idx, true
	}
	return d, idx, false
}

// IncGPC is `sc-inc-gpc(idx)` (array gpc, gpc_rate) when array is true,
// else `sc-inc-gpc0` (idx 0) or `sc-inc-gpc1` (idx 1): the counter and its
// rate go up by one. It returns the counter's new value and whether
// anything is stored.
func (t *Table) IncGPC(e *Entry, array bool, idx int) (uint32, bool) {
	cnt, rate := GPC, GPCRate
	if !array {
		cnt, rate = [2]DataType{GPC0, GPC1}[idx&1], [2]DataType{GPC0Rate, GPC1Rate}[idx&1]
		idx = 0
	}
	sh := e.shard
	now := t.clock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	rd, ri, rok := t.resolve(rate, idx)
	cd, ci, cok := t.resolve(cnt, idx)
	if rok {
		t.addLocked(e, rd, ri, 1, now)
	}
	var v uint32
	if cok {
		t.addLocked(e, cd, ci, 1, now)
		v = uint32(e.vals[t.slots[cd].base+ci])
	}
	if rok || cok {
		t.touchLocked(e, now, true)
	}
	return v, rok || cok
}

// SetGPT is `sc-set-gpt0 V` (array false, idx 0) or `sc-set-gpt(idx) V`.
func (t *Table) SetGPT(e *Entry, array bool, idx int, v uint32) bool {
	d := GPT
	if !array {
		d = GPT0
	}
	sh := e.shard
	now := t.clock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	rd, ri, ok := t.resolve(d, idx)
	if ok {
		e.vals[t.slots[rd].base+ri] = uint64(v)
		t.touchLocked(e, now, true)
	}
	return ok
}

// ClearGPC is `sc_clr_gpc0` & co: it zeroes a general purpose counter and
// returns its previous value.
func (t *Table) ClearGPC(e *Entry, d DataType, idx int) (uint64, error) {
	sh := e.shard
	sh.mu.Lock()
	defer sh.mu.Unlock()
	rd, ri, ok := t.resolve(d, idx)
	if !ok || dataTypes[rd].w == frq || dataTypes[rd].w == str {
		return 0, ErrNotStored
	}
	old := e.vals[t.slots[rd].base+ri]
	e.vals[t.slots[rd].base+ri] = 0
	t.touchLocked(e, t.clock(), true)
	return old, nil
}

// Read returns element idx of data type d of e: a counter or gauge as
// is (server_id signed), a rate as events per period now (the sc_* and
// src_* fetches). gpc0, gpc1, gpt0 and their rates fall back to the
// arrays. It fails with ErrNotStored.
func (t *Table) Read(e *Entry, d DataType, idx int) (int64, error) {
	sh := e.shard
	sh.mu.Lock()
	defer sh.mu.Unlock()
	rd, ri, ok := t.resolve(d, idx)
	if !ok || dataTypes[rd].w == str {
		return 0, ErrNotStored
	}
	return t.valueLocked(e, rd, ri, t.clock()), nil
}

// valueLocked reads one stored element as a number.
func (t *Table) valueLocked(e *Entry, d DataType, idx int, now int64) int64 {
	s := t.slots[d]
	switch dataTypes[d].w {
	case frq:
		return int64(e.freqs[s.base+idx].Rate(now32(now), s.period))
	case s32:
		return int64(int32(uint32(e.vals[s.base+idx])))
	}
	return int64(e.vals[s.base+idx])
}

// ReadKey is the src_* fetches and table_* converters: data type d of
// k's entry, 0 when there is no entry; ErrNotStored when the table does
// not store d.
func (t *Table) ReadKey(k Key, d DataType, idx int) (int64, error) {
	if _, _, ok := t.resolve(d, idx); !ok {
		return 0, ErrNotStored
	}
	e := t.Lookup(k)
	if e == nil {
		return 0, nil
	}
	defer t.releaseQuiet(e)
	return t.Read(e, d, idx)
}

// releaseQuiet drops a reference without touching the entry (a read
// does not make it younger).
func (t *Table) releaseQuiet(e *Entry) {
	e.shard.mu.Lock()
	e.refs--
	e.shard.mu.Unlock()
}

// Trackers is sc_trackers: how many references the entry has now.
func (t *Table) Trackers(e *Entry) int {
	e.shard.mu.Lock()
	defer e.shard.mu.Unlock()
	return int(e.refs)
}

// StoreServer is `stick on/store-request/store-response`: k's entry
// records server id (and its key, name or address per `srvkey`).
func (t *Table) StoreServer(k Key, id int32, srvKey string) error {
	e, err := t.Get(k)
	if err != nil {
		return err
	}
	sh := e.shard
	now := t.clock()
	sh.mu.Lock()
	if s := t.slots[ServerID]; s.stored {
		e.vals[s.base] = uint64(uint32(id))
	}
	if t.slots[ServerKey].stored {
		e.skey = srvKey
	}
	e.refs--
	t.touchLocked(e, now, true)
	sh.mu.Unlock()
	return nil
}

// MatchServer is `stick on/match`: the server k's entry names (id and
// key), found false when there is no entry or it names none (id 0).
func (t *Table) MatchServer(k Key) (id int32, srvKey string, found bool) {
	e := t.Lookup(k)
	if e == nil {
		return 0, "", false
	}
	sh := e.shard
	sh.mu.Lock()
	if s := t.slots[ServerID]; s.stored {
		id = int32(uint32(e.vals[s.base]))
	}
	srvKey = e.skey
	e.refs--
	t.touchLocked(e, t.clock(), false)
	sh.mu.Unlock()
	return id, srvKey, id != 0 || srvKey != ""
}
