package stats

import (
	"errors"
	"io"
	"strconv"
)

// Format is an output form of `show stat` and `show info`.
type Format uint8

// The output forms.
const (
	FormatCSV   Format = iota // `show stat` CSV, `show info` "Key: value" lines
	FormatTyped               // `typed`
	FormatJSON                // `json`
)

// ErrNoSuchProxy is the answer to a `show stat` filter naming no proxy.
var ErrNoSuchProxy = errors.New("No such proxy.")

// StatOptions are the arguments of `show stat`.
type StatOptions struct {
	Format Format
	// Desc appends each field's description (typed form).
	Desc bool
	// Bound enables the IID/Types/SID filter
	// (`show stat <proxy|iid> <type> <sid>`).
	Bound bool
	// IID selects one proxy by numeric id, -1 all.
	IID int
	// Types is a bitmask of object types: 1 frontends, 2 backends,
	// 4 servers, 8 listeners; -1 all.
	Types int
	// SID selects one server by id, -1 all.
	SID int
	// Up hides servers that are not up; NoMaint hides servers in
	// maintenance. Either one makes backend statuses read "UP (n/m)".
	Up, NoMaint bool
	// Legends shows the address, cookie and algorithm columns. HAProxy
	// shows them to operator and admin sessions only.
	Legends bool
}

// ParseStatArgs parses the words after `show stat`, as HAProxy 2.6 does:
// three leading words are a filter (`be_app 4 -1`; a proxy name is looked
// up with proxyID, else read as a number), then `typed`, `json`, `desc`,
// `up`, `no-maint` in any order; other words are ignored.
func ParseStatArgs(args []string, proxyID func(name string) (int, bool)) (StatOptions, error) {
	o := StatOptions{IID: -1, Types: -1, SID: -1}
	if len(args) >= 3 && args[0] != "" && args[1] != "" && args[2] != "" {
		id, ok := 0, false
		if proxyID != nil {
			id, ok = proxyID(args[0])
		}
		if !ok {
			id = atoi(args[0])
		}
		if id == 0 {
			return o, ErrNoSuchProxy
		}
		o.Bound, o.IID, o.Types, o.SID = true, id, atoi(args[1]), atoi(args[2])
		args = args[3:]
	}
	for _, a := range args {
		switch a {
		case "typed":
			o.Format = FormatTyped
		case "json":
			o.Format = FormatJSON
		case "desc":
			o.Desc = true
		case "no-maint":
			o.NoMaint = true
		case "up":
			o.Up = true
		}
	}
	return o, nil
}

// atoi reads a leading decimal integer as C's atoi: 0 when there is none.
func atoi(s string) int {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			break
		}
	}
	if neg {
		return -n
	}
	return n
}

// selected applies the filter to a row.
func (o *StatOptions) selected(r *Row) bool {
	obj := r.Obj()
	if o.Bound {
		if o.IID != -1 && int(r.Fields[ColIid].num) != o.IID {
			return false
		}
		if o.Types != -1 && o.Types&(1<<obj) == 0 {
			return false
		}
		if obj == ObjServer && o.SID != -1 && int(r.Fields[ColSid].num) != o.SID {
			return false
		}
	}
	if obj == ObjServer {
		if o.NoMaint && r.Maint {
			return false
		}
		if o.Up && (r.Maint || r.Down) {
			return false
		}
	}
	return true
}

// view returns the fields of r as they are printed with o.
func (o *StatOptions) view(r *Row) *[NumColumns]Field {
	f := &r.Fields
	adjust := !o.Legends || (r.Obj() == ObjBackend && (o.Up || o.NoMaint))
	if !adjust {
		return f
	}
	c := *f
	if !o.Legends {
		c[ColAddr], c[ColCookie], c[ColAlgo] = Field{}, Field{}, Field{}
	}
	if r.Obj() == ObjBackend && (o.Up || o.NoMaint) && c[ColStatus].Type == TypeStr {
		c[ColStatus].str += " (" + strconv.Itoa(r.NbUp) + "/" + strconv.Itoa(r.NbSrv) + ")"
	}
	return &c
}

