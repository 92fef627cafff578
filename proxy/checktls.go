package proxy

import "crypto/tls"

// checkTLS is the TLS of a server's health checks: with `check-ssl`, or
// `ssl` on the server when the checks go to its own address and port
// (HAProxy does not carry `ssl` over to a check `port` or `addr`), the
// check handshakes with the server's TLS settings, `check-sni` as the
// server name and `check-alpn` as ALPN; nil for plain checks.
func (rt *Runtime) checkTLS(s *Server) *tls.Config {
	own := s.Cfg.CheckPort == 0 && s.Cfg.CheckAddr == ""
	if !s.Cfg.CheckSSL && !(s.Cfg.SSL && own) {
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
