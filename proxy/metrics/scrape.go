package metrics

import (
	"math"
	"strings"

	"github.com/goha/goha/proxy/stats"
)

// cell is one column's value in a scrape: its type and its bits (an
// integer, or a float's IEEE bits).
type cell struct {
	typ  stats.Type
	bits uint64
}

func toCell(f stats.Field) cell {
	if f.Type == stats.TypeFlt {
		return cell{f.Type, math.Float64bits(f.Float())}
	}
	return cell{f.Type, uint64(f.Int())}
}

// object is what a scrape keeps of one `show stat` row: its names and
// states, and the columns the metric table reads (in scrape.cells, from
// offset cells).
type object struct {
	obj         stats.ObjType
	iid         int64
	proxy, name string
	http        bool
	maint       bool
	state       int8 // index in its kind's states, -1 when unknown
	check       int8 // index in checkStates, -1 when none
	checked     bool // checks run: check_status is filled
	cells       int32
	// Backends: their servers, counted per server state and per check
	// status.
	nsrv      int32
	srvStates [5]int32
	chkStates [16]int32
}

// slotCols lists the columns a scrape keeps per object, colSlot the slot
// of each column (-1: not kept).
var (
	slotCols []int
	colSlot  [stats.NumColumns]int16
)

func init() {
	for i := range colSlot {
		colSlot[i] = -1
	}
	keep := func(col int) {
		if colSlot[col] < 0 {
			colSlot[col] = int16(len(slotCols))
			slotCols = append(slotCols, col)
		}
	}
	for _, m := range statMetrics {
		switch m.how {
		case plain, seconds, chkCode, chkTime:
			keep(m.col)
		case httpCodes:
			for i := range httpCodeLabels {
				keep(m.col + i)
			}
		}
	}
	if len(serverStates) != len(object{}.srvStates) || len(checkStates) != len(object{}.chkStates) {
		panic("metrics: object's aggregate arrays do not match the state tables")
	}
}

// statePrefix maps the start of a `show stat` status to a state index;
// the first match wins, "" matches anything.
type statePrefix struct {
	prefix string
	state  int8
}

// statusStates reads an object's state from its status column, per row
// type: a frontend is DOWN only when stopped, a server's "UP 1/3" (going
// down) is UP and "DOWN 1/2" (going up) DOWN, "no check" is UP.
var statusStates = [...][]statePrefix{
	stats.ObjFrontend: {{"STOP", 0}, {"", 1}},
	stats.ObjListener: {{"WAITING", 0}, {"OPEN", 1}, {"FULL", 2}},
	stats.ObjBackend:  {{"DOWN", 0}, {"", 1}},
	stats.ObjServer:   {{"MAINT", 2}, {"DRAIN", 3}, {"NOLB", 4}, {"DOWN", 0}, {"", 1}},
}

func stateOf(obj stats.ObjType, status stats.Field) int8 {
	if int(obj) >= len(statusStates) || status.Type != stats.TypeStr {
		return -1
	}
	for _, p := range statusStates[obj] {
		if strings.HasPrefix(status.Str(), p.prefix) {
			return p.state
		}
	}
	return -1
}

// checkOf returns the index of a check_status ("L4OK", "* L7OK" while a
// check runs) in checkStates, -1 for the others (INI, UNK...).
func checkOf(f stats.Field) int8 {
	name := strings.TrimPrefix(f.Str(), "* ")
	for i, s := range checkStates {
		if s == name {
			return int8(i)
		}
	}
	return -1
}

// collect keeps the scrape's current row; it is the emit callback of
// Source.Rows.
func (s *scrape) collect() bool {
	r := &s.row
	status := r.Get(stats.ColCheckStatus)
	o := object{
		obj:     r.Obj(),
		iid:     r.Get(stats.ColIid).Int(),
		proxy:   r.Get(stats.ColPxname).Str(),
		name:    r.Get(stats.ColSvname).Str(),
		http:    r.Get(stats.ColMode).Str() == "http",
		maint:   r.Maint,
		state:   stateOf(r.Obj(), r.Get(stats.ColStatus)),
		check:   checkOf(status),
		checked: status.Type == stats.TypeStr,
		cells:   int32(len(s.cells)),
	}
	for _, col := range slotCols {
		s.cells = append(s.cells, toCell(r.Fields[col]))
	}
	s.objs = append(s.objs, o)
	return true
}

// aggregate counts each backend's servers per state and check status.
func (s *scrape) aggregate() {
	clear(s.backendAt)
	for i := range s.objs {
		if o := &s.objs[i]; o.obj == stats.ObjBackend {
			s.backendAt[o.iid] = i
		}
	}
	for i := range s.objs {
		o := &s.objs[i]
		if o.obj != stats.ObjServer {
			continue
		}
		b, ok := s.backendAt[o.iid]
		if !ok {
			continue
		}
		be := &s.objs[b]
		be.nsrv++
		if o.state >= 0 {
			be.srvStates[o.state]++
		}
		if o.check >= 0 {
			be.chkStates[o.check]++
		}
	}
}

// cell returns object o's value of column col (kept by init).
func (s *scrape) cell(o *object, col int) cell {
	return s.cells[int(o.cells)+int(colSlot[col])]
}
