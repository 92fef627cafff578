package acl

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/goha/goha/config"
)

// Live pattern lists, as HAProxy's pattern references: every `-f` file
// of a runtime is one Ref, shared by every ACL that names it, and the
// patterns written on an `acl` line are one Ref of their own. A matcher
// reads each of its lists through a patSlot, an atomic pointer to an
// immutable compiled list; the runtime API (add acl, del acl, clear acl,
// commit acl) changes a Ref's entries and swaps every slot's list, so
// the next request sees the change without a lock on the matching path.

// patterns are one compiled pattern list; immutable once published.
type patterns struct {
	strs   [][]byte            // string patterns (lowercase with -i)
	strSet map[string]struct{} // exact strings, when many
	regs   []*regexp.Regexp
	ints   []intRange
	ips    ipSet
	meths  []methPat
	groups []string // http_auth_group
}

// patSlot is a Ref's entries compiled one way (slotKey): matchers whose
// patterns compile alike share it, as HAProxy shares a pattern
// expression between ACLs.
type patSlot struct {
	p   atomic.Pointer[patterns]
	key slotKey
	m   *matcher // the first matcher using it: how entries compile
}

// slotKey says how patterns compile: HAProxy's parse and index
// functions (the class), case and the auth-group special case.
type slotKey struct {
	class  string
	icase  bool
	groups bool
}

// slotClasses are HAProxy's pattern expression classes per match method
// (parse and index functions); icase turns the tree indexes into lists.
var slotClasses = map[matchKind][2]string{
	// {class without -i, class with -i}
	mFound: {"found", "found"}, mBool: {"bool", "bool"},
	mInt: {"int", "int"}, mLen: {"int", "int"},
	mIP: {"tree_ip", "tree_ip"}, mBin: {"bin", "bin"},
	mStr: {"tree_str", "list_str"}, mBeg: {"tree_pfx", "list_str"},
	mSub: {"list_str", "list_str"}, mEnd: {"list_str", "list_str"},
	mDir: {"list_str", "list_str"}, mDom: {"list_str", "list_str"},
	mReg: {"reg", "reg"}, mMeth: {"meth", "meth"},
}

func (m *matcher) slotKey() slotKey {
	c := slotClasses[m.match]
	k := slotKey{class: c[0], icase: m.icase, groups: m.def.kind == fAuthGroup}
	if m.icase {
		k.class = c[1]
	}
	return k
}

// ipIn reports whether address a is in one of the matcher's lists.
func (m *matcher) ipIn(a netip.Addr) bool {
	for _, sl := range m.sets {
		if sl.p.Load().ips.contains(a) {
			return true
		}
	}
	return false
}

// Refs are a runtime's pattern references, shared by the ACLs compiled
// with them; safe for concurrent use.
type Refs struct {
	mu     sync.Mutex
	byFile map[string]*Ref
	byACL  map[*config.ACL]*Ref
	all    []*Ref
	files  map[string]int // config file name -> order of appearance
	seq    int
	sealed int // refs numbered so far
}

// NewRefs returns an empty set of references.
func NewRefs() *Refs {
	return &Refs{byFile: map[string]*Ref{}, byACL: map[*config.ACL]*Ref{}, files: map[string]int{}}
}

// entry is one pattern of a reference.
type entry struct {
	id  uint64 // unique within the reference (show acl's first column)
	pat string
	gen int // version (prepare/commit acl)
}

// Ref is one pattern reference: a `-f` file or an ACL line's patterns.
type Ref struct {
	// ID is the number `#<id>` names (set when the references are first
	// listed, in configuration order, as HAProxy numbers them).
	ID int
	// File is the pattern file, "" for an ACL line's own patterns.
	File string

	desc    string               // the ACL line (inline references)
	users   []userAt             // the ACLs naming the file
	seen    map[*config.ACL]bool // users already listed
	cfgFile string               // where it first appears, for numbering
	line    int
	seq     int

	mu     sync.Mutex
	ents   []entry
	nextID uint64
	cur    int // committed version
	next   int // last prepared version
	slots  []*patSlot
}

// userAt is an ACL naming a file: its place, and how show acl says it.
type userAt struct {
	file, line int
	text       string
}

