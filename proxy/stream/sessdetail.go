package stream

import (
	"net"
	"time"
)

// SessionDetail is what `show sess <id>` shows beyond the list line: the
// proxies' and server's numbers and addresses, and when it began.
type SessionDetail struct {
	Accepted   time.Time
	FrontendID int
	Mode       string // "tcp" or "http"
	Listener   string // the local address the client reached ("" if unknown)
	BackendID  int    // -1 when none
	ServerID   int    // -1 when none
	ServerAddr string
}

// detail fills v.Detail from the session's frontend and server.
func (v *SessionView) detail(f *Frontend, srv *Server, accepted time.Time, local net.Addr) {
	d := &v.Detail
	d.Accepted, d.FrontendID, d.Mode = accepted, f.Cfg.ID, f.mode.String()
	d.BackendID, d.ServerID = -1, -1
	if local != nil {
		d.Listener = local.String()
	}
	if srv != nil {
		d.BackendID, d.ServerID = srv.Backend.Cfg.ID, srv.ID
		if a := srv.addr.Load(); a != nil {
			d.ServerAddr = a.addr
		}
	}
}
