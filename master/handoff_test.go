package master

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/worker"
)

// writeState puts a state document in a memfd and points the handoff
// variable at it, as a previous image would.
func writeState(t *testing.T, doc string) {
	t.Helper()
	fd, err := unix.MemfdCreate("test-state", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.Write(fd, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envHandoff, strconv.Itoa(fd))
}

func TestLoadHandoff(t *testing.T) {
	st := masterState{Version: stateVersion, CurGen: 3, NextGen: 4, Reloads: 3, Failed: 1,
		Sockets: []sockRec{{Key: "tcp:127.0.0.1:80", FD: 7}},
		Procs:   []procRec{{Pid: 42, Gen: 3, RelNum: 1, IPC: 9, Version: "x"}},
		Signals: []int{12}}
	doc, _ := json.Marshal(st)
	tests := []struct {
		name string
		doc  string
		err  string
	}{
		{"current version", string(doc), ""},
		{"other version", `{"version": 99}`, "master state version 99, this binary speaks 1"},
		{"garbage", `{"version": `, "decode master state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeState(t, tt.doc)
			got, err := loadHandoff()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("loadHandoff() error = %v; want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadHandoff() error = %v", err)
			}
			if got.CurGen != 3 || got.Reloads != 3 || got.Failed != 1 || len(got.Procs) != 1 || got.Procs[0].Pid != 42 || got.Sockets[0].Key != "tcp:127.0.0.1:80" || got.Signals[0] != 12 {
				t.Errorf("loadHandoff() = %+v", got)
			}
		})
	}
}

func TestNoHandoffMeansFirstStart(t *testing.T) {
	t.Setenv(envHandoff, "")
	st, err := loadHandoff()
	if st != nil || err != nil {
		t.Fatalf("loadHandoff() = %v, %v; want nil, nil", st, err)
	}
}

// TestCarryReloadOnce: reload signals pending at the exec and a reload
// queued by the loop are carried as one reload, other signals as they
// are (TestSIGUSR2DuringReloadIsNotLost saw a third reload when a
// SIGUSR2 still pending at the exec was carried beside the queued one).
func TestCarryReloadOnce(t *testing.T) {
	usr2, hup, term, usr1 := int(syscall.SIGUSR2), int(syscall.SIGHUP), int(syscall.SIGTERM), int(syscall.SIGUSR1)
	for _, tc := range []struct {
		carried []int
		queued  bool
		want    []int
	}{
		{nil, false, []int{}},
		{nil, true, []int{usr2}},
		{[]int{usr2}, true, []int{usr2}},
		{[]int{usr2, hup, usr2}, false, []int{usr2}},
		{[]int{usr1, usr2, term}, true, []int{usr1, term, usr2}},
	} {
		got := carryReloadOnce(tc.carried, tc.queued)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("carryReloadOnce(%v, %v) = %v, want %v", tc.carried, tc.queued, got, tc.want)
		}
	}
}

// validState is a re-exec state as a master with one worker, one socket
// and one waiting `reload` client writes it.
func validState() masterState {
	return masterState{Version: stateVersion, CurGen: 3, NextGen: 4, Reloads: 3, Failed: 1,
		Sockets: []sockRec{{Key: "tcp:127.0.0.1:80", FD: 7}},
		Procs:   []procRec{{Pid: 42, Gen: 3, RelNum: 1, IPC: 9, Version: "x"}},
		Replies: []int{11}, Signals: []int{12}}
}

// TestDecodeStateRefuses: a state adopt would misread is refused before
// any descriptor is touched (the master then rolls back).
func TestDecodeStateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*masterState)
		want string
	}{
		{"stdin as a socket", func(s *masterState) { s.Sockets[0].FD = 0 }, "has descriptor 0"},
		{"one fd twice", func(s *masterState) { s.Procs[0].IPC = 7 }, "descriptor 7 is both"},
		{"reply on a worker's fd", func(s *masterState) { s.Replies = []int{9} }, "descriptor 9 is both"},
		{"socket key twice", func(s *masterState) { s.Sockets = append(s.Sockets, sockRec{Key: s.Sockets[0].Key, FD: 8}) }, "listed twice"},
		{"empty key", func(s *masterState) { s.Sockets[0].Key = "" }, "empty"},
		{"PID 0", func(s *masterState) { s.Procs[0].Pid = 0 }, "bad or repeated PID"},
		{"PID twice", func(s *masterState) { s.Procs = append(s.Procs, procRec{Pid: 42, IPC: 10}) }, "bad or repeated PID"},
		{"negative reloads", func(s *masterState) { s.Reloads = -1 }, "negative counter"},
		{"signal 0", func(s *masterState) { s.Signals = []int{0} }, "signal 0"},
		{"zero ticket keys", func(s *masterState) { s.TicketKeys = &worker.TicketKeys{} }, "key 0 is all zeros"},
	} {
		st := validState()
		tc.edit(&st)
		doc, _ := json.Marshal(st)
		if _, err := decodeState(doc); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: decodeState() error = %v; want %q", tc.name, err, tc.want)
		}
	}
	doc, _ := json.Marshal(validState())
	if _, err := decodeState(doc); err != nil {
		t.Errorf("decodeState(valid) = %v", err)
	}
}

// FuzzDecodeState feeds arbitrary bytes to the re-exec state decoder: it
// must never panic, and a state it accepts passes its checks and reads
// the same once encoded again.
func FuzzDecodeState(f *testing.F) {
	doc, _ := json.Marshal(validState())
	f.Add(doc)
	f.Add([]byte(`{"version":1,"sockets":[{"key":"k","fd":3},{"key":"j","fd":3}]}`))
	f.Add([]byte(`{"version":1,"procs":[{"pid":1,"ipc":-1}],"signals":[99]}`))
	f.Add([]byte(`{"version":1,"sources":[{"Name":"a.cfg","Data":"Z2xvYmFs"}],"replies":[5,5]}`))
	f.Add([]byte(`{"version":1,"ticket_keys":"` + strings.Repeat("AAAA", 32) + `","tickets_rotated":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decodeState(data)
		if err != nil {
			return
		}
		if err := st.check(); err != nil {
			t.Fatalf("decodeState accepted a state its check refuses: %v", err)
		}
		again, err := json.Marshal(st)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		st2, err := decodeState(again)
		if err != nil {
			t.Fatalf("decodeState(encode(decodeState(x))) = %v", err)
		}
		if a, b := fmt.Sprintf("%+v", st), fmt.Sprintf("%+v", st2); a != b {
			t.Fatalf("state changed across a re-encode:\n%s\n%s", a, b)
		}
	})
}
