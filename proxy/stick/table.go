package stick

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha/goha/config"
)

// Clock returns the current date in milliseconds (any origin; it must
// not go backwards).
type Clock func() int64

// numShards splits a table so that trackers of different keys rarely
// wait on each other. A power of two.
const numShards = 32

// slot locates one data type in an entry: the index of its first
// element in vals (counters, gauges) or freqs (rates), its element
// count, and a rate's period in ms.
type slot struct {
	stored bool
	base   int
	n      int
	period uint32
}

// Table is one stick table. Its methods are safe for concurrent use.
type Table struct {
	name    string
	keyType KeyType
	keySize int
	size    int64
	expire  int64 // ms; 0: entries never expire
	nopurge bool
	cfg     *config.StickTable

	slots  [numDataTypes]slot
	nvals  int
	nfreqs int

	clock  Clock
	seed   maphash.Seed
	used   atomic.Int64
	shards [numShards]shard
	upd    updates
}

// shard is a part of a table: its entries by key, and a list of them
// ordered by expiry date (oldest at the tail), which is also the
// eviction order. mu guards everything in it, the entries' data
// included.
type shard struct {
	mu   sync.Mutex
	m    map[Key]*Entry
	head Entry // sentinel of the expiry list: head.next is the newest
	_    [64]byte
}

// Entry is one key's stored data. Its fields are guarded by its shard's
// lock; hold an entry only between Track/Get and Untrack/Release.
type Entry struct {
	key        Key
	shard      *shard
	refs       int32
	order      int64 // expiry date, or last touch when entries do not expire
	prev, next *Entry
	vals       []uint64
	freqs      []Freq
	skey       string // server_key
	seq        uint64 // last local update (peers), 0 if none
	uprev      *Entry // updates list (peers)
	unext      *Entry
}

// ErrFull is returned when a new entry cannot be made: the table is full
// and `nopurge`, or every entry is in use.
var ErrFull = errors.New("stick: table full")

// keyTypeOf maps config's type names to key types.
var keyTypeOf = map[string]KeyType{"ip": KeyIP, "ipv6": KeyIPv6, "integer": KeyInteger, "string": KeyString, "binary": KeyBinary}

// New builds an empty table from its configuration. clock nil means the
// monotonic clock.
func New(c *config.StickTable, clock Clock) (*Table, error) {
	kt, ok := keyTypeOf[c.Type]
	if !ok {
		return nil, fmt.Errorf("stick-table %q: unknown key type %q", c.Name, c.Type)
	}
	if c.Size <= 0 || c.KeySize <= 0 {
		return nil, fmt.Errorf("stick-table %q: size %d, key size %d: both must be positive", c.Name, c.Size, c.KeySize)
	}
	if clock == nil {
		clock = monotonicMS()
	}
	t := &Table{name: c.Name, keyType: kt, keySize: c.KeySize, size: int64(c.Size),
		expire: c.Expire.Milliseconds(), nopurge: c.NoPurge, cfg: c, clock: clock, seed: maphash.MakeSeed()}
	for _, st := range c.Store {
		d, ok := ParseDataType(st.Name)
		if !ok {
			return nil, fmt.Errorf("stick-table %q: unknown data type %q", c.Name, st.Name)
		}
		t.addSlot(d, st)
	}
	for i := range t.shards {
		t.shards[i].m = make(map[Key]*Entry)
		h := &t.shards[i].head
		h.next, h.prev = h, h
	}
	t.upd.init()
	return t, nil
}

// addSlot reserves the room of one stored data type.
func (t *Table) addSlot(d DataType, st config.StickStore) {
	n := 1
	if dataTypes[d].array {
		n = st.ArrayLen
	}
	s := slot{stored: true, n: n, period: uint32(st.Period.Milliseconds())}
	switch dataTypes[d].w {
	case frq:
		s.base = t.nfreqs
		t.nfreqs += n
	case str:
	default:
		s.base = t.nvals
		t.nvals += n
	}
	t.slots[d] = s
}

// monotonicMS is the default clock: milliseconds since it was made.
func monotonicMS() Clock {
	start := time.Now()
	return func() int64 { return time.Since(start).Milliseconds() + 1 }
}

// Name is the table's name (its proxy's, or "PEERS/NAME").
func (t *Table) Name() string { return t.name }

// Config is the table's configuration.
func (t *Table) Config() *config.StickTable { return t.cfg }

// Used is the number of entries.
func (t *Table) Used() int { return int(t.used.Load()) }

// Stores reports whether the table stores data type d.
func (t *Table) Stores(d DataType) bool { return t.slots[d].stored }

func (t *Table) shardOf(k Key) *shard {
	return &t.shards[maphash.String(t.seed, string(k))&(numShards-1)]
}

// expiredLocked reports whether e's time is over (never for a table
// without expire).
func (t *Table) expiredLocked(e *Entry, now int64) bool {
	return t.expire != 0 && e.order <= now
}

