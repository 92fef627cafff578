// Package cache is HAProxy's small-object cache (a `cache NAME`
// section): a store of complete HTTP responses keyed by the request's
// host and URI (and, with process-vary, by the request headers the
// response varies on), bounded by total-max-size and emptied least
// recently used first. The HTTP caching rules HAProxy 2.6 applies (which
// requests may be answered from the cache, which responses may be
// stored, for how long, conditional requests) are in rules.go; the
// stream (proxy/stream/cache.go) runs cache-use and cache-store with
// them.
//
// One Cache is shared by every goroutine of a worker; a reload starts a
// new worker with empty caches, as HAProxy does. Stored entries never
// change: a reader holds one (Lookup, Release) without a lock while
// writers evict it; its memory goes once the last reader lets go.
package cache

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Settings are a cache section's values.
type Settings struct {
	Name                string
	TotalMaxSize        int64 // bytes
	MaxObjectSize       int64 // bytes
	MaxAge              int   // seconds
	ProcessVary         bool
	MaxSecondaryEntries int
}

// BlockSize is HAProxy's cache block: what `show cache` counts.
const BlockSize = 1024

// entryOverhead is what an entry costs besides its head and body,
// counted against total-max-size.
const entryOverhead = 128

// Key is the primary key of a request: the SHA-1 of its URL.
type Key [20]byte

// SecKey is the secondary key of a request (process-vary): the
// accept-encoding bitmap, then the CRC-32 of the Referer, as HAProxy 2.6
// lays them out.
type SecKey [8]byte

// Cache is one cache section's store.
type Cache struct {
	set Settings

	mu    sync.Mutex
	byKey map[Key]*slot
	// lru is the list of stored entries, most recently used first (a
	// ring through a sentinel).
	lru  Entry
	used int64 // bytes of stored entries and of writers' reservations
	// pending are the bytes writers have reserved (show cache's
	// available blocks leave them out).
	pending int64
	now     func() time.Time
}

// slot holds the entries of one primary key: one, or with a vary
// signature one per variant.
type slot struct {
	sig  uint32 // the response's vary signature (VaryAcceptEncoding ...)
	ents []*Entry
}

// Entry is a stored response. Its fields never change once it is
// stored.
type Entry struct {
	key  Key
	sec  SecKey
	sig  uint32
	Head []byte // status line and header lines, CRLF-terminated, without framing headers
	Body []byte
	etag []byte
	// lastModified is Last-Modified, else Date, else the time it was
	// stored (If-Modified-Since compares with it).
	lastModified int64
	stored       int64 // unix seconds
	age          int64 // the server's Age
	expire       int64 // unix seconds
	size         int64
	refs         atomic.Int32
	prev, next   *Entry
	gone         bool // evicted or replaced (under mu)
}

// New returns an empty cache.
func New(set Settings) *Cache {
	if set.MaxSecondaryEntries <= 0 {
		set.MaxSecondaryEntries = 10
	}
	c := &Cache{set: set, byKey: map[Key]*slot{}, now: time.Now}
	c.lru.prev, c.lru.next = &c.lru, &c.lru
	return c
}

// Name is the cache section's name.
func (c *Cache) Name() string { return c.set.Name }

// Settings returns the cache's settings.
func (c *Cache) Settings() Settings { return c.set }

// Lookup returns the fresh entry for key whose variant suits the
// request (sec computes the request's secondary key for a vary
// signature; ok false means it cannot be served from a variant), or
// nil. The entry is held until Release.
func (c *Cache) Lookup(key Key, sec func(sig uint32) (SecKey, bool)) *Entry {
	now := c.now().Unix()
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.byKey[key]
	if s == nil {
		return nil
	}
	var want SecKey
	if s.sig != 0 {
		var ok bool
		if want, ok = sec(s.sig); !ok {
			return nil
		}
	}
	for i := 0; i < len(s.ents); i++ {
		e := s.ents[i]
		if e.expire <= now {
			c.removeLocked(e)
			i--
			if c.byKey[key] == nil {
				return nil
			}
			continue
		}
		if s.sig == 0 || secMatch(e.sec, want) {
			c.moveFront(e)
			e.refs.Add(1)
			return e
		}
	}
	return nil
}