// ref returns the reference of file (file != "") or of a's own
// patterns, creating it with pats; refs may be nil (a private one).
func (r *Refs) ref(file string, a *config.ACL, pats []string) *Ref {
	if r == nil {
		return newRef(file, a, pats)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ref := r.byACL[a]
	if file != "" {
		ref = r.byFile[file]
	}
	if ref == nil {
		ref = newRef(file, a, pats)
		r.seq++
		ref.seq = r.seq
		if _, ok := r.files[a.File]; !ok {
			r.files[a.File] = len(r.files)
		}
		r.all = append(r.all, ref)
		if file != "" {
			r.byFile[file] = ref
		} else {
			r.byACL[a] = ref
		}
	}
	if file != "" && !ref.seen[a] {
		ref.seen[a] = true
		ref.mu.Lock()
		ref.users = append(ref.users, userAt{file: r.files[a.File], line: a.Line,
			text: fmt.Sprintf("acl at file '%s' line %d", a.File, a.Line)})
		slices.SortStableFunc(ref.users, func(x, y userAt) int {
			if x.file != y.file {
				return x.file - y.file
			}
			return x.line - y.line
		})
		ref.mu.Unlock()
		if r.before(a.File, a.Line, ref.cfgFile, ref.line) {
			ref.cfgFile, ref.line = a.File, a.Line
		}
	}
	return ref
}

// before orders configuration places: file of first appearance, line.
func (r *Refs) before(f1 string, l1 int, f2 string, l2 int) bool {
	if r.files[f1] != r.files[f2] {
		return r.files[f1] < r.files[f2]
	}
	return l1 < l2
}

func newRef(file string, a *config.ACL, pats []string) *Ref {
	ref := &Ref{File: file, cfgFile: a.File, line: a.Line, seen: map[*config.ACL]bool{}}
	fetch := a.Fetch
	if a.Arg != "" {
		fetch = a.Fetch + "(" + a.Arg + ")"
	}
	if a.Expr != "" {
		fetch = a.Expr
	}
	ref.desc = fmt.Sprintf("acl '%s' file '%s' line %d", fetch, a.File, a.Line)
	for _, p := range pats {
		ref.ents = append(ref.ents, entry{id: ref.nextID, pat: p})
		ref.nextID++
	}
	return ref
}

// List returns the references, numbered in configuration order (a file
// before the patterns of the line that first names it).
func (r *Refs) List() []*Ref {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sealed < len(r.all) {
		rest := r.all[r.sealed:]
		slices.SortStableFunc(rest, func(x, y *Ref) int {
			switch {
			case r.before(x.cfgFile, x.line, y.cfgFile, y.line):
				return -1
			case r.before(y.cfgFile, y.line, x.cfgFile, x.line):
				return 1
			case (x.File == "") != (y.File == ""):
				if x.File != "" {
					return -1
				}
				return 1
			}
			return x.seq - y.seq
		})
		for i := r.sealed; i < len(r.all); i++ {
			r.all[i].ID = i
		}
		r.sealed = len(r.all)
	}
	return append([]*Ref(nil), r.all...)
}

// Find returns the reference named by a file or "#<id>", or nil.
func (r *Refs) Find(spec string) *Ref {
	for _, ref := range r.List() {
		if id, ok := strings.CutPrefix(spec, "#"); ok {
			if n, err := strconv.Atoi(id); err == nil && n == ref.ID {
				return ref
			}
		} else if ref.File != "" && ref.File == spec {
			return ref
		}
	}
	return nil
}

// attach makes the matcher read a's patterns through refs: one slot per
// `-f` file, one for the patterns written on the line.
func (m *matcher) attach(a *config.ACL, refs *Refs) error {
	inline := a.Patterns
	if len(a.FilePatterns) == len(a.PatternFiles) {
		for i, f := range a.PatternFiles {
			if err := m.subscribe(refs.ref(f, a, a.FilePatterns[i])); err != nil {
				return err
			}
			inline = inline[min(len(a.FilePatterns[i]), len(inline)):]
		}
	}
	return m.subscribe(refs.ref("", a, inline))
}

// subscribe adds ref's slot for the matcher's way of compiling, creating
// it from the current entries.
func (m *matcher) subscribe(ref *Ref) error {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	k := m.slotKey()
	for _, sl := range ref.slots {
		if sl.key == k {
			m.sets = append(m.sets, sl)
			return nil
		}
	}
	p, err := m.compilePatterns(ref.visible(ref.ents))
	if err != nil {
		return err
	}
	sl := &patSlot{key: k, m: m}
	sl.p.Store(p)
	ref.slots = append(ref.slots, sl)
	m.sets = append(m.sets, sl)
	return nil
}

// visible returns the patterns of the committed version.
func (ref *Ref) visible(ents []entry) []string {
	out := make([]string, 0, len(ents))
	for _, e := range ents {
		if e.gen == ref.cur {
			out = append(out, e.pat)
		}
	}
	return out
}

// Errors of the runtime operations, in HAProxy's words.
var (
	ErrKeyNotFound   = errors.New("Key not found.")
	ErrVersionFuture = errors.New("Version number in the future, please use 'prepare acl' before.")
	ErrVersionRange  = errors.New("Version number out of range.")
)

// Current is the version argument meaning "the committed one".
const Current = -1

// publish makes ents the reference's entries after compiling them for
// every slot; nothing changes when one does not compile.
func (ref *Ref) publish(ents []entry) error {
	vis := ref.visible(ents)
	ps := make([]*patterns, len(ref.slots))
	for i, sl := range ref.slots {
		p, err := sl.m.compilePatterns(vis)
		if err != nil {
			return err
		}
		ps[i] = p
	}
	for i, sl := range ref.slots {
		sl.p.Store(ps[i])
	}
	ref.ents = ents
	return nil
}

// version resolves Current and checks that ver was prepared.
func (ref *Ref) version(ver int) (int, error) {
	if ver == Current {
		return ref.cur, nil
	}
	if ver-ref.next > 0 {
		return 0, ErrVersionFuture
	}
	return ver, nil
}

// Add adds patterns to version ver (Current: seen by the next request),
// as `add acl` does; a pattern that does not compile for one of the
// ACLs using the reference is refused with HAProxy's message.
func (ref *Ref) Add(ver int, pats ...string) error {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	ver, err := ref.version(ver)
	if err != nil {
		return err
	}
	for _, sl := range ref.slots {
		for _, p := range pats {
			if _, err := sl.m.compilePatterns([]string{p}); err != nil {
				return runtimeError(sl.m, p, err)
			}
		}
	}
	ents := slices.Clone(ref.ents)
	for _, p := range pats {
		ents = append(ents, entry{id: ref.nextID, pat: p, gen: ver})
		ref.nextID++
	}
	return ref.publish(ents)
}

// runtimeError words a refused pattern as HAProxy does.
func runtimeError(m *matcher, p string, err error) error {
	switch m.match {
	case mInt, mLen:
		return fmt.Errorf("'%s' is not a number.", p)
	case mIP:
		return fmt.Errorf("'%s' is not a valid IPv4 or IPv6 address.", p)
	case mReg:
		var re *syntax.Error
		if errors.As(err, &re) {
			return fmt.Errorf("regex '%s' is invalid (error=%s).", p, re.Code)
		}
	}
	return fmt.Errorf("'%s' is not a valid pattern: %v.", p, err)
}

// Del removes the committed entries that are pattern key or the entry
// "#<id>", as `del acl` does.
func (ref *Ref) Del(key string) error {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	id, byID := parseEntryID(key)
	ents := make([]entry, 0, len(ref.ents))
	for _, e := range ref.ents {
		if e.gen == ref.cur && (byID && e.id == id || !byID && e.pat == key) {
			continue
		}
		ents = append(ents, e)
	}
	if len(ents) == len(ref.ents) {
		return ErrKeyNotFound
	}
	return ref.publish(ents)
}

// parseEntryID reads "#<id>" (decimal or 0x hexadecimal).
func parseEntryID(key string) (uint64, bool) {
	s, ok := strings.CutPrefix(key, "#")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 0, 64)
	return n, err == nil
}

