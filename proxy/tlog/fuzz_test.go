package tlog

import (
	"net/netip"
	"testing"
	"time"
)

// FuzzCompile checks that no log-format string makes Compile or Append
// panic, and that a format compiles to the same line twice.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		HTTPLogFormat, TCPLogFormat, CLFHTTPLogFormat, // the built-in formats
		"%{+Q,+E,+X,-M}ci %{+Q}o %f",            // modifiers and %o
		"%%  %{", "%", "%{}", "%{+Q}", "%[src]", // truncated and unsupported
		"% x", "%-y", "a  b   c ", "%hrl %hsl %HPO %HQ", // separators, odd text
	} {
		f.Add(s, true)
	}
	e := &Entry{
		Client: netip.MustParseAddrPort("[2001:db8::1]:443"), AcceptTime: time.Unix(1e9, 0),
		Ti: -1, TR: -1, Tw: -1, Tc: -1, Tr: -1, ReqLine: []byte("GET"), ReqCaptures: [][]byte{nil, []byte("{|}")},
	}
	f.Fuzz(func(t *testing.T, s string, http bool) {
		fm, err := Compile(s, FormatOptions{HTTP: http, Hostname: "h", PID: 1, Location: time.UTC})
		if err != nil {
			return
		}
		a := string(fm.Append(nil, e))
		fm2, err := Compile(fm.String(), FormatOptions{HTTP: http, Hostname: "h", PID: 1, Location: time.UTC})
		if err != nil {
			t.Fatalf("recompiling %q: %v", fm.String(), err)
		}
		if b := string(fm2.Append(nil, e)); a != b {
			t.Fatalf("format %q gives %q then %q", s, a, b)
		}
	})
}