// Release lets go of an entry Lookup returned.
func (e *Entry) Release() { e.refs.Add(-1) }

// Age is the Age header of a hit at now: the time it has been stored
// plus the server's Age.
func (e *Entry) Age(now time.Time) int64 {
	a := now.Unix() - e.stored
	if a < 0 {
		a = 0
	}
	return a + e.age
}

// Invalidate removes every entry of key (a successful unsafe request
// on the URL, RFC 7234 4.4).
func (c *Cache) Invalidate(key Key) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.byKey[key]; s != nil {
		for len(s.ents) > 0 {
			c.removeLocked(s.ents[0])
		}
	}
}

// removeLocked drops an entry from the index and the LRU list.
func (c *Cache) removeLocked(e *Entry) {
	if e.gone {
		return
	}
	e.gone = true
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	c.used -= e.size
	s := c.byKey[e.key]
	if s == nil {
		return
	}
	for i, x := range s.ents {
		if x == e {
			s.ents = append(s.ents[:i], s.ents[i+1:]...)
			break
		}
	}
	if len(s.ents) == 0 {
		delete(c.byKey, e.key)
	}
}

func (c *Cache) moveFront(e *Entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = &c.lru, c.lru.next
	c.lru.next.prev = e
	c.lru.next = e
}

// reserveLocked makes room for n more bytes, evicting the least
// recently used entries; false when they cannot fit.
func (c *Cache) reserveLocked(n int64) bool {
	for c.used+n > c.set.TotalMaxSize {
		last := c.lru.prev
		if last == &c.lru {
			return false
		}
		c.removeLocked(last)
	}
	c.used += n
	c.pending += n
	return true
}

// Used returns the bytes stored and reserved.
func (c *Cache) Used() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// Len returns the number of stored entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.byKey {
		n += len(s.ents)
	}
	return n
}

// AppendShow appends the cache's part of `show cache` in HAProxy 2.6's
// format: a line for the cache, then one per fresh entry by hash.
func (c *Cache) AppendShow(b []byte) []byte {
	now := c.now().Unix()
	c.mu.Lock()
	defer c.mu.Unlock()
	avail := (c.set.TotalMaxSize - c.pending) / BlockSize
	b = fmt.Appendf(b, "%p: %s (shctx:%p, available blocks:%d)\n", c, c.set.Name, &c.byKey, avail)
	var ents []*Entry
	for _, s := range c.byKey {
		ents = append(ents, s.ents...)
	}
	sortByHash(ents)
	for _, e := range ents {
		if e.expire <= now {
			c.removeLocked(e)
			continue
		}
		b = fmt.Appendf(b, "%p hash:%d vary:0x%016x size:%d (%d blocks), refcount:%d, expire:%d\n",
			e, binary.LittleEndian.Uint32(e.key[:4]), binary.BigEndian.Uint64(e.sec[:]), e.size,
			(e.size+BlockSize-1)/BlockSize, e.refs.Load(), e.expire-now)
	}
	return b
}

// sortByHash orders entries as HAProxy's tree walks them: by the first
// four bytes of their key, read as a little-endian integer.
func sortByHash(ents []*Entry) {
	h := func(e *Entry) uint32 { return binary.LittleEndian.Uint32(e.key[:4]) }
	for i := 1; i < len(ents); i++ {
		for j := i; j > 0 && h(ents[j]) < h(ents[j-1]); j-- {
			ents[j], ents[j-1] = ents[j-1], ents[j]
		}
	}
}

// Writer stores one response while it streams to the client. Its bytes
// are reserved as they come, so that writers never hold more than
// total-max-size between them and stored entries together.
type Writer struct {
	c        *Cache
	e        *Entry
	reserved int64
	dead     bool
}

