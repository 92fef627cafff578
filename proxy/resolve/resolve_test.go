package resolve

import (
	"context"
	"errors"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/config"
	"github.com/miekg/dns"
)

// TestTemplateSlots: a 4-slot template over A records. Addresses fill
// slots in order, a new address takes a free slot without moving the
// others, a vanished one frees its slot (hold obsolete 0).
func TestTemplateSlots(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2", "127.0.0.3"} })
	r, _, s := run(t, fastSection(nsOf("ns", f)), GroupSpec{Name: "svc.test", Port: 80, Slots: 4, PreferIPv4: true})
	waitView(t, s, "127.0.0.2:80 127.0.0.3:80 - -")
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.4", "127.0.0.2", "127.0.0.3"} })
	waitView(t, s, "127.0.0.2:80 127.0.0.3:80 127.0.0.4:80 -")
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.3", "127.0.0.4"} })
	waitView(t, s, "- 127.0.0.3:80 127.0.0.4:80 -")
	if got := s.reasons(); len(got) != 1 || got[0] != "No IP for server" {
		t.Errorf("reasons = %q, want one 'No IP for server'", got)
	}
	c := r.Counters()[0]
	if c.Sent == 0 || c.Valid == 0 || c.Update < 3 || c.Invalid+c.Outdated+c.TooBig != 0 {
		t.Errorf("counters = %+v", c)
	}
	// The A queries only: resolve-prefer ipv4 asks A first, and A answers.
	for _, q := range f.queryLog() {
		if q.t != dns.TypeA {
			t.Fatalf("query type %d, want A only", q.t)
		}
	}
}

// TestInitialAddressKept: an address the slot had at start (init-addr)
// stays in its slot when the answers have it, even if not first.
func TestInitialAddressKept(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2", "127.0.0.3"} })
	init := []netip.AddrPort{{}, netip.MustParseAddrPort("127.0.0.2:80")}
	r, g, s := run(t, fastSection(nsOf("ns", f)), GroupSpec{Name: "svc.test", Port: 80, Slots: 2, PreferIPv4: true, Initial: init})
	waitFor(t, "a valid answer", func() bool { return counter(r, func(c Counters) uint64 { return c.Valid }) > 0 })
	waitView(t, s, "127.0.0.3:80 -") // slot 1 never changed: no event
	if got := g.Slots(); got[1].Addr != init[1] {
		t.Errorf("slot 1 = %v, want %v kept", got[1].Addr, init[1])
	}
}

// TestDupIP: without allow-dup-ip two slots never share an address;
// with it, both take the one address there is.
func TestDupIP(t *testing.T) {
	for _, allow := range []bool{false, true} {
		f := startDNS(t)
		f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2"} })
		_, _, s := run(t, fastSection(nsOf("ns", f)), GroupSpec{Name: "svc.test", Port: 80, Slots: 2, PreferIPv4: true, AllowDupIP: allow})
		want := "127.0.0.2:80 -"
		if allow {
			want = "127.0.0.2:80 127.0.0.2:80"
		}
		waitView(t, s, want)
	}
}

// TestPreferNet: resolve-net wins over the answer's order; with IPv6
// preferred (the default) AAAA is asked first, and A when AAAA fails.
func TestPreferNet(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"10.1.1.1", "192.168.1.1"} })
	_, _, s := run(t, fastSection(nsOf("ns", f)), GroupSpec{Name: "svc.test", Port: 80, Slots: 1,
		Nets: []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}})
	waitView(t, s, "192.168.1.1:80")
	log := f.queryLog()
	if log[0].t != dns.TypeAAAA || log[1].t != dns.TypeA {
		t.Errorf("first queries %d, %d; want AAAA then A", log[0].t, log[1].t)
	}
}

// TestHoldValid: a name is asked again every `hold valid`.
func TestHoldValid(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2"} })
	sec := fastSection(nsOf("ns", f))
	sec.Hold.Valid = 250 * time.Millisecond
	run(t, sec, GroupSpec{Name: "svc.test", Port: 80, Slots: 1, PreferIPv4: true})
	waitFor(t, "4 queries", func() bool { return len(f.queryLog()) >= 4 })
	log := f.queryLog()
	for i := 1; i < 4; i++ {
		gap := log[i].at.Sub(log[i-1].at)
		if gap < sec.Hold.Valid-10*time.Millisecond || gap > sec.Hold.Valid+sec.TimeoutResolve+time.Second {
			t.Errorf("query %d came %v after the previous one; want about hold valid (%v)", i, gap, sec.Hold.Valid)
		}
	}
}

