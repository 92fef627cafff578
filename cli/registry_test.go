package cli

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func nop(*Session, []string, string, *Writer) error { return nil }

// masterTable is the 2.6 master CLI's table, as HAProxy registers it.
func masterTable(t *testing.T) *Registry {
	t.Helper()
	r := NewMasterRegistry()
	r.MustRegister(
		Command{Words: []string{"reload"}, Usage: "reload", Help: "reload haproxy", Level: LevelOperator, Handler: nop},
		Command{Words: []string{"show", "cli", "sockets"}, Usage: "show cli sockets", Help: "dump list of cli sockets", Handler: nop},
		Command{Words: []string{"show", "proc"}, Usage: "show proc", Help: "show processes status", Handler: nop},
		Command{Words: []string{"show", "version"}, Usage: "show version", Help: "show version of the current process", Handler: nop},
	)
	return r
}

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "haproxy-2.6", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestUsageMaster compares the master's help and unknown-command answers
// with HAProxy 2.6's captured ones (the answer's final empty line is the
// session's, not Usage's).
func TestUsageMaster(t *testing.T) {
	r := masterTable(t)
	tests := []struct {
		name   string
		args   []string
		isHelp bool
		file   string
	}{
		{"help", nil, true, "master_help2.txt"},
		{"show help", []string{"show", "help"}, false, "master_help.txt"},
		{"frob", []string{"frob"}, false, "master_unknown.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Usage(LevelAdmin, tt.args, tt.isHelp) + "\n"
			if want := golden(t, tt.file); got != want {
				t.Errorf("Usage(%q) =\n%s\nwant\n%s", tt.args, got, want)
			}
		})
	}
}

// workerTable rebuilds HAProxy 2.6's runtime API table from its captured
// help: keywords are the usage's leading plain words.
func workerTable(t *testing.T) *Registry {
	t.Helper()
	r := &Registry{}
	sc := bufio.NewScanner(strings.NewReader(golden(t, "help_admin.txt")))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "  ") || len(line) < 43 {
			continue
		}
		usage, help := strings.TrimRight(line[2:42], " "), line[44:]
		if strings.HasPrefix(usage, "help") || usage == "prompt" || usage == "quit" {
			continue
		}
		var words []string
		for _, w := range strings.Fields(usage) {
			if strings.ContainsAny(w[:1], "[<{(") {
				break
			}
			words = append(words, w)
		}
		r.MustRegister(Command{Words: words, Usage: usage, Help: help, Handler: nop})
	}
	return r
}

func TestUsageWorker(t *testing.T) {
	r := workerTable(t)
	if got, want := r.Usage(LevelAdmin, nil, true)+"\n", golden(t, "help_admin.txt"); got != want {
		t.Errorf("help =\n%s\nwant\n%s", got, want)
	}
	if got, want := r.Usage(LevelAdmin, []string{"frobnicate", "now"}, false)+"\n", golden(t, "unknown.txt"); got != want {
		t.Errorf("Usage(frobnicate now) =\n%s\nwant\n%s", got, want)
	}
	// The close matches of `set maxconn foo`: same first words.
	want := "Unknown command, but maybe one of the following ones is a better match:\n" +
		"  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting\n" +
		"  set maxconn global <value>              : change the per-process maxconn setting\n" +
		"  set maxconn server <bk>/<srv>           : change a server's maxconn setting\n" + helpTrailer
	if got := r.Usage(LevelAdmin, []string{"set", "maxconn", "foo"}, false); got != want {
		t.Errorf("Usage(set maxconn foo) =\n%s\nwant\n%s", got, want)
	}
}

func TestUsageFilteredByLevel(t *testing.T) {
	r := NewRegistry()
	r.MustRegister(
		Command{Words: []string{"show", "stat"}, Usage: "show stat", Help: "report counters", Handler: nop},
		Command{Words: []string{"clear", "counters"}, Usage: "clear counters [all]", Help: "clear counters", Level: LevelOperator, Handler: nop},
		Command{Words: []string{"disable", "server"}, Usage: "disable server", Help: "disable a server", Level: LevelAdmin, Handler: nop},
	)
	tests := []struct {
		level      Level
		has, hasnt []string
	}{
		{LevelUser, []string{"show stat", "show cli level"}, []string{"clear counters", "disable server"}},
		{LevelOperator, []string{"show stat", "clear counters"}, []string{"disable server"}},
		{LevelAdmin, []string{"show stat", "clear counters", "disable server", "set timeout"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			got := r.Usage(tt.level, nil, true)
			for _, s := range tt.has {
				if !strings.Contains(got, "  "+s) {
					t.Errorf("help at %v lacks %q:\n%s", tt.level, s, got)
				}
			}
			for _, s := range tt.hasnt {
				if strings.Contains(got, "  "+s) {
					t.Errorf("help at %v shows %q:\n%s", tt.level, s, got)
				}
			}
		})
	}
}

func TestRegisterErrors(t *testing.T) {
	r := NewRegistry()
	for _, c := range []Command{
		{},
		{Words: []string{"show", ""}},
		{Words: []string{"show", "cli", "level"}},
	} {
		if err := r.Register(c); err == nil {
			t.Errorf("Register(%q) = nil; want an error", c.Words)
		}
	}
}

func TestLookupLongest(t *testing.T) {
	r := &Registry{}
	r.MustRegister(
		Command{Words: []string{"show", "servers"}, Handler: nop},
		Command{Words: []string{"show", "servers", "state"}, Handler: nop},
		Command{Words: []string{"help-only"}},
	)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"show", "servers", "state", "be"}, "show servers state"},
		{[]string{"show", "servers", "conn"}, "show servers"},
		{[]string{"show"}, ""},
		{[]string{"help-only"}, ""},
	}
	for _, tt := range tests {
		c := r.Lookup(tt.args)
		got := ""
		if c != nil {
			got = strings.Join(c.Words, " ")
		}
		if got != tt.want {
			t.Errorf("Lookup(%q) = %q; want %q", tt.args, got, tt.want)
		}
	}
}
