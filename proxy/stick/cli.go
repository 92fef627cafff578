package stick

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Set is a process's tables by name, for the runtime API.
type Set struct {
	list   []*Table
	byName map[string]*Table
}

// NewSet groups tables given in configuration order.
func NewSet(tables ...*Table) *Set {
	s := &Set{byName: make(map[string]*Table, len(tables))}
	for _, t := range tables {
		s.list = append(s.list, t)
		s.byName[t.name] = t
	}
	return s
}

// Find returns the table called name, or nil.
func (s *Set) Find(name string) *Table { return s.byName[name] }

// Tables returns the tables in configuration order.
func (s *Set) Tables() []*Table { return s.list }

// action is one of the three table commands; their argument errors
// differ.
type action int

const (
	actShow action = iota
	actClear
	actSet
)

// argsError is HAProxy's message for bad arguments, per action.
var argsError = [...]string{
	actShow:  "Optional argument only supports \"data.<store_data_type>\" <operator> <value> and key <key>\n",
	actClear: "Required arguments: <table> \"data.<store_data_type>\" <operator> <value> or <table> key <key>\n",
	actSet:   "Required arguments: <table> key <key> [data.<store_data_type> <value>]*\n",
}

// keyUnsupported is HAProxy's message for `key` on a binary table.
var keyUnsupported = [...]string{
	actShow:  "Showing keys from tables of type other than ip, ipv6, string and integer is not supported\n",
	actClear: "Removing keys from tables of type other than ip, ipv6, string and integer is not supported\n",
	actSet:   "Inserting keys into tables of type other than ip, ipv6, string and integer is not supported\n",
}

// Show is `show table [NAME [data.TYPE OP VALUE]... | [key K]]`: args are
// all the command's words ("show", "table", ...). oper says whether the
// client's level is operator or admin: below, entries are not shown.
// Tables are listed last declared first, as HAProxy does.
func (s *Set) Show(w io.Writer, args []string, oper bool) {
	if word(args, 2) == "" {
		for i := len(s.list) - 1; i >= 0; i-- {
			s.list[i].Sweep()
			s.list[i].header(w)
		}
		return
	}
	s.run(w, args, oper, actShow)
}

// Clear is `clear table NAME [data.TYPE OP VALUE]... | [key K]`: without a
// filter, every entry not in use goes.
func (s *Set) Clear(w io.Writer, args []string, oper bool) { s.run(w, args, oper, actClear) }

// SetData is `set table NAME key K [data.TYPE VALUE]...`.
func (s *Set) SetData(w io.Writer, args []string, oper bool) { s.run(w, args, oper, actSet) }

// run parses the words common to the three commands.
func (s *Set) run(w io.Writer, args []string, oper bool, act action) {
	name := word(args, 2)
	if name == "" {
		io.WriteString(w, argsError[act])
		return
	}
	t := s.byName[name]
	if t == nil {
		io.WriteString(w, "No such table\n")
		return
	}
	switch a3 := word(args, 3); {
	case a3 == "key":
		t.perKey(w, args, oper, act)
	case strings.HasPrefix(a3, "data."):
		if act == actSet {
			io.WriteString(w, "content-based lookup is only supported with the \"show\" and \"clear\" actions\n")
			return
		}
		f, msg := t.parseFilters(args)
		if msg != "" {
			io.WriteString(w, msg)
			return
		}
		t.walk(w, oper, act, f.match)
	case a3 != "":
		io.WriteString(w, argsError[act])
	case act != actSet:
		// HAProxy 2.6 also clears the table on a bare `set table NAME`;
		// goha does nothing there.
		t.walk(w, oper, act, func(*Table, *Entry, int64) bool { return true })
	}
}

// walk shows or clears the entries match accepts.
func (t *Table) walk(w io.Writer, oper bool, act action, match func(*Table, *Entry, int64) bool) {
	keep := func(e *Entry, now int64) bool { return match(t, e, now) }
	if act == actShow {
		t.Sweep()
		t.header(w)
		if !oper {
			io.WriteString(w, "# contents not dumped due to insufficient privileges\n")
			return
		}
	}
	if oper {
		t.dump(w, keep, act == actClear)
	}
}

