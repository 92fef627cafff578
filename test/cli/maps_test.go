package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestMapsChangeLive drives HAProxy's map commands through socat, on the
// stats socket and through the master CLI with a `<<` payload, and checks
// that each change is what the next request sees; answers are HAProxy
// 2.6's (recorded from /usr/sbin/haproxy on the same commands).
func TestMapsChangeLive(t *testing.T) {
	if _, err := os.Stat("/usr/bin/socat"); err != nil {
		t.Skip("socat is not installed")
	}
	dir := t.TempDir()
	mapf := harness.WriteFile(t, dir, "m.map", "/a A\n/b B\n")
	stats := filepath.Join(dir, "stats.sock")
	msock := filepath.Join(dir, "master.sock")
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin mode 600
    hard-stop-after 3s
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:%d
    http-request return status 200 content-type text/plain lf-string "v=%%[path,map(%s,none)] b=%%[path,map_beg(%s,none)]"
`, stats, port, mapf, mapf))
	harness.Start(t, dir, nil, "-W", "-S", msock, "-f", cfg)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	harness.WaitFor(t, 10*time.Second, "goha serving", func() bool {
		_, err := os.Stat(stats)
		return err == nil && harness.Serves(url+"/")
	})
	get := func(path string) string {
		t.Helper()
		_, body, err := harness.Get(url + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return body
	}
	cli := func(sock, line string) string { return harness.Socat(t, sock, line+"\n") }
	ids := regexp.MustCompile(`0x[0-9a-f]+ `)

	if got := cli(stats, "show map"); !strings.HasPrefix(got, "# id (file) description\n0 ("+mapf+") ") || !strings.Contains(got, "entry_cnt=2\n") {
		t.Fatalf("show map: %q", got)
	}
	if got := ids.ReplaceAllString(cli(stats, "show map "+mapf), "ID "); got != "ID /a A\nID /b B\n\n" {
		t.Fatalf("show map FILE: %q", got)
	}
	steps := []struct{ sock, line, answer, path, body string }{
		{stats, "add map " + mapf + " /c C", "\n", "/c", "v=C b=C"},
		{stats, "add map " + mapf + " <<\n/d D\n/e\tE\n", "\n", "/e", "v=E b=E"},
		{msock, "@1 add map " + mapf + " <<\n/f F\n/g G\n", "\n", "/g", "v=G b=G"},
		{stats, "set map " + mapf + " /a AA", "\n", "/a", "v=AA b=AA"},
		{stats, "set map " + mapf + " /zz Z", "entry not found.\n\n", "/zz", "v=none b=none"},
		{stats, "del map " + mapf + " /b", "\n", "/b", "v=none b=none"},
		{stats, "del map " + mapf + " /zz", "Key not found.\n\n", "/a/x", "v=none b=AA"},
		{stats, "add map /nope.map /c C", "Unknown map identifier. Please use #<id> or <file>.\n\n", "/c", "v=C b=C"},
		{stats, "clear map #0", "\n", "/a", "v=none b=none"},
	}
	for _, st := range steps {
		if got := cli(st.sock, st.line); got != st.answer {
			t.Errorf("%q answered %q, want %q", st.line, got, st.answer)
		}
		if got := get(st.path); got != st.body {
			t.Errorf("after %q, GET %s: %q, want %q", st.line, st.path, got, st.body)
		}
	}
}
