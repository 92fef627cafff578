package worker

import (
	"fmt"
	"strings"
	"testing"
)

func TestMapPayloadPairs(t *testing.T) {
	got := mapPayloadPairs("/a A\n\n  /b\t B b  \r\n/c\n \t \n")
	if want := [][2]string{{"/a", "A"}, {"/b", "B b"}, {"/c", ""}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("mapPayloadPairs = %q; want %q", got, want)
	}
}

// FuzzMapPayload feeds arbitrary payloads of `add map <map> <<` to its
// line reader: one entry per line that is not blank, a key that is never
// empty and holds no space or tab, a value with no blank at either end,
// and each entry found again in its line.
func FuzzMapPayload(f *testing.F) {
	for _, s := range []string{"/a A\n/b B\n", "k\tv w\n\n", "  \r\n\x00 \xff\n", "only-key", "\t\t\n \n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		pairs := mapPayloadPairs(payload)
		var lines []string
		for _, l := range strings.Split(payload, "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		if len(pairs) != len(lines) {
			t.Fatalf("%d entries from %d lines that are not blank (%q)", len(pairs), len(lines), payload)
		}
		for i, p := range pairs {
			k, v := p[0], p[1]
			if k == "" || strings.ContainsAny(k, " \t") {
				t.Fatalf("entry %d: key %q", i, k)
			}
			if v != strings.TrimSpace(v) {
				t.Fatalf("entry %d: value %q has blanks at an end", i, v)
			}
			if !strings.Contains(lines[i], k) || !strings.Contains(lines[i], v) {
				t.Fatalf("entry %d (%q, %q) is not in its line %q", i, k, v, lines[i])
			}
		}
	})
}
