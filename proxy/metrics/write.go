package metrics

import (
	"io"
	"math"
	"strconv"
	"sync"

	"github.com/goha/goha/proxy/stats"
)

// ContentType is the Content-Type of the exposition.
const ContentType = "text/plain; version=0.0.4"

// ResponseHead is the head of the exporter's answer as HAProxy 2.6 sends
// it over HTTP/1.1; the body follows in chunks (WriteChunked), none for a
// HEAD request. A bad query (ParseURI) gets the 400 error page instead.
const ResponseHead = "HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: " + ContentType +
	"\r\ntransfer-encoding: chunked\r\n\r\n"

// chunkRoom is the room kept at the start of the buffer for a chunk's
// size line (8 hex digits and CRLF).
const chunkRoom = 10

// flushAt is the buffered size past which a scrape writes to its client.
const flushAt = 16 << 10

// scrape is the state of one Write: the values read from the source and
// the output buffer. Scrapes are pooled, so a steady scrape rate
// allocates nothing once the slices have grown to the object count.
type scrape struct {
	opt       Options
	in        stats.Info
	row       stats.Row
	objs      []object
	cells     []cell
	backendAt map[int64]int
	table     StickTable
	tables    []StickTable
	emitRow   func() bool // s.collect, bound once
	emitTable func() bool

	w       io.Writer
	chunked bool // frame each write as an HTTP/1.1 chunk
	b       []byte
	err     error
	hdr     bool // the current family's HELP and TYPE are written
}

var scrapes = sync.Pool{New: func() any {
	s := &scrape{backendAt: map[int64]int{}, b: make([]byte, 0, flushAt+4096)}
	s.emitRow = s.collect
	s.emitTable = func() bool {
		s.tables = append(s.tables, s.table)
		return true
	}
	return s
}}

// Write writes the metrics of src that o selects to w, in the Prometheus
// text exposition format 0.0.4, as HAProxy 2.6's prometheus-exporter
// service does: the haproxy_process_* families (global scope), then
// haproxy_frontend_*, haproxy_listener_*, haproxy_backend_*,
// haproxy_server_* and haproxy_sticktable_*. A family with no sample is
// left out. It reads the whole source first (see Source), then writes in
// chunks of about 16 kB; it returns the first write error.
func Write(w io.Writer, src Source, o Options) error {
	return write(w, src, o, false)
}

// WriteChunked is Write with the body framed as HTTP/1.1 chunks, each
// flush one chunk written at once, ending with the last chunk: what
// follows ResponseHead on the wire.
func WriteChunked(w io.Writer, src Source, o Options) error {
	return write(w, src, o, true)
}

func write(w io.Writer, src Source, o Options, chunked bool) error {
	s := scrapes.Get().(*scrape)
	defer scrapes.Put(s)
	s.reset(w, o, chunked)
	if o.Scope&ScopeGlobal != 0 {
		s.in = stats.Info{}
		src.Info(&s.in)
	}
	if types := rowTypes(o.Scope); types != 0 {
		src.Rows(types, &s.row, s.emitRow)
		s.aggregate()
	}
	if st, ok := src.(StickTableSource); ok && o.Scope&ScopeStickTable != 0 {
		st.StickTables(&s.table, s.emitTable)
	}
	if o.Scope&ScopeGlobal != 0 {
		s.writeGlobal()
	}
	for i := range kinds {
		if o.Scope&kinds[i].scope != 0 {
			s.writeKind(&kinds[i])
		}
	}
	if o.Scope&ScopeStickTable != 0 {
		s.writeStickTables()
	}
	s.flushLast()
	s.w = nil // the pool must not keep the client
	return s.err
}

// rowTypes returns the row types a scope needs (backends count their
// servers).
func rowTypes(sc Scope) int {
	t := 0
	if sc&ScopeFrontend != 0 {
		t |= TypeFrontend
	}
	if sc&ScopeListener != 0 {
		t |= TypeListener
	}
	if sc&ScopeBackend != 0 {
		t |= TypeBackend | TypeServer
	}
	if sc&ScopeServer != 0 {
		t |= TypeServer
	}
	return t
}

func (s *scrape) reset(w io.Writer, o Options, chunked bool) {
	s.opt, s.w, s.err, s.chunked = o, w, nil, chunked
	s.objs, s.cells, s.tables = s.objs[:0], s.cells[:0], s.tables[:0]
	s.b = s.b[:s.start()]
}

// start is where the buffered text starts: after the room for a chunk's
// size line when chunked.
func (s *scrape) start() int {
	if s.chunked {
		return chunkRoom
	}
	return 0
}

