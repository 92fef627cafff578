package acl

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// `get acl <acl> <value>`: the value matched against a reference's
// current patterns, one line per way the ACLs using it compile them,
// with the pattern that matched, in HAProxy 2.6's words.

// slotNames are the type names `get acl` prints per match method.
var slotNames = map[matchKind]string{
	mFound: "found", mBool: "bool", mInt: "int", mIP: "ip", mBin: "bin",
	mLen: "len", mStr: "str", mSub: "sub", mReg: "reg", mBeg: "beg",
	mEnd: "end", mDir: "dir", mDom: "dom", mMeth: "meth",
}

// treeClasses are the classes HAProxy indexes in a tree (the others are
// lists); a tree answers its longest prefix rather than its first entry.
var treeClasses = map[string]bool{"tree_str": true, "tree_pfx": true, "tree_ip": true}

// Get returns the `get acl` lines for value.
func (ref *Ref) Get(value string) []string {
	ref.mu.Lock()
	pats := ref.visible(ref.ents)
	slots := append([]*patSlot(nil), ref.slots...)
	ref.mu.Unlock()
	var out []string
	for _, sl := range slots {
		m := sl.m
		kase := "sensitive"
		if m.icase {
			kase = "insensitive"
		}
		line := fmt.Sprintf("type=%s, case=%s, match=", slotNames[m.match], kase)
		best, found := "", false
		for _, p := range pats {
			one, err := m.compilePatterns([]string{p})
			if err != nil || !m.sampleIn(one, value) {
				continue
			}
			if !found || treeClasses[sl.key.class] && len(p) > len(best) {
				best, found = p, true
			}
			if !treeClasses[sl.key.class] {
				break
			}
		}
		if !found {
			out = append(out, line+"no")
			continue
		}
		idx := "list"
		if treeClasses[sl.key.class] {
			idx = "tree"
		}
		out = append(out, fmt.Sprintf("%syes, idx=%s, pattern=\"%s\"", line, idx, best))
	}
	return out
}

// sampleIn matches a string value given on the CLI against one pattern
// list, cast to what the match method reads (no match when it does not
// convert).
func (m *matcher) sampleIn(p *patterns, v string) bool {
	switch m.match {
	case mFound, mBool:
		return false
	case mInt:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return err == nil && intIn(p, n)
	case mLen:
		return intIn(p, int64(len(v)))
	case mIP:
		a, err := netip.ParseAddr(v)
		return err == nil && p.ips.contains(a.Unmap())
	case mMeth:
		return methIn(p, []byte(v), isKnownMethod([]byte(v)), m.icase)
	}
	if m.def.kind == fAuthGroup {
		for _, g := range p.groups {
			if g == v {
				return true
			}
		}
		return false
	}
	return m.strIn(p, []byte(v))
}

// intIn reports whether n is in one of the list's ranges.
func intIn(p *patterns, n int64) bool {
	for _, r := range p.ints {
		if r.min <= n && n <= r.max {
			return true
		}
	}
	return false
}
