package stream

// agentStatus is the `show stat` status an agent check gives the server,
// as HAProxy 2.6 words it: "DOWN (agent)" when the agent took it down,
// "DRAIN (agent)" when it is up and draining; false otherwise (and
// without an agent check).
func (s *Server) agentStatus() (string, bool) {
	a := s.hc.Agent.Load()
	if a == nil {
		return "", false
	}
	switch up := s.CheckUp(); {
	case !up && !a.Snapshot().Up:
		return "DOWN (agent)", true
	case up && s.AdminState() == AdminDrain:
		return "DRAIN (agent)", true
	}
	return "", false
}
