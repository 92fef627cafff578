package stream

import (
	"net"
	"time"
	"unsafe"
)

// SessionView is one live session as `show sess` lists it.
type SessionView struct {
	// ID identifies the session while it lives (`shutdown session`).
	ID       uint64
	Proto    string // tcpv4, tcpv6, unix_stream
	Src      string
	Frontend string
	// Backend and Server are where a TCP session is connected ("" before
	// it is, and for HTTP sessions, whose target changes per request).
	Backend, Server string
	// Age is how long ago the connection was accepted (0 if unknown).
	Age time.Duration
	// Detail is what `show sess <id>` adds (sessdetail.go).
	Detail SessionDetail
}

func sessionID(s sessionCloser) uint64 {
	switch v := s.(type) {
	case *httpSession:
		return uint64(uintptr(unsafe.Pointer(v)))
	case *tcpSession:
		return uint64(uintptr(unsafe.Pointer(v)))
	case *h2Session:
		return uint64(uintptr(unsafe.Pointer(v)))
	}
	return 0
}

// protoOf names a client address' protocol and itself for show sess.
func protoOf(a net.Addr) (proto, src string) {
	switch t := a.(type) {
	case *net.TCPAddr:
		if t.IP.To4() != nil {
			return "tcpv4", t.String()
		}
		return "tcpv6", t.String()
	case *net.UnixAddr:
		return "unix_stream", "unix:" + t.Name
	}
	if a == nil {
		return "?", "?"
	}
	return "?", a.String()
}

// Sessions lists the live sessions, reading only what never changes
// during a session's life (so it races with nothing): the client's
// address, not its connection, which a mode tcp session may replace.
func (rt *Process) Sessions() []SessionView {
	now := time.Now()
	rt.smu.Lock()
	out := make([]SessionView, 0, len(rt.sessions))
	for s := range rt.sessions {
		v := SessionView{ID: sessionID(s)}
		switch t := s.(type) {
		case *httpSession:
			v.Proto, v.Src = protoOf(t.c.RemoteAddr())
			v.Frontend = t.f.Name
			if srv := t.served.Load(); srv != nil {
				v.Backend, v.Server = srv.Backend.Name, srv.Name
			}
			v.Age = now.Sub(t.accepted)
			v.detail(t.f, t.served.Load(), t.accepted, t.c.LocalAddr())
		case *tcpSession:
			v.Proto, v.Src = protoOf(t.peer)
			v.Frontend = t.f.Name
			if srv := t.served.Load(); srv != nil {
				v.Backend, v.Server = srv.Backend.Name, srv.Name
			}
			v.Age = now.Sub(t.accepted)
			v.detail(t.f, t.served.Load(), t.accepted, nil)
		case *h2Session:
			v.Proto, v.Src = protoOf(t.c.RemoteAddr())
			v.Frontend = t.f.Name
			v.Age = now.Sub(t.accepted)
		}
		out = append(out, v)
	}
	rt.smu.Unlock()
	return out
}

// ShutdownSession kills the session with that id (`shutdown session`);
// false when there is none.
func (rt *Process) ShutdownSession(id uint64) bool {
	rt.smu.Lock()
	var found sessionCloser
	for s := range rt.sessions {
		if sessionID(s) == id {
			found = s
			break
		}
	}
	rt.smu.Unlock()
	if found == nil {
		return false
	}
	found.kill()
	return true
}
