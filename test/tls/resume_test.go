package tls

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// pinnedCache is a client session cache that keeps the first ticket it
// gets for a server name: every later connection offers that same
// ticket, so a test shows that a ticket issued before reloads (or by
// another worker) resumes, not one refreshed on the way.
type pinnedCache struct {
	mu sync.Mutex
	s  map[string]*tls.ClientSessionState
}

func (c *pinnedCache) Get(key string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.s[key]
	return s, ok
}

func (c *pinnedCache) Put(key string, s *tls.ClientSessionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil {
		c.s = map[string]*tls.ClientSessionState{}
	}
	if _, ok := c.s[key]; !ok && s != nil {
		c.s[key] = s
	}
}

func (c *pinnedCache) has(key string) bool { _, ok := c.Get(key); return ok }

// resumeEnv is a master-worker goha whose ssl binds answer the serving
// worker's PID.
type resumeEnv struct {
	t      *testing.T
	ca     *ca
	pool   *x509.CertPool
	master *harness.Proc
	addr   string // ssl bind without a key file
	// fileA and fileB share a tls-ticket-keys file (set by keyFile).
	fileA, fileB string
}

// setupResume starts goha -W with nbproc workers; keyFile adds two binds
// reading the same tls-ticket-keys file.
func setupResume(t *testing.T, nbproc int, keyFile bool, env ...string) *resumeEnv {
	t.Helper()
	d := harness.TempDir(t)
	e := &resumeEnv{t: t, ca: newCA(t, "goha resume ca")}
	e.pool = e.ca.pool()
	write(t, d+"/www.pem", e.ca.server(t, "www.test", "www.test").pem())
	e.addr = harness.FreeAddr(t)
	binds := fmt.Sprintf("    bind %s ssl crt %s/www.pem\n", e.addr, d)
	if keyFile {
		var lines []string
		for i := 0; i < 3; i++ {
			k := make([]byte, 48)
			rand.Read(k)
			lines = append(lines, base64.StdEncoding.EncodeToString(k))
		}
		write(t, d+"/tickets.key", []byte(strings.Join(lines, "\n")+"\n"))
		e.fileA, e.fileB = harness.FreeAddr(t), harness.FreeAddr(t)
		for _, a := range []string{e.fileA, e.fileB} {
			binds += fmt.Sprintf("    bind %s ssl crt %s/www.pem tls-ticket-keys %s/tickets.key\n", a, d, d)
		}
	}
	cfg := fmt.Sprintf(`global
    nbproc %d
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
%s    http-request return status 200 content-type text/plain lf-string "%%pid"
`, nbproc, binds)
	write(t, d+"/goha.cfg", []byte(cfg))
	e.master = harness.Start(t, d, env, "-W", "-f", d+"/goha.cfg")
	harness.WaitForf(t, 10*time.Second, func() bool { return strings.Contains(e.master.Output(), "Loading success.") },
		"goha -W to start: %s", e.master.Out)
	harness.WaitFor(t, 10*time.Second, "the ssl bind to serve", func() bool { _, _, err := e.get(e.addr, 0, nil); return err == nil })
	return e
}

// get makes one HTTPS request on a new connection (TLS version ver, 0
// for any; cache, if set, as the client session cache) and returns the
// PID of the worker that served it and whether the session resumed.
func (e *resumeEnv) get(addr string, ver uint16, cache tls.ClientSessionCache) (int, bool, error) {
	cfg := &tls.Config{ServerName: "www.test", RootCAs: e.pool, MinVersion: ver, MaxVersion: ver, ClientSessionCache: cache}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return 0, false, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: www.test\r\nConnection: close\r\n\r\n"); err != nil {
		return 0, false, err
	}
	// Reading the answer takes in the TLS 1.3 tickets sent before it.
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, false, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, false, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil {
		return 0, false, fmt.Errorf("answer %q is no PID", body)
	}
	return pid, c.ConnectionState().DidResume, nil
}

// versions are the TLS versions every resumption case runs with.
var versions = []struct {
	name string
	v    uint16
}{{"TLS1.2", tls.VersionTLS12}, {"TLS1.3", tls.VersionTLS13}}

// tickets takes a ticket per version from addr into fresh pinned caches
// and checks it resumes there; it returns the caches and the PID that
// issued each ticket.
func (e *resumeEnv) tickets(addr string) ([]*pinnedCache, []int) {
	e.t.Helper()
	var caches []*pinnedCache
	var pids []int
	for _, v := range versions {
		c := &pinnedCache{}
		pid, _, err := e.get(addr, v.v, c)
		if err != nil || !c.has("www.test") {
			e.t.Fatalf("%s: first connection: %v (ticket kept: %v)", v.name, err, c.has("www.test"))
		}
		caches, pids = append(caches, c), append(pids, pid)
	}
	return caches, pids
}

