package config

import (
	"net/netip"
	"testing"
	"time"
)

// TestResolversModel checks that a resolvers section and the servers
// using it land in the typed model, with HAProxy's defaults for what is
// not written and the template's servers numbered as HAProxy names them.
func TestResolversModel(t *testing.T) {
	src := `resolvers dns
  nameserver ns1 127.0.0.1:5353
  nameserver ns2 tcp@[::1]:53
  accepted_payload_size 4096
  resolve_retries 5
  timeout retry 200ms
  hold valid 2s
  hold obsolete 5s
resolvers other
  nameserver ns 127.0.0.1:53
backend be
  default-server resolvers dns resolve-prefer ipv4
  server-template web 3-4 svc.test:8080 init-addr none resolve-opts allow-dup-ip,ignore-weight resolve-net 10.0.0.0/8,192.168.1.1
  server-template srv 2 _http._tcp.svc.test init-addr none
`
	cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(src)}}, testOpts(nil))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	r := cfg.Resolvers[0]
	if len(r.Nameservers) != 2 || r.Nameservers[0] != (Nameserver{Name: "ns1", Addr: "127.0.0.1:5353", File: "t.cfg", Line: 2}) ||
		r.Nameservers[1].Addr != "[::1]:53" || !r.Nameservers[1].TCP {
		t.Errorf("nameservers = %+v", r.Nameservers)
	}
	wantHold := Hold{Valid: 2 * time.Second, NX: 30 * time.Second, Timeout: 30 * time.Second, Refused: 30 * time.Second,
		Other: 30 * time.Second, Obsolete: 5 * time.Second}
	if r.AcceptedPayloadSize != 4096 || r.ResolveRetries != 5 || r.TimeoutRetry != 200*time.Millisecond ||
		r.TimeoutResolve != time.Second || r.Hold != wantHold {
		t.Errorf("section = %+v", r)
	}
	if d := cfg.Resolvers[1]; d.AcceptedPayloadSize != 512 || d.ResolveRetries != 3 || d.Hold.Valid != 10*time.Second {
		t.Errorf("defaults = %+v", d)
	}
	sv := cfg.Proxies[0].Servers
	if len(sv) != 4 {
		t.Fatalf("servers = %d, want 4", len(sv))
	}
	for i, want := range []string{"web3", "web4", "srv1", "srv2"} {
		if sv[i].Name != want || sv[i].Resolvers != "dns" || sv[i].ResolvePrefer != "ipv4" || !sv[i].NoAddr || !sv[i].Template {
			t.Errorf("server %d = %+v, want %s", i, sv[i], want)
		}
	}
	w := sv[1]
	if w.FQDN != "svc.test" || w.Port != 8080 || w.TemplatePrefix != "web" || w.TemplateIndex != 4 ||
		!w.AllowDupIP() || !w.IgnoreWeight() || len(w.ResolveNets) != 2 ||
		w.ResolveNets[1] != netip.MustParsePrefix("192.168.1.1/32") {
		t.Errorf("web4 = %+v", w)
	}
	if s := sv[2]; s.FQDN != "_http._tcp.svc.test" || s.Port != 0 || !IsSRVName(s.FQDN) || s.AllowDupIP() {
		t.Errorf("srv1 = %+v", s)
	}
	if sv[0].ID == sv[1].ID {
		t.Errorf("template servers share id %d", sv[0].ID)
	}
}

// TestDefaultResolvers: the implicit "default" section takes
// resolv.conf's nameservers, named after their address, on port 53.
func TestDefaultResolvers(t *testing.T) {
	r := DefaultResolvers([]byte("search x\nnameserver 10.0.0.53\nnameserver bogus\nnameserver ::1\nnameserver 10.0.0.53\n"))
	if r == nil || r.Name != "default" || len(r.Nameservers) != 2 || r.Nameservers[0].Name != "10.0.0.53" ||
		r.Nameservers[0].Addr != "10.0.0.53:53" || r.Nameservers[1].Addr != "[::1]:53" || r.Hold.Valid != 10*time.Second {
		t.Errorf("DefaultResolvers = %+v", r)
	}
	if DefaultResolvers([]byte("search x\n")) != nil {
		t.Error("a section without nameserver")
	}
}

// TestParseResolvConf: parse-resolv-conf adds resolv.conf's nameservers
// where it stands, and warns about the lines it skips.
func TestParseResolvConf(t *testing.T) {
	opts := testOpts(nil)
	opts.ReadFile = func(name string) ([]byte, error) {
		if name != "/etc/resolv.conf" {
			t.Fatalf("read %s", name)
		}
		return []byte("nameserver 10.0.0.53\nnameserver\n"), nil
	}
	src := "resolvers dns\n  nameserver a 127.0.0.1:53\n  parse-resolv-conf\n"
	cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(src)}}, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	ns := cfg.Resolvers[0].Nameservers
	if len(ns) != 2 || ns[1].Name != "10.0.0.53" || ns[1].Addr != "10.0.0.53:53" {
		t.Errorf("nameservers = %+v", ns)
	}
	want := "parsing [t.cfg:3]: parsing [/etc/resolv.conf:2] : nameserver line is missing address."
	found := false
	for _, w := range cfg.Warnings {
		found = found || w.Msg == want
	}
	if !found {
		t.Errorf("warnings = %+v, want %q", cfg.Warnings, want)
	}
}
