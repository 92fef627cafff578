package stats

import "fmt"

// ObjType is the kind of object a `show stat` row describes; its value is
// what the `type` column prints.
type ObjType uint8

// The object types, in HAProxy's numbering.
const (
	ObjFrontend ObjType = 0
	ObjBackend  ObjType = 1
	ObjServer   ObjType = 2
	ObjListener ObjType = 3
)

// Letter returns the object's letter in typed output (F, B, S, L).
func (o ObjType) Letter() byte {
	switch o {
	case ObjFrontend:
		return 'F'
	case ObjBackend:
		return 'B'
	case ObjServer:
		return 'S'
	case ObjListener:
		return 'L'
	}
	return '?'
}

// String returns the object's name in JSON output ("Frontend").
func (o ObjType) String() string {
	switch o {
	case ObjFrontend:
		return "Frontend"
	case ObjBackend:
		return "Backend"
	case ObjServer:
		return "Server"
	case ObjListener:
		return "Listener"
	}
	return "Unknown"
}

// Row is one `show stat` line: a frontend, backend, server or listener.
// Build it with NewRow, which fills every column HAProxy always fills for
// that object with its zero value, then Set what the data plane counted.
type Row struct {
	Fields [NumColumns]Field

	// Maint (server rows) says the server is in maintenance; `no-maint`
	// and `up` hide it.
	Maint bool
	// Down (server rows) says the server is stopped and not changing
	// state; `up` hides it.
	Down bool
	// NbUp and NbSrv (backend rows) count usable and all servers: with
	// `up` or `no-maint` the status reads "UP (NbUp/NbSrv)".
	NbUp, NbSrv int
}

// schema[obj][col] is what HAProxy puts in col for obj; fallback[col] is
// the spec used when a filler sets a column HAProxy leaves empty for that
// object.
var (
	schema   [4][NumColumns]fieldSpec
	present  [4][NumColumns]bool
	fallback [NumColumns]fieldSpec
	info     [NumInfoFields]fieldSpec
)

func init() {
	for col, def := range columnTable {
		for obj := 3; obj >= 0; obj-- {
			sp, ok := parseSpec(def.spec[obj])
			if !ok {
				continue
			}
			schema[obj][col], present[obj][col] = sp, true
			fallback[col] = sp
		}
	}
	for i, def := range infoTable {
		info[i], _ = parseSpec(def.spec[0])
	}
}

// httpOnly lists the columns HAProxy fills only for HTTP proxies.
var httpOnly = []int{ColHrsp1xx, ColHrsp2xx, ColHrsp3xx, ColHrsp4xx, ColHrsp5xx, ColHrspOther,
	ColReqTot, ColIntercepted, ColCacheLookups, ColCacheHits}

// NewRow returns a row for object obj of proxy pxname (numeric id iid);
// svname is "FRONTEND", "BACKEND", the server's or the listener's name, sid
// the server's or listener's id (0 for frontends and backends). Every
// column HAProxy always fills for obj holds its zero value; with http the
// HTTP-only counters are filled too. pid, type and mode are set ("http" or
// "tcp").
func NewRow(obj ObjType, pxname, svname string, iid, sid int, http bool) Row {
	var r Row
	if obj > ObjListener {
		obj = ObjServer
	}
	for col := range r.Fields {
		if sp := schema[obj][col]; present[obj][col] && !sp.conditional {
			r.Fields[col] = sp.proto
		}
	}
	if http {
		for _, col := range httpOnly {
			if present[obj][col] {
				r.Fields[col] = schema[obj][col].proto
			}
		}
	}
	r.Set(ColType, int64(obj))
	r.SetStr(ColPxname, pxname)
	r.SetStr(ColSvname, svname)
	r.Set(ColIid, int64(iid))
	r.Set(ColSid, int64(sid))
	r.Set(ColPid, 1)
	if http {
		r.SetStr(ColMode, "http")
	} else {
		r.SetStr(ColMode, "tcp")
	}
	return r
}

// Obj returns the row's object type (its `type` column).
func (r *Row) Obj() ObjType { return ObjType(r.Fields[ColType].num) }

// spec returns the type and tags a value in col takes for this row.
func (r *Row) spec(col int) Field {
	obj := r.Obj()
	if obj <= ObjListener && present[obj][col] {
		return schema[obj][col].proto
	}
	return fallback[col].proto
}

// Set stores an integer in col, typed as HAProxy types that column for
// this row's object (u32 columns truncate). Out-of-range columns are
// ignored.
func (r *Row) Set(col int, v int64) {
	if col < 0 || col >= NumColumns {
		return
	}
	if col == ColType { // the type decides the schema: store it first
		r.Fields[col] = fallback[col].proto.withInt(v)
		return
	}
	r.Fields[col] = r.spec(col).withInt(v)
}

// SetStr stores a string in col (a number column gets the string's decimal
// value, 0 if it is not one).
func (r *Row) SetStr(col int, s string) {
	if col < 0 || col >= NumColumns {
		return
	}
	f := r.spec(col)
	if f.Type != TypeStr {
		var v int64
		fmt.Sscan(s, &v)
		r.Fields[col] = f.withInt(v)
		return
	}
	f.str = s
	r.Fields[col] = f
}

// Clear empties col, as HAProxy leaves it for an object that lacks it (a
// server without checks has no check_status).
func (r *Row) Clear(col int) {
	if col >= 0 && col < NumColumns {
		r.Fields[col] = Field{}
	}
}

// Get returns col's field.
func (r *Row) Get(col int) Field {
	if col < 0 || col >= NumColumns {
		return Field{}
	}
	return r.Fields[col]
}

// Name returns a column's name ("pxname"), "" when out of range.
func Name(col int) string {
	if col < 0 || col >= NumColumns {
		return ""
	}
	return columnTable[col].name
}

// Desc returns a column's description, as `show stat desc` prints it.
func Desc(col int) string {
	if col < 0 || col >= NumColumns {
		return ""
	}
	return columnTable[col].desc
}