// reload sends SIGUSR2 to the master and waits until it has loaded the
// new generation, the worker old has exited and a new one serves; it
// returns the new worker's PID (nbproc 1).
func (e *resumeEnv) reload(old int) int {
	e.t.Helper()
	loads := strings.Count(e.master.Output(), "Loading success.")
	e.master.Signal(syscall.SIGUSR2)
	var pid int
	harness.WaitForf(e.t, 20*time.Second, func() bool {
		var err error
		if strings.Count(e.master.Output(), "Loading success.") <= loads || harness.Alive(old) {
			return false
		}
		pid, _, err = e.get(e.addr, 0, nil)
		return err == nil && pid != old
	}, "the reload to replace worker %d: %s", old, e.master.Out)
	return pid
}

// TestResumeAcrossReloads: a session from before a reload resumes after
// one and after three, on TLS 1.2 and 1.3, without a key file: the
// master hands its keys to each generation and across its re-exec.
func TestResumeAcrossReloads(t *testing.T) {
	e := setupResume(t, 1, false)
	caches, issuers := e.tickets(e.addr)
	worker := issuers[0]
	for reload := 1; reload <= 3; reload++ {
		worker = e.reload(worker)
		if reload == 2 {
			continue
		}
		for i, v := range versions {
			pid, resumed, err := e.get(e.addr, v.v, caches[i])
			if err != nil || !resumed || pid != worker {
				t.Errorf("after %d reload(s), %s: served by %d (worker %d), resumed %v, %v; want the pre-reload session resumed by the new worker",
					reload, v.name, pid, worker, resumed, err)
			}
		}
	}
}

// TestResumeAcrossWorkers: with nbproc 2, a session one worker started
// resumes on the other.
func TestResumeAcrossWorkers(t *testing.T) {
	e := setupResume(t, 2, false)
	harness.WaitFor(t, 10*time.Second, "two workers", func() bool { return len(harness.Children(e.master.Pid())) == 2 })
	caches, issuers := e.tickets(e.addr)
	for i, v := range versions {
		var pid int
		var resumed bool
		var err error
		// The kernel hands connections to either worker: try until the
		// other one takes one.
		ok := harness.Eventually(15*time.Second, func() bool {
			pid, resumed, err = e.get(e.addr, v.v, caches[i])
			return err == nil && pid != issuers[i]
		})
		if !ok || !resumed {
			t.Errorf("%s: ticket of worker %d offered to worker %d: resumed %v, %v (reached the other worker: %v)", v.name, issuers[i], pid, resumed, err, ok)
		}
	}
}

// TestResumeWithTicketKeysFile: binds with a tls-ticket-keys file use
// the file's keys (a ticket of one resumes on another bind reading the
// same file, across a reload), not the master's (a bind without the
// file does not take it).
func TestResumeWithTicketKeysFile(t *testing.T) {
	e := setupResume(t, 1, true)
	caches, issuers := e.tickets(e.fileA)
	e.reload(issuers[0])
	for i, v := range versions {
		if _, resumed, err := e.get(e.fileB, v.v, caches[i]); err != nil || !resumed {
			t.Errorf("%s: ticket of a bind with the key file, on another bind with it after a reload: resumed %v, %v", v.name, resumed, err)
		}
		if _, resumed, err := e.get(e.addr, v.v, caches[i]); err != nil || resumed {
			t.Errorf("%s: ticket of a bind with the key file, on a bind without it: resumed %v, %v; want a full handshake", v.name, resumed, err)
		}
	}
}

// TestTicketKeysRotateInRunningWorkers: the master rotates the keys on
// its clock and hands them to the running worker: a ticket stops
// resuming after two rotations, while a new one resumes.
func TestTicketKeysRotateInRunningWorkers(t *testing.T) {
	e := setupResume(t, 1, false, "GOHA_TLS_TICKET_ROTATION=300ms")
	old, _ := e.tickets(e.addr)
	var resumed bool
	var err error
	if !harness.Eventually(15*time.Second, func() bool {
		_, resumed, err = e.get(e.addr, tls.VersionTLS13, old[1])
		return err == nil && !resumed
	}) {
		t.Fatalf("a TLS 1.3 ticket still resumes after many rotation intervals (resumed %v, %v)", resumed, err)
	}
	// Rotated keys serve: a new ticket resumes (taken again when a
	// rotation retired it in between).
	for _, v := range versions {
		ok := harness.Eventually(5*time.Second, func() bool {
			c := &pinnedCache{}
			if _, _, err = e.get(e.addr, v.v, c); err != nil {
				return false
			}
			_, resumed, err = e.get(e.addr, v.v, c)
			return err == nil && resumed
		})
		if !ok {
			t.Errorf("%s: a new ticket does not resume after rotations: %v", v.name, err)
		}
	}
}
