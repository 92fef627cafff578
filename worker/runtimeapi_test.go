package worker

import (
	"context"
	"errors"
	"github.com/goha/goha/proxy/sample"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy/stats"
)

// fakeServer records what the runtime API asked of it.
type fakeServer struct {
	name          string
	weight, iw    int
	state         AdminState
	health        Health
	addr          netip.Addr
	port          int
	check, agent  bool
	checkOn       bool
	maxconn       int
	staticWeights bool
}

func (s *fakeServer) Weight() (int, int) { return s.weight, s.iw }
func (s *fakeServer) SetWeight(w int) error {
	if s.staticWeights && w != 0 && w != s.iw {
		return errors.New("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.")
	}
	s.weight = w
	return nil
}
func (s *fakeServer) SetAdminState(st AdminState) error { s.state = st; return nil }
func (s *fakeServer) SetHealth(h Health) error          { s.health = h; return nil }
func (s *fakeServer) Addr() (netip.Addr, int)           { return s.addr, s.port }
func (s *fakeServer) SetAddr(a netip.Addr, p int) error {
	s.addr = a
	if p >= 0 {
		s.port = p
	}
	return nil
}
func (s *fakeServer) HasCheck() bool         { return s.check }
func (s *fakeServer) SetCheck(on bool) error { s.checkOn = on; return nil }
func (s *fakeServer) HasAgent() bool         { return s.agent }
func (s *fakeServer) SetAgent(bool) error    { return nil }
func (s *fakeServer) SetAgentUp(bool) error  { return nil }
func (s *fakeServer) SetMaxconn(n int) error { s.maxconn = n; return nil }

type fakeFrontend struct {
	paused  bool
	maxconn int
}

func (f *fakeFrontend) Pause() bool {
	was := f.paused
	f.paused = true
	return !was
}
func (f *fakeFrontend) Resume() bool {
	was := f.paused
	f.paused = false
	return was
}
func (f *fakeFrontend) SetMaxconn(n int) error { f.maxconn = n; return nil }

type fakeData struct {
	mu       sync.Mutex
	servers  map[string]*fakeServer
	fe       *fakeFrontend
	maxconn  int
	cleared  string
	shutdown []uint64
}

func newFakeData() *fakeData {
	return &fakeData{
		servers: map[string]*fakeServer{
			"s1": {name: "s1", weight: 1, iw: 1, addr: netip.MustParseAddr("127.0.0.1"), port: 28091, check: true},
			"s2": {name: "s2", weight: 1, iw: 1, addr: netip.MustParseAddr("127.0.0.1"), port: 28092},
		},
		fe:      &fakeFrontend{},
		maxconn: 9977,
	}
}

func (d *fakeData) Info() stats.Info {
	in := stats.NewInfo()
	in.SetStr(stats.InfName, "goha")
	in.Set(stats.InfPid, 4242)
	return in
}

func (d *fakeData) StatRows() []stats.Row {
	fe := stats.NewRow(stats.ObjFrontend, "fe", "FRONTEND", 2, 0, true)
	fe.SetStr(stats.ColStatus, "OPEN")
	s1 := stats.NewRow(stats.ObjServer, "be", "s1", 3, 1, true)
	s1.SetStr(stats.ColStatus, "UP")
	s1.SetStr(stats.ColAddr, "127.0.0.1:28091")
	s1.Set(stats.ColStot, 5)
	s2 := stats.NewRow(stats.ObjServer, "be", "s2", 3, 2, true)
	s2.SetStr(stats.ColStatus, "MAINT")
	s2.Maint = true
	be := stats.NewRow(stats.ObjBackend, "be", "BACKEND", 3, 0, true)
	be.SetStr(stats.ColStatus, "UP")
	be.SetStr(stats.ColAlgo, "roundrobin")
	be.Set(stats.ColStot, 5)
	return []stats.Row{fe, s1, s2, be}
}

func (d *fakeData) ProxyID(name string) (int, bool) {
	switch name {
	case "fe":
		return 2, true
	case "be":
		return 3, true
	}
	return 0, false
}

func (d *fakeData) Backends() []string { return []string{"be"} }

func (d *fakeData) ServersState(backend string) ([]stats.ServerState, error) {
	if backend != "" && backend != "be" {
		return nil, ErrNoSuchBackend
	}
	return []stats.ServerState{{BackendID: 3, BackendName: "be", ID: 1, Name: "s1", Addr: "127.0.0.1", OpState: stats.OpRunning, UWeight: 1, IWeight: 1, Port: 28091}}, nil
}

