// Package layering checks the dependency rules of ../shared/DESIGN.md:
// dependencies point down the package table, never up.
package layering

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/goha/goha/test/harness"
)

const mod = "github.com/goha/goha/"

// forbidden lists, for each package pattern, the module packages it must
// never import (directly or not).
var forbidden = []struct {
	pkg    string
	denied []string
	// stdlibOnly: no module package and no third-party import at all.
	stdlibOnly bool
	// allowed, when set, are the only packages (module or third-party,
	// with their subpackages) it may import besides the standard
	// library.
	allowed []string
	// deniedExact are module packages it must not import, their
	// subpackages allowed (the root "proxy" above "proxy/acl").
	deniedExact []string
}{
	{pkg: "./config", stdlibOnly: true},
	{pkg: "./cli", stdlibOnly: true},
	{pkg: "./proxy/...", denied: []string{"master", "worker", "cli", "cmd", "test"}},
	{pkg: "./worker", denied: []string{"master", "cmd", "test"}},
	// The master may import worker for its handshake types (worker
	// brings proxy along), but never the data plane directly: see
	// TestMasterDoesNotImportProxy.
	{pkg: "./master", denied: []string{"cmd", "test"}},
	// Samples are read by rules, logs, balancers and stick tables: they
	// sit below all of them and never reach up into the proxy.
	{pkg: "./proxy/sample", allowed: []string{mod + "proxy/acl", mod + "proxy/http1", mod + "proxy/tlshello", mod + "proxy/stick", mod + "proxy/ssl", "golang.org/x/crypto", mod + "config"}},
	// Stick tables are called by rules, samples and the runtime API:
	// they need only their configuration.
	{pkg: "./proxy/stick", allowed: []string{mod + "config"}},
	// Peers share stick tables: they need the tables and the peers
	// section's configuration only.
	{pkg: "./proxy/peers", allowed: []string{mod + "config", mod + "proxy/stick"}},
	// The epoll loops (TCP relay, parking lot) sit at the bottom: the
	// sessions reach them through small interfaces, never the reverse.
	{pkg: "./proxy/relay", allowed: []string{"golang.org/x/sys"}},
	// TLS builds crypto/tls settings from the model: it knows nothing of
	// streams, listeners or the CLI, which call into it.
	{pkg: "./proxy/ssl", allowed: []string{"golang.org/x/crypto", mod + "config"}},
	// Inside the data plane: the root package wires the engine
	// (proxy/stream), which executes the rules compiled by proxy/rules.
	// Neither reaches back up; rules know nothing of sessions.
	{pkg: "./proxy/stream", deniedExact: []string{"proxy"}, denied: []string{"master", "worker", "cli", "cmd", "test"}},
	{pkg: "./proxy/rules", allowed: []string{mod + "proxy/sample", mod + "proxy/acl", mod + "proxy/http1", mod + "proxy/tlshello", mod + "proxy/stick", mod + "proxy/ssl", "golang.org/x/crypto", mod + "config"}},
	// DNS service discovery reads the configuration and speaks DNS
	// through miekg/dns (which brings x/net and x/sys); servers meet it
	// through its events, it never reaches into the data plane.
	{pkg: "./proxy/resolve", allowed: []string{mod + "config", "github.com/miekg/dns", "golang.org/x/net", "golang.org/x/sys"}},
	// The Prometheus exporter formats what package stats holds; the data
	// plane feeds it through its Source interface.
	{pkg: "./proxy/metrics", allowed: []string{mod + "proxy/stats"}},
	// The HTTP/2 gateway is a codec beside http1: the stream imports it,
	// it knows nothing of the stream (its cmd under internal/ is a test
	// server of the package alone). x/text comes with x/net's idna.
	{pkg: "./proxy/h2", allowed: []string{mod + "proxy/http1", "golang.org/x/net", "golang.org/x/sys", "golang.org/x/text"}},
	// The cache store and its HTTP rules read parsed heads only: the
	// stream runs them, they know nothing of sessions or configuration.
	{pkg: "./proxy/filter/cache", allowed: []string{mod + "proxy/http1"}},
	// The FastCGI gateway is a codec beside http1 and h2: the stream
	// imports it, it knows nothing of the stream or the configuration.
	{pkg: "./proxy/fcgi", allowed: []string{mod + "proxy/http1"}},
}

func TestMasterDoesNotImportProxy(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", "./master")
	cmd.Dir = harness.ModuleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./master: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		if d == mod+"proxy" || strings.HasPrefix(d, mod+"proxy/") {
			t.Errorf("master imports %s directly", d)
		}
	}
}

func deps(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)
	cmd.Dir = harness.ModuleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

func TestLayering(t *testing.T) {
	for _, f := range forbidden {
		t.Run(f.pkg, func(t *testing.T) {
			self := strings.TrimSuffix(strings.TrimPrefix(f.pkg, "./"), "/...")
			for _, d := range deps(t, f.pkg) {
				if strings.HasPrefix(d, mod+self) {
					continue
				}
				if f.stdlibOnly {
					t.Errorf("%s imports %s; it must use the standard library only", f.pkg, d)
					continue
				}
				if f.allowed != nil && !within(d, f.allowed) {
					t.Errorf("%s imports %s; it may import only %v and the standard library", f.pkg, d, f.allowed)
					continue
				}
				for _, bad := range f.denied {
					if d == mod+bad || strings.HasPrefix(d, mod+bad+"/") {
						t.Errorf("%s imports %s: dependencies must point down the table", f.pkg, d)
					}
				}
				for _, bad := range f.deniedExact {
					if d == mod+bad {
						t.Errorf("%s imports %s: dependencies must point down the table", f.pkg, d)
					}
				}
			}
		})
	}
}

// within reports whether package d is one of pkgs or below one of them.
func within(d string, pkgs []string) bool {
	for _, p := range pkgs {
		if d == p || strings.HasPrefix(d, p+"/") {
			return true
		}
	}
	return false
}
