package stick

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// header writes `show table`'s line for t.
func (t *Table) header(w io.Writer) {
	fmt.Fprintf(w, "# table: %s, type: %s, size:%d, used:%d\n", t.name, t.keyType, t.size, t.used.Load())
}

// appendEntryLocked formats one entry as HAProxy 2.6's `show table`
// does: "0xADDR: key=K use=N exp=MS" then every stored data type in enum
// order, array elements numbered (gpc0_rate(10000)=...).
func (t *Table) appendEntryLocked(b []byte, e *Entry, now int64) []byte {
	b = fmt.Appendf(b, "%p: key=", e)
	b = t.formatKey(b, e.key)
	exp := int64(0)
	if t.expire != 0 && e.order > now {
		exp = e.order - now
	}
	b = fmt.Appendf(b, " use=%d exp=%d", e.refs, exp)
	for d := range numDataTypes {
		s := t.slots[d]
		if !s.stored {
			continue
		}
		row := dataTypes[d]
		for i := 0; i < s.n; i++ {
			b = append(b, ' ')
			b = appendDataName(b, row, i)
			if row.w == frq {
				b = fmt.Appendf(b, "(%d)", s.period)
			}
			b = append(b, '=')
			b = t.appendValueLocked(b, e, d, i, now)
		}
	}
	return append(b, '\n')
}

// appendDataName writes a data type's name; an array element has its
// index before the first '_' (gpc_rate element 1 is "gpc1_rate").
func appendDataName(b []byte, row dataRow, i int) []byte {
	if !row.array {
		return append(b, row.name...)
	}
	pfx, sfx, _ := strings.Cut(row.name, "_")
	b = strconv.AppendInt(append(b, pfx...), int64(i), 10)
	if sfx != "" {
		b = append(append(b, '_'), sfx...)
	}
	return b
}

// appendValueLocked writes one stored element as `show table` does.
func (t *Table) appendValueLocked(b []byte, e *Entry, d DataType, i int, now int64) []byte {
	if dataTypes[d].w == str {
		if e.skey == "" {
			return append(b, '-')
		}
		return append(b, e.skey...)
	}
	return strconv.AppendInt(b, t.valueLocked(e, d, i, now), 10)
}

// keyed is an entry's sort key and its formatted line.
type keyed struct {
	key  Key
	line []byte
}

// dump writes the entries that keep(e) accepts in key order (HAProxy's
// tree order), after removing expired unreferenced entries. When kill is
// set, the accepted unreferenced entries are removed instead of written.
func (t *Table) dump(w io.Writer, keep func(e *Entry, now int64) bool, kill bool) {
	t.Sweep()
	now := t.clock()
	var lines []keyed
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for e := sh.head.next; e != &sh.head; {
			next := e.next
			switch {
			case !keep(e, now):
			case kill && e.refs == 0:
				t.removeLocked(e)
			case !kill:
				lines = append(lines, keyed{e.key, t.appendEntryLocked(nil, e, now)})
			}
			e = next
		}
		sh.mu.Unlock()
	}
	sort.Slice(lines, func(a, b int) bool { return lines[a].key < lines[b].key })
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(l.line)
	}
	w.Write(buf.Bytes())
}
