package sample

import (
	"errors"
	"fmt"
)

// Atomic map replacement (HAProxy 2.4+): `prepare map` opens a new
// version, `add map @VER` fills it without changing what requests see,
// and `commit map @VER` makes it the whole map at once.

// mapVersions are a reference's versions being prepared, guarded by the
// reference's mutex.
type mapVersions struct {
	cur, next int
	pending   map[int][]mapKV
}

// ErrMapUnknownVersion is the answer for a version never prepared.
var ErrMapUnknownVersion = errors.New("Unknown version.")

// Prepare opens a new version and returns its number.
func (ref *MapRef) Prepare() int {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	v := &ref.vers
	v.next++
	if v.pending == nil {
		v.pending = map[int][]mapKV{}
	}
	v.pending[v.next] = nil
	return v.next
}

// AddVersion adds entries to version ver, not seen before its commit.
func (ref *MapRef) AddVersion(ver int, pairs [][2]string) error {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	kvs, ok := ref.vers.pending[ver]
	if !ok {
		return ErrMapUnknownVersion
	}
	for _, p := range pairs {
		kvs = append(kvs, mapKV{id: ref.nextID, key: p[0], val: p[1]})
		ref.nextID++
	}
	ref.vers.pending[ver] = kvs
	return nil
}

// Commit makes version ver the map's whole content, atomically for
// every table; versions up to ver are forgotten.
func (ref *MapRef) Commit(ver int) error {
	return ref.apply(func([]mapKV) ([]mapKV, error) {
		kvs, ok := ref.vers.pending[ver]
		if !ok {
			return nil, ErrMapUnknownVersion
		}
		for v := range ref.vers.pending {
			if v <= ver {
				delete(ref.vers.pending, v)
			}
		}
		ref.vers.cur = ver
		return kvs, nil
	})
}

// Versions returns the committed and the last prepared version numbers
// (show map's curr_ver and next_ver).
func (ref *MapRef) Versions() (cur, next int) {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	return ref.vers.cur, ref.vers.next
}

// ParseVersion reads "@N".
func ParseVersion(s string) (int, error) {
	var v int
	if _, err := fmt.Sscanf(s, "@%d", &v); err != nil || v < 0 {
		return 0, fmt.Errorf("invalid version %q", s)
	}
	return v, nil
}
