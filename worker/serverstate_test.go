package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy"
	"github.com/goha/goha/proxy/stats"
)

func newRuntime(t testing.TB, cfgText string) (*proxy.Runtime, *config.Config) {
	t.Helper()
	cfg, err := config.Parse([]config.Source{{Name: "t.cfg", Data: []byte(cfgText)}}, config.ParseOptions{})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	rt, err := proxy.New(cfg, proxy.Options{Log: zerolog.Nop(), Pid: 1, ProcessNum: 1})
	if err != nil {
		t.Fatalf("proxy.New: %v", err)
	}
	return rt, cfg
}

const stateCfg = `
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
backend be
    server s1 127.0.0.1:8001
    server s2 127.0.0.1:8002 weight 10
    server s3 127.0.0.1:8003
    server s4 127.0.0.1:8004 disabled
`

// dump is what the master fetches from the previous generation.
func dump(rt *proxy.Runtime) string {
	return string(stats.AppendServersState(nil, rt.ServerStates(nil)))
}

func TestApplyServerState(t *testing.T) {
	old, _ := newRuntime(t, stateCfg)
	be := old.FindBackend("be")
	old.ServerAdmin(be.FindServer("s1"), proxy.AdminMaint)
	old.ServerAdmin(be.FindServer("s3"), proxy.AdminDrain)
	if err := be.FindServer("s2").SetWeight(3); err != nil {
		t.Fatal(err)
	}
	if err := old.SetServerAddr(be.FindServer("s3"), "127.0.0.9", 9003); err != nil {
		t.Fatal(err)
	}
	state := dump(old)

	tests := []struct {
		name   string
		cfg    string
		server string
		admin  proxy.AdminState
		weight int
		addr   string
	}{
		{"maint kept", stateCfg, "s1", proxy.AdminMaint, 1, "127.0.0.1:8001"},
		{"weight kept", stateCfg, "s2", proxy.AdminReady, 3, "127.0.0.1:8002"},
		{"drain and address kept", stateCfg, "s3", proxy.AdminDrain, 1, "127.0.0.9:9003"},
		{"config disabled stays", stateCfg, "s4", proxy.AdminMaint, 1, "127.0.0.1:8004"},
		{"weight changed in config wins", strings.Replace(stateCfg, "weight 10", "weight 20", 1), "s2", proxy.AdminReady, 20, "127.0.0.1:8002"},
		{"disabled removed from config", strings.Replace(stateCfg, " disabled", "", 1), "s4", proxy.AdminReady, 1, "127.0.0.1:8004"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt, _ := newRuntime(t, tc.cfg)
			if err := ApplyServerState(rt, state); err != nil {
				t.Fatalf("ApplyServerState: %v", err)
			}
			s := rt.FindBackend("be").FindServer(tc.server)
			if s.AdminState() != tc.admin || s.Weight() != tc.weight || s.Addr() != tc.addr {
				t.Errorf("got %v weight %d addr %s; want %v %d %s", s.AdminState(), s.Weight(), s.Addr(), tc.admin, tc.weight, tc.addr)
			}
		})
	}
}

func TestApplyServerStateInput(t *testing.T) {
	rt, _ := newRuntime(t, stateCfg)
	tests := []struct {
		name, text string
		wantErr    bool
	}{
		{"empty", "", false},
		{"blank", "\n \n", false},
		{"bad version", "2\n# x\n", true},
		{"short line", "1\n3 be 1 s1 127.0.0.1 2\n", true},
		{"unknown backend and server skipped", "1\n# h\n9 nope 1 s1 127.0.0.1 0 1 1 1 0 1 0 0 0 0 0 0 - 80 - 0 0 - - 0\n3 be 7 zz 127.0.0.1 0 1 1 1 0 1 0 0 0 0 0 0 - 80 - 0 0 - - 0\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := ApplyServerState(rt, tc.text); (err != nil) != tc.wantErr {
				t.Errorf("err = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

func TestServerStateFile(t *testing.T) {
	dir := t.TempDir()
	cfgText := "global\n    server-state-base " + dir + "\n    server-state-file state\n" + stateCfg
	rt, cfg := newRuntime(t, cfgText)
	rt.ServerAdmin(rt.FindBackend("be").FindServer("s2"), proxy.AdminMaint)
	if err := SaveServerState(rt, cfg); err != nil {
		t.Fatalf("SaveServerState: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "state"))
	if err != nil || !strings.HasPrefix(string(b), "1\n# be_id ") {
		t.Fatalf("state file: %v %q", err, b)
	}
	// A cold start (no handoff) reads the file...
	rt2, cfg2 := newRuntime(t, cfgText)
	LoadServerState(zerolog.Nop(), rt2, cfg2, "")
	if got := rt2.FindBackend("be").FindServer("s2").AdminState(); got != proxy.AdminMaint {
		t.Errorf("from file: s2 %v, want maint", got)
	}
	// ...but the previous generation's dump wins over it.
	rt3, cfg3 := newRuntime(t, cfgText)
	fresh, _ := newRuntime(t, stateCfg)
	LoadServerState(zerolog.Nop(), rt3, cfg3, dump(fresh))
	if got := rt3.FindBackend("be").FindServer("s2").AdminState(); got != proxy.AdminReady {
		t.Errorf("handoff: s2 %v, want ready", got)
	}
}

// FuzzApplyServerState feeds arbitrary dumps (a server-state file is
// read from disk at start): nothing may panic, whatever the fields hold.
func FuzzApplyServerState(f *testing.F) {
	f.Add("1\n# h\n3 be 1 s1 127.0.0.1 0 1 1 1 0 1 0 0 0 0 0 0 - 8001 - 0 0 - - 0\n")
	f.Add("1\n3 be 2 s2 ::1 2 8 300 10 5 6 3 4 6 0 0 0 - 99999 - 0 0 - - 0\n")
	f.Add("1\n3 be 3 s3 not-an-ip 2 5 -1 1 0 1 0 0 0 0 0 0 - -5 - 0 0 - - 0\n")
	rt, _ := newRuntime(f, stateCfg)
	f.Fuzz(func(t *testing.T, text string) {
		ApplyServerState(rt, text)
	})
}
