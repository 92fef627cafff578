package acl

import (
	"fmt"
	"sync"
	"testing"

	"github.com/goha/goha/config"
)

// fileCond is `if <fetch> [-i] -f <file>` with the file's lines.
func fileCond(t *testing.T, refs *Refs, fetch string, line int, icase bool, lines ...string) *Cond {
	t.Helper()
	a := &config.ACL{Name: "a", Fetch: fetch, IgnoreCase: icase, Patterns: lines,
		PatternFiles: []string{"/p.acl"}, FilePatterns: [][]string{lines}, File: "t.cfg", Line: line}
	c, err := CompileWith(&config.Cond{Or: [][]config.CondTerm{{{ACL: a}}}, Source: fetch}, refs)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRefSharedAndSwapped: two conditions compiled separately on one
// `-f` file share its reference; add, del, clear and prepare/commit
// reach both at once.
func TestRefSharedAndSwapped(t *testing.T) {
	refs := NewRefs()
	exact := fileCond(t, refs, "path", 1, false, "/a")
	prefix := fileCond(t, refs, "path_beg", 2, false, "/a")
	ref := refs.Find("/p.acl")
	if ref == nil {
		t.Fatal("no reference for /p.acl")
	}
	if got := len(refs.List()); got != 3 {
		t.Fatalf("%d references, want 3 (the file, and each line's own)", got)
	}
	eval := func(path string) string {
		s := &fake{path: []byte(path)}
		return fmt.Sprint(exact.Eval(s), prefix.Eval(s))
	}
	if got := eval("/b/x"); got != "false false" {
		t.Fatalf("/b/x before add: %s", got)
	}
	if err := ref.Add(Current, "/b"); err != nil {
		t.Fatal(err)
	}
	if got := eval("/b") + " " + eval("/b/x"); got != "true true false true" {
		t.Errorf("after add /b: %s; want true true false true", got)
	}
	if err := ref.Del("/b"); err != nil {
		t.Fatal(err)
	}
	if got := eval("/b"); got != "false false" {
		t.Errorf("after del /b: %s", got)
	}
	if err := ref.Del("/b"); err != ErrKeyNotFound {
		t.Errorf("del of a missing pattern: %v", err)
	}
	v := ref.Prepare()
	if err := ref.Add(v, "/c"); err != nil {
		t.Fatal(err)
	}
	if got := eval("/c") + " " + eval("/a"); got != "false false true true" {
		t.Errorf("before commit: %s", got)
	}
	if err := ref.Commit(v); err != nil {
		t.Fatal(err)
	}
	if got := eval("/c") + " " + eval("/a"); got != "true true false false" {
		t.Errorf("after commit: %s (the whole content replaced)", got)
	}
	if err := ref.Clear(Current); err != nil || eval("/c") != "false false" {
		t.Errorf("after clear: %v %s", err, eval("/c"))
	}
}

// TestRefRefusesBadPattern: a pattern one of the ACLs cannot compile is
// refused with HAProxy's text and nothing changes.
func TestRefRefusesBadPattern(t *testing.T) {
	refs := NewRefs()
	fileCond(t, refs, "dst_port", 1, false, "80")
	ref := refs.Find("/p.acl")
	if err := ref.Add(Current, "abc"); err == nil || err.Error() != "'abc' is not a number." {
		t.Errorf("add abc to an int ACL: %v", err)
	}
	if n := len(ref.Entries(Current)); n != 1 {
		t.Errorf("%d entries after a refused add, want 1", n)
	}
}

// TestRefConcurrentChanges: several writers add and delete patterns
// while readers evaluate (run with -race): every evaluation sees a
// whole version, and the end state is the initial one.
func TestRefConcurrentChanges(t *testing.T) {
	refs := NewRefs()
	c := fileCond(t, refs, "path", 1, true, "/keep")
	ref := refs.Find("/p.acl")
	stop := make(chan struct{})
	var readers, writers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			s := &fake{path: []byte("/KEEP")}
			for {
				select {
				case <-stop:
					return
				default:
				}
				if !c.Eval(s) {
					t.Error("/keep stopped matching during concurrent changes")
					return
				}
			}
		}()
	}
	for w := 0; w < 4; w++ {
		writers.Add(1)
		go func(w int) {
			defer writers.Done()
			for i := 0; i < 200; i++ {
				p := fmt.Sprintf("/w%d-%d", w, i)
				if err := ref.Add(Current, p); err != nil {
					t.Error(err)
					return
				}
				if err := ref.Del(p); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if e := ref.Entries(Current); len(e) != 1 || e[0].Pattern != "/keep" {
		t.Errorf("entries after the changes: %v", e)
	}
}
