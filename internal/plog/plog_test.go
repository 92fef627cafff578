package plog

import (
	"bytes"
	"testing"
)

func TestHAProxyForm(t *testing.T) {
	tests := []struct {
		name string
		log  func(b *bytes.Buffer)
		want string
	}{
		{"notice", func(b *bytes.Buffer) { l := New(b, Options{Pid: 42}); l.Info().Msg("Loading success.") }, "[NOTICE]   (42) : Loading success.\n"},
		{"warning", func(b *bytes.Buffer) {
			l := New(b, Options{Pid: 7})
			l.Warn().Msg("Former worker (9) exited with code 0 (Exit)")
		}, "[WARNING]  (7) : Former worker (9) exited with code 0 (Exit)\n"},
		{"alert", func(b *bytes.Buffer) { l := New(b, Options{Pid: 1}); l.Error().Msg("x") }, "[ALERT]    (1) : x\n"},
		{"quiet drops notices", func(b *bytes.Buffer) { l := New(b, Options{Pid: 1, Quiet: true}); l.Info().Msg("x") }, ""},
		{"fields appended", func(b *bytes.Buffer) { l := New(b, Options{Pid: 1}); l.Info().Int("pid", 3).Msg("ready") }, "[NOTICE]   (1) : ready pid=3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			tt.log(&b)
			if got := b.String(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestJSONForm(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Options{Pid: 5, JSON: true})
	l.Info().Msg("hello")
	if !bytes.Contains(b.Bytes(), []byte(`"message":"hello"`)) || !bytes.Contains(b.Bytes(), []byte(`"pid":5`)) {
		t.Errorf("json line = %q", b.String())
	}
}
