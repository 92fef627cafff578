package relay

import "sync"

// Owner is the session a Relay moves bytes for (a mode tcp session).
type Owner interface {
	// Lock and Unlock are the session's lock: Start takes the
	// connections' descriptors under it, the loop closes them under it,
	// and a kill calls ShutdownLocked under it.
	sync.Locker
	// Killed reports whether the session was killed: its relay then ends
	// with termination state KD.
	Killed() bool
	// Finish ends the session: in and out are the bytes from and to the
	// client, term the termination state. It runs on the loop goroutine
	// and must not block.
	Finish(in, out int64, term [2]byte)
}
