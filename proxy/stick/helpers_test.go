package stick

import (
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/goha/goha/config"
)

// fakeClock is a settable millisecond clock.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) now() int64      { return c.ms.Load() }
func (c *fakeClock) set(ms int64)    { c.ms.Store(ms) }
func (c *fakeClock) advance(d int64) { c.ms.Add(d) }

// parseTables parses a configuration and builds its tables, in order,
// on clock c.
func parseTables(t testing.TB, cfgText string, c *fakeClock) *Set {
	t.Helper()
	cfg, err := config.Parse([]config.Source{{Name: "t.cfg", Data: []byte(cfgText)}}, config.ParseOptions{
		Getenv:  func(string) (string, bool) { return "", false },
		Resolve: func(h string) (string, error) { return "127.0.0.1", nil },
	})
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	var tables []*Table
	for _, px := range cfg.Proxies {
		if px.StickTable == nil {
			continue
		}
		tb, err := New(px.StickTable, c.now)
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	return NewSet(tables...)
}

// table builds one table from a stick-table line.
func table(t testing.TB, line string, c *fakeClock) *Table {
	t.Helper()
	s := parseTables(t, "backend b\n  stick-table "+line+"\n", c)
	return s.Find("b")
}

// cliWords splits a CLI line as HAProxy does: spaces separate words, a
// backslash escapes the next character.
func cliWords(line string) []string {
	var words []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			in = true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// mustKey parses a CLI key or fails.
func mustKey(t testing.TB, tb *Table, s string) Key {
	t.Helper()
	k, err := tb.ParseCLIKey(s)
	if err != nil {
		t.Fatalf("ParseCLIKey(%q): %v", s, err)
	}
	return k
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
