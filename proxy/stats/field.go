package stats

import (
	"strconv"
	"strings"
)

// Type is the type of a stat value, as `show stat typed` names it.
type Type uint8

// The value types. TypeEmpty is a field HAProxy leaves empty for that row:
// an empty CSV cell, no line in the typed form, no object in JSON.
const (
	TypeEmpty Type = iota
	TypeS32
	TypeS64
	TypeU32
	TypeU64
	TypeFlt
	TypeStr
)

var typeNames = [...]string{"", "s32", "s64", "u32", "u64", "flt", "str"}

// String returns the type's name in typed output ("u32"), "" for empty.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "?"
}

// Tags are a field's origin, nature and scope, as the letters of typed
// output: origin M(etric) S(tatus) K(ey) C(onfig) P(roduct); nature
// G(auge) L(imit) m(in) M(ax) R(ate) C(ounter) D(uration) A(ge) T(ime)
// N(ame) O(utput) a(vg); scope P(rocess) S(ervice) s(ystem) C(luster).
type Tags struct {
	Origin, Nature, Scope byte
}

// String returns the three letters ("MCP").
func (t Tags) String() string { return string([]byte{t.Origin, t.Nature, t.Scope}) }

var (
	originNames = map[byte]string{'M': "Metric", 'S': "Status", 'K': "Key", 'C': "Config", 'P': "Product"}
	natureNames = map[byte]string{'G': "Gauge", 'L': "Limit", 'm': "Min", 'M': "Max", 'R': "Rate", 'C': "Counter",
		'D': "Duration", 'A': "Age", 'T': "Time", 'N': "Name", 'O': "Output", 'a': "Avg"}
	scopeNames = map[byte]string{'P': "Process", 'S': "Service", 's': "System", 'C': "Cluster"}
)

func tagName(m map[byte]string, b byte) string {
	if s, ok := m[b]; ok {
		return s
	}
	return "Unknown"
}

// Field is one typed stat value. The zero Field is empty.
type Field struct {
	Type Type
	Tags Tags
	num  int64 // s32, s64, u32 (as is), u64 (bits)
	flt  float64
	str  string
}

// Int returns an integer field's value (an u64 above 1<<63 wraps).
func (f Field) Int() int64 { return f.num }

// Str returns a string field's value.
func (f Field) Str() string { return f.str }

// Float returns a flt field's value.
func (f Field) Float() float64 { return f.flt }

// IsEmpty reports whether the field is empty.
func (f Field) IsEmpty() bool { return f.Type == TypeEmpty }

// withInt returns f holding v, converted as f's type wants (u32 and s32
// truncate as C does).
func (f Field) withInt(v int64) Field {
	switch f.Type {
	case TypeU32:
		v = int64(uint32(v))
	case TypeS32:
		v = int64(int32(v))
	case TypeFlt:
		f.flt = float64(v)
	case TypeStr:
		f.str = strconv.FormatInt(v, 10)
	}
	f.num = v
	return f
}

// appendValue appends the value as CSV and `show info` print it.
func (f Field) appendValue(b []byte) []byte {
	switch f.Type {
	case TypeS32, TypeS64:
		return strconv.AppendInt(b, f.num, 10)
	case TypeU32, TypeU64:
		return strconv.AppendUint(b, uint64(f.num), 10)
	case TypeFlt:
		return appendFloat(b, f.flt)
	case TypeStr:
		return append(b, f.str...)
	}
	return b
}

// appendFloat prints like C's "%f" with trailing zeros (and a trailing
// dot) trimmed, as HAProxy's flt_trim does.
func appendFloat(b []byte, v float64) []byte {
	s := strconv.FormatFloat(v, 'f', 6, 64)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return append(b, s...)
}

// appendCSV appends the value CSV-encoded: a string holding a comma, a
// quote, CR or LF is quoted, its quotes doubled.
func (f Field) appendCSV(b []byte) []byte {
	if f.Type != TypeStr || !strings.ContainsAny(f.str, ",\"\r\n") {
		return f.appendValue(b)
	}
	b = append(b, '"')
	for i := 0; i < len(f.str); i++ {
		if f.str[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, f.str[i])
	}
	return append(b, '"')
}

// appendJSONValue appends `"value":{"type":"u32","value":N}`.
func (f Field) appendJSONValue(b []byte) []byte {
	b = append(b, `"value":{"type":"`...)
	b = append(b, f.Type.String()...)
	b = append(b, `","value":`...)
	if f.Type == TypeStr {
		b = appendJSONString(b, f.str)
	} else {
		b = f.appendValue(b)
	}
	return append(b, '}')
}

// appendJSONString quotes s for JSON. HAProxy 2.6 prints strings raw;
// goha escapes quotes, backslashes and control bytes so that the output
// stays valid JSON (identical for every ordinary value).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendJSONTags appends `"tags":{"origin":...,"nature":...,"scope":...}`.
func (f Field) appendJSONTags(b []byte) []byte {
	b = append(b, `"tags":{"origin":"`...)
	b = append(b, tagName(originNames, f.Tags.Origin)...)
	b = append(b, `","nature":"`...)
	b = append(b, tagName(natureNames, f.Tags.Nature)...)
	b = append(b, `","scope":"`...)
	b = append(b, tagName(scopeNames, f.Tags.Scope)...)
	return append(b, `"}`...)
}

// columnDef describes one column (or `show info` field): its name, its
// description and, per object type, a "<tags>:<type>[?]" spec.
type columnDef struct {
	name, desc string
	spec       [4]string
}

// fieldSpec is a parsed "<tags>:<type>[?]" spec.
type fieldSpec struct {
	proto       Field // type and tags, zero value
	conditional bool  // HAProxy fills it only in some cases
}

func parseSpec(s string) (fieldSpec, bool) {
	if len(s) < 5 || s[3] != ':' {
		return fieldSpec{}, false
	}
	sp := fieldSpec{}
	typ := s[4:]
	if strings.HasSuffix(typ, "?") {
		sp.conditional = true
		typ = typ[:len(typ)-1]
	}
	for i, n := range typeNames {
		if n == typ && i > 0 {
			sp.proto.Type = Type(i)
		}
	}
	if sp.proto.Type == TypeEmpty {
		return fieldSpec{}, false
	}
	sp.proto.Tags = Tags{s[0], s[1], s[2]}
	return sp, true
}
