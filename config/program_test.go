package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestProgramSections: `program` sections parse into Config.Programs
// with HAProxy 2.6's defaults and texts for what it refuses.
func TestProgramSections(t *testing.T) {
	cfg, alerts := parseText(t, `global
    master-worker
program side
    command /bin/agent -c "a b"
    user nobody
program keep
    command /bin/keep
    option start-on-reload
    no option start-on-reload
`)
	if alerts != nil {
		t.Fatalf("alerts: %q", alerts)
	}
	if len(cfg.Programs) != 2 {
		t.Fatalf("programs = %d; want 2", len(cfg.Programs))
	}
	side, keep := cfg.Programs[0], cfg.Programs[1]
	if !reflect.DeepEqual(side.Command, []string{"/bin/agent", "-c", "a b"}) || side.User != "nobody" || side.UID < 0 || side.GID != -1 || !side.StartOnReload {
		t.Errorf("side = %+v", side)
	}
	if keep.StartOnReload || keep.UID != -1 {
		t.Errorf("keep = %+v; want start-on-reload off, no user", keep)
	}
	tests := []struct{ text, want string }{
		{"program p\n    command /bin/true\n", "Can't use a 'program' section without master worker mode."},
		{"global\n    master-worker\nprogram p\n    user nobody\n", "The program section 'p' lacks a command to launch."},
		{"global\n    master-worker\nprogram p\n    command /bin/true\nprogram p\n", "parsing [t.cfg:5]: 'p' program section already exists in the configuration."},
		{"global\n    master-worker\nprogram\n", "parsing [t.cfg:3] : 'program' expects an <id> argument"},
		{"global\n    master-worker\nprogram p\n    command\n", "parsing [t.cfg:4]: 'command' expects a command with optional arguments separated in words."},
		{"global\n    master-worker\nprogram p\n    command /bin/true\n    option foo\n", "parsing [t.cfg:5] : unknown option 'foo'."},
		{"global\n    master-worker\nprogram p\n    command /bin/true\n    bogus\n", "parsing [t.cfg:5] : unknown keyword 'bogus' in 'program' section"},
		{"global\n    master-worker\nprogram p\n    command /bin/true\n    option start-on-reload x\n", "parsing [t.cfg:5] : 'option start-on-reload' cannot handle unexpected argument 'x'."},
		{"global\n    master-worker\nprogram p\n    command /bin/true\n    group\n", "parsing [t.cfg:5]: 'group' expects a group name."},
	}
	for _, tc := range tests {
		_, alerts := parseText(t, tc.text)
		if len(alerts) == 0 || !strings.Contains(strings.Join(alerts, "\n"), tc.want) {
			t.Errorf("%q: alerts %q; want %q", tc.text, alerts, tc.want)
		}
	}
}
