package worker

// ServerConns is `show servers conn` (ServerConns): the servers of one
// backend ("" for all) in config order.
func (d *rtData) ServerConns(backend string) ([]ServerConn, error) {
	var out []ServerConn
	found := backend == ""
	for _, b := range d.rt.Backends() {
		if backend != "" && b.Name != backend {
			continue
		}
		found = true
		for _, s := range b.ServerList() {
			used, max, idle := s.ConnUse()
			a, port := (&rtServer{s: s}).Addr()
			out = append(out, ServerConn{Backend: b.Name, Server: s.Name, BackendID: b.Cfg.ID, ServerID: s.ID,
				Addr: a.String(), Port: port, Used: used, UsedMax: max, Idle: idle})
		}
	}
	if !found {
		return nil, ErrNoSuchBackend
	}
	return out, nil
}
