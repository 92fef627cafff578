package metrics

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/goha/goha/proxy/stats"
)

// typedLine is one line of `show stat typed` or `show info typed`:
// "S.4.1.17.status.1:SGP:str:UP" or "0.Name.1:POS:str:HAProxy".
type typedLine struct {
	head       []string // the dotted head, split
	typ, value string
}

func readTyped(t *testing.T, path string) []typedLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []typedLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		parts := strings.SplitN(line, ":", 4)
		if len(parts) != 4 {
			t.Fatalf("%s: not a typed line: %q", path, line)
		}
		out = append(out, typedLine{strings.Split(parts[0], "."), parts[2], parts[3]})
	}
	return out
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

var objLetters = map[string]stats.ObjType{"F": stats.ObjFrontend, "B": stats.ObjBackend, "S": stats.ObjServer, "L": stats.ObjListener}

// loadStat builds the rows of a captured `show stat typed`, with exactly
// the fields HAProxy printed, typed as package stats types them (a
// different type fails the test: the exporter prints by type).
func loadStat(t *testing.T, path string) []stats.Row {
	t.Helper()
	var rows []stats.Row
	var cur []typedLine
	done := func() {
		if len(cur) > 0 {
			rows = append(rows, rowOf(t, cur))
		}
		cur = nil
	}
	for _, l := range readTyped(t, path) {
		if len(cur) > 0 && strings.Join(cur[0].head[:3], ".") != strings.Join(l.head[:3], ".") {
			done()
		}
		cur = append(cur, l)
	}
	done()
	return rows
}

func rowOf(t *testing.T, lines []typedLine) stats.Row {
	t.Helper()
	val := map[int]typedLine{}
	for _, l := range lines {
		val[atoi(t, l.head[3])] = l
	}
	obj := objLetters[lines[0].head[0]]
	r := stats.NewRow(obj, val[stats.ColPxname].value, val[stats.ColSvname].value,
		atoi(t, lines[0].head[1]), atoi(t, lines[0].head[2]), val[stats.ColMode].value == "http")
	for col := 0; col < stats.NumColumns; col++ {
		l, ok := val[col]
		if !ok {
			r.Clear(col)
			continue
		}
		if l.typ == "str" {
			r.SetStr(col, l.value)
		} else {
			v, err := strconv.ParseInt(l.value, 10, 64)
			if err != nil {
				u, uerr := strconv.ParseUint(l.value, 10, 64)
				if uerr != nil {
					t.Fatalf("%v: %v", l.head, err)
				}
				v = int64(u)
			}
			r.Set(col, v)
		}
		if got := r.Get(col).Type.String(); got != l.typ {
			t.Errorf("%s/%s %s: package stats types it %s, HAProxy %s", r.Get(stats.ColPxname).Str(),
				r.Get(stats.ColSvname).Str(), stats.Name(col), got, l.typ)
		}
	}
	r.Maint = obj == stats.ObjServer && strings.HasPrefix(r.Get(stats.ColStatus).Str(), "MAINT")
	return r
}

// loadInfo builds the Info of a captured `show info typed`.
func loadInfo(t *testing.T, path string) stats.Info {
	t.Helper()
	in := stats.NewInfo()
	for i := range in.Fields {
		in.Clear(i)
	}
	for _, l := range readTyped(t, path) {
		i := atoi(t, l.head[0])
		if l.typ == "str" {
			in.SetStr(i, l.value)
			continue
		}
		v, err := strconv.ParseInt(l.value, 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		in.Set(i, v)
	}
	return in
}

// capture is the HAProxy 2.6.12 capture of testdata (see capture.sh).
func capture(t *testing.T, suffix string) *Snapshot {
	t.Helper()
	return &Snapshot{
		In:     loadInfo(t, "testdata/haproxy-2.6.12"+suffix+".info"),
		Stat:   loadStat(t, "testdata/haproxy-2.6.12"+suffix+".stat"),
		Tables: []StickTable{{Name: "be", Type: "ip", Size: 100}},
	}
}

// scrapeText runs Write into a string.
func scrapeText(t *testing.T, src Source, o Options) string {
	t.Helper()
	var b strings.Builder
	if err := Write(&b, src, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func mustValidate(t *testing.T, what, text string) []family {
	t.Helper()
	fams, err := validate(text)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return fams
}

func familyNames(fams []family) string {
	var b strings.Builder
	for _, f := range fams {
		fmt.Fprintf(&b, "%s %s\n", f.Name, f.Type)
	}
	return b.String()
}
