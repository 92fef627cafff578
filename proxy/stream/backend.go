package stream

import (
	"context"
	"fmt"
	"github.com/goha/goha/proxy/rules"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/lb"
)

// AdminState is a server's administrative state, set from the runtime API.
type AdminState int32

// Administrative states (`set server be/srv state ready|drain|maint`).
const (
	AdminReady AdminState = iota
	AdminDrain
	AdminMaint
)

func (a AdminState) String() string {
	switch a {
	case AdminDrain:
		return "drain"
	case AdminMaint:
		return "maint"
	}
	return "ready"
}

// Backend is a backend (or the backend half of a listen section): its
// servers, balancer, queue and counters.
type Backend struct {
	// Name is the section name; Cfg the parsed section (read-only).
	Name string
	Cfg  *config.Proxy
	// Counters are the backend's statistics.
	Counters
	// filters see every HTTP request of the backend, after the
	// frontend's (filter.go).
	filters []Filter
	// Servers are in declaration order: the servers at start-up. Use
	// ServerList for the servers now (dynserver.go).
	Servers []*Server
	dynamic dynServers // servers added and deleted at run time
	// tlsSNI: a server's `sni` expression reads the stream (srvtls.go).
	tlsSNI bool
	// dispatch is `dispatch`'s target (dispatch.go), nil without one.
	dispatch *Server

	rt      *Process
	bal     lb.Balancer
	mode    config.Mode
	retries int
	errs    map[int][]byte // errorfile pages by status

	qmu      sync.Mutex
	waiters  []*waiter    // requests waiting for a server slot, oldest first (queue.go)
	targeted int          // how many of them wait for one given server
	waiting  atomic.Int64 // len(waiters), read without the lock

	hc *BackendHealth // state changes (checks.go)

	rspErr errCapture // last invalid response (show errors)

	stk *beStick       // stick on/match/store rules (stick.go)
	ck  *cookiePersist // cookie persistence (cookie.go)

	fcgi *fcgiBackend // use-fcgi-app (fcgi.go)
}

// Server is one `server` line with its live state. It must not be copied.
type Server struct {
	// Name is the server's name; ID its sid; Backend its backend.
	Name    string
	ID      int
	Backend *Backend
	// Cfg is the parsed server line (read-only).
	Cfg *config.Server
	// Counters are the server's statistics (Scur counts requests or
	// connections currently served).
	Counters

	lbs     lb.Server
	addr    atomic.Pointer[srvAddr]
	admin   atomic.Int32
	checkUp atomic.Bool
	rmaint  atomic.Bool  // resolution maintenance: DNS gave no address (resolved.go)
	weight  atomic.Int32 // configured/current user weight (for the CLI)
	maxconn atomic.Int64 // 0 = unlimited

	// idle pooled connections (HTTP), most recent last
	pmu  sync.Mutex
	idle []*srvConn

	hc *Health // checks and state changes (checks.go)

	h2p *h2Pool    // `proto h2`: the HTTP/2 connections (h2back.go)
	tls *serverTLS // `ssl`: connections are TLS (srvtls.go); nil: plain
}

// srvAddr is a server's current address.
type srvAddr struct {
	network string // tcp or unix
	addr    string // host:port or path
	ap      netip.AddrPort
}

// Addr returns the server's current address as "ip:port" (or the socket
// path).
func (s *Server) Addr() string { return s.addr.Load().addr }

// AdminState returns the server's administrative state.
func (s *Server) AdminState() AdminState { return AdminState(s.admin.Load()) }

// SetAdminState changes the administrative state: ready takes traffic,
// drain and maint take no new load-balanced traffic (maint also closes
// the server's idle pooled connections).
func (s *Server) SetAdminState(a AdminState) {
	s.admin.Store(int32(a))
	s.refreshUsable()
	if a == AdminMaint {
		s.purgeIdle(0)
	}
}

// SetCheckUp records the health-check verdict (the check package calls
// it); a down server takes no new load-balanced traffic.
func (s *Server) SetCheckUp(up bool) {
	s.checkUp.Store(up)
	s.refreshUsable()
}

// CheckUp reports the last health-check verdict (true without checks).
func (s *Server) CheckUp() bool { return s.checkUp.Load() }

func (s *Server) refreshUsable() {
	s.Backend.bal.SetUsable(&s.lbs, s.AdminState() == AdminReady && s.checkUp.Load() && !s.rmaint.Load())
	s.Backend.kickQueue()
}

