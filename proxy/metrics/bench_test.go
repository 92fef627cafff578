package metrics

import (
	"fmt"
	"io"
	"testing"

	"github.com/goha/goha/proxy/stats"
)

// liveSource fills each row when asked, as the runtime will: it holds no
// row slice, only what it needs to build them.
type liveSource struct {
	in      stats.Info
	servers []string
}

func (s *liveSource) Info(in *stats.Info) { *in = s.in }

func (s *liveSource) Rows(types int, row *stats.Row, emit func() bool) {
	if types&TypeFrontend != 0 {
		*row = stats.NewRow(stats.ObjFrontend, "fe", "FRONTEND", 2, 0, true)
		row.SetStr(stats.ColStatus, "OPEN")
		row.Set(stats.ColStot, 12345)
		if !emit() {
			return
		}
	}
	if types&(TypeServer|TypeBackend) == 0 {
		return
	}
	for i, name := range s.servers {
		*row = stats.NewRow(stats.ObjServer, "be", name, 3, i+1, true)
		row.SetStr(stats.ColStatus, "UP")
		row.SetStr(stats.ColCheckStatus, "L7OK")
		row.Set(stats.ColCheckCode, 200)
		row.Set(stats.ColCheckDuration, 1)
		row.Set(stats.ColStot, int64(1000+i))
		row.Set(stats.ColHrsp2xx, int64(990+i))
		row.Set(stats.ColRtime, 3)
		if !emit() {
			return
		}
	}
	*row = stats.NewRow(stats.ObjBackend, "be", "BACKEND", 3, 0, true)
	row.SetStr(stats.ColStatus, "UP")
	emit()
}

// benchSource is a frontend and a backend of n checked HTTP servers.
func benchSource(n int) *liveSource {
	s := &liveSource{in: stats.NewInfo()}
	s.in.SetStr(stats.InfVersion, "2.6.12")
	for i := range n {
		s.servers = append(s.servers, fmt.Sprintf("srv%03d", i))
	}
	return s
}

// TestNoAllocs: once warm, a scrape of 100 servers allocates nothing.
func TestNoAllocs(t *testing.T) {
	if raceOn {
		t.Skip("sync.Pool drops items under the race detector")
	}
	src := benchSource(100)
	if err := Write(io.Discard, src, DefaultOptions); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { Write(io.Discard, src, DefaultOptions) }); n > 0 {
		t.Errorf("%.1f allocations per scrape, want 0", n)
	}
}

// BenchmarkScrape100 is one scrape (all scopes) of a backend of 100
// servers, to a discarding writer; bytes/op is the output size.
func BenchmarkScrape100(b *testing.B) {
	src := benchSource(100)
	var cw countWriter
	Write(&cw, src, DefaultOptions)
	b.SetBytes(int64(cw))
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, src, DefaultOptions); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRows100 is the source's part of that scrape alone (building
// the 102 rows), to tell it from the exporter's.
func BenchmarkRows100(b *testing.B) {
	src := benchSource(100)
	var row stats.Row
	b.ReportAllocs()
	for b.Loop() {
		src.Rows(TypeFrontend|TypeBackend|TypeServer, &row, func() bool { return true })
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
