// Package tls tests goha's TLS end to end with the real binary: the
// certificate chosen by SNI from a directory and a crt-list, strict-sni,
// ALPN (and the HTTP/1.1 fallback of an h2 client), versions and
// ciphers, client certificates, the ssl fetches in headers, rules and
// logs, TLS to servers, a certificate replaced on the live process, TLS
// in mode tcp, keep-alive over TLS (pipelining, parking), and clients
// that are not TLS or stop mid-handshake. Every certificate is generated
// by the test (crypto/x509).
package tls

import (
	"bufio"
	"crypto/tls"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// env is one goha serving the TLS configuration below.
type env struct {
	dir                 string
	ca, other           *ca
	pd, ps, ph, pl      string // crt DIR (+ plain bind), strict-sni, crt-list
	p13, pc, pm, pr, pt string // TLS 1.3 only, one cipher, client certs, hot cert, mode tcp
	pb                  string // plain frontend to TLS servers
	pr2                 string // mode tcp, TLS on both sides, sni ssl_fc_sni
	client, rogue, old  leaf   // client certificates: good, other CA, expired
	logs                *harness.Datagrams
	proc                *harness.Proc
	admin               string
}

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{dir: harness.TempDir(t), ca: newCA(t, "goha test ca"), other: newCA(t, "goha other ca")}
	d := e.dir
	write(t, d+"/ca.crt", e.ca.pem)
	// crt DIR: 00-default sorts first; crt-list: first line default.
	write(t, d+"/dir/00-default.pem", e.ca.server(t, "default.test", "default.test").pem())
	write(t, d+"/dir/alpha.pem", e.ca.server(t, "alpha.test", "alpha.test").pem())
	write(t, d+"/dir/beta.pem", e.ca.server(t, "beta.test", "beta.test").pem())
	write(t, d+"/dir/wild.pem", e.ca.server(t, "wild.test", "*.wild.test").pem())
	write(t, d+"/list/default.pem", e.ca.server(t, "default.test", "default.test").pem())
	write(t, d+"/list/alpha.pem", e.ca.server(t, "alpha.test", "alpha.test").pem())
	write(t, d+"/list/multi.pem", e.ca.server(t, "multi.test", "one.test", "two.test").pem())
	write(t, d+"/list.txt", []byte(fmt.Sprintf("%s/list/default.pem\n%s/list/alpha.pem [alpn http/1.1] alpha.test\n%s/list/multi.pem one.test\n", d, d, d)))
	write(t, d+"/www.pem", e.ca.server(t, "www.test", "www.test").pem())
	write(t, d+"/hot.pem", e.ca.server(t, "hot-v1.test", "hot.test").pem())
	e.client = e.ca.issue(t, pkix.Name{Organization: []string{"goha tests"}, CommonName: "client1"}, nil, false)
	e.rogue = e.other.issue(t, pkix.Name{CommonName: "rogue"}, nil, false)
	e.old = e.ca.issue(t, pkix.Name{CommonName: "old"}, nil, true)

	echo := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s sni=%s proto=%s alpn=%s dn=%s cn=%s verify=%s", name, r.Header.Get("X-SNI"),
				r.Header.Get("X-Proto"), r.Header.Get("X-ALPN"), r.Header.Get("X-DN"), r.Header.Get("X-CN"), r.Header.Get("X-Verify"))
		})
	}
	b1, b2 := harness.NewBackend(t, "b1", echo("b1")), harness.NewBackend(t, "b2", echo("b2"))
	ws := harness.NewBackend(t, "ws", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		io.Copy(c, brw)
	}))
	tlsOK := tlsServer(t, e.ca.server(t, "backend.test", "backend.test"))
	tlsOther := tlsServer(t, e.other.server(t, "backend.test", "backend.test"))
	tlsIdle := tlsServer(t, e.ca.server(t, "backend.test", "backend.test"), 100*time.Millisecond)
	echoTCP := tcpEcho(t)
	e.logs = harness.ListenDatagrams(t, "udp", "127.0.0.1:0")
	for _, p := range []*string{&e.pd, &e.ps, &e.ph, &e.pl, &e.p13, &e.pc, &e.pm, &e.pr, &e.pt, &e.pb, &e.pr2} {
		*p = harness.FreeAddr(t)
	}
	e.admin = d + "/admin.sock"
	cfg := fmt.Sprintf(`global
    stats socket %[1]s/admin.sock level admin
    log %[2]s local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 2s
    timeout server 5s
frontend fe_dir
    bind %[3]s ssl crt %[1]s/dir alpn h2,http/1.1
    bind %[4]s ssl crt %[1]s/dir strict-sni
    bind %[5]s
    redirect scheme https code 301 if !{ ssl_fc }
    http-request set-header X-SNI %%[ssl_fc_sni]
    http-request set-header X-Proto %%[ssl_fc_protocol]
    http-request set-header X-ALPN %%[ssl_fc_alpn]
    use_backend b2 if { ssl_fc_sni -i beta.test }
    use_backend ws if { path /ws }
    default_backend b1
frontend fe_list
    bind %[6]s ssl crt-list %[1]s/list.txt alpn h2,http/1.1
    default_backend b1
frontend fe_ver
    bind %[7]s ssl crt %[1]s/www.pem ssl-min-ver TLSv1.3
    bind %[8]s ssl crt %[1]s/www.pem ssl-max-ver TLSv1.2 ciphers ECDHE-ECDSA-AES128-GCM-SHA256
    default_backend b1
frontend fe_mtls
    log-format "mtls %%ci %%ft %%sslv %%sslc %%ST"
    bind %[9]s ssl crt %[1]s/www.pem ca-file %[1]s/ca.crt verify required
    http-request set-header X-DN %%[ssl_c_s_dn]
    http-request set-header X-CN %%[ssl_c_s_dn(CN)]
    http-request set-header X-Verify %%[ssl_c_verify]
    http-request deny if { path /acl } !{ ssl_c_s_dn(CN) -m str client1 }
    http-request deny if { path /acl } !{ ssl_c_used } || { path /acl } { ssl_fc_protocol TLSv1.2 }
    http-request deny deny_status 429 if { path /acl13 } { ssl_fc_protocol TLSv1.3 } { ssl_c_verify 0 }
    default_backend b1
frontend fe_hot
    bind %[10]s ssl crt %[1]s/hot.pem
    default_backend b1
frontend fe_tcp
    mode tcp
    bind %[11]s ssl crt %[1]s/www.pem
    tcp-request inspect-delay 2s
    tcp-request content accept if { req.len ge 10 }
    tcp-request content reject
    default_backend echo
frontend fe_reencrypt
    mode tcp
    bind %[18]s ssl crt %[1]s/www.pem
    default_backend tls_sni
frontend fe_servers
    bind %[12]s
    use_backend tls_other if { path_beg /other }
    use_backend tls_none if { path_beg /none }
    use_backend tls_idle if { path_beg /idle }
    use_backend tls_def if { path_beg /def }
    default_backend tls_ok
backend b1
    server s1 %[13]s
backend b2
    server s2 %[14]s
backend ws
    server w %[20]s
backend echo
    mode tcp
    server e %[15]s
backend tls_ok
    server t %[16]s ssl verify required ca-file %[1]s/ca.crt sni str(backend.test)
backend tls_other
    server x %[17]s ssl verify required ca-file %[1]s/ca.crt
backend tls_none
    server x %[17]s ssl verify none
backend tls_idle
    server t %[19]s ssl verify required ca-file %[1]s/ca.crt sni str(backend.test)
backend tls_def
    default-server ssl verify none
    server x %[17]s
backend chk
    server tlsok %[16]s ssl verify none check inter 200ms
    server plain %[13]s check check-ssl verify none inter 200ms fall 1
backend tls_sni
    mode tcp
    server t %[16]s ssl verify none sni ssl_fc_sni
`, d, e.logs.Addr(), e.pd, e.ps, e.ph, e.pl, e.p13, e.pc, e.pm, e.pr, e.pt, e.pb, b1.Addr, b2.Addr, echoTCP, tlsOK, tlsOther, e.pr2, tlsIdle, ws.Addr)
	path := harness.WriteFile(t, d, "tls.cfg", cfg)
	if out, rc := harness.Run(t, d, nil, "-c", "-f", path); rc != 0 {
		t.Fatalf("goha -c refuses the TLS config (rc %d): %s", rc, out)
	}
	e.proc = harness.Start(t, d, nil, "-db", "-f", path)
	e.proc.WaitListening(t, 10*time.Second, e.pd, e.pm, e.pt, e.pb)
	return e
}