// Usable reports whether the server takes new load-balanced traffic.
func (s *Server) Usable() bool { return s.lbs.Usable() }

// Weight returns the server's current weight.
func (s *Server) Weight() int { return int(s.weight.Load()) }

// SetWeight sets the server's weight (0..256).
func (s *Server) SetWeight(w int) error {
	if w < 0 || w > lb.MaxWeight {
		return fmt.Errorf("weight %d out of range 0..%d", w, lb.MaxWeight)
	}
	s.weight.Store(int32(w))
	s.Backend.bal.SetWeight(&s.lbs, w)
	s.Backend.kickQueue()
	return nil
}

// Maxconn returns the server's maxconn (0 = unlimited).
func (s *Server) Maxconn() int { return int(s.maxconn.Load()) }

// SetMaxconn changes the server's maxconn (0 = unlimited).
func (s *Server) SetMaxconn(n int) {
	s.maxconn.Store(int64(n))
	s.lbs.SetMaxconn(n)
	s.Backend.kickQueue()
}

// SetAddr changes the server's address; port 0 keeps the current port.
// Idle pooled connections to the old address are closed.
func (s *Server) SetAddr(ip string, port int) error {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return fmt.Errorf("server %s/%s: invalid address %q: %w", s.Backend.Name, s.Name, ip, err)
	}
	if port == 0 {
		port = int(s.addr.Load().ap.Port())
	}
	if port <= 0 || port > 65535 {
		return fmt.Errorf("server %s/%s: invalid port %d", s.Backend.Name, s.Name, port)
	}
	ap := netip.AddrPortFrom(a, uint16(port))
	s.addr.Store(&srvAddr{network: "tcp", addr: ap.String(), ap: ap})
	s.purgeIdle(0)
	return nil
}

