// Package discovery tests DNS service discovery end to end: the real
// binary with `resolvers` sections pointed at an in-process DNS server
// (miekg/dns) whose A and SRV answers the tests change while HTTP load
// runs; servers appear, follow, go to resolution maintenance and come
// back without a reload and without a failed request.
package discovery

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// zone is the DNS server's data, changed by the tests.
type zone struct {
	mu  sync.Mutex
	a   map[string][]string  // name. -> addresses
	srv map[string][]dns.SRV // name. -> records
}

func (z *zone) setA(name string, addrs ...string) {
	z.mu.Lock()
	z.a[dns.Fqdn(name)] = addrs
	z.mu.Unlock()
}

func (z *zone) setSRV(name string, recs ...dns.SRV) {
	z.mu.Lock()
	z.srv[dns.Fqdn(name)] = recs
	z.mu.Unlock()
}

// serve answers A and SRV questions from the zone (SRV answers carry
// their targets' A records as additional records); other names NXDOMAIN.
func (z *zone) serve(w dns.ResponseWriter, q *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(q)
	z.mu.Lock()
	defer z.mu.Unlock()
	qn := strings.ToLower(q.Question[0].Name)
	hdr := func(name string, t uint16) dns.RR_Header {
		return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: 1}
	}
	_, isA := z.a[qn]
	recs, isSRV := z.srv[qn]
	switch {
	case !isA && !isSRV:
		m.Rcode = dns.RcodeNameError
	case q.Question[0].Qtype == dns.TypeA:
		for _, a := range z.a[qn] {
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr(qn, dns.TypeA), A: net.ParseIP(a)})
		}
	case q.Question[0].Qtype == dns.TypeSRV:
		for _, r := range recs {
			r := r
			r.Hdr = hdr(qn, dns.TypeSRV)
			m.Answer = append(m.Answer, &r)
			for _, a := range z.a[r.Target] {
				m.Extra = append(m.Extra, &dns.A{Hdr: hdr(r.Target, dns.TypeA), A: net.ParseIP(a)})
			}
		}
	}
	w.WriteMsg(m)
}

// startDNS serves a zone on a UDP port of 127.0.0.1 until the test ends.
func startDNS(t *testing.T) (*zone, string) {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	z := &zone{a: map[string][]string{}, srv: map[string][]dns.SRV{}}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(z.serve)}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return z, pc.LocalAddr().String()
}

// addrServers are HTTP servers on one port of several loopback
// addresses (Linux routes all of 127/8 to lo), answering their address
// and counting their requests: servers told apart by address alone, as
// A records give them.
type addrServers struct {
	port  int
	count map[string]*atomic.Int64
}

func startAddrServers(t *testing.T, addrs ...string) *addrServers {
	t.Helper()
	for try := 0; try < 10; try++ {
		first, err := net.Listen("tcp4", addrs[0]+":0")
		if err != nil {
			t.Fatal(err)
		}
		port := first.Addr().(*net.TCPAddr).Port
		lns := []net.Listener{first}
		for _, a := range addrs[1:] {
			ln, err := net.Listen("tcp4", net.JoinHostPort(a, strconv.Itoa(port)))
			if err != nil {
				break
			}
			lns = append(lns, ln)
		}
		if len(lns) < len(addrs) {
			for _, ln := range lns {
				ln.Close()
			}
			continue
		}
		s := &addrServers{port: port, count: map[string]*atomic.Int64{}}
		for i, ln := range lns {
			name, n := addrs[i], &atomic.Int64{}
			s.count[name] = n
			hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				io.WriteString(w, name+"\n")
			})}
			go hs.Serve(ln)
			t.Cleanup(func() { hs.Close() })
		}
		return s
	}
	t.Fatalf("no port free on all of %v", addrs)
	return nil
}

func (s *addrServers) n(addr string) int64 { return s.count[addr].Load() }

// lazy is a message part computed only when printed (a failure).
type lazy func() string

func (l lazy) String() string { return l() }

