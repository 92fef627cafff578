package resolve

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/config"
	"github.com/miekg/dns"
)

// fakeDNS is an in-process nameserver (miekg/dns's server on 127.0.0.1,
// UDP and TCP on one port) whose answers the test changes while the
// resolvers run.
type fakeDNS struct {
	addr netip.AddrPort
	mu   sync.Mutex
	// a and aaaa map a lower-case FQDN to its addresses; srv to its SRV
	// records; noExtra leaves the SRV answers' additional records out.
	a, aaaa map[string][]string
	srv     map[string][]*dns.SRV
	noExtra bool
	// rcode answers every query with that code when not 0; silent
	// answers nothing; truncUDP answers UDP with TC and no record.
	rcode    int
	silent   bool
	truncUDP bool
	// before returns raw packets sent to the client before the answer
	// (from the server's socket); spoof ones are sent from another port.
	before func(q *dns.Msg) [][]byte
	spoof  func(q *dns.Msg) [][]byte
	// replace, when set, is sent instead of the answer.
	replace func(q *dns.Msg) []byte
	// queries records every query: its time and whether it came by TCP.
	queries []query
	pc      net.PacketConn
	other   *net.UDPConn
}

type query struct {
	at  time.Time
	tcp bool
	t   uint16
}

// startDNS starts a fakeDNS, stopped at the end of the test.
func startDNS(t *testing.T) *fakeDNS {
	t.Helper()
	pc, ln := listenPair(t)
	port := pc.LocalAddr().(*net.UDPAddr).Port
	other, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeDNS{addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)), a: map[string][]string{},
		aaaa: map[string][]string{}, srv: map[string][]*dns.SRV{}, pc: pc, other: other}
	udp := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(f.serve)}
	tcp := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(f.serve)}
	var wg sync.WaitGroup
	for _, s := range []*dns.Server{udp, tcp} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		wg.Add(1)
		go func() { defer wg.Done(); s.ActivateAndServe() }()
		<-started
	}
	t.Cleanup(func() {
		udp.Shutdown()
		tcp.Shutdown()
		other.Close()
		wg.Wait()
	})
	return f
}

// listenPair opens a UDP socket and a TCP listener on the same port of
// 127.0.0.1 (trying other ports while the TCP one is taken).
func listenPair(t *testing.T) (net.PacketConn, net.Listener) {
	t.Helper()
	for try := 0; try < 50; try++ {
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp4", pc.LocalAddr().String())
		if err == nil {
			return pc, ln
		}
		pc.Close()
	}
	t.Fatal("no port free for both UDP and TCP on 127.0.0.1")
	return nil, nil
}

// set changes the fake's state under its lock.
func (f *fakeDNS) set(change func(f *fakeDNS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// queryLog returns a copy of the queries seen.
func (f *fakeDNS) queryLog() []query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]query(nil), f.queries...)
}

func (f *fakeDNS) serve(w dns.ResponseWriter, q *dns.Msg) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, tcp := w.RemoteAddr().(*net.TCPAddr)
	qt := uint16(0)
	if len(q.Question) == 1 {
		qt = q.Question[0].Qtype
	}
	f.queries = append(f.queries, query{at: time.Now(), tcp: tcp, t: qt})
	if f.silent || len(q.Question) != 1 {
		return
	}
	if f.before != nil {
		for _, b := range f.before(q) {
			w.Write(b)
		}
	}
	if f.spoof != nil {
		for _, b := range f.spoof(q) {
			f.other.WriteTo(b, w.RemoteAddr())
		}
	}
	if f.replace != nil {
		w.Write(f.replace(q))
		return
	}
	w.WriteMsg(f.answer(q, tcp))
}

