package stream

import "net/netip"

// ResolvMaint reports whether the server is in resolution maintenance
// (HAProxy's RMAINT, admin state bit 0x20): its resolvers gave it no
// address, so it takes no traffic. It is distinct from the CLI's
// maintenance (AdminMaint): `set server ... state ready` does not end
// it, an answer with an address does.
func (s *Server) ResolvMaint() bool { return s.rmaint.Load() }

// SetResolvMaint enters (true) or leaves resolution maintenance.
// Entering it forgets the address (the server shows none, as HAProxy's
// do) and closes the idle pooled connections; connections carrying a
// request finish on their own. It reports whether the state changed.
func (s *Server) SetResolvMaint(on bool) bool {
	if s.rmaint.Swap(on) == on {
		return false
	}
	if on {
		if a := s.addr.Load(); a.network == "tcp" {
			s.addr.Store(&srvAddr{network: "tcp"})
		}
		s.purgeIdle(0)
	}
	s.refreshUsable()
	return true
}

// AddrPort returns the server's TCP address (invalid for a unix socket
// or a server without an address).
func (s *Server) AddrPort() netip.AddrPort { return s.addr.Load().ap }
