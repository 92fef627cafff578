package stick

// maxFilters is HAProxy's STKTABLE_FILTER_LEN.
const maxFilters = 4

// ops are the comparison operators of a data filter, by name: each says
// whether data passes against value.
var ops = map[string]func(data, value int64) bool{
	"eq": func(d, v int64) bool { return d == v },
	"ne": func(d, v int64) bool { return d != v },
	"le": func(d, v int64) bool { return d <= v },
	"ge": func(d, v int64) bool { return d >= v },
	"lt": func(d, v int64) bool { return d < v },
	"gt": func(d, v int64) bool { return d > v },
}

// cond is one `data.TYPE OP VALUE` filter.
type cond struct {
	d     DataType
	op    func(data, value int64) bool
	value int64
}

// filters are the conditions of a show/clear command, all required.
type filters []cond

// parseFilters reads up to four `data.TYPE OP VALUE` triplets from
// args[3] on, with HAProxy 2.6's messages. Like HAProxy, only the first
// word's "data." prefix is checked: later words lose their first five
// characters whatever they are.
func (t *Table) parseFilters(args []string) (filters, string) {
	var f filters
	i := 0
	for ; i < maxFilters; i++ {
		w := word(args, 3+3*i)
		if i > 0 && w == "" {
			break
		}
		name := ""
		if len(w) > 5 {
			name = w[5:]
		}
		d, ok := ParseDataType(name)
		if !ok {
			return nil, errorf("Filter entry #%d: Unknown data type\n", i+1)
		}
		if !t.slots[d].stored {
			return nil, errorf("Filter entry #%d: Data type not stored in this table\n", i+1)
		}
		op := ops[word(args, 4+3*i)]
		if op == nil {
			return nil, errorf("Filter entry #%d: Require and operator among \"eq\", \"ne\", \"le\", \"ge\", \"lt\", \"gt\"\n", i+1)
		}
		v, ok := strl2llrc(word(args, 5+3*i))
		if !ok {
			return nil, errorf("Filter entry #%d: Require a valid integer value to compare against\n", i+1)
		}
		f = append(f, cond{d: d, op: op, value: v})
	}
	if word(args, 3+3*i) != "" {
		return nil, errorf("Detected extra data in filter, %dth word of input, after '%s'\n", 3+3*i+1, word(args, 2+3*i))
	}
	return f, ""
}

// match reports whether e passes every condition (called under e's
// shard lock). server_key compares as 0, as in HAProxy.
func (f filters) match(t *Table, e *Entry, now int64) bool {
	for _, c := range f {
		var data int64
		if dataTypes[c.d].w != str {
			data = t.valueLocked(e, c.d, 0, now)
		}
		if !c.op(data, c.value) {
			return false
		}
	}
	return true
}