// Get returns the entry of k, made if missing, with one more reference
// (release it with Release or Untrack). It fails with ErrFull.
func (t *Table) Get(k Key) (*Entry, error) {
	now := t.clock()
	sh := t.shardOf(k)
	for attempt := 0; ; attempt++ {
		sh.mu.Lock()
		e := t.findLocked(sh, k, now)
		if e == nil && t.reserve() {
			e = t.insertLocked(sh, k, now)
		}
		if e != nil {
			e.refs++
			sh.mu.Unlock()
			return e, nil
		}
		sh.mu.Unlock()
		if t.nopurge || attempt > 0 || t.evict(int(t.size>>8)+1) == 0 {
			return nil, ErrFull
		}
	}
}

// Lookup returns the entry of k with one more reference, or nil.
func (t *Table) Lookup(k Key) *Entry {
	sh := t.shardOf(k)
	sh.mu.Lock()
	e := t.findLocked(sh, k, t.clock())
	if e != nil {
		e.refs++
	}
	sh.mu.Unlock()
	return e
}

// Release drops a reference taken by Get or Lookup and refreshes the
// entry's expiry, as HAProxy's stktable_touch_local(..., 1) does.
func (t *Table) Release(e *Entry) {
	sh := e.shard
	sh.mu.Lock()
	e.refs--
	t.touchLocked(e, t.clock(), false)
	sh.mu.Unlock()
}

// findLocked returns the live entry of k, dropping it when it expired
// unreferenced.
func (t *Table) findLocked(sh *shard, k Key, now int64) *Entry {
	e := sh.m[k]
	if e != nil && e.refs == 0 && t.expiredLocked(e, now) {
		t.removeLocked(e)
		return nil
	}
	return e
}

// reserve counts one more entry if the table has room.
func (t *Table) reserve() bool {
	for {
		u := t.used.Load()
		if u >= t.size {
			return false
		}
		if t.used.CompareAndSwap(u, u+1) {
			return true
		}
	}
}

// insertLocked makes the entry of k (its room already reserved).
func (t *Table) insertLocked(sh *shard, k Key, now int64) *Entry {
	e := &Entry{key: k, shard: sh}
	if t.nvals > 0 {
		e.vals = make([]uint64, t.nvals)
	}
	if t.nfreqs > 0 {
		e.freqs = make([]Freq, t.nfreqs)
	}
	sh.m[k] = e
	e.order = t.orderAt(now)
	e.prev, e.next = &sh.head, sh.head.next
	sh.head.next.prev = e
	sh.head.next = e
	return e
}

// orderAt is the expiry-list date of an entry touched at now.
func (t *Table) orderAt(now int64) int64 {
	return now + t.expire
}

// touchLocked refreshes e's expiry (moving it to the newest end of the
// list) and, for a local change, gives it an update number for peers.
func (t *Table) touchLocked(e *Entry, now int64, changed bool) {
	e.order = t.orderAt(now)
	sh := e.shard
	if sh.head.next != e {
		e.prev.next, e.next.prev = e.next, e.prev
		e.prev, e.next = &sh.head, sh.head.next
		sh.head.next.prev = e
		sh.head.next = e
	}
	if changed {
		t.upd.mark(e)
	}
}

// removeLocked deletes e from its shard (and the updates list).
func (t *Table) removeLocked(e *Entry) {
	delete(e.shard.m, e.key)
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	t.upd.unmark(e)
	t.used.Add(-1)
}

// evict removes up to n unreferenced entries, the oldest first across
// all shards (HAProxy's stktable_trash_oldest()), and returns how many.
func (t *Table) evict(n int) int {
	for i := range t.shards {
		t.shards[i].mu.Lock()
	}
	done := 0
	for ; done < n; done++ {
		var victim *Entry
		for i := range t.shards {
			h := &t.shards[i].head
			for e := h.prev; e != h; e = e.prev {
				if e.refs == 0 {
					if victim == nil || e.order < victim.order {
						victim = e
					}
					break
				}
			}
		}
		if victim == nil {
			break
		}
		t.removeLocked(victim)
	}
	for i := range t.shards {
		t.shards[i].mu.Unlock()
	}
	return done
}

// Sweep removes the expired entries that nobody references and returns
// how many went. Call it periodically (Run does).
func (t *Table) Sweep() int {
	if t.expire == 0 {
		return 0
	}
	now := t.clock()
	gone := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for e := sh.head.prev; e != &sh.head && e.order <= now; {
			prev := e.prev
			if e.refs == 0 {
				t.removeLocked(e)
				gone++
			}
			e = prev
		}
		sh.mu.Unlock()
	}
	return gone
}

// Run sweeps the table every interval until ctx ends.
func (t *Table) Run(ctx context.Context, interval time.Duration) {
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			t.Sweep()
		}
	}
}