// tlsServer is an HTTPS server with cert, answering "tls sni=NAME";
// idle, when given, is how long it keeps an idle connection.
func tlsServer(t *testing.T, cert leaf, idle ...time.Duration) string {
	t.Helper()
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Resumed", fmt.Sprint(r.TLS.DidResume))
		fmt.Fprintf(w, "tls sni=%s", r.TLS.ServerName)
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert.tls(t)}}
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	if len(idle) > 0 {
		s.Config.IdleTimeout = idle[0]
	}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s.Listener.Addr().String()
}

// tcpEcho echoes every connection's bytes.
func tcpEcho(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

// servedCN is the CN of the certificate addr serves for SNI sni (""
// sends none), or the handshake error.
func servedCN(addr, sni string) (string, error) {
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].Subject.CommonName, nil
}

// get makes one HTTPS request on a new connection to addr with SNI sni,
// verifying the server against the test CA; cfg adds client settings.
func (e *env) get(addr, sni, path string, cfg *tls.Config) (int, string, error) {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.ServerName, cfg.RootCAs = sni, e.ca.pool()
	tr := &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true, TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Get("https://" + addr + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestTLS(t *testing.T) {
	e := setup(t)
	t.Run("CertificateBySNI", e.certBySNI)
	t.Run("ALPNAndVersions", e.alpnAndVersions)
	t.Run("FetchesRulesAndRedirect", e.fetchesAndRedirect)
	t.Run("ClientCertificates", e.clientCerts)
	t.Run("ServersOverTLS", e.servers)
	t.Run("KeepAliveParkingPipelining", e.keepAlive)
	t.Run("ModeTCP", e.modeTCP)
	t.Run("BadClients", e.badClients)
	t.Run("HotCertificate", e.hotCert)
	t.Run("HealthChecksOverTLS", e.checks)
	// With GOHA_BIN set to a -race build, the race detector's reports.
	if out := e.proc.Output(); strings.Contains(out, "DATA RACE") {
		t.Errorf("goha reported a data race:\n%s", out)
	}
}

// checks: a server with `ssl` is checked over TLS (UP), a plain HTTP
// server with `check-ssl` fails its TLS check (DOWN, L6RSP).
func (e *env) checks(t *testing.T) {
	state := func() string {
		out := harness.Socat(t, e.admin, "show stat\n")
		var st []string
		for _, l := range strings.Split(out, "\n") {
			f := strings.Split(l, ",")
			if len(f) > 36 && f[0] == "chk" && f[1] != "BACKEND" {
				st = append(st, f[1]+"="+f[17]+"/"+f[36])
			}
		}
		return strings.Join(st, " ")
	}
	harness.WaitFor(t, 5*time.Second, "tlsok UP over TLS and plain DOWN on its TLS check", func() bool {
		s := state()
		return strings.Contains(s, "tlsok=UP/L6OK") && strings.Contains(s, "plain=DOWN/L6RSP")
	})
}

func (e *env) certBySNI(t *testing.T) {
	for _, c := range []struct{ addr, sni, want string }{
		{e.pd, "", "default.test"}, {e.pd, "alpha.test", "alpha.test"}, {e.pd, "x.wild.test", "wild.test"},
		{e.pd, "unknown.test", "default.test"}, {e.ps, "alpha.test", "alpha.test"},
		{e.pl, "", "default.test"}, {e.pl, "alpha.test", "alpha.test"}, {e.pl, "one.test", "multi.test"},
		{e.pl, "two.test", "default.test"}, // a SAN outside the line's filter
	} {
		got, err := servedCN(c.addr, c.sni)
		if err != nil || got != c.want {
			t.Errorf("SNI %q on %s: served %q (%v), want %q", c.sni, c.addr, got, err, c.want)
		}
	}
	for _, sni := range []string{"unknown.test", ""} {
		if cn, err := servedCN(e.ps, sni); err == nil {
			t.Errorf("strict-sni: SNI %q got a handshake (%s), want it refused", sni, cn)
		}
	}
}

func (e *env) alpnAndVersions(t *testing.T) {
	alpn := func(addr, sni string, offer ...string) string {
		c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true, NextProtos: offer})
		if err != nil {
			return "refused"
		}
		defer c.Close()
		return c.ConnectionState().NegotiatedProtocol
	}
	if got := alpn(e.pd, "www.test", "h2", "http/1.1"); got != "h2" {
		t.Errorf("alpn h2,http/1.1 offered h2,http/1.1: %q, want h2", got)
	}
	if got := alpn(e.pl, "alpha.test", "h2", "http/1.1"); got != "http/1.1" {
		t.Errorf("crt-list line [alpn http/1.1]: %q, want http/1.1", got)
	}
	// ALPN h2 is served as HTTP/2, with the connection's TLS facts
	// (ssl_fc for the redirect rule, ssl_fc_sni, ssl_fc_alpn) seen by
	// every stream.
	out, err := exec.Command("curl", "-s", "-m", "5", "--cacert", e.dir+"/ca.crt", "--resolve", "alpha.test:"+port(e.pd)+":127.0.0.1",
		"-w", " %{http_version} %{http_code}", "https://alpha.test:"+port(e.pd)+"/").CombinedOutput()
	if s := string(out); err != nil || !strings.HasSuffix(s, " 2 200") || !strings.HasPrefix(s, "b1 sni=alpha.test") || !strings.Contains(s, "alpn=h2") {
		t.Errorf("curl negotiating h2: %q (%v), want b1's answer over HTTP/2", s, err)
	}
	ver := func(addr string, max uint16, suites ...uint16) string {
		c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "www.test", InsecureSkipVerify: true, MaxVersion: max, CipherSuites: suites})
		if err != nil {
			return "refused"
		}
		defer c.Close()
		st := c.ConnectionState()
		return tls.VersionName(st.Version) + " " + tls.CipherSuiteName(st.CipherSuite)
	}
	if got := ver(e.p13, tls.VersionTLS12); got != "refused" {
		t.Errorf("ssl-min-ver TLSv1.3, a TLS 1.2 client: %q, want refused", got)
	}
	if got := ver(e.p13, 0); !strings.HasPrefix(got, "TLS 1.3") {
		t.Errorf("ssl-min-ver TLSv1.3, a TLS 1.3 client: %q", got)
	}
	if got := ver(e.pc, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384); got != "refused" {
		t.Errorf("ciphers ECDHE-ECDSA-AES128-GCM-SHA256, a client with AES256 only: %q, want refused", got)
	}
	if got := ver(e.pc, tls.VersionTLS12); got != "TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" {
		t.Errorf("ciphers ECDHE-ECDSA-AES128-GCM-SHA256: %q", got)
	}
}