func (d *fakeData) Server(backend, server string) (RuntimeServer, error) {
	if backend != "be" {
		return nil, ErrNoSuchBackend
	}
	s, ok := d.servers[server]
	if !ok {
		return nil, ErrNoSuchServer
	}
	return s, nil
}

func (d *fakeData) Frontend(name string) (RuntimeFrontend, error) {
	if name != "fe" {
		return nil, ErrNoSuchFrontend
	}
	return d.fe, nil
}

func (d *fakeData) SetGlobalMaxconn(n int) error {
	if n > 10000 {
		return ErrOutOfRange
	}
	if n <= 0 {
		n = 9977
	}
	d.maxconn = n
	return nil
}

func (d *fakeData) ClearCounters(all bool) {
	d.cleared = "max"
	if all {
		d.cleared = "all"
	}
}

func (d *fakeData) Sessions() []SessionInfo {
	return []SessionInfo{{ID: 0xc0ffee, Proto: "tcpv4", Src: "127.0.0.1:40000", Frontend: "fe", Backend: "be", Server: "s1", Age: 63 * time.Second, Calls: 3}}
}

func (d *fakeData) ShutdownSession(id uint64) bool {
	d.shutdown = append(d.shutdown, id)
	return id == 0xc0ffee
}

func (d *fakeData) Errors(px string) ([]CapturedError, error) {
	if px != "" && px != "fe" {
		return nil, ErrNoSuchProxy
	}
	return []CapturedError{{When: time.Date(2026, 11, 24, 23, 22, 23, 960e6, time.UTC), Proxy: "fe", ProxyID: 2,
		Peer: "127.0.0.1:40001", Reason: "invalid request", Pos: 5, Data: []byte("GET /\x01 HTTP/1.1\r\n\r\n")}}, nil
}

func (d *fakeData) Activity() Activity {
	return Activity{Threads: 2, Now: time.Unix(1795621045, 584392000),
		Counters: []ActivityCounter{{Name: "ctxsw", PerThread: []uint64{41, 33}}}}
}

func (d *fakeData) Maps() *sample.MapRefs { return nil }

var _ RuntimeData = (*fakeData)(nil)

// ask runs one non-interactive CLI line at level against d.
func ask(t *testing.T, d RuntimeData, level cli.Level, line string) string {
	t.Helper()
	reg := cli.NewRegistry()
	if err := RegisterRuntimeAPI(reg, d); err != nil {
		t.Fatal(err)
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var conns [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "pair")
		conns[i], err = net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		cli.Serve(context.Background(), conns[1], reg, cli.SessionOptions{Level: level})
	}()
	c := conns[0].(*net.UnixConn)
	defer c.Close()
	c.Write([]byte(line + "\n"))
	c.CloseWrite()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the answer to %q: %v", line, err)
	}
	<-done
	return string(out)
}

