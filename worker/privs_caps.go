package worker

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Keeping CAP_NET_ADMIN and CAP_NET_RAW across the drop to an unprivileged
// user, as HAProxy does for transparent proxying (`source ... usesrc`):
// PR_SET_KEEPCAPS before setuid keeps the permitted set, then capset
// makes those two effective again. Both act per thread, so they run on
// every thread of the process (AllThreadsSyscall, as Drop's setuid).

// netCaps are the capabilities kept.
const netCaps = 1<<unix.CAP_NET_ADMIN | 1<<unix.CAP_NET_RAW

// keepCapsOnSetuid asks the kernel to keep the permitted capabilities
// across the coming setuid.
func keepCapsOnSetuid() error {
	if _, _, e := syscall.AllThreadsSyscall(syscall.SYS_PRCTL, unix.PR_SET_KEEPCAPS, 1, 0); e != 0 {
		return fmt.Errorf("prctl(PR_SET_KEEPCAPS): %w", e)
	}
	return nil
}

// raiseNetCaps reduces the capabilities to CAP_NET_ADMIN and CAP_NET_RAW,
// permitted and effective, after setuid.
func raiseNetCaps() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{{Effective: netCaps, Permitted: netCaps}}
	_, _, e := syscall.AllThreadsSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	if e != 0 {
		return fmt.Errorf("capset(CAP_NET_ADMIN, CAP_NET_RAW) after setuid: %w", e)
	}
	return nil
}