func port(addr string) string { _, p, _ := net.SplitHostPort(addr); return p }

func (e *env) fetchesAndRedirect(t *testing.T) {
	req, _ := http.NewRequest("GET", "http://"+e.ph+"/x?y=1", nil)
	req.Host = "www.test"
	resp, err := (&http.Transport{}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != 301 || loc != "https://www.test/x?y=1" {
		t.Errorf("redirect scheme https if !{ ssl_fc } on the plain bind: %d %q", resp.StatusCode, loc)
	}
	code, body, err := e.get(e.pd, "alpha.test", "/", &tls.Config{NextProtos: []string{"http/1.1"}})
	if want := "b1 sni=alpha.test proto=TLSv1.3 alpn=http/1.1 "; err != nil || code != 200 || !strings.HasPrefix(body, want) {
		t.Errorf("ssl_fc_sni/protocol/alpn headers: %d %q (%v), want %q...", code, body, err, want)
	}
	if _, body, err := e.get(e.pd, "beta.test", "/", nil); err != nil || !strings.HasPrefix(body, "b2 ") {
		t.Errorf("use_backend b2 if { ssl_fc_sni -i beta.test }: %q (%v)", body, err)
	}
}

func (e *env) clientCerts(t *testing.T) {
	with := func(l *leaf) *tls.Config {
		if l == nil {
			return &tls.Config{}
		}
		return &tls.Config{Certificates: []tls.Certificate{l.tls(t)}}
	}
	code, body, err := e.get(e.pm, "www.test", "/", with(&e.client))
	if want := "b1 sni= proto= alpn= dn=/O=goha tests/CN=client1 cn=client1 verify=0"; err != nil || code != 200 || body != want {
		t.Errorf("verify required, CA-signed client certificate: %d %q (%v), want %q", code, body, err, want)
	}
	// The TLS ACL fetches: ssl_c_s_dn(CN), ssl_c_used, ssl_fc_protocol, ssl_c_verify.
	if code, body, err := e.get(e.pm, "www.test", "/acl", with(&e.client)); err != nil || code != 200 {
		t.Errorf("ACLs on ssl_c_s_dn(CN), ssl_c_used and ssl_fc_protocol: %d %q (%v), want 200", code, body, err)
	}
	if code, _, err := e.get(e.pm, "www.test", "/acl13", with(&e.client)); err != nil || code != 429 {
		t.Errorf("deny if { ssl_fc_protocol TLSv1.3 } { ssl_c_verify 0 }: %d (%v), want 429", code, err)
	}
	for name, l := range map[string]*leaf{"no certificate": nil, "another CA's": &e.rogue, "an expired": &e.old} {
		if code, body, err := e.get(e.pm, "www.test", "/", with(l)); err == nil {
			t.Errorf("verify required, %s client certificate: served %d %q, want the handshake refused", name, code, body)
		}
	}
	harness.WaitFor(t, 5*time.Second, "the access log with %sslv %sslc", e.logs.Has("mtls 127.0.0.1 fe_mtls~ TLSv1.3 TLS_AES_128_GCM_SHA256 200"))
	harness.WaitFor(t, 5*time.Second, "the refused client certificates logged", func() bool {
		return strings.Count(e.logs.String(), "fe_mtls/1: ") >= 3
	})
}

func (e *env) servers(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/", "200 tls sni=backend.test"}, {"/none", "200 tls sni="}, {"/other", "503"}, {"/def", "200 tls sni="},
	} {
		code, body, err := harness.GetTimeout("http://"+e.pb+c.path, 10*time.Second)
		got := fmt.Sprintf("%d %s", code, body)
		if code == 503 {
			got = "503"
		}
		if err != nil || got != c.want {
			t.Errorf("GET %s through a TLS server line: %q (%v), want %q", c.path, got, err, c.want)
		}
	}
	// A pooled TLS connection the server closed while idle is not
	// reused (the liveness peek looks under crypto/tls), and a new
	// one is TLS too, resuming the server's session.
	resumed := 0
	for i := 0; i < 3; i++ {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + e.pb + "/idle")
		if err != nil {
			t.Fatalf("request %d to a TLS server closing idle connections after 100ms: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "tls sni=backend.test" {
			t.Errorf("request %d to a TLS server closing idle connections after 100ms: %d %q", i, resp.StatusCode, b)
		}
		if resp.Header.Get("X-Resumed") == "true" {
			resumed++
		}
		time.Sleep(300 * time.Millisecond)
	}
	if resumed != 2 {
		t.Errorf("TLS sessions to the server resumed on %d of the 2 new connections, want 2", resumed)
	}
}

