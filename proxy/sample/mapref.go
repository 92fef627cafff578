package sample

import (
	"errors"
	"strconv"
	"strings"
	"sync"
)

// Live maps, as HAProxy's pattern references: every map file has one
// MapRef per runtime, holding its (key, value) entries; each map
// converter reads a table compiled from them for its match kind. The
// runtime API (add map, set map, del map, clear map) changes the entries
// and swaps every table's data at once, so requests see either the old
// map or the new one, never half of a change, without a lock on the
// lookup path.

// mapKV is one entry of a map reference.
type mapKV struct {
	id       uint64 // unique within the reference (show map's first column)
	key, val string
}

// MapRef is one map file's live entries.
type MapRef struct {
	// Name is the file name the configuration uses; ID its number for
	// `#<id>` on the runtime API.
	Name string
	ID   int

	mu     sync.Mutex
	kvs    []mapKV
	nextID uint64
	tables []*mapTable
	vers   mapVersions // prepare/commit map (mapver.go)
}

// MapRefs are a runtime's map references, by file name.
type MapRefs struct {
	mu     sync.Mutex
	byName map[string]*MapRef
	list   []*MapRef
}

// NewMapRefs returns an empty set of references.
func NewMapRefs() *MapRefs { return &MapRefs{byName: map[string]*MapRef{}} }

// Errors of the runtime operations, in HAProxy's words.
var (
	ErrMapKeyNotFound = errors.New("Key not found.")
	ErrMapEntryUnset  = errors.New("entry not found.")
)

// load returns the reference of file name, creating it from data.
func (r *MapRefs) load(name string, data []byte) *MapRef {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ref := r.byName[name]; ref != nil {
		return ref
	}
	ref := &MapRef{Name: name, ID: len(r.list)}
	for _, kv := range parseMapFile(data) {
		ref.kvs = append(ref.kvs, mapKV{id: ref.nextID, key: kv[0], val: kv[1]})
		ref.nextID++
	}
	r.byName[name] = ref
	r.list = append(r.list, ref)
	return ref
}

// List returns the references in the order the configuration loaded
// them.
func (r *MapRefs) List() []*MapRef {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*MapRef(nil), r.list...)
}

// Find returns the reference named by a file name or "#<id>", or nil.
func (r *MapRefs) Find(spec string) *MapRef {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id, ok := strings.CutPrefix(spec, "#"); ok {
		n, err := strconv.Atoi(id)
		if err != nil || n < 0 || n >= len(r.list) {
			return nil
		}
		return r.list[n]
	}
	return r.byName[spec]
}

// subscribe compiles t from the current entries and keeps it current.
func (ref *MapRef) subscribe(t *mapTable) error {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	d, err := t.compile(ref.kvs)
	if err != nil {
		return err
	}
	t.data.Store(d)
	ref.tables = append(ref.tables, t)
	return nil
}

// apply runs change on a copy of the entries and, if every table
// compiles the result, makes it current everywhere.
func (ref *MapRef) apply(change func(kvs []mapKV) ([]mapKV, error)) error {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	kvs, err := change(append([]mapKV(nil), ref.kvs...))
	if err != nil {
		return err
	}
	datas := make([]*mapData, len(ref.tables))
	for i, t := range ref.tables {
		if datas[i], err = t.compile(kvs); err != nil {
			return err
		}
	}
	for i, t := range ref.tables {
		t.data.Store(datas[i])
	}
	ref.kvs = kvs
	return nil
}

// Add appends entries (key, value pairs), as `add map` does.
func (ref *MapRef) Add(pairs [][2]string) error {
	return ref.apply(func(kvs []mapKV) ([]mapKV, error) {
		for _, p := range pairs {
			kvs = append(kvs, mapKV{id: ref.nextID, key: p[0], val: p[1]})
			ref.nextID++
		}
		return kvs, nil
	})
}

// Set changes the value of every entry with that key, or of the entry
// "#<id>", as `set map` does.
func (ref *MapRef) Set(key, val string) error {
	return ref.apply(func(kvs []mapKV) ([]mapKV, error) {
		n := 0
		for i := range kvs {
			if kvs[i].matches(key) {
				kvs[i].val = val
				n++
			}
		}
		if n == 0 {
			return nil, ErrMapEntryUnset
		}
		return kvs, nil
	})
}

// Del removes every entry with that key, or the entry "#<id>", as
// `del map` does.
func (ref *MapRef) Del(key string) error {
	return ref.apply(func(kvs []mapKV) ([]mapKV, error) {
		out := kvs[:0]
		for _, kv := range kvs {
			if !kv.matches(key) {
				out = append(out, kv)
			}
		}
		if len(out) == len(kvs) {
			return nil, ErrMapKeyNotFound
		}
		return out, nil
	})
}

// Clear removes every entry, as `clear map` does.
func (ref *MapRef) Clear() error {
	return ref.apply(func([]mapKV) ([]mapKV, error) { return nil, nil })
}

// Entries returns the current entries as (id, key, value).
func (ref *MapRef) Entries() []MapEntry {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	out := make([]MapEntry, len(ref.kvs))
	for i, kv := range ref.kvs {
		out[i] = MapEntry{ID: kv.id, Key: kv.key, Value: kv.val}
	}
	return out
}

// MapEntry is one entry as `show map` lists it.
type MapEntry struct {
	ID         uint64
	Key, Value string
}

// matches reports whether the entry is the one "#<id>" names, or has
// key k.
func (kv *mapKV) matches(k string) bool {
	if id, ok := strings.CutPrefix(k, "#"); ok {
		if n, err := strconv.ParseUint(id, 0, 64); err == nil {
			return kv.id == n
		}
	}
	return kv.key == k
}
