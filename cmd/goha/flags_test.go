package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args string
		want func(f *flags) bool
		err  string
	}{
		{"files repeat", "-f a.cfg -f dir", func(f *flags) bool { return reflect.DeepEqual(f.files, []string{"a.cfg", "dir"}) }, ""},
		{"double dash", "-c -- a.cfg b.cfg", func(f *flags) bool { return f.check && reflect.DeepEqual(f.files, []string{"a.cfg", "b.cfg"}) }, ""},
		{"mixed", "-f x -- y", func(f *flags) bool { return reflect.DeepEqual(f.files, []string{"x", "y"}) }, ""},
		{"master systemd", "-Ws -f x -S /run/m.sock,mode,600 -p /run/p", func(f *flags) bool {
			return f.master && f.systemd && f.pidfile == "/run/p" && f.masterCLI[0] == "/run/m.sock,mode,600"
		}, ""},
		{"sf list", "-f x -sf 12 34 -q", func(f *flags) bool { return reflect.DeepEqual(f.softStop, []int{12, 34}) && f.quiet }, ""},
		{"sf empty", "-f x -sf", func(f *flags) bool { return len(f.softStop) == 0 }, ""},
		{"sf from $(cat) with spaces", "-f x -st", func(f *flags) bool { return len(f.hardStop) == 0 }, ""},
		{"version", "-v", func(f *flags) bool { return f.version == 1 }, ""},
		{"version verbose", "-vv", func(f *flags) bool { return f.version == 2 }, ""},
		{"db", "-db -f x", func(f *flags) bool { return f.foreground }, ""},
		{"N", "-N 100 -f x -L peer1", func(f *flags) bool { return f.defMaxconn == 100 && f.localPeer == "peer1" }, ""},
		{"unknown flag", "-Z", nil, "unknown option '-Z'"},
		{"missing value", "-f", nil, "option '-f' requires an argument"},
		{"bad number", "-N x -f y", nil, "expects a positive number"},
		{"bad pid", "-f x -sf 1 abc", nil, ""},
		{"bare word", "x.cfg", nil, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseFlags(strings.Fields(tt.args))
			if tt.name == "bad pid" {
				// "abc" ends the pid list: it is then an unexpected word.
				if err == nil {
					t.Fatalf("parseFlags(%q) accepted a bad pid list", tt.args)
				}
				return
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseFlags(%q) error = %v; want %q", tt.args, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags(%q) error = %v", tt.args, err)
			}
			if !tt.want(f) {
				t.Errorf("parseFlags(%q) = %+v", tt.args, f)
			}
		})
	}
}

func TestParseFlagsUsage(t *testing.T) {
	if _, err := parseFlags(nil); !errors.Is(err, errUsage) {
		t.Fatalf("parseFlags(nil) = %v; want errUsage", err)
	}
}