func (e *env) keepAlive(t *testing.T) {
	c, err := tls.Dial("tcp", e.pd, &tls.Config{ServerName: "alpha.test", RootCAs: e.ca.pool(), NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	read := func(what string) {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "b1 ") {
			t.Fatalf("%s: %d %q", what, resp.StatusCode, b)
		}
	}
	// Two requests in two TLS records sent back to back: the second
	// record is read from the socket with the first and waits in
	// crypto/tls's buffer, which the idle wait must see before watching
	// the socket.
	const get = "GET / HTTP/1.1\r\nHost: alpha.test\r\n\r\n"
	io.WriteString(c, get)
	io.WriteString(c, get)
	read("first pipelined request")
	read("second pipelined request")
	// Idle past the parking delay: the next request wakes it.
	time.Sleep(300 * time.Millisecond)
	io.WriteString(c, get)
	read("request after an idle wait")
	// A 101 Upgrade turns the TLS connection into a tunnel.
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: alpha.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade over TLS: %v %v", resp, err)
	}
	io.WriteString(c, "ping over the tunnel")
	got := make([]byte, len("ping over the tunnel"))
	if _, err := io.ReadFull(br, got); err != nil || string(got) != "ping over the tunnel" {
		t.Errorf("tunnel over TLS: %q (%v)", got, err)
	}
}

