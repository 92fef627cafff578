package resolve

import (
	"net/netip"
	"testing"
	"time"

	"github.com/goha/goha/config"
	"github.com/miekg/dns"
)

// Fixed query IDs of the primed resolutions the fuzz target answers.
const (
	fuzzIDAddr = 0x0001
	fuzzIDSRV  = 0x0002
)

// primed returns a section that is not started, with an address group
// and an SRV group whose queries are pending under fixed IDs.
func primed(t testing.TB) (*Resolvers, *Group, *Group) {
	sec := fastSection(nsOfAddr("ns", "127.0.0.1:53"))
	r, err := New(sec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ga, _ := r.Subscribe(GroupSpec{Name: "svc.test", Port: 80, Slots: 3, PreferIPv4: true,
		Initial: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.9:80")}})
	gs, _ := r.Subscribe(GroupSpec{Name: "_http._tcp.svc.test", Slots: 3, PreferIPv4: true})
	now := time.Now()
	for id, g := range map[uint16]*Group{fuzzIDAddr: ga, fuzzIDSRV: gs} {
		r.startResolution(g.main, now)
		delete(r.pending, g.main.id)
		g.main.id = id
		r.pending[id] = g.main
	}
	return r, ga, gs
}

// FuzzAnswer feeds arbitrary bytes to the answer-processing path as a
// nameserver's UDP answer: it must never panic, and whatever it accepts
// must leave the slots consistent (no address shared between slots,
// every address with a port).
func FuzzAnswer(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, ga, gs := primed(t)
		ns := r.ns[0]
		r.mu.Lock()
		out := r.handlePacket(packet{ns: ns, data: data, from: ns.addr})
		r.mu.Unlock()
		out.deliver()
		for _, g := range []*Group{ga, gs} {
			seen := map[netip.AddrPort]bool{}
			for _, ev := range g.Slots() {
				if !ev.Addr.IsValid() {
					continue
				}
				if g == ga && seen[ev.Addr] {
					t.Fatalf("two slots share %v", ev.Addr)
				}
				seen[ev.Addr] = true
			}
		}
	})
}

// fuzzSeeds are well-formed answers to the primed queries: addresses,
// SRV records with additional records, an NX, a truncated answer.
func fuzzSeeds() [][]byte {
	reply := func(id uint16, name string, t uint16, rrs ...dns.RR) []byte {
		m := new(dns.Msg)
		m.SetQuestion(name, t)
		m.Id, m.Response, m.RecursionAvailable = id, true, true
		m.Answer = rrs
		for _, rr := range rrs {
			if s, ok := rr.(*dns.SRV); ok {
				m.Extra = append(m.Extra, &dns.A{Hdr: dns.RR_Header{Name: s.Target, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 1},
					A: netip.MustParseAddr("127.0.0.5").AsSlice()})
			}
		}
		b, _ := m.Pack()
		return b
	}
	hdr := func(name string, t uint16) dns.RR_Header {
		return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: 1}
	}
	a := func(ip string) dns.RR {
		return &dns.A{Hdr: hdr("svc.test.", dns.TypeA), A: netip.MustParseAddr(ip).AsSlice()}
	}
	nx := reply(fuzzIDAddr, "svc.test.", dns.TypeA)
	nx[3] |= dns.RcodeNameError
	tc := reply(fuzzIDAddr, "svc.test.", dns.TypeA, a("127.0.0.2"))
	tc[2] |= 0x02
	cname := reply(fuzzIDAddr, "svc.test.", dns.TypeA,
		&dns.CNAME{Hdr: hdr("svc.test.", dns.TypeCNAME), Target: "real.test."},
		&dns.A{Hdr: hdr("real.test.", dns.TypeA), A: netip.MustParseAddr("127.0.0.7").AsSlice()})
	return [][]byte{
		reply(fuzzIDAddr, "svc.test.", dns.TypeA, a("127.0.0.2"), a("127.0.0.3"), a("127.0.0.9")),
		reply(fuzzIDSRV, "_http._tcp.svc.test.", dns.TypeSRV,
			&dns.SRV{Hdr: hdr("_http._tcp.svc.test.", dns.TypeSRV), Weight: 2560, Port: 8001, Target: "a.svc.test."},
			&dns.SRV{Hdr: hdr("_http._tcp.svc.test.", dns.TypeSRV), Weight: 65535, Port: 8002, Target: "b.svc.test."}),
		nx, tc, cname,
	}
}

// nsOfAddr is a nameserver line.
func nsOfAddr(name, addr string) config.Nameserver { return config.Nameserver{Name: name, Addr: addr} }
