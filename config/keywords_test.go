package config

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

// tableInfo is what the tests read of any keyword table.
type tableInfo struct {
	ctx     string
	rows    []keyword[struct{}]
	suggest []string
}

func info[F any](t *kwTable[F]) tableInfo {
	ti := tableInfo{ctx: t.ctx, suggest: t.suggest}
	for _, r := range t.rows {
		ti.rows = append(ti.rows, keyword[struct{}]{name: r.name, caps: r.caps, status: r.status, why: r.why, unlisted: r.unlisted})
	}
	return ti
}

func allTables() []tableInfo {
	return []tableInfo{info(globalTable), info(proxyTable), info(optionTable), info(serverTable), info(bindTable),
		info(sectionTable), info(filterTable), info(statsTable), info(httpRequestActions), info(httpResponseActions),
		info(httpAfterResponseActions), info(tcpRequestActions)}
}

// TestKeywordTablesWellFormed: one row per keyword, and a reason for
// every keyword goha refuses or ignores (only for those).
func TestKeywordTablesWellFormed(t *testing.T) {
	n := 0
	for _, tb := range allTables() {
		seen := map[string]bool{}
		for _, r := range tb.rows {
			if seen[r.name] {
				t.Errorf("%s: %q has two rows", tb.ctx, r.name)
			}
			seen[r.name] = true
			if (r.status == implemented) != (r.why == "") {
				t.Errorf("%s %s: status %d with reason %q", tb.ctx, r.name, r.status, r.why)
			}
			if r.status != implemented {
				n++
			}
		}
	}
	if n != len(SupportTable) {
		t.Errorf("SupportTable has %d entries, the tables' status columns %d", len(SupportTable), n)
	}
}

// TestSuggestionOrder pins the "did you mean" candidates of each table
// to HAProxy 2.6's lists, in the order HAProxy scans them (ties go to
// the first): the fingerprints are those of the lists the tables
// replaced (cfg_kw_list registrations then common_kw_list, cfg_opts,
// cfg_opts2 then common_options, srv_kws, bind_kws).
func TestSuggestionOrder(t *testing.T) {
	want := map[string]string{
		"global": "157 5b46f8783dc82f12",
		"proxy":  "89 100e8aaf0c86cda9",
		"option": "52 f25098bc912214cd",
		"server": "99 3f8038375b3fc9c1",
		"bind":   "64 85e33a0f9492cbcd",
	}
	for _, tb := range allTables() {
		w, ok := want[tb.ctx]
		if !ok {
			continue
		}
		got := fmt.Sprintf("%d %x", len(tb.suggest), sha256.Sum256([]byte(strings.Join(tb.suggest, ","))))[:len(w)]
		if got != w {
			t.Errorf("%s suggestions: %s, want %s", tb.ctx, got, w)
		}
	}
}

// TestProxyCapabilities: a keyword used where its row says it is not
// valid is refused in defaults sections and ignored with a warning in
// proxies without the capability.
func TestProxyCapabilities(t *testing.T) {
	tests := []struct{ src, want string }{
		{"defaults\n  use_backend b\n", "'use_backend' not allowed in 'defaults' section."},
		{"defaults\n  bind :80\n", "'bind' not allowed in 'defaults' section."},
		{"backend b\n  use_backend c\n", "'use_backend' ignored because backend 'b' has no frontend capability."},
		{"frontend f\n  bind :80\n  balance roundrobin\n", "'balance' ignored because frontend 'f' has no backend capability."},
		{"frontend f\n  bind :80\n  tcp-check connect\n", "'tcp-check' ignored because frontend 'f' has no backend capability."},
	}
	for _, tt := range tests {
		cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(tt.src)}}, testOpts(nil))
		var out []string
		if l, ok := err.(*ErrorList); ok {
			for _, m := range l.Messages {
				out = append(out, m.Text)
			}
		} else if cfg != nil {
			for _, m := range cfg.Log {
				out = append(out, m.Text)
			}
		}
		if !strings.Contains(strings.Join(out, "\n"), tt.want) {
			t.Errorf("%q: got %q, want a message with %q", tt.src, out, tt.want)
		}
	}
}
