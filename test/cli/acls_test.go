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

// TestACLRuntimeCommands: `add acl` / `del acl` on a `-f` file change
// the routing of every ACL naming it at the next request; `show acl`,
// `get acl`, `prepare/commit acl` and `get map` answer with HAProxy
// 2.6's texts; several CLI clients adding and deleting patterns at once
// under traffic leave no error.
func TestACLRuntimeCommands(t *testing.T) {
	needSocat(t)
	dir := t.TempDir()
	aclf := harness.WriteFile(t, dir, "paths.acl", "/blocked\n")
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
    acl blk path -f %s
    acl blkpfx path_beg -f %s
    http-request return status 200 content-type text/plain string blk if blk
    http-request return status 200 content-type text/plain string pfx if { path_beg -f %s } { path_end /sub }
    http-request return status 200 content-type text/plain lf-string "%%[path,map(%s,none)]" if !blkpfx
    http-request return status 200 content-type text/plain string other
`, sock, port, aclf, aclf, aclf, mapf))
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
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s:\n got %q\nwant %q", what, got, want)
		}
	}

	check("/new before add acl", get("/new"), "none")
	check("add acl", cli("add acl "+aclf+" /new"), "")
	check("/new after add acl (path -f)", get("/new"), "blk")
	check("/new/sub after add acl (path_beg -f in an anonymous ACL)", get("/new/sub"), "pfx")
	check("del acl", cli("del acl "+aclf+" /new"), "")
	check("/new after del acl", get("/new"), "none")
	check("del acl of a missing pattern", cli("del acl "+aclf+" /new"), "Key not found.")
	check("add acl unknown", cli("add acl /nofile x"), "Unknown ACL identifier. Please use #<id> or <file>.")
	check("show acl", cli("show acl"), "# id (file) description\n"+
		fmt.Sprintf("0 (%s) pattern loaded from file '%s' used by acl at file '%s' line 10, by acl at file '%s' line 11, by acl at file '%s' line 13. curr_ver=0 next_ver=0 entry_cnt=2\n", aclf, aclf, cfg, cfg, cfg)+
		fmt.Sprintf("1 () acl 'path' file '%s' line 10. curr_ver=0 next_ver=0 entry_cnt=0\n", cfg)+
		fmt.Sprintf("2 () acl 'path_beg' file '%s' line 11. curr_ver=0 next_ver=0 entry_cnt=0\n", cfg)+
		fmt.Sprintf("3 () acl 'path_beg' file '%s' line 13. curr_ver=0 next_ver=0 entry_cnt=0\n", cfg)+
		fmt.Sprintf("4 () acl 'path_end' file '%s' line 13. curr_ver=0 next_ver=0 entry_cnt=1", cfg))
	check("show acl FILE", cli("show acl "+aclf), "0x0 /blocked")
	check("get acl", cli("get acl "+aclf+" /blocked"),
		"type=str, case=sensitive, match=yes, idx=tree, pattern=\"/blocked\"\ntype=beg, case=sensitive, match=yes, idx=tree, pattern=\"/blocked\"")
	check("get acl #4", cli("get acl #4 /x"), "type=end, case=sensitive, match=no")
	check("get map", cli("get map "+mapf+" /a"), "type=str, case=sensitive, found=yes, idx=tree, key=\"/a\", value=\"A\", type=\"str\"")

	check("prepare acl", cli("prepare acl "+aclf), "New version created: 1")
	check("add acl @1", cli("add acl @1 "+aclf+" /v1"), "")
	check("/v1 before the commit", get("/v1")+get("/blocked"), "noneblk")
	check("commit acl @1", cli("commit acl @1 "+aclf), "")
	check("/v1 after the commit", get("/v1")+get("/blocked"), "blknone")
	check("commit acl @5", cli("commit acl @5 "+aclf), "Version number out of range.")
	check("add acl @7", cli("add acl @7 "+aclf+" x"), "Version number in the future, please use 'prepare acl' before.")

	stop := make(chan struct{})
	load := harness.Load(fmt.Sprintf("127.0.0.1:%d", port), 4, true, stop)
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				p := fmt.Sprintf("/c%d-%d", c, i)
				if out := cli("add acl " + aclf + " " + p); out != "" {
					t.Errorf("add acl from client %d: %q", c, out)
				}
				if out := cli("del acl " + aclf + " " + p); out != "" {
					t.Errorf("del acl from client %d: %q", c, out)
				}
			}
		}(c)
	}
	wg.Wait()
	close(stop)
	if st := <-load; st.Errors > 0 {
		t.Errorf("load during add/del acl: %s", st)
	}
	check("patterns after the concurrent add/del", cli("show acl "+aclf), "0x2 /v1")
}