func TestRuntimeAPIAnswers(t *testing.T) {
	tests := []struct {
		line  string
		level cli.Level
		want  string
	}{
		// HAProxy 2.6's captured answers (cli/testdata/haproxy-2.6/errors_admin.txt).
		{"disable server be/nope", cli.LevelAdmin, "No such server.\n\n"},
		{"disable server nope/s1", cli.LevelAdmin, "No such backend.\n\n"},
		{"disable server foo", cli.LevelAdmin, "Require 'backend/server'.\n\n"},
		{"disable server", cli.LevelAdmin, "Require 'backend/server'.\n\n"},
		{"disable server be/s1", cli.LevelAdmin, "\n"},
		{"disable server be/s1", cli.LevelOperator, "Permission denied\n\n"},
		{"disable server be/s1", cli.LevelUser, "Permission denied\n\n"},
		{"set server be/s1 weight 300", cli.LevelAdmin, "Absolute weight can only be between 0 and 256 inclusive.\n\n"},
		{"set server be/s1 weight abc", cli.LevelAdmin, "Empty weight string empty or preceded by garbage\n\n"},
		{"set server be/s1 weight 5x", cli.LevelAdmin, "Trailing garbage in weight string\n\n"},
		{"set server be/s1 weight 50%; get weight be/s1", cli.LevelAdmin, "\n0 (initial 1)\n\n"},
		{"set weight be/s1 2; get weight be/s1", cli.LevelAdmin, "\n2 (initial 1)\n\n"},
		{"get weight nope/s1", cli.LevelUser, "No such backend.\n\n"},
		{"get weight be/zz", cli.LevelUser, "No such server.\n\n"},
		{"get weight be", cli.LevelUser, "Require 'backend/server'.\n\n"},
		{"set weight be/s1 2", cli.LevelUser, "Permission denied\n\n"},
		{"set server be/s1 state foo", cli.LevelAdmin, "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n"},
		{"set server be/s1", cli.LevelAdmin, "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n\n"},
		{"set server be/s1 addr 127.0.0.1 port 28091", cli.LevelAdmin, "no need to change the addr, no need to change the port by 'stats socket command'\n\n"},
		{"set server be/s1 addr 127.0.0.2", cli.LevelAdmin, "IP changed from '127.0.0.1' to '127.0.0.2' by 'stats socket command'\n\n"},
		{"set server be/s1 addr 127.0.0.1 port 28092", cli.LevelAdmin, "no need to change the addr, port changed from '28091' to '28092' by 'stats socket command'\n\n"},
		{"set server be/s1 addr bad", cli.LevelAdmin, "Invalid addr 'bad' by 'stats socket command'\n\n"},
		{"set server be/s1 addr", cli.LevelAdmin, "set server <b>/<s> addr requires an address and optionally a port.\n\n"},
		{"set server be/s1 health foo", cli.LevelAdmin, "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n\n"},
		{"set server be/s1 agent up", cli.LevelAdmin, "agent checks are not enabled on this server.\n\n"},
		{"enable health be/s2", cli.LevelAdmin, "Health check was not configured on this server, cannot enable.\n\n"},
		{"disable health be/s2", cli.LevelAdmin, "\n"},
		{"disable frontend nope", cli.LevelAdmin, "No such frontend.\n\n"},
		{"disable frontend", cli.LevelAdmin, "A frontend name is expected.\n\n"},
		{"disable frontend fe; disable frontend fe; enable frontend fe; enable frontend fe", cli.LevelAdmin,
			"\nAll sockets are already disabled.\n\n\nAll sockets are already enabled.\n\n"},
		{"set maxconn frontend nope 10", cli.LevelAdmin, "No such frontend.\n\n"},
		{"set maxconn frontend fe", cli.LevelAdmin, "Integer value expected.\n\n"},
		{"set maxconn global", cli.LevelAdmin, "Expects an integer value.\n\n"},
		{"set maxconn global 99999999", cli.LevelAdmin, "Value out of range.\n\n"},
		{"set maxconn global 100", cli.LevelOperator, "Permission denied\n\n"},
		{"shutdown session", cli.LevelAdmin, "Session pointer expected (use 'show sess').\n\n"},
		{"shutdown session 0x1234", cli.LevelAdmin, "No such session (use 'show sess').\n\n"},
		{"shutdown session xyz", cli.LevelAdmin, "Session pointer expected (use 'show sess').\n\n"},
		{"shutdown session 0xc0ffee", cli.LevelAdmin, "\n"},
		{"show sess", cli.LevelUser, "Permission denied\n\n"},
		{"show sess", cli.LevelOperator, "0xc0ffee: proto=tcpv4 src=127.0.0.1:40000 fe=fe be=be srv=s1 ts=00 epoch=0 age=1m3s calls=3\n\n"},
		{"show sess 0x1", cli.LevelOperator, "Session not found.\n\n"},
		{"clear counters", cli.LevelUser, "Permission denied\n\n"},
		{"clear counters", cli.LevelOperator, "\n"},
		{"clear counters all", cli.LevelOperator, "Permission denied\n\n"},
		{"clear counters all", cli.LevelAdmin, "\n"},
		{"show servers state nope", cli.LevelUser, "Can't find backend.\n\n"},
		{"show servers state be", cli.LevelUser, "1\n" + stats.ServersStateHeader + "\n3 be 1 s1 127.0.0.1 2 0 1 1 0 0 0 0 0 0 0 0 - 28091 - 0 0 - - 0\n\n"},
		{"show backend", cli.LevelUser, "# name\nbe\n\n"},
		{"show stat nope -1 -1", cli.LevelUser, "No such proxy.\n\n"},
		{"show errors nope", cli.LevelOperator, "No such proxy.\n\n"},
		{"show activity", cli.LevelUser, "thread_id: 1 (1..2)\ndate_now: 1795621045.584392\nctxsw: 74 [ 41 33 ]\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.level.String()+" "+tt.line, func(t *testing.T) {
			if got := ask(t, newFakeData(), tt.level, tt.line); got != tt.want {
				t.Errorf("%q at %v answered\n%q\nwant\n%q", tt.line, tt.level, got, tt.want)
			}
		})
	}
}

