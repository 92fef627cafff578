package lb

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/goha/goha/config"
)

// MaxWeight is the largest effective weight a server may have, as in
// HAProxy (`set server ... weight` accepts 0..256).
const MaxWeight = 256

// Server is the balancer's view of one server. The proxy owns it and hands
// the same pointer to exactly one Balancer (through New). It must not be
// copied after New: it carries live atomic state.
type Server struct {
	// Name is the server's name, for messages.
	Name string
	// ID is the server's sid, from 1. `first` fills servers in ID order.
	ID int
	// Backup marks a backup server: it only receives traffic when no
	// active server is usable.
	Backup bool
	// Maxconn is the server's initial maxconn (0 = unlimited); change it
	// at run time with SetMaxconn. A server at its maxconn is skipped by
	// the algorithms that choose freely (see Balancer.Pick).
	Maxconn int

	// live state
	conns  atomic.Int64 // connections counted by Pick/Take, minus Release
	limit  atomic.Int64 // current maxconn, 0 = unlimited
	weight atomic.Int32 // effective weight 0..MaxWeight
	usable atomic.Bool  // health/admin state as set by SetUsable
	idx    int          // position in the balancer's server list
}

// Conns returns the number of connections currently counted on s (each
// successful Pick or Take adds one, each Release removes one).
func (s *Server) Conns() int64 { return s.conns.Load() }

// Weight returns s's current effective weight.
func (s *Server) Weight() int { return int(s.weight.Load()) }

// SetMaxconn changes s's maxconn (0 = unlimited).
func (s *Server) SetMaxconn(n int) { s.limit.Store(int64(max(n, 0))) }

// Full reports whether s is at (or over) its maxconn.
func (s *Server) Full() bool {
	l := s.limit.Load()
	return l > 0 && s.conns.Load() >= l
}

// Overbooked reports whether more connections are counted on s than its
// maxconn allows: a hash algorithm's Pick counts one on a full server.
func (s *Server) Overbooked() bool {
	l := s.limit.Load()
	return l > 0 && s.conns.Load() > l
}

// tryTake counts a connection on s if it is below its maxconn, with a
// compare-and-swap so that concurrent takers never exceed it.
func (s *Server) tryTake() bool {
	l := s.limit.Load()
	if l <= 0 {
		s.conns.Add(1)
		return true
	}
	for {
		c := s.conns.Load()
		if c >= l {
			return false
		}
		if s.conns.CompareAndSwap(c, c+1) {
			return true
		}
	}
}

// Usable reports the state last given to SetUsable (true initially).
func (s *Server) Usable() bool { return s.usable.Load() }

// eligible reports whether s may receive new load-balanced traffic.
func (s *Server) eligible() bool { return s.usable.Load() && s.weight.Load() > 0 }

// Request gives the hash-based algorithms their input. The HTTP engine
// implements it; it is nil in TCP mode, where uri, url_param and hdr fall
// back to round robin as HAProxy does.
type Request interface {
	// URI returns the request target as received (path?query).
	URI() []byte
	// Header returns the first value of a header; name is lowercase.
	Header(name string) ([]byte, bool)
}

// Balancer chooses servers for a backend. Every method is safe for
// concurrent use.
//
// Connection accounting: a successful Pick counts one connection on the
// server it returns (atomically with the choice, which leastconn and first
// need); Take counts one on a server chosen without Pick (persistence, a
// forced server). The proxy calls Release exactly once for each of them
// when that connection ends.
//
// Servers at their maxconn: as in HAProxy, the algorithms that choose
// freely (roundrobin, static-rr, leastconn, first, random, and the round
// robin fallback of the hash algorithms) skip a full server and return nil
// when every usable server is full, so that the request waits in the
// backend's queue. A hash algorithm binds the request to the server its
// key maps to: Pick returns that server and counts the connection even
// when it is full (Server.Overbooked then reports it), and the caller
// releases it and waits for a slot on that server (HAProxy's server
// queue).
type Balancer interface {
	// Pick chooses a server for a new request or connection and counts a
	// connection on it, or returns nil if no server is usable or every
	// usable one is full (see above). src is the
	// client address (for source). r is nil in TCP mode. avoid, if
	// non-nil, is skipped whenever another server is usable (redispatch,
	// retries).
	Pick(src netip.Addr, r Request, avoid *Server) *Server
	// Take counts a connection on s, used without Pick.
	Take(s *Server)
	// Release uncounts a connection counted by Pick or Take.
	Release(s *Server)
	// SetUsable changes s's health/admin state: false (down, maint,
	// drain) means it receives no new load-balanced traffic.
	SetUsable(s *Server, usable bool)
	// SetWeight sets s's effective weight, clamped to 0..MaxWeight; 0
	// means it receives no new load-balanced traffic.
	SetWeight(s *Server, weight int)
}

// ctor builds an algorithm over a prepared pool.
type ctor func(p *pool, b config.Balance) (Balancer, error)

// algos maps the `balance` keyword to its constructor.
var algos = map[string]ctor{
	"roundrobin": newRoundRobin,
	"static-rr":  newStaticRR,
	"leastconn":  newLeastConn,
	"first":      newFirst,
	"source":     newSource,
	"uri":        newURI,
	"url_param":  newURLParam,
	"hdr":        newHdr,
	"random":     newRandom,
}

// dynamic lists the algorithms whose weights may change at run time to any
// value; the others are static (HAProxy: only 0% and 100% of the initial
// weight may be set).
var dynamic = map[string]bool{
	"roundrobin": true,
	"leastconn":  true,
	"first":      true,
	"random":     true,
}

