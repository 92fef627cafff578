package config

import (
	"strings"
	"testing"
)

// TestTrack: `track` targets are checked once every section is read,
// with HAProxy 2.6's messages (compared live with haproxy 2.6.12).
func TestTrack(t *testing.T) {
	const head = "defaults\n  mode http\nbackend be\n  server s1 127.0.0.1:1 check\n"
	const tail = "  server s3 127.0.0.1:3\nbackend be2\n  server x1 127.0.0.1:1 check\n  server x2 127.0.0.1:1 track x1\n"
	tests := []struct{ line, want string }{
		{"track s1", ""},
		{"track be2/x2", ""},
		{"track nope", "[t.cfg:5] : 'server be/s2' : unable to find required server 'nope' for tracking."},
		{"track nob/x", "[t.cfg:5] : 'server be/s2' : unable to find required proxy 'nob' for tracking."},
		{"track s3", "[t.cfg:5] : 'server be/s2' : unable to use be/s3 for tracking as it does not have any check nor agent enabled."},
		{"track s1 check", "[t.cfg:5] : 'server be/s2' : unable to enable checks and tracking at the same time!"},
		{"track s2", "[t.cfg:5] : 'server be/s2' : unable to track be/s2 as it belongs to a tracking chain looping back to be/s2."},
		{"track", "[t.cfg:5] : 'server be/s2' : 'track' expects [<proxy>/]<server> as argument.."},
	}
	for _, tt := range tests {
		src := head + "  server s2 127.0.0.1:2 " + tt.line + "\n" + tail
		cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(src)}}, testOpts(nil))
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tt.line, err)
			} else if s := cfg.Proxies[0].Servers[1]; s.Track != strings.TrimPrefix(tt.line, "track ") {
				t.Errorf("%q: Track %q", tt.line, s.Track)
			}
			continue
		}
		var out []string
		if l, ok := err.(*ErrorList); ok {
			for _, m := range l.Messages {
				out = append(out, m.Text)
			}
		}
		if !strings.Contains(strings.Join(out, "\n"), tt.want) {
			t.Errorf("%q: got %q, want %q", tt.line, out, tt.want)
		}
	}
}