func (e *env) modeTCP(t *testing.T) {
	c, err := tls.Dial("tcp", e.pt, &tls.Config{ServerName: "www.test", RootCAs: e.ca.pool()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := strings.Repeat("goha over tls ", 5000)
	go io.WriteString(c, msg)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
		t.Errorf("mode tcp over TLS, content rules on the decrypted stream (req.len): echo of %d bytes: %v", len(msg), err)
	}
	// Re-encryption in mode tcp: the server sees the client's SNI.
	r, err := tls.Dial("tcp", e.pr2, &tls.Config{ServerName: "alpha.test", InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	io.WriteString(r, "GET / HTTP/1.0\r\nHost: x\r\n\r\n")
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, _ := io.ReadAll(r)
	if !strings.HasSuffix(string(b), "tls sni=alpha.test") {
		t.Errorf("mode tcp, server ssl sni ssl_fc_sni: %q, want the server to see alpha.test", b)
	}
}

func (e *env) badClients(t *testing.T) {
	// A client stalled mid-handshake holds nothing but its own
	// connection: others are served meanwhile, and it is cut by timeout
	// client (2s), logged.
	stalled := harness.Dial(t, e.pd)
	stalled.Write([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01}) // a ClientHello's start
	t0 := time.Now()
	if _, body, err := e.get(e.pd, "alpha.test", "/", nil); err != nil || !strings.HasPrefix(body, "b1 ") || time.Since(t0) > time.Second {
		t.Errorf("a request during a stalled handshake: %q (%v) after %v", body, err, time.Since(t0))
	}
	stalled.SetReadDeadline(time.Now().Add(6 * time.Second))
	if _, err := io.ReadAll(stalled); err != nil {
		t.Errorf("the stalled handshake was not closed by timeout client: %v", err)
	}
	// A plain HTTP client on the TLS port, one that leaves mid-handshake
	// (the words HAProxy 2.6 logs for each).
	plain := harness.Dial(t, e.pd)
	io.WriteString(plain, "GET / HTTP/1.0\r\n\r\n")
	plain.SetReadDeadline(time.Now().Add(3 * time.Second))
	if b, err := io.ReadAll(plain); err != nil || strings.Contains(string(b), "HTTP/") {
		t.Errorf("a plain HTTP client on the TLS port: %q (%v), want the connection closed", b, err)
	}
	leaving := harness.Dial(t, e.pd)
	leaving.Write([]byte{0x16, 0x03, 0x01, 0x02, 0x00})
	leaving.Close()
	for _, want := range []string{"fe_dir/1: Timeout during SSL handshake", "fe_dir/1: SSL handshake failure", "fe_dir/1: Connection closed during SSL handshake"} {
		harness.WaitFor(t, 5*time.Second, "the log line '"+want+"'", e.logs.Has(want))
	}
	if _, body, err := e.get(e.pd, "alpha.test", "/", nil); err != nil || !strings.HasPrefix(body, "b1 ") {
		t.Errorf("served after the bad clients: %q (%v)", body, err)
	}
}

func (e *env) hotCert(t *testing.T) {
	hot := filepath.Join(e.dir, "hot.pem")
	if out := harness.Socat(t, e.admin, "show ssl cert\n"); !strings.Contains(out, hot) || !strings.HasPrefix(out, "# filename") {
		t.Fatalf("show ssl cert: %q, want %s listed", out, hot)
	}
	if cn, _ := servedCN(e.pr, "hot.test"); cn != "hot-v1.test" {
		t.Fatalf("before: %q", cn)
	}
	v2 := e.ca.server(t, "hot-v2.test", "hot.test").pem()
	if out := harness.Socat(t, e.admin, "set ssl cert "+hot+" <<\n"+string(v2)+"\n"); !strings.Contains(out, "Transaction created for certificate "+hot+"!") {
		t.Fatalf("set ssl cert: %q", out)
	}
	// Clients keep handshaking while the certificate is replaced: none
	// fails.
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			var n int
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				if _, err := servedCN(e.pr, "hot.test"); err != nil {
					errs <- fmt.Errorf("handshake %d during the commit: %v", n, err)
					return
				}
				n++
			}
		}()
	}
	out := harness.Socat(t, e.admin, "commit ssl cert "+hot+"\n")
	time.Sleep(100 * time.Millisecond)
	close(stop)
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out, "Success!") {
		t.Fatalf("commit ssl cert: %q", out)
	}
	if cn, err := servedCN(e.pr, "hot.test"); cn != "hot-v2.test" {
		t.Errorf("after commit ssl cert: %q (%v), want hot-v2.test", cn, err)
	}
	if e.proc.Exited() {
		t.Errorf("the process exited: %s", e.proc.Output())
	}
}