func TestRuntimeAPIEffects(t *testing.T) {
	d := newFakeData()
	ask(t, d, cli.LevelAdmin, "set server be/s2 state drain; disable server be/s1; set maxconn frontend fe 500; set maxconn server be/s1 7; set maxconn global 0; disable health be/s1")
	if d.servers["s2"].state != StateDrain || d.servers["s1"].state != StateMaint {
		t.Errorf("states = %v, %v; want drain, maint", d.servers["s2"].state, d.servers["s1"].state)
	}
	if d.fe.maxconn != 500 || d.servers["s1"].maxconn != 7 || d.maxconn != 9977 || d.servers["s1"].checkOn {
		t.Errorf("maxconn fe %d srv %d global %d, check %v", d.fe.maxconn, d.servers["s1"].maxconn, d.maxconn, d.servers["s1"].checkOn)
	}
	ask(t, d, cli.LevelAdmin, "enable server be/s1; set server be/s1 health down")
	if d.servers["s1"].state != StateReady || d.servers["s1"].health != HealthDown {
		t.Errorf("s1 state %v health %v; want ready, down", d.servers["s1"].state, d.servers["s1"].health)
	}
	d.servers["s1"].staticWeights = true
	if got := ask(t, d, cli.LevelAdmin, "set server be/s1 weight 3"); got != "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n\n" {
		t.Errorf("static weight answer %q", got)
	}
}

func TestRuntimeAPIStats(t *testing.T) {
	d := newFakeData()
	out := ask(t, d, cli.LevelUser, "show stat")
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "# pxname,svname,qcur,") || !strings.HasPrefix(lines[1], "fe,FRONTEND,") {
		t.Fatalf("show stat = %q", out)
	}
	if strings.Contains(out, "127.0.0.1:28091") || strings.Contains(out, "roundrobin") {
		t.Errorf("user-level show stat shows addresses or algorithms: %q", out)
	}
	if out := ask(t, d, cli.LevelOperator, "show stat"); !strings.Contains(out, ",127.0.0.1:28091,") {
		t.Errorf("operator show stat lacks the server address: %q", out)
	}
	if out := ask(t, d, cli.LevelUser, "show stat -1 4 -1 up"); strings.Contains(out, "be,s2,") || !strings.Contains(out, "be,s1,") {
		t.Errorf("show stat up = %q", out)
	}
	if out := ask(t, d, cli.LevelUser, "show stat typed"); !strings.Contains(out, "S.3.1.7.stot.1:MCP:u64:5\n") {
		t.Errorf("show stat typed = %q", out)
	}
	if out := ask(t, d, cli.LevelUser, "show info"); !strings.HasPrefix(out, "Name: goha\n") || !strings.Contains(out, "\nPid: 4242\n") {
		t.Errorf("show info = %q", out)
	}
	if out := ask(t, d, cli.LevelUser, "show info typed"); !strings.Contains(out, "6.Pid.1:SGP:u32:4242\n") {
		t.Errorf("show info typed = %q", out)
	}
	out = ask(t, d, cli.LevelOperator, "show errors")
	want := "\n[24/Nov/2026:23:22:23.960] frontend fe (#2): invalid request\n  event #0, src 127.0.0.1:40001\n  len 19, error at position 5\n  00000  GET /\\x01 HTTP/1.1\\r\\n\n  00017  \\r\\n\n\n"
	if !strings.HasPrefix(out, "Total events captured on [") || !strings.HasSuffix(out, want) {
		t.Errorf("show errors = %q; want it to end with %q", out, want)
	}
}

func TestHumanTime(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0s", 5 * time.Second: "5s", 63 * time.Second: "1m3s",
		3*time.Hour + 5*time.Second: "3h0m", 26 * time.Hour: "1d2h"} {
		if got := humanTime(d); got != want {
			t.Errorf("humanTime(%v) = %q; want %q", d, got, want)
		}
	}
}
