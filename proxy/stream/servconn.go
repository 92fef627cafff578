package stream

// ConnUse is a server's connection use for `show servers conn`: the
// connections in use now and at most, and the idle pooled ones.
func (s *Server) ConnUse() (used, usedMax, idle int) {
	s.pmu.Lock()
	idle = len(s.idle)
	s.pmu.Unlock()
	return int(s.Scur.Load()), int(s.Smax.Load()), idle
}
