package proxy

import (
	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/check"
	"github.com/goha/goha/proxy/lb"
	"github.com/goha/goha/proxy/stream"
)

// AddServer is `add server BE/NAME ADDR [options]`: words are NAME, ADDR
// and the options. The server is parsed with HAProxy 2.6's rules for
// dynamic servers, added in maintenance, and seen at once by the
// balancer, the stats, `show servers state` and the CLI; its health
// check, if any, is built and runs once the server leaves maintenance.
func (rt *Runtime) AddServer(b *Backend, words []string) (*Server, error) {
	if !lb.DynamicBalance(b.Cfg.Balance) {
		return nil, stream.ErrNotDynamicLB
	}
	sc, err := config.ParseDynamicServer(b.Cfg, words, config.ParseOptions{})
	if err != nil {
		return nil, err
	}
	s, err := b.AddServer(sc)
	if err != nil {
		return nil, err
	}
	if sc.Check {
		if err := rt.addChecker(s); err != nil {
			rt.log.Warn().Msgf("Health check for server %s/%s disabled: %v.", b.Name, s.Name, err)
		}
	}
	rt.log.Info().Msgf("CLI : 'server %s/%s' : New server registered.", b.Name, s.Name)
	return s, nil
}

// addChecker builds a dynamic server's checker, paused while the server
// is in maintenance, and runs it if the generation is checking.
func (rt *Runtime) addChecker(s *Server) error {
	cfg, err := check.FromConfig(s.Backend.Cfg, s.Cfg)
	if err != nil {
		return err
	}
	c, err := rt.newChecker(s, cfg)
	if err != nil {
		return err
	}
	if s.AdminState() == AdminMaint {
		c.Pause()
	}
	s.Health().Chk.Store(c)
	if rt.obs.ctx != nil && rt.obs.ctx.Err() == nil {
		rt.runChecker(s, c, 0)
	}
	return nil
}

// DelServer is `del server BE/NAME`: the server must be in maintenance
// with nothing attached (HAProxy's refusals); its checker stops.
func (rt *Runtime) DelServer(b *Backend, name string) error {
	s, err := b.DelServer(name)
	if err != nil {
		return err
	}
	h := s.Health()
	h.Mu.Lock()
	if h.StopChk != nil {
		h.StopChk()
		h.StopChk = nil
	}
	h.Mu.Unlock()
	rt.log.Info().Msg("CLI : Server deleted.")
	return nil
}