// perKey runs a command on the entry of `key K`.
func (t *Table) perKey(w io.Writer, args []string, oper bool, act action) {
	text := word(args, 4)
	if text == "" {
		io.WriteString(w, "Key value expected\n")
		return
	}
	k, err := t.ParseCLIKey(text)
	if err == errKeyUnsupported {
		io.WriteString(w, keyUnsupported[act])
		return
	}
	if err != nil {
		io.WriteString(w, "Invalid key\n")
		return
	}
	if !oper {
		return
	}
	switch act {
	case actShow:
		t.showKey(w, k)
	case actClear:
		t.clearKey(w, k)
	case actSet:
		t.setKey(w, k, args[min(5, len(args)):])
	}
}

func (t *Table) showKey(w io.Writer, k Key) {
	t.Sweep()
	e := t.Lookup(k)
	if e == nil {
		return
	}
	t.header(w)
	sh := e.shard
	sh.mu.Lock()
	e.refs--
	line := t.appendEntryLocked(nil, e, t.clock())
	sh.mu.Unlock()
	w.Write(line)
}

func (t *Table) clearKey(w io.Writer, k Key) {
	sh := t.shardOf(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := t.findLocked(sh, k, t.clock())
	switch {
	case e == nil:
	case e.refs > 0:
		io.WriteString(w, "Entry currently in use, cannot remove\n")
	default:
		t.removeLocked(e)
	}
}

// setKey stores `data.TYPE VALUE` pairs one after the other, as HAProxy
// does: an error stops there, the pairs before it stay applied.
func (t *Table) setKey(w io.Writer, k Key, pairs []string) {
	e, err := t.Get(k)
	if err != nil {
		io.WriteString(w, "Unable to allocate a new entry\n")
		return
	}
	sh := e.shard
	now := t.clock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	defer func() { e.refs--; t.touchLocked(e, now, true) }()
	for i := 0; i < len(pairs) && pairs[i] != ""; i += 2 {
		name, ok := strings.CutPrefix(pairs[i], "data.")
		if !ok {
			io.WriteString(w, "\"data.<type>\" followed by a value expected\n")
			return
		}
		d, ok := ParseDataType(name)
		switch {
		case !ok:
			io.WriteString(w, "Unknown data type\n")
			return
		case !t.slots[d].stored:
			io.WriteString(w, "Data type not stored in this table\n")
			return
		}
		v, ok := strl2llrc(word(pairs, i+1))
		if !ok {
			io.WriteString(w, "Require a valid integer value to store\n")
			return
		}
		t.storeLocked(e, d, v, now)
	}
}

// storeLocked stores a CLI value in element 0 of d: truncated to the
// type's width; a rate reads v for its period, then fades; server_key
// takes no number (HAProxy ignores it).
func (t *Table) storeLocked(e *Entry, d DataType, v int64, now int64) {
	s := t.slots[d]
	switch dataTypes[d].w {
	case frq:
		e.freqs[s.base].set(now32(now), uint32(v))
	case u64:
		e.vals[s.base] = uint64(v)
	case u32, s32:
		e.vals[s.base] = uint64(uint32(v))
	}
}

// word returns args[i], or "" past the end.
func word(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// strl2llrc is HAProxy's strl2llrc(): an optional '-' then digits, no
// overflow; "" fails and "-" alone is 0.
func strl2llrc(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var i int64
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	for k := 0; k < len(s); k++ {
		j := int64(s[k]) - '0'
		if j < 0 || j > 9 {
			return 0, false
		}
		if !neg && i > math.MaxInt64/10 || neg && i < math.MinInt64/10 {
			return 0, false
		}
		i *= 10
		if !neg && i > math.MaxInt64-j || neg && i < math.MinInt64+j {
			return 0, false
		}
		if neg {
			i -= j
		} else {
			i += j
		}
	}
	return i, true
}

// errorf is a Filter error message.
func errorf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