// Dynamic reports whether the `balance` algorithm algo accepts any weight
// change at run time. For a static algorithm HAProxy's CLI only accepts
// weights of 0% or 100% of the initial weight; the balancer itself applies
// any weight.
func Dynamic(algo string) bool {
	name, _ := splitAlgo(algo)
	if name == "" {
		name = "roundrobin"
	}
	return dynamic[name]
}

// DynamicBalance is Dynamic for a backend's whole `balance` setting:
// consistent hashing (`hash-type consistent`) makes the hash algorithms
// dynamic too, as in HAProxy.
func DynamicBalance(b config.Balance) bool {
	name, _ := splitAlgo(b.Algo)
	_, hashed := chashAlgos[name]
	return Dynamic(b.Algo) || (hashed && b.Hash.Consistent)
}

// splitAlgo splits "hdr(host)" or "random(3)" into name and argument.
func splitAlgo(algo string) (name, arg string) {
	if i := strings.IndexByte(algo, '('); i >= 0 && strings.HasSuffix(algo, ")") {
		return algo[:i], algo[i+1 : len(algo)-1]
	}
	return algo, ""
}

// New returns the balancer for b over servers. weights[i] is servers[i]'s
// initial effective weight (a missing or negative entry means 1). Every
// server starts usable. servers must not be shared with another Balancer.
func New(b config.Balance, servers []*Server, weights []int) (Balancer, error) {
	name, arg := splitAlgo(b.Algo)
	if name == "" {
		name = "roundrobin"
	}
	if arg != "" && b.Param == "" {
		b.Param = arg
	}
	mk, ok := algos[name]
	if !ok {
		return nil, fmt.Errorf("unknown balance algorithm %q", b.Algo)
	}
	if _, hashed := chashAlgos[name]; hashed && b.Hash.Consistent {
		mk = func(p *pool, b config.Balance) (Balancer, error) { return newCHash(p, b, name) }
	}
	seen := make(map[*Server]bool, len(servers))
	for i, s := range servers {
		if s == nil {
			return nil, fmt.Errorf("balance %q: server #%d is nil", b.Algo, i+1)
		}
		if seen[s] {
			return nil, fmt.Errorf("balance %q: server %q given twice", b.Algo, s.Name)
		}
		seen[s] = true
		w := 1
		if i < len(weights) && weights[i] >= 0 {
			w = weights[i]
		}
		s.weight.Store(int32(clampWeight(w)))
		s.usable.Store(true)
		s.SetMaxconn(s.Maxconn)
		s.idx = i
	}
	p := &pool{servers: append([]*Server(nil), servers...), allBackups: b.AllBackups}
	return mk(p, b)
}

func clampWeight(w int) int {
	if w < 0 {
		return 0
	}
	if w > MaxWeight {
		return MaxWeight
	}
	return w
}

// pool is the server list common to every algorithm, with the rule that
// decides which servers currently take load-balanced traffic.
type pool struct {
	mu      sync.Mutex // serialises state changes (and picks where needed)
	servers []*Server  // in declaration order
	// allBackups is `option allbackups`: every usable backup takes
	// traffic when no active server does.
	allBackups bool
}

// owns reports whether s belongs to this pool.
func (p *pool) owns(s *Server) bool {
	return s != nil && s.idx >= 0 && s.idx < len(p.servers) && p.servers[s.idx] == s
}

// eligibleSet appends to dst the servers that take load-balanced traffic
// now: the usable active servers with a non-zero weight or, when there is
// none, the first usable backup server in declaration order, or with
// `option allbackups` every usable backup server.
func (p *pool) eligibleSet(dst []*Server) []*Server {
	dst = dst[:0]
	for _, s := range p.servers {
		if !s.Backup && s.eligible() {
			dst = append(dst, s)
		}
	}
	if len(dst) > 0 {
		return dst
	}
	for _, s := range p.servers {
		if s.Backup && s.eligible() {
			if dst = append(dst, s); !p.allBackups {
				return dst
			}
		}
	}
	return dst
}

// setState applies a usable/weight change to s and reports whether
// anything changed. The caller holds p.mu.
func (p *pool) setUsable(s *Server, usable bool) bool {
	if !p.owns(s) || s.usable.Load() == usable {
		return false
	}
	s.usable.Store(usable)
	return true
}

func (p *pool) setWeight(s *Server, w int) bool {
	w = clampWeight(w)
	if !p.owns(s) || int(s.weight.Load()) == w {
		return false
	}
	s.weight.Store(int32(w))
	return true
}

// lessByID orders servers by sid, then declaration order.
func sortByID(ss []*Server) {
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].ID < ss[j].ID })
}

// release is the plain connection uncount shared by the algorithms that
// keep no per-connection structure.
func release(s *Server) {
	if s != nil {
		s.conns.Add(-1)
	}
}

// TryTake counts a connection on s, chosen without Pick, if s is below
// its maxconn: a request waiting for a slot on s takes it this way.
func TryTake(b Balancer, s *Server) bool {
	if t, ok := b.(interface{ tryTake(*Server) bool }); ok {
		return t.tryTake(s)
	}
	return s.tryTake()
}

// take is the plain connection count.
func take(s *Server) {
	if s != nil {
		s.conns.Add(1)
	}
}

// atoiDefault parses s as a positive int, or returns def.
func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return def
	}
	return n
}