// Clear removes every entry of version ver, as `clear acl` does.
func (ref *Ref) Clear(ver int) error {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	if ver == Current {
		ver = ref.cur
	}
	ents := make([]entry, 0, len(ref.ents))
	for _, e := range ref.ents {
		if e.gen != ver {
			ents = append(ents, e)
		}
	}
	return ref.publish(ents)
}

// Prepare opens a new version and returns its number.
func (ref *Ref) Prepare() int {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	ref.next++
	return ref.next
}

// Commit makes version ver the whole content at once; older versions
// are dropped, newer ones kept.
func (ref *Ref) Commit(ver int) error {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	if ver-ref.next > 0 || ver-ref.cur < 0 {
		return ErrVersionRange
	}
	old := ref.cur
	ref.cur = ver
	ents := make([]entry, 0, len(ref.ents))
	for _, e := range ref.ents {
		if e.gen-ver >= 0 {
			ents = append(ents, e)
		}
	}
	if err := ref.publish(ents); err != nil {
		ref.cur = old
		return err
	}
	return nil
}

// Entry is one pattern as `show acl` lists it.
type Entry struct {
	ID      uint64
	Pattern string
}

// Entries returns the patterns of version ver (Current: the committed
// ones).
func (ref *Ref) Entries(ver int) []Entry {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	if ver == Current {
		ver = ref.cur
	}
	var out []Entry
	for _, e := range ref.ents {
		if e.gen == ver {
			out = append(out, Entry{ID: e.id, Pattern: e.pat})
		}
	}
	return out
}

// Describe returns the reference's `show acl` line without its id.
func (ref *Ref) Describe() string {
	ref.mu.Lock()
	defer ref.mu.Unlock()
	d := ref.desc
	if ref.File != "" {
		users := make([]string, len(ref.users))
		for i, u := range ref.users {
			users[i] = u.text
		}
		d = fmt.Sprintf("pattern loaded from file '%s' used by %s", ref.File, strings.Join(users, ", by "))
	}
	// HAProxy counts an entry once per pattern expression using it.
	cnt := len(ref.ents) * max(len(ref.slots), 1)
	return fmt.Sprintf("(%s) %s. curr_ver=%d next_ver=%d entry_cnt=%d", ref.File, d, ref.cur, ref.next, cnt)
}