// WriteStat writes `show stat` for rows (in the order HAProxy lists them:
// per proxy, frontend, listeners, servers, backend) with o's filter and
// form. The CSV form starts with the header line.
func WriteStat(w io.Writer, rows []Row, o StatOptions) error {
	var b []byte
	switch o.Format {
	case FormatTyped:
		for i := range rows {
			if o.selected(&rows[i]) {
				b = appendTypedRow(b, o.view(&rows[i]), o.Desc)
			}
		}
	case FormatJSON:
		b = append(b, '[')
		first := true
		for i := range rows {
			if !o.selected(&rows[i]) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONRow(b, o.view(&rows[i]))
		}
		b = append(b, "]\n"...)
	default:
		b = AppendCSVHeader(b)
		for i := range rows {
			if o.selected(&rows[i]) {
				b = appendCSVRow(b, o.view(&rows[i]))
			}
		}
	}
	_, err := w.Write(b)
	return err
}

// AppendCSVHeader appends HAProxy 2.6's `show stat` header line: "# ",
// every column name followed by a comma, "-," after the fixed columns.
func AppendCSVHeader(b []byte) []byte {
	b = append(b, "# "...)
	for col := 0; col < NumColumns; col++ {
		b = append(b, columnTable[col].name...)
		b = append(b, ',')
		if col+1 == NumBaseColumns {
			b = append(b, "-,"...)
		}
	}
	return append(b, '\n')
}

// AppendCSVRow appends one row as a CSV line.
func AppendCSVRow(b []byte, r *Row) []byte { return appendCSVRow(b, &r.Fields) }

func appendCSVRow(b []byte, f *[NumColumns]Field) []byte {
	for col := range f {
		b = f[col].appendCSV(b)
		b = append(b, ',')
		if col+1 == NumBaseColumns {
			b = append(b, "-,"...)
		}
	}
	return append(b, '\n')
}

func appendTypedRow(b []byte, f *[NumColumns]Field, desc bool) []byte {
	obj := ObjType(f[ColType].num)
	for col := range f {
		if f[col].Type == TypeEmpty {
			continue
		}
		b = append(b, obj.Letter(), '.')
		b = strconv.AppendUint(b, uint64(uint32(f[ColIid].num)), 10)
		b = append(b, '.')
		b = strconv.AppendUint(b, uint64(uint32(f[ColSid].num)), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(col), 10)
		b = append(b, '.')
		b = append(b, columnTable[col].name...)
		b = append(b, '.')
		b = strconv.AppendUint(b, uint64(uint32(f[ColPid].num)), 10)
		b = appendTypedValue(b, f[col])
		if desc {
			b = append(b, ":\""...)
			b = append(b, columnTable[col].desc...)
			b = append(b, '"')
		}
		b = append(b, '\n')
	}
	return b
}

// appendTypedValue appends ":<tags>:<type>:<value>".
func appendTypedValue(b []byte, f Field) []byte {
	b = append(b, ':', f.Tags.Origin, f.Tags.Nature, f.Tags.Scope, ':')
	b = append(b, f.Type.String()...)
	b = append(b, ':')
	return f.appendValue(b)
}

func appendJSONRow(b []byte, f *[NumColumns]Field) []byte {
	obj := ObjType(f[ColType].num)
	b = append(b, '[')
	first := true
	for col := range f {
		if f[col].Type == TypeEmpty {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"objType":"`...)
		b = append(b, obj.String()...)
		b = append(b, `","proxyId":`...)
		b = strconv.AppendUint(b, uint64(uint32(f[ColIid].num)), 10)
		b = append(b, `,"id":`...)
		b = strconv.AppendUint(b, uint64(uint32(f[ColSid].num)), 10)
		b = append(b, `,"field":{"pos":`...)
		b = strconv.AppendInt(b, int64(col), 10)
		b = append(b, `,"name":"`...)
		b = append(b, columnTable[col].name...)
		b = append(b, `"},"processNum":`...)
		b = strconv.AppendUint(b, uint64(uint32(f[ColPid].num)), 10)
		b = append(b, ',')
		b = f[col].appendJSONTags(b)
		b = append(b, ',')
		b = f[col].appendJSONValue(b)
		b = append(b, '}')
	}
	return append(b, ']')
}