// TestHoldObsolete: a vanished address keeps its slot for `hold
// obsolete` after the last answer that had it, then frees it.
func TestHoldObsolete(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2", "127.0.0.3"} })
	sec := fastSection(nsOf("ns", f))
	sec.Hold.Obsolete = 600 * time.Millisecond
	r, _, s := run(t, sec, GroupSpec{Name: "svc.test", Port: 80, Slots: 2, PreferIPv4: true})
	waitView(t, s, "127.0.0.2:80 127.0.0.3:80")
	valid := func() uint64 { return counter(r, func(c Counters) uint64 { return c.Valid }) }
	v0 := valid()
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.3"} })
	gone := time.Now()
	waitFor(t, "two answers without 127.0.0.2", func() bool { return valid() >= v0+3 })
	if time.Since(gone) < sec.Hold.Obsolete-150*time.Millisecond && s.view() != "127.0.0.2:80 127.0.0.3:80" {
		t.Fatalf("slot freed %v after the address vanished, before hold obsolete %v: %s", time.Since(gone), sec.Hold.Obsolete, s.view())
	}
	waitView(t, s, "- 127.0.0.3:80")
	// The last answer with the address came at most one `hold valid`
	// before the change.
	if d := time.Since(gone); d < sec.Hold.Obsolete-sec.Hold.Valid {
		t.Errorf("slot freed %v after the address vanished, want at least hold obsolete %v (less one hold valid)", d, sec.Hold.Obsolete)
	}
}

// TestHoldErrors: after a resolution ends in error, the slots keep the
// last valid answer's addresses for the status's hold period, then go
// to maintenance with HAProxy's reason; the status is counted.
func TestHoldErrors(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(f *fakeDNS)
		hold   func(h *config.Hold) *time.Duration
		reason string
		count  func(c Counters) uint64
	}{
		{"nx", func(f *fakeDNS) { f.rcode = dns.RcodeNameError }, func(h *config.Hold) *time.Duration { return &h.NX },
			"DNS NX status", func(c Counters) uint64 { return c.NX }},
		{"refused", func(f *fakeDNS) { f.rcode = dns.RcodeRefused }, func(h *config.Hold) *time.Duration { return &h.Refused },
			"DNS refused status", func(c Counters) uint64 { return c.Refused }},
		{"other", func(f *fakeDNS) { f.rcode = dns.RcodeServerFailure }, func(h *config.Hold) *time.Duration { return &h.Other },
			"unspecified DNS error", func(c Counters) uint64 { return c.Other }},
		{"timeout", func(f *fakeDNS) { f.silent = true }, func(h *config.Hold) *time.Duration { return &h.Timeout },
			"DNS timeout status", func(c Counters) uint64 { return c.Timeout }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := startDNS(t)
			f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2"} })
			sec := fastSection(nsOf("ns", f))
			sec.ResolveRetries = 1
			*tc.hold(&sec.Hold) = 700 * time.Millisecond
			r, _, s := run(t, sec, GroupSpec{Name: "svc.test", Port: 80, Slots: 1, PreferIPv4: true})
			waitView(t, s, "127.0.0.2:80")
			f.set(tc.break_)
			broken := time.Now()
			waitFor(t, "the error counted", func() bool { return counter(r, tc.count) > 0 })
			if s.view() != "127.0.0.2:80" && time.Since(broken) < *tc.hold(&sec.Hold) {
				t.Fatalf("address lost %v after the error, before the hold period", time.Since(broken))
			}
			waitView(t, s, "-")
			if d := time.Since(broken); d < *tc.hold(&sec.Hold)-sec.Hold.Valid {
				t.Errorf("address lost %v after the error, hold is %v", d, *tc.hold(&sec.Hold))
			}
			if got := s.reasons(); len(got) != 1 || got[0] != tc.reason {
				t.Errorf("reasons = %q, want %q", got, tc.reason)
			}
			f.set(func(f *fakeDNS) { f.rcode, f.silent = 0, false })
			waitView(t, s, "127.0.0.2:80") // back at once with a valid answer
		})
	}
}

// TestTruncatedRetriedOverTCP: a truncated UDP answer is counted and the
// query asked again over TCP, whose answer is used.
func TestTruncatedRetriedOverTCP(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2"}; f.truncUDP = true })
	r, _, s := run(t, fastSection(nsOf("ns", f)), GroupSpec{Name: "svc.test", Port: 80, Slots: 1, PreferIPv4: true})
	waitView(t, s, "127.0.0.2:80")
	if c := r.Counters()[0]; c.Truncated == 0 || c.Valid == 0 {
		t.Errorf("counters = %+v, want truncated and valid", c)
	}
	tcp := 0
	for _, q := range f.queryLog() {
		if q.tcp {
			tcp++
		}
	}
	if tcp == 0 {
		t.Error("no query over TCP")
	}
}