// waitSocket waits until the stats socket accepts connections.
func waitSocket(t *testing.T, sock string) string {
	t.Helper()
	harness.WaitFor(t, 5*time.Second, "the stats socket "+sock, func() bool {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return sock
}

// cli sends one runtime API command to the stats socket and returns the
// answer.
func cli(t *testing.T, sock, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		t.Fatalf("stats socket %s: %v", sock, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "%s\n", cmd)
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%q: %v", cmd, err)
	}
	return string(b)
}

// view is a backend's servers from `show servers state`: those in
// service as "ADDR:PORT/UWEIGHT" (sorted), then "maint=N" for those in
// resolution maintenance (admin bit 0x20).
func view(t *testing.T, sock, backend string) string {
	var up []string
	maint := 0
	for _, f := range stateLines(t, sock, backend) {
		admin, _ := strconv.Atoi(f[6])
		switch {
		case admin&0x20 != 0:
			maint++
		case f[5] == "2":
			up = append(up, f[4]+":"+f[18]+"/"+f[7])
		}
	}
	sort.Strings(up)
	return strings.Join(append(up, fmt.Sprintf("maint=%d", maint)), " ")
}

// stateLines are the fields of a backend's `show servers state` lines.
func stateLines(t *testing.T, sock, backend string) [][]string {
	var out [][]string
	sc := bufio.NewScanner(strings.NewReader(cli(t, sock, "show servers state "+backend)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 25 && f[0] != "#" {
			out = append(out, f)
		}
	}
	return out
}

// server returns one server's `show servers state` fields.
func server(t *testing.T, sock, backend, name string) []string {
	for _, f := range stateLines(t, sock, backend) {
		if f[3] == name {
			return f
		}
	}
	t.Fatalf("no server %s/%s in show servers state", backend, name)
	return nil
}

// statStatus is a server's status column in `show stat`.
func statStatus(t *testing.T, sock, backend, name string) string {
	for _, line := range strings.Split(cli(t, sock, "show stat"), "\n") {
		f := strings.Split(line, ",")
		if len(f) > 17 && f[0] == backend && f[1] == name {
			return f[17]
		}
	}
	return ""
}

// counter reads one counter of `show resolvers NAME`.
func counter(t *testing.T, sock, section, name string) int {
	for _, line := range strings.Split(cli(t, sock, "show resolvers "+section), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == name+":" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return -1
}

const holdObsolete = 600 * time.Millisecond

// config is the configuration: backend web follows the A records of
// svc.test with 4 slots, backend srvs the SRV records of
// _http._tcp.svc.test with 3.
func config(dir, ns string, webPort, srvPort int, aPort int) string {
	return fmt.Sprintf(`global
    stats socket %s/stats.sock level admin
resolvers dns
    nameserver ns %s
    hold valid 100ms
    hold obsolete %dms
    timeout resolve 100ms
    timeout retry 200ms
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:%d
    default_backend web
frontend fs
    bind 127.0.0.1:%d
    default_backend srvs
backend web
    balance roundrobin
    server-template web 4 svc.test:%d resolvers dns init-addr none resolve-prefer ipv4
backend srvs
    balance roundrobin
    server-template srv 3 _http._tcp.svc.test resolvers dns init-addr none resolve-prefer ipv4
`, dir, ns, holdObsolete.Milliseconds(), webPort, srvPort, aPort)
}

// TestDiscoveryUnderLoad: servers follow the A records under keep-alive
// load without a reload: a new address fills a free slot and takes
// traffic at once; a vanished one goes to resolution maintenance once
// `hold obsolete` has passed, and gets no more traffic; not one request
// fails meanwhile. `set server fqdn` takes a template's server out of
// its group; `show resolvers` counts the answers.
func TestDiscoveryUnderLoad(t *testing.T) {
	z, ns := startDNS(t)
	web := startAddrServers(t, "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")
	z.setA("svc.test", "127.0.0.2", "127.0.0.3")
	dir := harness.TempDir(t)
	webPort, srvPort := harness.FreePort(t), harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", config(dir, ns, webPort, srvPort, web.port))
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	fe := fmt.Sprintf("127.0.0.1:%d", webPort)
	p.WaitListening(t, 10*time.Second, fe)
	sock := waitSocket(t, dir+"/stats.sock")
	wp := strconv.Itoa(web.port)
	want := func(v string) func() bool { return func() bool { return view(t, sock, "web") == v } }

	harness.WaitForf(t, 5*time.Second, want("127.0.0.2:"+wp+"/1 127.0.0.3:"+wp+"/1 maint=2"),
		"two slots take the A records, two stay in resolution maintenance: %s", lazy(func() string { return view(t, sock, "web") }))
	if got := statStatus(t, sock, "web", "web3"); got != "MAINT (resolution)" {
		t.Errorf("show stat: web3's status %q, want 'MAINT (resolution)'", got)
	}

	stop := make(chan struct{})
	load := harness.Load(fe, 4, true, stop)
	stopLoad := func() harness.LoadStats {
		if stop != nil {
			close(stop)
			stop = nil
		}
		return <-load
	}
	defer func() {
		if stop != nil {
			stopLoad()
		}
	}()

	// A new address fills a free slot, and traffic reaches it.
	z.setA("svc.test", "127.0.0.2", "127.0.0.3", "127.0.0.4")
	harness.WaitForf(t, 5*time.Second, want("127.0.0.2:"+wp+"/1 127.0.0.3:"+wp+"/1 127.0.0.4:"+wp+"/1 maint=1"),
		"127.0.0.4 fills a free slot: %s", lazy(func() string { return view(t, sock, "web") }))
	harness.WaitFor(t, 5*time.Second, "traffic to 127.0.0.4", func() bool { return web.n("127.0.0.4") >= 20 })

	// A vanished address keeps its slot for hold obsolete, then goes to
	// maintenance and gets no more traffic.
	gone := time.Now()
	z.setA("svc.test", "127.0.0.3", "127.0.0.4")
	harness.WaitForf(t, 5*time.Second, want("127.0.0.3:"+wp+"/1 127.0.0.4:"+wp+"/1 maint=2"),
		"127.0.0.2's slot in maintenance: %s", lazy(func() string { return view(t, sock, "web") }))
	// The record was last seen at most hold valid (100 ms) and a query
	// before it vanished.
	if d := time.Since(gone); d < holdObsolete-250*time.Millisecond {
		t.Errorf("127.0.0.2's slot went to maintenance %v after the record vanished, before hold obsolete %v", d, holdObsolete)
	}
	settle := web.n("127.0.0.3") + 20
	harness.WaitFor(t, 5*time.Second, "traffic to 127.0.0.3", func() bool { return web.n("127.0.0.3") >= settle })
	n2, n3 := web.n("127.0.0.2"), web.n("127.0.0.3")
	harness.WaitFor(t, 5*time.Second, "more traffic to 127.0.0.3", func() bool { return web.n("127.0.0.3") >= n3+100 })
	if d := web.n("127.0.0.2") - n2; d != 0 {
		t.Errorf("127.0.0.2 got %d requests after its slot went to maintenance", d)
	}

	// set server fqdn: web1 (the slot 127.0.0.2 left) follows its own
	// name; the template's group no longer fills it.
	if got := cli(t, sock, "set server web/web1 fqdn other.test"); got != "web/web1 changed its FQDN from svc.test to other.test by 'stats socket command'\n\n" {
		t.Errorf("set server fqdn answered %q", got)
	}
	z.setA("other.test", "127.0.0.5")
	harness.WaitForf(t, 5*time.Second, func() bool {
		f := server(t, sock, "web", "web1")
		return f[4] == "127.0.0.5" && f[5] == "2" && f[17] == "other.test"
	}, "web1 on other.test's 127.0.0.5: %v", lazy(func() string { return strings.Join(server(t, sock, "web", "web1"), " ") }))
	harness.WaitFor(t, 5*time.Second, "traffic to 127.0.0.5", func() bool { return web.n("127.0.0.5") >= 20 })
	z.setA("svc.test", "127.0.0.3", "127.0.0.4", "127.0.0.2")
	harness.WaitForf(t, 5*time.Second, func() bool {
		f := server(t, sock, "web", "web4")
		return f[4] == "127.0.0.2" && f[5] == "2"
	}, "127.0.0.2 back in web4 (web1 left the group): %s", lazy(func() string { return view(t, sock, "web") }))

	st := stopLoad()
	if st.Errors != 0 || st.Requests < 300 {
		t.Errorf("load while servers came and went: %v; want 0 errors in at least 300 requests", st)
	}
	t.Logf("load: %v", st)

	if sent, valid := counter(t, sock, "dns", "sent"), counter(t, sock, "dns", "valid"); sent <= 0 || valid <= 0 {
		t.Errorf("show resolvers dns: sent %d, valid %d; want both > 0:\n%s", sent, valid, cli(t, sock, "show resolvers dns"))
	}
	if got := cli(t, sock, "show resolvers nope"); got != "Can't find that resolvers section\n\n" {
		t.Errorf("show resolvers nope answered %q", got)
	}
	if strings.Contains(p.Output(), "reload") {
		t.Errorf("unexpected reload: %s", p.Output())
	}
}

// TestDiscoverySRV: SRV records give the servers their ports and
// weights ((w+255)/256), the answers' additional records their
// addresses; a record removed puts its slot in resolution maintenance
// and traffic goes to the one left.
func TestDiscoverySRV(t *testing.T) {
	z, ns := startDNS(t)
	s1 := harness.NewBackend(t, "s1", nil)
	s2 := harness.NewBackend(t, "s2", nil)
	z.setA("a.svc.test", "127.0.0.1")
	z.setA("b.svc.test", "127.0.0.1")
	z.setSRV("_http._tcp.svc.test",
		dns.SRV{Weight: 2560, Port: uint16(s1.Port), Target: "a.svc.test."},
		dns.SRV{Weight: 25600, Port: uint16(s2.Port), Target: "b.svc.test."})
	dir := harness.TempDir(t)
	webPort, srvPort := harness.FreePort(t), harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", config(dir, ns, webPort, srvPort, 80))
	p := harness.Start(t, dir, nil, "-db", "-f", cfg)
	fs := fmt.Sprintf("127.0.0.1:%d", srvPort)
	p.WaitListening(t, 10*time.Second, fs)
	sock := waitSocket(t, dir+"/stats.sock")

	w := []string{fmt.Sprintf("127.0.0.1:%d/10", s1.Port), fmt.Sprintf("127.0.0.1:%d/100", s2.Port)}
	sort.Strings(w)
	both := strings.Join(w, " ") + " maint=1"
	harness.WaitForf(t, 5*time.Second, func() bool { return view(t, sock, "srvs") == both },
		"want %q: %s", both, lazy(func() string { return view(t, sock, "srvs") }))
	for _, f := range stateLines(t, sock, "srvs") {
		if f[6] == "64" && (f[19] != "_http._tcp.svc.test" || !strings.HasSuffix(f[17], ".svc.test")) {
			t.Errorf("SRV server line %v: want srvrecord _http._tcp.svc.test and the target as srv_fqdn", f)
		}
	}

	z.setSRV("_http._tcp.svc.test", dns.SRV{Weight: 2560, Port: uint16(s1.Port), Target: "a.svc.test."})
	one := fmt.Sprintf("127.0.0.1:%d/10 maint=2", s1.Port)
	harness.WaitForf(t, 5*time.Second, func() bool { return view(t, sock, "srvs") == one },
		"want %q: %s", one, lazy(func() string { return view(t, sock, "srvs") }))
	n2 := s2.Requests.Load()
	for i := 0; i < 5; i++ {
		code, body, err := harness.Get("http://" + fs + "/")
		if err != nil || code != 200 || body != "s1\n" {
			t.Fatalf("request %d: %d %q %v; want s1", i, code, body, err)
		}
	}
	if s2.Requests.Load() != n2 {
		t.Errorf("s2 got requests after its SRV record went away")
	}
}
