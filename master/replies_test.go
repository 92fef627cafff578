package master

import (
	"strings"
	"testing"
)

// The startup log kept for `reload` answers is capped, the latest
// messages kept whole, with a note of what was dropped.
func TestTailBufferKeepsLatestLines(t *testing.T) {
	b := tailBuffer{max: 100}
	for i := 0; i < 50; i++ {
		b.WriteString(strings.Repeat("x", 9) + "\n")
	}
	b.WriteString("last line\n")
	s := b.String()
	if !strings.HasPrefix(s, "[... ") || !strings.HasSuffix(s, "xxxxxxxxx\nlast line\n") {
		t.Fatalf("tail = %q", s)
	}
	if kept := strings.SplitN(s, "\n", 2)[1]; len(kept) > 100 || !strings.HasPrefix(kept, "xxxxxxxxx\n") {
		t.Errorf("kept %d bytes %q; want at most 100, whole lines", len(kept), kept)
	}
	b.Reset()
	b.WriteString("a\n")
	if b.String() != "a\n" {
		t.Errorf("after Reset: %q", b.String())
	}
}