// flush writes the buffered text out (as one chunk when chunked).
func (s *scrape) flush() { s.write(false) }

// flushLast writes the rest out, and the last chunk when chunked.
func (s *scrape) flushLast() { s.write(true) }

func (s *scrape) write(last bool) {
	at := s.start()
	if s.err != nil || len(s.b) == at && !(last && s.chunked) {
		s.b = s.b[:at]
		return
	}
	out := s.b
	if s.chunked {
		if len(s.b) > at {
			at = putChunkSize(s.b[:chunkRoom], len(s.b)-chunkRoom)
			out = append(s.b, '\r', '\n')
		}
		if last {
			out = append(out, "0\r\n\r\n"...)
		}
		out = out[at:]
	}
	_, s.err = s.w.Write(out)
	s.b = s.b[:s.start()]
}

// putChunkSize writes "<hex size>\r\n" at the end of room and returns
// where it starts.
func putChunkSize(room []byte, n int) int {
	const hex = "0123456789abcdef"
	i := len(room) - 2
	room[i], room[i+1] = '\r', '\n'
	for {
		i--
		room[i] = hex[n&15]
		n >>= 4
		if n == 0 {
			return i
		}
	}
}

// family starts a family: its header is written with its first sample.
func (s *scrape) family() { s.hdr = false }

// open writes the start of a sample, prefix+name{labels} and a space,
// after the family's HELP and TYPE lines if it is its first. labels are
// name, value pairs; a pair with an empty name or value is left out.
func (s *scrape) open(prefix, name, help string, t mtype, labels ...string) {
	if len(s.b) >= flushAt {
		s.flush()
	}
	b := s.b
	if !s.hdr {
		s.hdr = true
		b = append(b, "# HELP "...)
		b = append(append(b, prefix...), name...)
		b = append(b, ' ')
		b = appendHelp(b, help)
		b = append(b, "\n# TYPE "...)
		b = append(append(b, prefix...), name...)
		b = append(b, ' ')
		b = append(b, mtypeNames[t]...)
		b = append(b, '\n')
	}
	b = append(append(b, prefix...), name...)
	sep := byte('{')
	for i := 0; i+1 < len(labels); i += 2 {
		if labels[i] == "" || labels[i+1] == "" {
			continue
		}
		b = append(b, sep)
		sep = ','
		b = append(b, labels[i]...)
		b = append(b, '=', '"')
		b = appendLabelValue(b, labels[i+1])
		b = append(b, '"')
	}
	if sep == ',' {
		b = append(b, '}')
	}
	s.b = append(b, ' ')
}

// end ends a sample line.
func (s *scrape) end() { s.b = append(s.b, '\n') }

// appendHelp appends a HELP text, escaping backslashes and newlines.
func appendHelp(b []byte, h string) []byte {
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, h[i])
		}
	}
	return b
}

// appendLabelValue appends a label value, escaping backslashes, quotes
// and newlines (HAProxy writes names raw; its names never hold them).
func appendLabelValue(b []byte, v string) []byte {
	plain := 0
	for plain < len(v) && v[plain] != '\\' && v[plain] != '"' && v[plain] != '\n' {
		plain++
	}
	b = append(b, v[:plain]...)
	for i := plain; i < len(v); i++ {
		switch v[i] {
		case '\\', '"':
			b = append(b, '\\', v[i])
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, v[i])
		}
	}
	return b
}

// appendCell appends a value as HAProxy's exporter prints it: integers in
// decimal, floats as C's "%f", NaN for an empty field or a string.
func appendCell(b []byte, c cell) []byte {
	switch c.typ {
	case stats.TypeS32, stats.TypeS64:
		return strconv.AppendInt(b, int64(c.bits), 10)
	case stats.TypeU32, stats.TypeU64:
		return strconv.AppendUint(b, c.bits, 10)
	case stats.TypeFlt:
		return strconv.AppendFloat(b, math.Float64frombits(c.bits), 'f', 6, 64)
	}
	return append(b, "NaN"...)
}

// appendSeconds appends a millisecond integer in seconds ("%f").
func appendSeconds(b []byte, c cell) []byte {
	switch c.typ {
	case stats.TypeS32, stats.TypeS64:
		return strconv.AppendFloat(b, float64(int64(c.bits))/1000, 'f', 6, 64)
	case stats.TypeU32, stats.TypeU64:
		return strconv.AppendFloat(b, float64(c.bits)/1000, 'f', 6, 64)
	case stats.TypeFlt:
		return strconv.AppendFloat(b, math.Float64frombits(c.bits)/1000, 'f', 6, 64)
	}
	return append(b, "NaN"...)
}
