package sample

import "net"

// Priority is a request's place in its backend's queue, as HAProxy's
// set-priority-class and set-priority-offset set it: a lower Class is
// served first; within a class, Offset (milliseconds) moves the request
// as if it had been queued that much later (or earlier, when negative).
type Priority struct {
	Class, Offset int64
}

// HAProxy's bounds of the class and the offset.
const (
	maxPrioClass  = 2047
	maxPrioOffset = 524287
)

// SetClass sets the class, clamped to HAProxy's -2047..2047.
func (p *Priority) SetClass(v int64) { p.Class = clamp(v, maxPrioClass) }

// SetOffset sets the offset, clamped to HAProxy's -524287..524287 ms.
func (p *Priority) SetOffset(v int64) { p.Offset = clamp(v, maxPrioOffset) }

func clamp(v, m int64) int64 {
	switch {
	case v > m:
		return m
	case v < -m:
		return -m
	}
	return v
}

// NetConn returns the client connection Init was given (nil when none,
// or after SetLocal): the socket set-mark and set-tos act on.
func (s *Conn) NetConn() net.Conn { return s.conn }

// The prio_class and prio_offset fetches.
var prioFetches = []fetchKw{
	{"prio_class", fixed(func(x *Ctx, _ *fetchArgs, v *smpVal) bool { return prioFetch(x, v, false) })},
	{"prio_offset", fixed(func(x *Ctx, _ *fetchArgs, v *smpVal) bool { return prioFetch(x, v, true) })},
}

func init() { registerFetches(prioFetches) }

// prioFetch reads the request's priority class, or its offset.
func prioFetch(x *Ctx, v *smpVal, offset bool) bool {
	if x.Conn == nil {
		return false
	}
	v.t, v.i = stInt, x.Conn.Prio.Class
	if offset {
		v.i = x.Conn.Prio.Offset
	}
	return true
}