// writerChunk is how much a writer reserves at a time.
const writerChunk = 4096

// Start begins storing a response: head is its status line and headers
// (Meta gives the rest). It returns nil when the response cannot fit.
func (c *Cache) Start(key Key, sec SecKey, m Meta, head []byte) *Writer {
	if int64(len(head))+m.ContentLength > c.set.MaxObjectSize {
		return nil
	}
	now := c.now().Unix()
	e := &Entry{key: key, sec: sec, sig: m.Sig, Head: head, etag: m.ETag, lastModified: m.LastModified,
		stored: now, age: m.Age, expire: now + int64(m.MaxAge)}
	if e.lastModified == 0 {
		e.lastModified = now
	}
	w := &Writer{c: c, e: e}
	if !w.reserve(int64(len(head)) + entryOverhead + max(m.ContentLength, 0)) {
		return nil
	}
	return w
}

func (w *Writer) reserve(n int64) bool {
	if n <= 0 {
		return true
	}
	c := w.c
	c.mu.Lock()
	ok := c.reserveLocked(n)
	c.mu.Unlock()
	if ok {
		w.reserved += n
	}
	return ok
}

// Write adds a piece of the body; false when the response stopped
// being stored (it exceeds max-object-size, or no room was left): the
// caller stops calling then.
func (w *Writer) Write(p []byte) bool {
	if w == nil || w.dead {
		return false
	}
	e := w.e
	if int64(len(e.Head)+len(e.Body)+len(p)) > w.c.set.MaxObjectSize {
		w.Abort()
		return false
	}
	if need := int64(len(e.Head)+len(e.Body)+len(p)) + entryOverhead - w.reserved; need > 0 {
		if !w.reserve(max(need, writerChunk)) {
			w.Abort()
			return false
		}
	}
	if e.Body == nil {
		e.Body = make([]byte, 0, max(int64(len(p)), w.reserved-int64(len(e.Head))-entryOverhead))
	}
	e.Body = append(e.Body, p...)
	return true
}

// Abort gives up storing: the reservation is released.
func (w *Writer) Abort() {
	if w == nil || w.dead {
		return
	}
	w.dead = true
	c := w.c
	c.mu.Lock()
	c.used -= w.reserved
	c.pending -= w.reserved
	c.mu.Unlock()
}

// Commit stores the complete response, replacing the entry of the same
// key and variant.
func (w *Writer) Commit() {
	if w == nil || w.dead {
		return
	}
	w.dead = true
	c, e := w.c, w.e
	e.Body = e.Body[:len(e.Body):len(e.Body)]
	e.size = int64(len(e.Head)+len(e.Body)) + entryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending -= w.reserved
	c.used -= w.reserved - e.size // the reservation becomes the entry
	s := c.byKey[e.key]
	if s != nil && s.sig != e.sig {
		for len(s.ents) > 0 {
			c.removeLocked(s.ents[0])
		}
		s = nil
	}
	if s == nil {
		s = &slot{sig: e.sig}
		c.byKey[e.key] = s
	}
	for _, x := range s.ents {
		if x.sec == e.sec || e.sig == 0 {
			c.removeLocked(x)
			break
		}
	}
	if s = c.byKey[e.key]; s == nil {
		s = &slot{sig: e.sig}
		c.byKey[e.key] = s
	}
	if len(s.ents) >= c.set.MaxSecondaryEntries {
		c.removeLocked(s.ents[0]) // the oldest variant
		if s = c.byKey[e.key]; s == nil {
			s = &slot{sig: e.sig}
			c.byKey[e.key] = s
		}
	}
	s.ents = append(s.ents, e)
	e.prev, e.next = &c.lru, c.lru.next
	c.lru.next.prev = e
	c.lru.next = e
	for c.used > c.set.TotalMaxSize && c.lru.prev != e {
		c.removeLocked(c.lru.prev)
	}
}
