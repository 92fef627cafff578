package sample

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
)

// mapKind is how a map converter matches its input against the keys.
type mapKind uint8

const (
	mapStr mapKind = iota
	mapBeg
	mapSub
	mapEnd
	mapDir
	mapDom
	mapReg
	mapIP
	mapInt
)

// mapTable is a map file compiled for one match kind and output type:
// the converters using it read its current data, which a change on the
// runtime API replaces whole (see MapRef).
type mapTable struct {
	kind mapKind
	out  smpType
	name string
	data atomic.Pointer[mapData]
}

// mapData is one version of a compiled map: entries in order, plus an
// index for exact string keys.
type mapData struct {
	entries []mapEntry
	exact   map[string]int // mapStr: key -> first entry
}

type mapEntry struct {
	key []byte
	val []byte
	re  *regexp.Regexp
	pfx netip.Prefix
	lo  int64
	hi  int64
	// typed value, for _int and _ip maps
	iv int64
	ip netip.Addr
}

// parseMapFile splits a map file into (key, value) pairs: the key is the
// first word, the value the rest of the line; blank lines and lines
// starting with '#' are skipped.
func parseMapFile(data []byte) [][2]string {
	var out [][2]string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimRight(l, "\r")
		l = strings.TrimLeft(l, " \t")
		if l == "" || l[0] == '#' {
			continue
		}
		key, val := l, ""
		if i := strings.IndexAny(l, " \t"); i >= 0 {
			key, val = l[:i], strings.Trim(l[i:], " \t")
		}
		out = append(out, [2]string{key, val})
	}
	return out
}

// loadMap compiles map file name for kind and output type, once per
// (file, kind, type) per Options, and subscribes the table to the file's
// live reference so runtime changes reach it.
func loadMap(o *Options, name string, kind mapKind, out smpType) (*mapTable, error) {
	key := fmt.Sprintf("%d/%d/%s", kind, out, name)
	if m := o.cache[key]; m != nil {
		return m, nil
	}
	data, ok := o.Maps[name]
	if !ok {
		return nil, fmt.Errorf("map file %q was not loaded by the configuration parser", name)
	}
	if o.Refs == nil {
		o.Refs = NewMapRefs()
	}
	ref := o.Refs.load(name, data)
	m := &mapTable{kind: kind, out: out, name: name}
	if err := ref.subscribe(m); err != nil {
		return nil, err
	}
	if o.cache == nil {
		o.cache = map[string]*mapTable{}
	}
	o.cache[key] = m
	return m, nil
}

// compile builds the table's data from (key, value) pairs.
func (m *mapTable) compile(kvs []mapKV) (*mapData, error) {
	d := &mapData{entries: make([]mapEntry, 0, len(kvs))}
	if m.kind == mapStr {
		d.exact = make(map[string]int, len(kvs))
	}
	for _, kv := range kvs {
		e, err := m.entry(kv.key, kv.val)
		if err != nil {
			return nil, err
		}
		if d.exact != nil {
			if _, dup := d.exact[kv.key]; !dup {
				d.exact[kv.key] = len(d.entries)
			}
		}
		d.entries = append(d.entries, e)
	}
	return d, nil
}

