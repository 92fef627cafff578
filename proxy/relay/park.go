package relay

import "sync/atomic"

// Parkable is an idle session the parking lot can hold: an HTTP
// keep-alive connection waiting for its next request.
type Parkable interface {
	// Control runs f with the client socket's descriptor (as
	// syscall.RawConn's Control does).
	Control(f func(fd uintptr)) error
	// Parking returns the session's parking state.
	Parking() *Parking
	// Unpark takes the session up again on a new goroutine if it is
	// still parked (Parking.TakeUp); the lot calls it when the client
	// sends, closes, or the deadline passes.
	Unpark()
}

// Parking is a session's parking state, kept in the session (its zero
// value: never parked): its slot in the lot, and whether it is parked.
type Parking struct {
	slot   int32 // the lot's slot + 1 (0: none yet); the session's goroutine only
	parked atomic.Bool
}

// TakeUp reports whether the session was parked and marks it not
// parked: the caller that gets true owns the session (it resumes it).
func (k *Parking) TakeUp() bool {
	return k.parked.CompareAndSwap(true, false)
}

// Parked reports whether the session is parked (it holds no goroutine).
func (k *Parking) Parked() bool {
	return k.parked.Load()
}
