package sample

import (
	"fmt"
	"slices"
)

// `get map <map> <value>`: the value looked up in a map reference's
// current entries, one line per way the map converters using it match,
// in HAProxy 2.6's words.

// mapKindNames are the match names `get map` prints per map kind.
var mapKindNames = map[mapKind]string{
	mapStr: "str", mapBeg: "beg", mapSub: "sub", mapEnd: "end", mapDir: "dir",
	mapDom: "dom", mapReg: "reg", mapIP: "ip", mapInt: "int",
}

// mapTreeKinds are the kinds HAProxy indexes in a tree (others: lists).
var mapTreeKinds = map[mapKind]bool{mapStr: true, mapBeg: true, mapIP: true}

// mapOutNames are the value types `get map` prints.
var mapOutNames = map[smpType]string{stStr: "str", stInt: "sint", stIP: "ip", stBool: "bool"}

// Get returns the `get map` lines for value: one per distinct match
// kind of the converters using the map, in the order they were first
// compiled.
func (ref *MapRef) Get(value string) []string {
	ref.mu.Lock()
	tables := slices.Clone(ref.tables)
	ref.mu.Unlock()
	var out []string
	seen := map[mapKind]bool{}
	x := &Ctx{}
	for _, t := range tables {
		if seen[t.kind] {
			continue
		}
		seen[t.kind] = true
		line := fmt.Sprintf("type=%s, case=sensitive, found=", mapKindNames[t.kind])
		v := smpVal{t: stStr, s: []byte(value)}
		e := t.lookup(x, &v)
		if e == nil {
			out = append(out, line+"no")
			continue
		}
		idx := "list"
		if mapTreeKinds[t.kind] {
			idx = "tree"
		}
		out = append(out, fmt.Sprintf("%syes, idx=%s, key=\"%s\", value=\"%s\", type=\"%s\"",
			line, idx, e.key, e.val, mapOutNames[t.out]))
	}
	return out
}
