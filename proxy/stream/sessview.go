package stream

// ShutdownServerSessions kills every session connected to srv (`shutdown
// sessions server BE/S`) and returns how many.
func (rt *Process) ShutdownServerSessions(srv *Server) int {
	var kill []sessionCloser
	rt.smu.Lock()
	for s := range rt.sessions {
		if t, ok := s.(*tcpSession); ok && t.served.Load() == srv {
			kill = append(kill, s)
		}
		if h, ok := s.(*httpSession); ok && h.served.Load() == srv {
			kill = append(kill, s)
		}
	}
	rt.smu.Unlock()
	for _, s := range kill {
		s.kill()
	}
	return len(kill)
}
