package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// TestMapPrepareCommitUnderLoad: `prepare map` / `add map @N` change
// nothing until `commit map @N`, which replaces the whole map at once;
// then several CLI clients run `set map` concurrently while a load runs,
// and every answer is one of the values set (never an error).
func TestMapPrepareCommitUnderLoad(t *testing.T) {
	needSocat(t)
	dir := t.TempDir()
	mapf := harness.WriteFile(t, dir, "m.map", "/a A\n")
	sock := filepath.Join(dir, "admin.sock")
	port := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "goha.cfg", fmt.Sprintf(`global
    stats socket %s level admin mode 600
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:%d
    http-request return status 200 content-type text/plain lf-string "%%[path,map(%s,none)]"
`, sock, port, mapf))
	harness.Start(t, dir, nil, "-db", "-f", cfg)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	harness.WaitFor(t, 10*time.Second, "goha serving", func() bool {
		_, err := os.Stat(sock)
		return err == nil && harness.Serves(url+"/")
	})
	get := func(path string) string {
		_, body, err := harness.Get(url + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return body
	}
	cli := func(line string) string { return strings.TrimSpace(harness.Socat(t, sock, line+"\n")) }
	if got := cli("prepare map " + mapf); got != "New version created: 1" {
		t.Fatalf("prepare map = %q", got)
	}
	cli("add map @1 " + mapf + " /c C")
	if got := get("/c") + get("/a"); got != "noneA" {
		t.Errorf("before the commit: %q; want noneA", got)
	}
	cli("commit map @1 " + mapf)
	if got := get("/c") + get("/a"); got != "Cnone" {
		t.Errorf("after the commit: %q; want Cnone (the whole map replaced)", got)
	}

	stop := make(chan struct{})
	load := harness.Load(fmt.Sprintf("127.0.0.1:%d", port), 4, true, stop)
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if out := cli(fmt.Sprintf("set map %s /c v%d", mapf, c)); out != "" {
					t.Errorf("set map from client %d: %q", c, out)
				}
			}
		}(c)
	}
	wg.Wait()
	close(stop)
	if st := <-load; st.Errors > 0 {
		t.Errorf("load during set map: %s", st)
	}
	if got := get("/c"); len(got) != 2 || got[0] != 'v' {
		t.Errorf("after the concurrent set map: %q; want one of v0..v3", got)
	}
}
