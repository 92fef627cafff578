package metrics

import "github.com/goha/goha/proxy/stats"

// Source is what the exporter reads: the process's `show info` fields and
// its `show stat` rows. The data plane implements it (package proxy's
// runtime); the exporter never imports it.
//
// A source reads its live counters as `show stat` does, with atomic loads
// and no lock that stops traffic. The exporter copies each row into a
// compact scrape as it is emitted and writes to the client only after Rows
// returns, so a slow client never holds the source.
type Source interface {
	// Info fills in with the `show info` fields (start from
	// stats.NewInfo, then Set).
	Info(in *stats.Info)
	// Rows fills row with each `show stat` row of the wanted types in
	// turn, in HAProxy's order (per proxy: frontend, listeners, servers,
	// backend), and calls emit after each; it stops when emit returns
	// false. types is a bitmask as in stats.StatOptions: 1 frontends, 2
	// backends, 4 servers, 8 listeners; rows of other types may be given
	// and are skipped. The row belongs to the exporter and is overwritten
	// each time (`*row = stats.NewRow(...)`), so a scrape does not
	// allocate per row.
	Rows(types int, row *stats.Row, emit func() bool)
}

// StickTable is one stick table as haproxy_sticktable_* shows it.
type StickTable struct {
	Name string // the table's name (its proxy's)
	Type string // the key type: ip, ipv6, integer, string, binary
	Size int64  // configured size, in entries; a table of size 0 is skipped
	Used int64  // entries in use
}

// StickTableSource is implemented by sources that have stick tables: it
// fills t with each table in turn and calls emit after each, stopping when
// emit returns false.
type StickTableSource interface {
	StickTables(t *StickTable, emit func() bool)
}

// Row type bits of Source.Rows.
const (
	TypeFrontend = 1 << stats.ObjFrontend
	TypeBackend  = 1 << stats.ObjBackend
	TypeServer   = 1 << stats.ObjServer
	TypeListener = 1 << stats.ObjListener
)

// Snapshot is a Source over values built beforehand: an Info, the rows of
// `show stat` (as the runtime's StatRows returns them) and stick tables.
// It suits tests and a first wiring; a live source that fills rows one at a
// time avoids building the whole slice per scrape.
type Snapshot struct {
	In     stats.Info
	Stat   []stats.Row
	Tables []StickTable
}

// Info copies s.In.
func (s *Snapshot) Info(in *stats.Info) { *in = s.In }

// Rows gives the rows of s.Stat whose type is wanted.
func (s *Snapshot) Rows(types int, row *stats.Row, emit func() bool) {
	for i := range s.Stat {
		if types&(1<<s.Stat[i].Obj()) == 0 {
			continue
		}
		*row = s.Stat[i]
		if !emit() {
			return
		}
	}
}

// StickTables gives s.Tables.
func (s *Snapshot) StickTables(t *StickTable, emit func() bool) {
	for i := range s.Tables {
		*t = s.Tables[i]
		if !emit() {
			return
		}
	}
}

var (
	_ Source           = (*Snapshot)(nil)
	_ StickTableSource = (*Snapshot)(nil)
)