// TestTCPNameserver: a tcp@ nameserver is asked over TCP only.
func TestTCPNameserver(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2"} })
	ns := nsOf("ns", f)
	ns.TCP = true
	_, _, s := run(t, fastSection(ns), GroupSpec{Name: "svc.test", Port: 80, Slots: 1, PreferIPv4: true})
	waitView(t, s, "127.0.0.2:80")
	for _, q := range f.queryLog() {
		if !q.tcp {
			t.Fatal("a UDP query to a tcp@ nameserver")
		}
	}
}

// TestSRV: SRV records fill slots with their ports and scaled weights
// and the additional records' addresses; a removed record frees its
// slot; a target without additional record is resolved on its own.
func TestSRV(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) {
		f.a["a.svc.test."] = []string{"127.0.0.2"}
		f.a["b.svc.test."] = []string{"127.0.0.3"}
		f.srv["_http._tcp.svc.test."] = []*dns.SRV{{Weight: 2560, Port: 8001, Target: "a.svc.test."}, {Weight: 25600, Port: 8002, Target: "b.svc.test."}}
	})
	r, g, s := run(t, fastSection(nsOf("ns", f)), GroupSpec{Name: "_http._tcp.svc.test", Slots: 3, PreferIPv4: true})
	waitView(t, s, "127.0.0.2:8001/10 127.0.0.3:8002/100 -")
	f.set(func(f *fakeDNS) { f.srv["_http._tcp.svc.test."] = f.srv["_http._tcp.svc.test."][1:] })
	waitView(t, s, "- 127.0.0.3:8002/100 -")
	if got := s.reasons(); len(got) != 1 || got[0] != "entry removed from SRV record" {
		t.Errorf("reasons = %q", got)
	}
	f.set(func(f *fakeDNS) {
		f.noExtra = true
		f.srv["_http._tcp.svc.test."] = append(f.srv["_http._tcp.svc.test."], &dns.SRV{Weight: 0, Port: 8003, Target: "a.svc.test."})
	})
	waitView(t, s, "127.0.0.2:8003/0 127.0.0.3:8002/100 -")
	if err := g.SetFQDN("other.test"); !errors.Is(err, ErrSRVName) {
		t.Errorf("SetFQDN on an SRV group = %v, want ErrSRVName", err)
	}
	if c := r.Counters()[0]; c.Valid == 0 || c.Invalid != 0 {
		t.Errorf("counters = %+v", c)
	}
}

// TestSetFQDN: `set server fqdn` makes the group follow the new name at
// once.
func TestSetFQDN(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["one.test."] = []string{"127.0.0.2"}; f.a["two.test."] = []string{"127.0.0.5"} })
	sec := fastSection(nsOf("ns", f))
	sec.Hold.Valid = time.Hour // only SetFQDN can trigger the second query
	_, g, s := run(t, sec, GroupSpec{Name: "one.test", Port: 80, Slots: 1, PreferIPv4: true})
	waitView(t, s, "127.0.0.2:80")
	if err := g.SetFQDN("two.test"); err != nil {
		t.Fatal(err)
	}
	waitView(t, s, "127.0.0.5:80")
	if g.FQDN() != "two.test" {
		t.Errorf("FQDN = %q", g.FQDN())
	}
}

// TestBadAnswers: spoofed, mismatched, malformed and oversized answers
// are dropped and counted; the real answer that follows is used, and
// no slot ever takes an address from a bad one.
func TestBadAnswers(t *testing.T) {
	spoofed := func(q *dns.Msg) *dns.Msg {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 1},
			A: netip.MustParseAddr("127.0.0.66").AsSlice()}}
		return m
	}
	pack := func(m *dns.Msg) []byte { b, _ := m.Pack(); return b }
	cases := []struct {
		name  string
		mode  func(f *fakeDNS)
		count func(c Counters) uint64
	}{
		{"wrong ID", func(f *fakeDNS) {
			f.before = func(q *dns.Msg) [][]byte { m := spoofed(q); m.Id ^= 0x5a5a; return [][]byte{pack(m)} }
		}, func(c Counters) uint64 { return c.Outdated }},
		{"wrong question", func(f *fakeDNS) {
			f.before = func(q *dns.Msg) [][]byte {
				m := spoofed(q)
				m.Question[0].Name = "evil.test."
				return [][]byte{pack(m)}
			}
		}, func(c Counters) uint64 { return c.Invalid }},
		{"wrong source", func(f *fakeDNS) {
			f.spoof = func(q *dns.Msg) [][]byte { return [][]byte{pack(spoofed(q))} }
		}, func(c Counters) uint64 { return c.Invalid }},
		{"malformed", func(f *fakeDNS) {
			f.before = func(q *dns.Msg) [][]byte { b := pack(spoofed(q)); return [][]byte{b[:len(b)-3]} }
		}, func(c Counters) uint64 { return c.Invalid }},
		{"oversized", func(f *fakeDNS) {
			f.before = func(q *dns.Msg) [][]byte {
				m := spoofed(q)
				for i := 0; i < 40; i++ {
					m.Answer = append(m.Answer, m.Answer[0])
				}
				return [][]byte{pack(m)}
			}
		}, func(c Counters) uint64 { return c.TooBig }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := startDNS(t)
			f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2"}; tc.mode(f) })
			r, _, s := run(t, fastSection(nsOf("ns", f)), GroupSpec{Name: "svc.test", Port: 80, Slots: 2, PreferIPv4: true})
			waitFor(t, "bad answers counted", func() bool { return counter(r, tc.count) >= 2 })
			waitView(t, s, "127.0.0.2:80 -")
			for _, ev := range s.all() {
				if ev.Addr.Addr() == netip.MustParseAddr("127.0.0.66") {
					t.Fatalf("slot %d took the bad answer's address", ev.Slot)
				}
			}
		})
	}
}