// FindServer returns the server named name, or nil.
func (b *Backend) FindServer(name string) *Server {
	for _, s := range b.ServerList() {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Mode returns the backend's mode.
func (b *Backend) Mode() config.Mode { return b.mode }

// ActiveServers counts usable non-backup servers; BackupServers usable
// backup ones (for the stats' act/bck columns).
func (b *Backend) ActiveServers() (act, bck int) {
	for _, s := range b.ServerList() {
		if s.Usable() {
			if s.Cfg.Backup {
				bck++
			} else {
				act++
			}
		}
	}
	return
}

func newBackend(rt *Process, p *config.Proxy) (*Backend, error) {
	b := &Backend{Name: p.Name, Cfg: p, rt: rt, mode: p.Mode, retries: p.Retries}
	if b.retries < 0 {
		b.retries = 3
	}
	lbs := make([]*lb.Server, 0, len(p.Servers))
	weights := make([]int, 0, len(p.Servers))
	var err error
	for i, sc := range p.Servers {
		s := &Server{Name: sc.Name, ID: sc.ID, Backend: b, Cfg: sc}
		if sc.Proto == config.ProtoH2 {
			s.h2p = &h2Pool{}
		}
		if s.ID == 0 {
			s.ID = i + 1
		}
		if sc.Unix != "" {
			s.addr.Store(&srvAddr{network: "unix", addr: sc.Unix})
		} else {
			a, err := netip.ParseAddr(sc.Addr)
			if sc.NoAddr {
				// init-addr none (or resolvers) with a name that did not
				// resolve: the server stays in resolution maintenance
				// without an address, as in HAProxy.
				s.addr.Store(&srvAddr{network: "tcp"})
				s.rmaint.Store(true)
				goto addrDone
			}
			if err != nil {
				return nil, fmt.Errorf("backend %q server %q: address %q is not an IP address: %w", p.Name, sc.Name, sc.Addr, err)
			}
			if sc.Port <= 0 || sc.Port > 65535 {
				return nil, fmt.Errorf("backend %q server %q: a port is required (port 0 = client's destination port is not supported)", p.Name, sc.Name)
			}
			ap := netip.AddrPortFrom(a.Unmap(), uint16(sc.Port))
			s.addr.Store(&srvAddr{network: "tcp", addr: ap.String(), ap: ap})
		}
	addrDone:
		w := sc.Weight
		if w < 0 {
			w = 1
		}
		s.weight.Store(int32(w))
		s.maxconn.Store(int64(sc.Maxconn))
		s.checkUp.Store(true)
		if s.tls, err = rt.serverTLS(sc); err != nil {
			return nil, fmt.Errorf("backend %q server %q: %w", p.Name, sc.Name, err)
		}
		if s.tls != nil && s.h2p != nil {
			return nil, fmt.Errorf("backend %q server %q: 'proto h2' with 'ssl' (HTTP/2 over TLS to servers) is not supported yet", p.Name, sc.Name)
		}
		b.tlsSNI = b.tlsSNI || (s.tls != nil && s.tls.sni != nil)
		s.lbs = lb.Server{Name: sc.Name, ID: s.ID, Backup: sc.Backup, Maxconn: sc.Maxconn}
		b.Servers = append(b.Servers, s)
		lbs = append(lbs, &s.lbs)
		weights = append(weights, w)
	}
	newBal := lb.New
	if lb.DynamicBalance(p.Balance) {
		// servers may be added at run time (dynserver.go)
		newBal = func(b config.Balance, s []*lb.Server, w []int) (lb.Balancer, error) { return lb.NewLive(b, s, w) }
	}
	bcfg := p.Balance
	bcfg.AllBackups = p.Options.AllBackups
	bal, err := newBal(bcfg, lbs, weights)
	if err != nil {
		return nil, fmt.Errorf("backend %q: %w", p.Name, err)
	}
	b.bal = bal
	now := time.Now()
	b.hc = &BackendHealth{}
	b.hc.LastChange.Store(now.UnixNano())
	for _, s := range b.Servers {
		s.hc = newHealth(now)
		if s.Cfg.Disabled {
			s.SetAdminState(AdminMaint)
		}
		if s.Cfg.Disabled || s.rmaint.Load() {
			s.refreshUsable()
			s.hc.DownSince.Store(now.UnixNano())
		}
	}
	b.errs, err = rules.ErrorPages(p)
	if err != nil {
		return nil, err
	}
	comp, err := newCompFilter(p, true)
	if err != nil {
		return nil, fmt.Errorf("backend %q: %w", p.Name, err)
	}
	if comp != nil {
		b.filters = append(b.filters, comp)
	}
	if b.fcgi, err = newFCGIBackend(rt, p); err != nil {
		return nil, err
	}
	return b, nil
}

// serverOf maps a balancer server back to ours.
func (b *Backend) serverOf(l *lb.Server) *Server {
	if l == nil {
		return nil
	}
	for _, s := range b.ServerList() {
		if &s.lbs == l {
			return s
		}
	}
	return nil
}

// dial connects to s with timeout connect.
func (b *Backend) dial(ctx context.Context, s *Server) (net.Conn, error) {
	a := s.addr.Load()
	d := net.Dialer{Timeout: b.Cfg.Timeouts.Connect, KeepAlive: -1}
	if d.Timeout <= 0 {
		d.Timeout = 5 * time.Second
	}
	if a.network != "tcp" {
		return d.DialContext(ctx, a.network, config.UnixSocketName(a.addr))
	}
	// DialTCP with an AddrPort skips address parsing and resolution.
	// It runs on its own goroutine: the dial path is deep, and running
	// it on the session's goroutine would grow that stack to 8 KiB for
	// the life of the connection (idle keep-alive memory).
	type result struct {
		c   *net.TCPConn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := d.DialTCP(ctx, "tcp", netip.AddrPort{}, a.ap)
		ch <- result{c, err}
	}()
	r := <-ch
	c, err := r.c, r.err
	if err != nil {
		return nil, err
	}
	if b.Cfg.Options.Srvtcpka || b.Cfg.Options.Tcpka {
		c.SetKeepAlive(true)
	}
	return c, nil
}

// turnaround is the pause before retrying a failed connect, as HAProxy's
// (min(timeout connect, 1s)).
func (b *Backend) turnaround() time.Duration {
	t := b.Cfg.Timeouts.Connect
	if t <= 0 || t > time.Second {
		t = time.Second
	}
	return t
}

// redispatchNow reports whether retry number n (1-based) of at most
// b.retries should go to another server: HAProxy's default redispatch
// interval -1 means the last retry.
func (b *Backend) redispatchNow(n int) bool {
	return b.Cfg.Options.Redispatch && n == b.retries
}

func itoa(n int) string { return strconv.Itoa(n) }

// InitialWeight returns the configured weight (1 when unset).
func (s *Server) InitialWeight() int {
	if s.Cfg.Weight < 0 {
		return 1
	}
	return s.Cfg.Weight
}