// entry compiles one (key, value) pair for the table's kind and type.
func (m *mapTable) entry(key, val string) (mapEntry, error) {
	e := mapEntry{key: []byte(key), val: []byte(val)}
	var err error
	switch m.kind {
	case mapReg:
		if e.re, err = regexp.Compile(key); err != nil {
			return e, fmt.Errorf("map file %q: invalid regex %q: %w", m.name, key, err)
		}
	case mapIP:
		if e.pfx, err = parsePrefix(key); err != nil {
			return e, fmt.Errorf("map file %q: invalid address %q", m.name, key)
		}
	case mapInt:
		if e.lo, e.hi, err = parseIntRange(key); err != nil {
			return e, fmt.Errorf("map file %q: invalid integer %q", m.name, key)
		}
	}
	switch m.out {
	case stInt:
		n, ok := parseInt(e.val)
		if !ok {
			return e, fmt.Errorf("map file %q: value %q is not an integer", m.name, val)
		}
		e.iv = n
	case stIP:
		a, err := netip.ParseAddr(val)
		if err != nil {
			return e, fmt.Errorf("map file %q: value %q is not an address", m.name, val)
		}
		e.ip = a.Unmap()
	}
	return e, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		if p, err := netip.ParsePrefix(s); err == nil {
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			return p.Masked(), nil
		}
		// dotted mask: 10.0.0.0/255.0.0.0
		a, m, _ := strings.Cut(s, "/")
		ip, err := netip.ParseAddr(a)
		if err != nil {
			return netip.Prefix{}, err
		}
		bits, err := maskBits(m, 32)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(ip.Unmap(), bits).Masked(), nil
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	ip = ip.Unmap()
	return netip.PrefixFrom(ip, ip.BitLen()), nil
}

func parseIntRange(s string) (lo, hi int64, err error) {
	a, b, rng := strings.Cut(s, ":")
	if !rng {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, n, err
	}
	lo, hi = -1<<63, 1<<63-1
	if a != "" {
		if lo, err = strconv.ParseInt(a, 10, 64); err != nil {
			return
		}
	}
	if b != "" {
		if hi, err = strconv.ParseInt(b, 10, 64); err != nil {
			return
		}
	}
	return lo, hi, nil
}

// lookup returns the entry matching v, or nil.
func (m *mapTable) lookup(x *Ctx, v *smpVal) *mapEntry {
	d := m.data.Load()
	switch m.kind {
	case mapIP:
		if !toIP(v) {
			return nil
		}
		var best *mapEntry
		for i := range d.entries {
			e := &d.entries[i]
			if e.pfx.Contains(v.ip) && (best == nil || e.pfx.Bits() > best.pfx.Bits()) {
				best = e
			}
		}
		return best
	case mapInt:
		if !toInt(v) {
			return nil
		}
		for i := range d.entries {
			e := &d.entries[i]
			if v.i >= e.lo && v.i <= e.hi {
				return e
			}
		}
		return nil
	}
	if !toStr(x, v) {
		return nil
	}
	s := v.s
	if m.kind == mapStr {
		if i, ok := d.exact[string(s)]; ok {
			return &d.entries[i]
		}
		return nil
	}
	for i := range d.entries {
		e := &d.entries[i]
		var ok bool
		switch m.kind {
		case mapBeg:
			ok = bytes.HasPrefix(s, e.key)
		case mapEnd:
			ok = bytes.HasSuffix(s, e.key)
		case mapSub:
			ok = bytes.Contains(s, e.key)
		case mapReg:
			ok = e.re.Match(s)
		case mapDir:
			ok = matchWords(s, e.key, func(c byte) bool { return c == '/' || c == '?' })
		case mapDom:
			ok = matchWords(s, e.key, func(c byte) bool { return c == '/' || c == '?' || c == '.' || c == ':' })
		}
		if ok {
			return e
		}
	}
	return nil
}

// matchWords reports whether p appears in s as a run of whole words
// delimited by delim (HAProxy's dir and dom matches).
func matchWords(s, p []byte, delim func(byte) bool) bool {
	for len(p) > 0 && delim(p[0]) {
		p = p[1:]
	}
	for len(p) > 0 && delim(p[len(p)-1]) {
		p = p[:len(p)-1]
	}
	if len(p) == 0 {
		return true
	}
	for i := 0; i+len(p) <= len(s); i++ {
		if (i == 0 || delim(s[i-1])) && bytes.Equal(s[i:i+len(p)], p) && (i+len(p) == len(s) || delim(s[i+len(p)])) {
			return true
		}
	}
	return false
}
