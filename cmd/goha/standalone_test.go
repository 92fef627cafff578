package main

import (
	"os"
	"strings"
	"testing"

	"github.com/goha/goha/worker"
)

func TestRefusal(t *testing.T) {
	uid, gid := os.Getuid(), os.Getgid()
	tests := []struct {
		name string
		id   worker.Identity
		want string // substring of the reason, "" = allowed
	}{
		{"nothing dropped", worker.Identity{UID: -1, GID: -1}, ""},
		{"same ids", worker.Identity{UID: uid, GID: gid}, ""},
		{"chroot", worker.Identity{UID: -1, GID: -1, Chroot: "/var/empty"}, `chrooted in "/var/empty"`},
		{"other uid", worker.Identity{UID: uid + 1, GID: -1}, "dropped its privileges"},
		{"other gid", worker.Identity{UID: -1, GID: gid + 1}, "dropped its privileges"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(refusal(tt.id, "/usr/sbin/goha"))
			if tt.want == "" {
				if got != "" {
					t.Fatalf("refused: %s", got)
				}
				return
			}
			if !strings.Contains(got, tt.want) || !strings.Contains(got, "-sf/-x") {
				t.Fatalf("reason %q, want it to mention %q and the alternative", got, tt.want)
			}
		})
	}
}

func TestWithoutEnv(t *testing.T) {
	env := []string{"A=1", tableflipEnv + "=yes", "B=x=y", envDaemonFD + "=3", "C"}
	got := withoutEnv(env, tableflipEnv, envDaemonFD)
	if strings.Join(got, " ") != "A=1 B=x=y C" {
		t.Fatalf("got %q", got)
	}
	if env[1] != tableflipEnv+"=yes" {
		t.Fatal("the input was modified")
	}
}

func TestCheckErrorLines(t *testing.T) {
	e := &checkError{cmd: "goha -c", output: "[ALERT] a\r\n\n  \n[ALERT] b\n"}
	if got := strings.Join(e.lines(), "|"); got != "[ALERT] a|[ALERT] b" {
		t.Fatalf("lines: %q", got)
	}
	if !strings.Contains(e.Error(), "goha -c") {
		t.Fatalf("Error() does not name the command: %s", e.Error())
	}
}

func TestStripTableflipFromPreflight(t *testing.T) {
	// The preflight check must not believe it was started by tableflip.
	t.Setenv(tableflipEnv, "yes")
	for _, kv := range withoutEnv(os.Environ(), tableflipEnv) {
		if strings.HasPrefix(kv, tableflipEnv+"=") {
			t.Fatal("tableflip's marker leaks into the check's environment")
		}
	}
}