// TestSilentNameserver: a nameserver that never answers does not hold
// the others' answers back, nor Stop.
func TestSilentNameserver(t *testing.T) {
	good, silent := startDNS(t), startDNS(t)
	good.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2"} })
	silent.set(func(f *fakeDNS) { f.silent = true })
	sec := fastSection(nsOf("silent", silent), nsOf("good", good))
	sec.TimeoutRetry = time.Hour // the good answer must not wait for a retry
	r, _, s := run(t, sec, GroupSpec{Name: "svc.test", Port: 80, Slots: 1, PreferIPv4: true})
	waitView(t, s, "127.0.0.2:80")
	done := make(chan struct{})
	go func() { r.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop blocked")
	}
}

// TestStopEndsGoroutines: every goroutine a section started ends with
// Stop, TCP queries in flight included.
func TestStopEndsGoroutines(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2"}; f.truncUDP = true })
	before := runtime.NumGoroutine()
	r, err := New(fastSection(nsOf("ns", f), nsOf("ns2", f)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSlots(1)
	if _, err := r.Subscribe(GroupSpec{Name: "svc.test", Port: 80, Slots: 1, PreferIPv4: true, OnEvent: s.on}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitView(t, s, "127.0.0.2:80")
	r.Stop()
	r.Stop()
	waitFor(t, "the goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

// TestWriteShow: `show resolvers` text as HAProxy 2.6 prints it.
func TestWriteShow(t *testing.T) {
	sec := fastSection(config.Nameserver{Name: "ns", Addr: "127.0.0.1:53"}, config.Nameserver{Name: "b", Addr: "[::1]:53"})
	r, err := New(sec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.ns[0].c.sent.Add(3)
	r.ns[0].c.outdated.Add(2)
	var b strings.Builder
	if err := WriteShow(&b, []*Resolvers{r}, ""); err != nil {
		t.Fatal(err)
	}
	block := func(name string, sent, outdated int) string {
		return " nameserver " + name + ":\n" +
			"  sent:        " + strconv.Itoa(sent) + "\n  snd_error:   0\n  valid:       0\n  update:      0\n  cname:       0\n" +
			"  cname_error: 0\n  any_err:     0\n  nx:          0\n  timeout:     0\n  refused:     0\n  other:       0\n" +
			"  invalid:     0\n  too_big:     0\n  truncated:   0\n  outdated:    " + strconv.Itoa(outdated) + "\n"
	}
	want := "Resolvers section dns\n" + block("ns", 3, 2) + block("b", 0, 0)
	if b.String() != want {
		t.Errorf("show resolvers =\n%s\nwant\n%s", b.String(), want)
	}
	if err := WriteShow(&b, []*Resolvers{r}, "nope"); !errors.Is(err, ErrNoSection) {
		t.Errorf("unknown section: %v", err)
	}
	b.Reset()
	WriteShow(&b, nil, "")
	if b.String() != "No resolvers found\n" {
		t.Errorf("no section: %q", b.String())
	}
}

// TestLifecycle: Start twice, or after Stop, is an error; Stop before
// Start does nothing; a bad nameserver address or group is refused.
func TestLifecycle(t *testing.T) {
	r, err := New(fastSection(config.Nameserver{Name: "ns", Addr: "127.0.0.1:53"}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err == nil {
		t.Error("second Start accepted")
	}
	r.Stop()
	r2, _ := New(fastSection(), Options{})
	r2.Stop()
	if err := r2.Start(context.Background()); err == nil {
		t.Error("Start after Stop accepted")
	}
	if _, err := New(fastSection(config.Nameserver{Name: "ns", Addr: "dns.test:53"}), Options{}); err == nil {
		t.Error("a nameserver named by host name accepted")
	}
	if _, err := r2.Subscribe(GroupSpec{Name: "svc.test"}); err == nil {
		t.Error("a group without slots accepted")
	}
}
