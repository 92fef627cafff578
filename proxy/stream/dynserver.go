package stream

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/lb"
)

// Dynamic servers: `add server` and `del server` on the runtime API change
// a backend's server list while sessions read it. The list is copy on
// write: ServerList returns the current slice, which is never modified
// (an add or a delete stores a new one), so readers need no lock.
// Backend.Servers stays the list built at start-up.

// dynServers is a backend's run-time server list.
type dynServers struct {
	mu   sync.Mutex // serialises add and delete
	list atomic.Pointer[[]*Server]
}

func (b *Backend) dyn() *dynServers { return &b.dynamic }

// ServerList returns the backend's servers now, in declaration order
// then order of addition: Backend.Servers plus the servers added at run
// time, minus those deleted. The slice must not be modified.
func (b *Backend) ServerList() []*Server {
	if l := b.dynamic.list.Load(); l != nil {
		return *l
	}
	return b.Servers
}

// Errors of AddServer and DelServer, in HAProxy 2.6's words.
var (
	ErrServerExists  = errors.New("Already exists a server with the same name in backend.")
	ErrNotDynamicLB  = errors.New("Backend must use a dynamic load balancing to support dynamic servers.")
	ErrDelNotInMaint = errors.New("Only servers in maintenance mode can be deleted.")
	ErrDelHasConns   = errors.New("Server still has connections attached to it, cannot remove it.")
	ErrDelHasQueue   = errors.New("Server has streams in its queue, cannot remove it.")
)

// AddServer adds a server built from sc (config.ParseDynamicServer) to
// the backend, in maintenance as HAProxy starts dynamic servers: it takes
// traffic once enabled (`enable server`, `set server ... state ready`).
func (b *Backend) AddServer(sc *config.Server) (*Server, error) {
	live, ok := b.bal.(*lb.Live)
	if !ok || !lb.DynamicBalance(b.Cfg.Balance) {
		return nil, ErrNotDynamicLB
	}
	d := b.dyn()
	d.mu.Lock()
	defer d.mu.Unlock()
	cur := b.ServerList()
	used := map[int]bool{}
	for _, s := range cur {
		if s.Name == sc.Name {
			return nil, ErrServerExists
		}
		used[s.ID] = true
	}
	s := &Server{Name: sc.Name, ID: sc.ID, Backend: b, Cfg: sc}
	if s.ID == 0 {
		for s.ID = 1; used[s.ID]; s.ID++ {
		}
	} else if used[s.ID] {
		return nil, fmt.Errorf("'server %s/%s' : custom id %d already used", b.Name, sc.Name, sc.ID)
	}
	if err := s.initAddr(); err != nil {
		return nil, err
	}
	w := sc.Weight
	if w < 0 {
		w = 1
	}
	s.weight.Store(int32(w))
	s.maxconn.Store(int64(sc.Maxconn))
	s.checkUp.Store(true)
	s.admin.Store(int32(AdminMaint))
	s.lbs = lb.Server{Name: sc.Name, ID: s.ID, Backup: sc.Backup, Maxconn: sc.Maxconn}
	now := time.Now()
	s.hc = newHealth(now)
	s.hc.DownSince.Store(now.UnixNano())
	if err := live.Add(&s.lbs, w, false); err != nil {
		return nil, err
	}
	next := append(append(make([]*Server, 0, len(cur)+1), cur...), s)
	d.list.Store(&next)
	return s, nil
}

// initAddr sets a new server's address from its configuration.
func (s *Server) initAddr() error {
	sc := s.Cfg
	if sc.Unix != "" {
		s.addr.Store(&srvAddr{network: "unix", addr: sc.Unix})
		return nil
	}
	a, err := netip.ParseAddr(sc.Addr)
	if err != nil {
		return fmt.Errorf("'server %s/%s' : invalid address: '%s'", s.Backend.Name, sc.Name, sc.Addr)
	}
	ap := netip.AddrPortFrom(a.Unmap(), uint16(sc.Port))
	s.addr.Store(&srvAddr{network: "tcp", addr: ap.String(), ap: ap})
	return nil
}

// DelServer removes the server named name, which must be in maintenance
// with no connection, queued request or idle pooled connection left
// (HAProxy's rules). It returns the server removed.
func (b *Backend) DelServer(name string) (*Server, error) {
	d := b.dyn()
	d.mu.Lock()
	defer d.mu.Unlock()
	cur := b.ServerList()
	i := -1
	for j, s := range cur {
		if s.Name == name {
			i = j
		}
	}
	if i < 0 {
		return nil, errors.New("No such server.")
	}
	s := cur[i]
	if s.AdminState() != AdminMaint {
		return nil, ErrDelNotInMaint
	}
	if s.lbs.Conns() > 0 || s.Scur.Load() > 0 {
		return nil, ErrDelHasConns
	}
	b.qmu.Lock()
	queued := false
	for _, w := range b.waiters {
		if w.target == s {
			queued = true
		}
	}
	b.qmu.Unlock()
	if queued {
		return nil, ErrDelHasQueue
	}
	s.purgeIdle(0)
	next := append(append(make([]*Server, 0, len(cur)-1), cur[:i]...), cur[i+1:]...)
	d.list.Store(&next)
	return s, nil
}
