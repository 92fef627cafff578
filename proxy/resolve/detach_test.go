package resolve

import (
	"testing"

	"github.com/miekg/dns"
)

// TestDetach: a detached slot loses its address and gets no more; the
// address it had goes to a free slot at the next answer.
func TestDetach(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) { f.a["svc.test."] = []string{"127.0.0.2", "127.0.0.3"} })
	_, g, s := run(t, fastSection(nsOf("ns", f)), GroupSpec{Name: "svc.test", Port: 80, Slots: 3, PreferIPv4: true})
	waitView(t, s, "127.0.0.2:80 127.0.0.3:80 -")
	g.Detach(0)
	waitView(t, s, "127.0.0.2:80 127.0.0.3:80 127.0.0.2:80")
	if got := g.Slots()[0]; got.Addr.IsValid() {
		t.Errorf("detached slot 0 = %v, want no address", got.Addr)
	}
}

// TestSRVTarget: events and slots of an SRV group name the record's
// target without its final dot.
func TestSRVTarget(t *testing.T) {
	f := startDNS(t)
	f.set(func(f *fakeDNS) {
		f.a["a.svc.test."] = []string{"127.0.0.2"}
		f.srv["_http._tcp.svc.test."] = []*dns.SRV{{Weight: 256, Port: 8001, Target: "a.svc.test."}}
	})
	_, g, s := run(t, fastSection(nsOf("ns", f)), GroupSpec{Name: "_http._tcp.svc.test", Slots: 2, PreferIPv4: true})
	waitView(t, s, "127.0.0.2:8001/1 -")
	if got := s.all()[0].Target; got != "a.svc.test" {
		t.Errorf("event target = %q, want a.svc.test", got)
	}
	if got := g.Slots(); got[0].Target != "a.svc.test" || got[1].Target != "" {
		t.Errorf("slot targets = %q, %q", got[0].Target, got[1].Target)
	}
}
