package peers

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/stick"
)

// freePort returns a TCP port free on 127.0.0.1.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// node is a Go peer built from a configuration text: its tables and
// its running section.
type node struct {
	set *stick.Set
	sec *Section
	cfg *config.Config
}

// startNode parses cfgText as local peer local and starts its section
// (named section).
func startNode(t testing.TB, cfgText, local, section string, opts Options) *node {
	t.Helper()
	cfg, err := config.Parse([]config.Source{{Name: "t.cfg", Data: []byte(strings.ReplaceAll(cfgText, "@SOCK@", "/tmp/unused.sock"))}}, config.ParseOptions{
		Getenv:    func(string) (string, bool) { return "", false },
		Resolve:   func(h string) (string, error) { return "127.0.0.1", nil },
		LocalPeer: local,
	})
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	var tables []*stick.Table
	for _, px := range cfg.Proxies {
		if px.StickTable != nil {
			tb, err := stick.New(px.StickTable, nil)
			if err != nil {
				t.Fatal(err)
			}
			tables = append(tables, tb)
		}
	}
	var pc *config.Peers
	for _, p := range cfg.Peers {
		if p.Name == section {
			pc = p
			for _, st := range p.Tables {
				tb, err := stick.New(st, nil)
				if err != nil {
					t.Fatal(err)
				}
				tables = append(tables, tb)
			}
		}
	}
	opts.Local = local
	opts.Tables = tables
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	sec, err := New(pc, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := sec.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := &node{set: stick.NewSet(tables...), sec: sec, cfg: cfg}
	t.Cleanup(sec.Stop)
	return n
}

// cli runs a table command on the node ("show table fe key K", "set
// table fe key K data.gpc0 7").
func (n *node) cli(cmd string) string {
	var b strings.Builder
	words := strings.Fields(cmd)
	switch words[0] {
	case "show":
		n.set.Show(&b, words, true)
	case "set":
		n.set.SetData(&b, words, true)
	case "clear":
		n.set.Clear(&b, words, true)
	}
	return b.String()
}

// setGPC0 sets key's gpc0 on the node's table tb.
func (n *node) setGPC0(t testing.TB, tb, key string, v int) {
	t.Helper()
	if out := n.cli(fmt.Sprintf("set table %s key %s data.gpc0 %d", tb, key, v)); out != "" {
		t.Fatalf("set table: %q", out)
	}
}

// waitFor polls cond every 5 ms until it holds or d passes, and returns
// how long it took.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// haproxy is a running HAProxy 2.6.
type haproxy struct {
	cmd  *exec.Cmd
	sock string
	log  *os.File
}

// startHAProxy runs /usr/sbin/haproxy -db -L local on cfgText (@SOCK@
// replaced by its stats socket), skipping the test when it is absent.
func startHAProxy(t testing.TB, dir, cfgText, local string) *haproxy {
	t.Helper()
	bin := "/usr/sbin/haproxy"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("HAProxy is not installed")
	}
	sock := filepath.Join(dir, "hap.sock")
	os.Remove(sock)
	cf := filepath.Join(dir, "hap.cfg")
	os.WriteFile(cf, []byte(strings.ReplaceAll(cfgText, "@SOCK@", sock)), 0o600)
	lf, _ := os.Create(filepath.Join(dir, "hap.log"))
	cmd := exec.Command(bin, "-db", "-L", local, "-f", cf)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &haproxy{cmd: cmd, sock: sock, log: lf}
	t.Cleanup(h.stop)
	waitFor(t, 5*time.Second, "HAProxy's stats socket", func() bool { _, err := h.ask("show info"); return err == nil })
	return h
}

func (h *haproxy) stop() {
	if h.cmd.ProcessState == nil {
		h.cmd.Process.Kill()
		h.cmd.Wait()
	}
}

// ask sends a command to the stats socket.
func (h *haproxy) ask(cmd string) (string, error) {
	c, err := net.DialTimeout("unix", h.sock, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	fmt.Fprintf(c, "%s\n", cmd)
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String(), nil
}

// matches polls until the answer to cmd matches re.
func (h *haproxy) matches(re string) func(cmd string) bool {
	rx := regexp.MustCompile(re)
	return func(cmd string) bool {
		out, err := h.ask(cmd)
		return err == nil && rx.MatchString(out)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

type stringsBuilder = strings.Builder

// waitOK polls cond every 5 ms for up to d.
func waitOK(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
