package worker

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"github.com/goha/goha/internal/nnp"

	"github.com/goha/goha/config"
)

// Identity is what a worker drops to: resolved numeric ids (-1 = keep).
type Identity struct {
	UID, GID int
	Chroot   string
	// NoFile is the RLIMIT_NOFILE to set (0 = leave it).
	NoFile uint64
	// KeepNewPrivs is `insecure-setuid-wanted`.
	KeepNewPrivs bool
	// KeepNetAdmin keeps CAP_NET_ADMIN and CAP_NET_RAW after the uid
	// change (transparent proxying, privs_caps.go).
	KeepNetAdmin bool
}

// ResolveIdentity turns the global section's uid/gid/user/group/chroot
// and limits into an Identity. It must run before any chroot, while
// /etc/passwd and /etc/group are reachable.
func ResolveIdentity(g config.Global) (Identity, error) {
	id := Identity{UID: g.UID, GID: g.GID, Chroot: g.Chroot, KeepNewPrivs: g.InsecureSetuidWanted, KeepNetAdmin: g.Privs.NetAdmin}
	if g.UID == 0 && g.User == "" {
		id.UID = -1
	}
	if g.GID == 0 && g.Group == "" {
		id.GID = -1
	}
	if g.User != "" {
		u, err := user.Lookup(g.User)
		if err != nil {
			return id, fmt.Errorf("cannot find user id for '%s' (%v)", g.User, err)
		}
		id.UID, _ = strconv.Atoi(u.Uid)
		if id.GID < 0 && g.Group == "" {
			// HAProxy only changes the group when one is configured.
		}
	}
	if g.Group != "" {
		gr, err := user.LookupGroup(g.Group)
		if err != nil {
			return id, fmt.Errorf("cannot find group id for '%s' (%v)", g.Group, err)
		}
		id.GID, _ = strconv.Atoi(gr.Gid)
	}
	switch {
	case g.UlimitN > 0:
		id.NoFile = uint64(g.UlimitN)
	case g.Maxconn > 0:
		// Two descriptors per proxied connection, plus listeners, logs,
		// checks and the CLI: HAProxy's own estimate is of this shape.
		id.NoFile = uint64(2*g.Maxconn + 1000)
	}
	return id, nil
}

// Drop applies the identity to the whole process, in HAProxy's order:
// file limit, chroot, supplementary groups, gid, uid, then no_new_privs.
// Go's syscall.Setgroups/Setgid/Setuid act on every thread (they use
// AllThreadsSyscall), and no_new_privs is set with AllThreadsSyscall6 too:
// x/sys/unix's Setgroups and Prctl act on the calling thread only.
func Drop(id Identity) error {
	root := os.Geteuid() == 0
	if !root && (id.Chroot != "" || (id.UID >= 0 && id.UID != os.Getuid()) || (id.GID >= 0 && id.GID != os.Getgid())) {
		return fmt.Errorf("the configuration asks for chroot/uid/gid changes, which need goha to be started as root (running as uid %d)", os.Geteuid())
	}
	if id.NoFile > 0 {
		var lim syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		want := syscall.Rlimit{Cur: id.NoFile, Max: lim.Max}
		if id.NoFile > lim.Max {
			want.Max = id.NoFile
		}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			// Not fatal, as in HAProxy without strict-limits.
			want.Cur, want.Max = lim.Max, lim.Max
			syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want)
		}
	}
	if id.Chroot != "" {
		if err := syscall.Chroot(id.Chroot); err != nil {
			return fmt.Errorf("Cannot chroot(%s): %w", id.Chroot, err)
		}
		if err := syscall.Chdir("/"); err != nil {
			return fmt.Errorf("Cannot chdir(/) after chroot(%s): %w", id.Chroot, err)
		}
	}
	if root && (id.GID >= 0 || id.UID >= 0) {
		if err := syscall.Setgroups([]int{}); err != nil {
			return fmt.Errorf("cannot drop supplementary groups: %w", err)
		}
	}
	if id.GID >= 0 {
		if err := syscall.Setgid(id.GID); err != nil {
			return fmt.Errorf("Cannot set gid %d: %w", id.GID, err)
		}
	}
	keepNet := root && id.UID > 0 && id.KeepNetAdmin
	if keepNet {
		if err := keepCapsOnSetuid(); err != nil {
			return err
		}
	}
	if id.UID >= 0 {
		if err := syscall.Setuid(id.UID); err != nil {
			return fmt.Errorf("Cannot set uid %d: %w", id.UID, err)
		}
	}
	if keepNet {
		if err := raiseNetCaps(); err != nil {
			return err
		}
	}
	if !id.KeepNewPrivs {
		if err := nnp.Ensure(); err != nil {
			return fmt.Errorf("cannot set no_new_privs on every thread: %w", err)
		}
	}
	return nil
}
