package acl

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/goha/goha/config"
)

// FuzzMatch compiles an ACL from fuzzed words and evaluates it on a fuzzed
// request: no input may panic, and the string methods must agree with
// simple reference implementations.
func FuzzMatch(f *testing.F) {
	// Seeds: one per match family, with the corner cases of each.
	f.Add("path_beg", "", false, "/static", "/static/x")
	f.Add("path_dir", "", true, "/IMG/", "/a/img/b") // delimiters trimmed, -i
	f.Add("hdr_dom", "host", true, "example.com", "www.example.com:80")
	f.Add("path_dir", "", false, "/", "/")                // empty word
	f.Add("url_reg", "", false, "^[^/:]*://", "http://x") // regex
	f.Add("dst_port", "", false, "1024:", "")             // int range
	f.Add("src", "", false, "10.0.0.0/8", "")             // ip
	f.Add("urlp", "a,;", false, "1", "/x;a=1")            // delimiter
	f.Add("hdr", "x,-1", false, "b", "a, b")              // occurrence
	f.Add("method", "", true, "purge", "PURGE")           // method match
	f.Fuzz(func(t *testing.T, fetch, arg string, icase bool, pattern, input string) {
		a := &config.ACL{Fetch: fetch, Arg: arg, IgnoreCase: icase, Patterns: strings.Fields(pattern)}
		m, err := CompileACL(a)
		if err != nil {
			return
		}
		s := req("GET", "/", "X: "+input, "Host: "+input)
		s.path, s.url, s.method = []byte(input), []byte(input), []byte(input)
		got := m.Match(s)
		if len(a.Patterns) != 1 || icase {
			return
		}
		p := a.Patterns[0]
		var want bool
		switch fetch {
		case "path":
			want = input == p
		case "path_beg":
			want = strings.HasPrefix(input, p)
		case "path_end":
			want = strings.HasSuffix(input, p)
		case "path_sub":
			want = strings.Contains(input, p)
		case "path_len":
			return
		default:
			return
		}
		if got != want {
			t.Errorf("%s %q on %q = %v; want %v", fetch, p, input, got, want)
		}
	})
}

// FuzzIPPattern checks the IP pattern parser against net/netip: whatever
// netip accepts as a canonical prefix must contain its own address and
// match like netip's Contains.
func FuzzIPPattern(f *testing.F) {
	f.Add("192.168.0.0/16", "192.168.3.4")
	f.Add("127.1", "127.0.0.1")             // abbreviated IPv4
	f.Add("10.0.0.0/255.0.0.0", "10.9.9.9") // dotted mask
	f.Add("2001:db8::/32", "2001:db8::1")
	f.Add("::ffff:10.0.0.0/104", "10.1.2.3") // mapped network
	f.Add("10.0.0.0/8", "2002:0a01:0203::")  // 6to4 address
	f.Fuzz(func(t *testing.T, pat, addr string) {
		var s ipSet
		if err := s.add(pat); err != nil {
			return
		}
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return
		}
		got := s.contains(a)
		pr, err := netip.ParsePrefix(pat)
		if err != nil || pr.Addr().Is4In6() || a.Is4In6() || pr.Addr().Zone() != "" {
			return
		}
		if pr.Addr().Is4() != a.Is4() {
			return
		}
		if want := pr.Contains(a); got != want {
			t.Errorf("pattern %q contains %q = %v; want %v", pat, addr, got, want)
		}
	})
}
