package proxy

import "crypto/tls"

// checkTLS is the TLS of a server's health checks: with `check-ssl`, or
// `ssl` on the server, the check handshakes with the server's TLS
// settings, `check-sni` as the server name and `check-alpn` as ALPN;
// nil for plain checks.
func (rt *Runtime) checkTLS(s *Server) *tls.Config {
	if !s.Cfg.SSL && !s.Cfg.CheckSSL {
		return nil
	}
	built := rt.Options().TLS
	if built == nil || built.Clients[s.Cfg] == nil {
		return nil
	}
	cl := built.Clients[s.Cfg]
	c := cl.Config(cl.CheckSNI).Clone()
	if len(cl.CheckALPN) > 0 {
		c.NextProtos = cl.CheckALPN
	}
	return c
}