// answer builds the real answer to q from the zone.
func (f *fakeDNS) answer(q *dns.Msg, tcp bool) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	name := strings.ToLower(q.Question[0].Name)
	if f.rcode != 0 {
		m.Rcode = f.rcode
		return m
	}
	if f.truncUDP && !tcp {
		m.Truncated = true
		return m
	}
	_, isA := f.a[name]
	_, isAAAA := f.aaaa[name]
	_, isSRV := f.srv[name]
	if !isA && !isAAAA && !isSRV {
		m.Rcode = dns.RcodeNameError
		return m
	}
	switch q.Question[0].Qtype {
	case dns.TypeA:
		m.Answer = f.addrRRs(name, dns.TypeA)
	case dns.TypeAAAA:
		m.Answer = f.addrRRs(name, dns.TypeAAAA)
	case dns.TypeSRV:
		for _, s := range f.srv[name] {
			rr := *s
			rr.Hdr = dns.RR_Header{Name: name, Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: 1}
			m.Answer = append(m.Answer, &rr)
			if !f.noExtra {
				m.Extra = append(m.Extra, f.addrRRs(rr.Target, dns.TypeA)...)
			}
		}
	}
	return m
}

// addrRRs are the A or AAAA records of a name.
func (f *fakeDNS) addrRRs(name string, t uint16) []dns.RR {
	src := f.a[name]
	if t == dns.TypeAAAA {
		src = f.aaaa[name]
	}
	var out []dns.RR
	for _, a := range src {
		h := dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: 1}
		if t == dns.TypeA {
			out = append(out, &dns.A{Hdr: h, A: net.ParseIP(a)})
		} else {
			out = append(out, &dns.AAAA{Hdr: h, AAAA: net.ParseIP(a)})
		}
	}
	return out
}

// fastSection is a resolvers section with short timers for tests.
func fastSection(ns ...config.Nameserver) *config.Resolvers {
	return &config.Resolvers{Name: "dns", Nameservers: ns, AcceptedPayloadSize: 512, ResolveRetries: 3,
		TimeoutResolve: 50 * time.Millisecond, TimeoutRetry: 100 * time.Millisecond,
		Hold: config.Hold{Valid: 100 * time.Millisecond, NX: 30 * time.Second, Timeout: 30 * time.Second,
			Refused: 30 * time.Second, Other: 30 * time.Second}}
}

// nsOf is the nameserver line of a fake.
func nsOf(name string, f *fakeDNS) config.Nameserver {
	return config.Nameserver{Name: name, Addr: f.addr.String()}
}

// slots collects a group's events into each slot's state.
type slots struct {
	mu     sync.Mutex
	state  []Event
	events []Event
}

func newSlots(n int) *slots { return &slots{state: make([]Event, n)} }

func (s *slots) on(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state[ev.Slot] = ev
	s.events = append(s.events, ev)
}

// view is the slots as "ADDR:PORT[/WEIGHT]" or "-" (no address).
func (s *slots) view() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for _, ev := range s.state {
		switch {
		case !ev.Addr.IsValid():
			parts = append(parts, "-")
		case ev.HasWeight:
			parts = append(parts, ev.Addr.String()+"/"+strconv.Itoa(ev.Weight))
		default:
			parts = append(parts, ev.Addr.String())
		}
	}
	return strings.Join(parts, " ")
}

// all returns every event received, in order.
func (s *slots) all() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// reasons are the reasons of the events that took an address away.
func (s *slots) reasons() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ev := range s.events {
		if !ev.Addr.IsValid() {
			out = append(out, ev.Reason)
		}
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitView waits until the slots read want.
func waitView(t *testing.T, s *slots, want string) {
	t.Helper()
	waitFor(t, "slots "+want+" (have "+s.view()+")", func() bool { return s.view() == want })
}

// run starts a section and a group on it, stopped at the end of the
// test.
func run(t *testing.T, sec *config.Resolvers, spec GroupSpec) (*Resolvers, *Group, *slots) {
	t.Helper()
	r, err := New(sec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSlots(spec.Slots)
	spec.OnEvent = s.on
	g, err := r.Subscribe(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r, g, s
}

// counter returns one counter of a section's first nameserver.
func counter(r *Resolvers, get func(Counters) uint64) uint64 { return get(r.Counters()[0]) }
