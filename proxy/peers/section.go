package peers

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/stick"
)

// Timers of HAProxy 2.6's peers.
const (
	heartbeatEvery = 3 * time.Second // PEER_HEARTBEAT_TIMEOUT
	reconnectAfter = 5 * time.Second // PEER_RECONNECT_TIMEOUT
	resyncTimeout  = 5 * time.Second // PEER_RESYNC_TIMEOUT
	helloTimeout   = 5 * time.Second // the peers frontend's client timeout
	maxHelloLine   = 1024
)

// Status codes of the handshake (and of `show peers`' last_status).
const (
	StatusConnect   = 100 // connecting (local only)
	StatusConnected = 110 // TCP connected, waiting for the status (local only)
	StatusSuccess   = 200
	StatusTryAgain  = 300
	StatusErrProto  = 501
	StatusErrVers   = 502
	StatusErrHost   = 503
	StatusErrPeer   = 504
)

// Options configure a Section.
type Options struct {
	// Local is the local peer's name (-L, or the host name).
	Local string
	// Tables are the section's tables: its own `table` lines and the
	// proxies' tables naming it with `peers`. Start enables their
	// update numbering.
	Tables []*stick.Table
	// Listener, when set, is the local peer's socket (inherited on a
	// reload); else Start listens on the local peer's address.
	Listener net.Listener
	// FromLocal says an old process is expected to hand its tables over
	// (a reload): the resync waits up to 5 s for it before asking a
	// remote peer.
	FromLocal bool
	// Poll is how often sessions look for local updates (default 5 ms).
	Poll time.Duration
	// Logf receives connection errors (nil: dropped).
	Logf func(format string, args ...any)
}

// resync states of a section (HAProxy's PEERS_RESYNC_*).
const (
	resyncFromLocal = iota
	resyncFromRemote
	resyncFinished
)

// shared is one local table as the section shares it.
type shared struct {
	id     uint64 // local id on the wire, from 1
	t      *stick.Table
	layout *Layout
	def    *TableDef
	byName string
}

