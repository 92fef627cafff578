package config

import (
	"strings"
	"testing"
)

// peersTail is the rest of every config of TestPeersSection: a frontend
// whose table names the section.
const peersTail = `
defaults
    mode http
frontend fe
    bind 127.0.0.1:18080
    stick-table type ip size 1k expire 60s store gpc0 peers mypeers
`

// TestPeersSection checks the peers section's forms and errors against
// what HAProxy 2.6.12 `-c -L a` printed for the same lines (captured by
// hand; "vm" would be the host name).
func TestPeersSection(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string // the messages, in order
		listen     string   // the local peer's listening address, "" = none
		peers      int      // peers kept in the section
	}{
		{"peer form", "peer a 127.0.0.1:20001\npeer b 127.0.0.1:20002", nil, "127.0.0.1:20001", 2},
		{"bind form", "bind 127.0.0.1:20001\nserver a\nserver b 127.0.0.1:20002", nil, "127.0.0.1:20001", 2},
		{"bind after server", "server a\nserver b 127.0.0.1:20002\nbind 127.0.0.1:20001", nil, "127.0.0.1:20001", 2},
		{"default-server and default-bind", "default-server inter 3s\ndefault-bind v4v6\npeer a 127.0.0.1:20001\npeer b 127.0.0.1:20002", nil, "127.0.0.1:20001", 2},
		{"disabled", "disabled\npeer a 127.0.0.1:20001", nil, "127.0.0.1:20001", 1},
		{"no local peer", "bind 127.0.0.1:20001\nserver b 127.0.0.1:20002",
			[]string{"Removing incomplete section 'peers mypeers' (no peer named 'a')."}, "127.0.0.1:20001", 1},
		{"local server with an address", "bind 127.0.0.1:20001\nserver a 127.0.0.1:20001",
			[]string{"[t.cfg:4] : 'server a/a' : unknown keyword '127.0.0.1:20001'. Hint: no address was expected for this server."}, "", 0},
		{"local named twice", "peer a 127.0.0.1:20001\npeer a 127.0.0.1:20002",
			[]string{"parsing [t.cfg:4] : 'peer a' : local peer name already referenced at t.cfg:3. a"}, "", 0},
		{"local without port", "peer a 127.0.0.1\npeer b 127.0.0.1:20002",
			[]string{"parsing [t.cfg:3] : 'peer a' : missing port specification in '127.0.0.1'"}, "", 0},
		{"port range", "peer a 127.0.0.1:20001-20003",
			[]string{"[t.cfg:3] : 'server a/a' : port range not permitted here in '127.0.0.1:20001-20003'"}, "", 0},
		{"mixing peer and bind", "peer a 127.0.0.1:20001\nbind 127.0.0.1:20003",
			[]string{`parsing [t.cfg:4] : mixing "peer" and "bind" line is forbidden`}, "", 0},
		{"two binds", "bind 127.0.0.1:20001\nbind 127.0.0.1:20005\nserver a",
			[]string{`parsing [t.cfg:4] : One listener per "peers" section is authorized but another is already configured at [t.cfg:3].`}, "", 0},
		{"bind option", "bind 127.0.0.1:20001 frob\nserver a",
			[]string{"parsing [t.cfg:3] : 'bind 127.0.0.1:20001' in section 'peers': unknown keyword 'frob'."}, "", 0},
		{"shards (2.8)", "shards 3\npeer a 127.0.0.1:20001",
			[]string{"parsing [t.cfg:3] : unknown keyword 'shards' in 'peers' section"}, "", 0},
		{"enable", "enable\npeer a 127.0.0.1:20001",
			[]string{"parsing [t.cfg:3] : unknown keyword 'enable' in 'peers' section"}, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "global\npeers mypeers\n    " + strings.ReplaceAll(tc.body, "\n", "\n    ") + "\n" + peersTail
			opts := testOpts(nil)
			opts.LocalPeer = "a"
			cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(src)}}, opts)
			var got []string
			for _, m := range Report(cfg, err) {
				if !strings.HasPrefix(m.Text, "Error(s) found") && !strings.HasPrefix(m.Text, "Fatal errors") {
					got = append(got, m.Text)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if len(tc.want) > 0 && err == nil && !strings.HasPrefix(tc.want[0], "Removing") {
				t.Fatal("no error")
			}
			if cfg == nil || len(cfg.Peers) != 1 {
				return
			}
			pr := cfg.Peers[0]
			if len(pr.Peers) != tc.peers {
				t.Errorf("%d peers, want %d", len(pr.Peers), tc.peers)
			}
			if tc.listen != "" && (pr.Listen == nil || pr.Listen.Addr != tc.listen) {
				t.Errorf("Listen = %+v, want %s", pr.Listen, tc.listen)
			}
			if lp := pr.LocalPeer(); tc.want == nil && (lp == nil || lp.Addr != tc.listen) {
				t.Errorf("local peer %+v, want one at %s", lp, tc.listen)
			}
		})
	}
}

// TestPeerBinds checks the sockets the master binds for peers: the
// local peer's address of each running section, none for a disabled
// or removed one.
func TestPeerBinds(t *testing.T) {
	src := `peers p1
    peer a 127.0.0.1:20001
    peer b 127.0.0.1:20002
peers p2
    disabled
    peer a 127.0.0.1:20003
peers p3
    peer c 127.0.0.1:20004
`
	opts := testOpts(nil)
	opts.LocalPeer = "a"
	cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(src)}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.PeerBinds()
	if len(b) != 1 || b[0].Key() != "tcp:127.0.0.1:20001" {
		t.Fatalf("PeerBinds = %+v, want p1's 127.0.0.1:20001 only", b)
	}
	if !cfg.HasListener(false) {
		t.Fatal("HasListener = false with a running peers section")
	}
}
