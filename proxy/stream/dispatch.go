package stream

import (
	"net/netip"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/lb"
)

// nosrv is the server name HAProxy logs for traffic sent to a backend's
// dispatch address.
const nosrv = "<NOSRV>"

// initDispatch sets up `dispatch ADDR:PORT`: a backend without servers
// sends every connection there, through a server of its own that the
// balancer, the stats and the checks do not know (HAProxy ignores
// dispatch in a backend that has servers).
func (b *Backend) initDispatch() {
	ap, err := netip.ParseAddrPort(b.Cfg.Traffic.Dispatch)
	if err != nil || len(b.Servers) > 0 {
		return
	}
	s := &Server{Name: nosrv, Backend: b, Cfg: &config.Server{Name: nosrv, Addr: ap.Addr().String(), Port: int(ap.Port()), Weight: 1}}
	s.addr.Store(&srvAddr{network: "tcp", addr: ap.String(), ap: ap})
	s.weight.Store(1)
	s.checkUp.Store(true)
	s.lbs = lb.Server{Name: nosrv}
	b.dispatch = s
}