// Section is one `peers` section at run time.
type Section struct {
	name     string
	disabled bool
	opts     Options
	tables   []*shared
	peers    []*peer
	local    *peer
	pid      int

	mu         sync.Mutex // guards the peers' states and the resync
	resync     int
	resyncEnd  time.Time
	assigned   *peer
	lastChange time.Time
	calls      uint32

	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// peer is one `peer` line and its state (HAProxy's struct peer).
type peer struct {
	name, addr string
	ip         net.IP // resolved address, to check accepted connections
	local      bool
	kick       chan struct{}

	// guarded by Section.mu
	sess                     *session
	dialing                  net.Conn // a connection in handshake
	status                   int
	lastHdshk                time.Time
	reconnect, heartbeat     time.Time
	confirm, txHbt, rxHbt    uint32
	noHbt, newConn, protoErr uint32
	coll                     uint32
	acked                    []uint64 // per table: our last update it acknowledged
	notUpToDate              bool
}

// New builds the run-time state of the peers section c. It does not
// listen nor connect: see Start.
func New(c *config.Peers, opts Options) (*Section, error) {
	if opts.Poll <= 0 {
		opts.Poll = 5 * time.Millisecond
	}
	s := &Section{name: c.Name, disabled: c.Disabled, opts: opts, pid: os.Getpid(), lastChange: time.Now()}
	for i, t := range opts.Tables {
		l, d, err := localLayout(t)
		if err != nil {
			return nil, err
		}
		d.ID = uint64(i + 1)
		s.tables = append(s.tables, &shared{id: d.ID, t: t, layout: l, def: d, byName: d.Name})
	}
	for _, pc := range c.Peers {
		p := &peer{name: pc.Name, addr: pc.Addr, local: pc.Name == opts.Local, kick: make(chan struct{}, 1),
			acked: make([]uint64, len(s.tables))}
		if p.local {
			s.local = p
		}
		s.peers = append(s.peers, p)
	}
	if s.local == nil {
		return nil, fmt.Errorf("peers section %q: no peer named %q (the local peer)", c.Name, opts.Local)
	}
	return s, nil
}

// Name is the section's name.
func (s *Section) Name() string { return s.name }

// Addr is the address the section listens on (nil before Start).
func (s *Section) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Start listens on the local peer's address and connects to the remote
// peers until ctx ends or Stop. A disabled section does nothing.
func (s *Section) Start(ctx context.Context) error {
	if s.disabled {
		return nil
	}
	for _, sh := range s.tables {
		sh.t.EnableUpdates()
	}
	for _, p := range s.peers {
		p.ip = resolveIP(p.addr)
	}
	s.ln = s.opts.Listener
	if s.ln == nil {
		ln, err := listenReuse(ctx, s.local.addr)
		if err != nil {
			return fmt.Errorf("peers section %q: cannot listen on %s for peer %q: %w", s.name, s.local.addr, s.local.name, err)
		}
		s.ln = ln
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.resync = resyncFromRemote
	if s.opts.FromLocal {
		s.resync = resyncFromLocal
	}
	s.resyncEnd = time.Now().Add(resyncTimeout)
	s.wg.Add(2)
	go s.acceptLoop()
	go s.syncLoop()
	for _, p := range s.peers {
		if !p.local {
			s.wg.Add(1)
			go s.dialLoop(p)
		}
	}
	return nil
}

// Stop closes the listener and every session, and waits for the
// section's goroutines.
func (s *Section) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.ln.Close()
	s.mu.Lock()
	for _, p := range s.peers {
		if p.sess != nil {
			p.sess.close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// logf reports a connection event.
func (s *Section) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// resolveIP returns the IP of host:port (nil when it does not resolve).
func resolveIP(addr string) net.IP {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return nil
	}
	return ips[0]
}

// addrAllowed reports whether a connection from ip may be peer p: its
// configured address, or loopback for a loopback peer.
func (p *peer) addrAllowed(ip net.IP) bool {
	if p.ip == nil || p.ip.IsUnspecified() {
		return true
	}
	return p.ip.Equal(ip) || (p.ip.IsLoopback() && ip.IsLoopback())
}

// randomDelay is HAProxy's delay before reconnecting after killing a
// session: 50 ms to about 2 s, so both ends do not collide again.
func randomDelay() time.Duration {
	return 50*time.Millisecond + time.Duration(rand.IntN(2000))*time.Millisecond
}

// retryDelay is the wait before reconnecting after a link was lost by
// an error: 50 to 550 ms.
func retryDelay() time.Duration {
	return 50*time.Millisecond + time.Duration(rand.IntN(500))*time.Millisecond
}

// dialLoop connects to remote peer p whenever it has no session and its
// reconnect date has passed (every 5 s at most, as HAProxy).
func (s *Section) dialLoop(p *peer) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		wait := time.Duration(-1)
		if p.sess == nil {
			wait = max(time.Until(p.reconnect), 0)
			if p.status == 0 {
				wait = 0
			}
		}
		s.mu.Unlock()
		var timer <-chan time.Time
		var tm *time.Timer
		if wait >= 0 {
			tm = time.NewTimer(wait)
			timer = tm.C
		}
		fired := false
		select {
		case <-s.ctx.Done():
		case <-p.kick:
		case <-timer:
			fired = true
		}
		if tm != nil {
			tm.Stop()
		}
		if s.ctx.Err() != nil {
			return
		}
		if !fired {
			continue
		}
		s.mu.Lock()
		ok := p.sess == nil && !time.Now().Before(p.reconnect)
		s.mu.Unlock()
		if ok {
			s.connect(p)
		}
	}
}

// kickPeer wakes p's dialer.
func kickPeer(p *peer) {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// errClosed ends sessions on Stop.
var errClosed = errors.New("peers: section stopped")
