package worker

// AddServer is `add server`: words are NAME, ADDR and the options.
func (d *rtData) AddServer(backend string, words []string) error {
	b := d.findBackend(backend)
	if b == nil {
		return ErrNoSuchBackend
	}
	_, err := d.rt.AddServer(b, words)
	return err
}

// DelServer is `del server`.
func (d *rtData) DelServer(backend, server string) error {
	b := d.findBackend(backend)
	if b == nil {
		return ErrNoSuchBackend
	}
	return d.rt.DelServer(b, server)
}

// ShutdownServerSessions is `shutdown sessions server`.
func (d *rtData) ShutdownServerSessions(backend, server string) error {
	b := d.findBackend(backend)
	if b == nil {
		return ErrNoSuchBackend
	}
	s := b.FindServer(server)
	if s == nil {
		return ErrNoSuchServer
	}
	d.rt.ShutdownServerSessions(s)
	return nil
}
