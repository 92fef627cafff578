package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestEnvExpand(t *testing.T) {
	env := func(n string) (string, bool) {
		v, ok := map[string]string{"H": "10.0.0.1", "P": "80"}[n]
		return v, ok
	}
	tests := []struct{ in, want string }{
		{"${H}:${P}", "10.0.0.1:80"},
		{"$H:$P", "10.0.0.1:80"},
		{"x${NOPE}y:1", "xy:1"},
		{"${H-default}", "10.0.0.1-default}"},
		{"plain:80", "plain:80"},
		{"$", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := envExpand(tt.in, env); got != tt.want {
				t.Errorf("envExpand(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheckLogFormat(t *testing.T) {
	p := &parser{opts: ParseOptions{ReadFile: func(n string) ([]byte, error) {
		if n == "hosts.map" {
			return []byte("a b\n"), nil
		}
		return nil, errors.New("no such file")
	}}}
	tests := []struct{ in, wantErr string }{
		{"%ci:%cp [%tr] %ft %b/%s %ST %B %{+Q}r", ""},
		{"%[req.hdr(host),lower,map(hosts.map,be_default)]", ""},
		{"100%% sure %Ts", ""},
		{"%zz", "no such format variable 'zz'"},
		{"%[bogus]", "unknown fetch method 'bogus'"},
		{"%[src,bogus]", "unknown converter 'bogus'"},
		{"%[req.hdr(host),map(missing.map)]", "failed to open pattern file <missing.map>"},
		{"%[src", "missing ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := p.checkLogFormat(tt.in)
			if tt.wantErr == "" && got != "" || tt.wantErr != "" && !strings.Contains(got, tt.wantErr) {
				t.Errorf("checkLogFormat(%q) = %q; want %q", tt.in, got, tt.wantErr)
			}
		})
	}
}

func TestCaseConverters(t *testing.T) {
	tests := []struct {
		expr   string
		ok     bool
		icase  bool
		detail string
	}{
		{"acl a hdr(host),lower -m beg api.", true, true, ""},
		{"acl a hdr(host),upper -m beg API.", true, true, ""},
		{"acl a hdr(host),lower Api.example.com", false, false, "could never match"},
		{"acl a hdr(host),lower -m reg ^api", false, false, "regex"},
		{"acl a hdr(host),be2dec(:,1) x", false, false, "only lower and upper"},
		{"acl a hdr(host),nosuch x", false, false, "unknown converter"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			src := "frontend f\n  bind :80\n  " + tt.expr + "\n"
			cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(src)}}, testOpts(nil))
			if tt.ok != (err == nil) {
				t.Fatalf("Parse(%q) = %v; want ok=%v", tt.expr, err, tt.ok)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.detail) {
					t.Errorf("error %q does not say %q", err, tt.detail)
				}
				return
			}
			if a := cfg.Proxies[0].ACLs[0]; a.IgnoreCase != tt.icase || len(a.Converters) != 1 {
				t.Errorf("ACL = %+v; want IgnoreCase %v and one converter", a, tt.icase)
			}
		})
	}
}

func TestHasListener(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"frontend f\n bind :80\n", true},
		{"frontend f\n bind :80\n disabled\n", false},
		{"backend b\n server s 127.0.0.1:80\n", false},
		{"global\n stats socket /tmp/x.sock\n", true},
		{"global\n master-worker\n", true},
		{"peers p\n peer vm 127.0.0.1:1024\n", true},
		{"peers p\n peer other 127.0.0.1:1024\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			opts := testOpts(nil)
			opts.LocalPeer = "vm"
			cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(tt.src)}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.HasListener(false); got != tt.want {
				t.Errorf("HasListener = %v; want %v", got, tt.want)
			}
		})
	}
}

// TestFeatures checks that constructs accepted for the corpus land in
// the model (or are refused) as documented in the support table.
func TestFeatures(t *testing.T) {
	files := map[string][]byte{"e/503.http": []byte("HTTP/1.0 503 x\r\n\r\n"), "lua/x.lua": nil}
	opts := testOpts(map[string]string{"BE": "127.0.0.9"})
	opts.ReadFile = func(n string) ([]byte, error) {
		if d, ok := files[n]; ok {
			return d, nil
		}
		return nil, os.ErrNotExist
	}
	opts.Stat = func(n string) error {
		if n == "lua" {
			return nil
		}
		return os.ErrNotExist
	}
	src := `global
  default-path origin lua
  lua-load x.lua
http-errors site
  errorfile 503 ../e/503.http
resolvers dns
  nameserver ns 127.0.0.1:53
defaults web
  mode http
  timeout client 1s
  timeout server 1s
  timeout connect 1s
frontend f from web
  bind :80
  monitor-uri /healthz
  errorfiles site
  errorloc303 403 http://example.com/denied
  compression algo gzip
  http-after-response set-header X-A b
  http-request set-var(txn.h) req.hdr(host),lower
  default_backend b
backend b from web
  cookie SRV insert indirect nocache
  option tcp-check
  tcp-check connect port 6379
  tcp-check expect string +PONG
  server-template s 1-2 ${BE}:80 check resolvers dns
  server n nowhere.invalid:80 init-addr last,libc,none
`
	cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(src)}}, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	f, b := cfg.Proxies[0], cfg.Proxies[1]
	if f.MonitorURI != "/healthz" || string(f.ErrorFiles[503]) == "" || f.ErrorLocs[403].Code != 303 ||
		f.Compression == nil || len(f.HTTPAfterResponse) != 1 {
		t.Errorf("frontend model = %+v", f)
	}
	if b.Cookie == nil || b.Cookie.Mode != "insert" || !b.Cookie.Indirect || b.HealthChk.Type != "tcp-check" ||
		len(b.HealthChk.TCPRules) != 2 {
		t.Errorf("backend model = %+v", b)
	}
	if len(b.Servers) != 3 || b.Servers[0].Name != "s1" || b.Servers[1].Addr != "127.0.0.9" || !b.Servers[2].NoAddr {
		t.Errorf("servers = %+v %+v %+v", b.Servers[0], b.Servers[1], b.Servers[2])
	}
	if len(cfg.Resolvers) != 1 || len(cfg.HTTPErrors["site"]) != 1 {
		t.Errorf("sections = %+v %+v", cfg.Resolvers, cfg.HTTPErrors)
	}
}

func TestSupportTableRefusals(t *testing.T) {
	tests := []struct{ line, want string }{
		{"  persist rdp-cookie", "persistence"},
		{"  http-request set-map(x.map) a b", "does not support yet"},
		{"  filter spoe engine x", "SPOE"},
		{"  option transparent", "changes where"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			src := "frontend f\n  bind :80\n  mode http\n" + tt.line + "\n"
			_, err := Parse([]Source{{Name: "t.cfg", Data: []byte(src)}}, testOpts(nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) = %v; want an error saying %q", tt.line, err, tt.want)
			}
		})
	}
}

// TestSupportTableDoc keeps testdata/support.txt, the human-readable
// form of SupportTable, in sync (GOHA_UPDATE_GOLDEN=1 rewrites it).
func TestSupportTableDoc(t *testing.T) {
	got := strings.Join(SupportReport(), "\n") + "\n"
	if os.Getenv("GOHA_UPDATE_GOLDEN") != "" {
		os.WriteFile("testdata/support.txt", []byte(got), 0o644)
		return
	}
	want, err := os.ReadFile("testdata/support.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("testdata/support.txt is stale; run with GOHA_UPDATE_GOLDEN=1")
	}
}
