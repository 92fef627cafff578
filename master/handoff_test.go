package master

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
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
