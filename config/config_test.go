package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeResolve resolves nothing: unit tests never touch DNS.
func fakeResolve(host string) (string, error) { return "", errors.New("no DNS in tests") }

func testOpts(env map[string]string) ParseOptions {
	return ParseOptions{
		Getenv:  func(n string) (string, bool) { v, ok := env[n]; return v, ok },
		Resolve: fakeResolve,
		// The local peer is named, so that no result depends on the
		// host name.
		LocalPeer: "me",
	}
}

func parseFile(t *testing.T, path, name string, opts ParseOptions) (*Config, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Parse([]Source{{Name: name, Data: data}}, opts)
}

func TestSeedsParseClean(t *testing.T) {
	dir := "testdata/seeds"
	abs, _ := filepath.Abs(dir)
	env := map[string]string{"LOGGER": "127.0.0.1", "TIMEOUT": "10s", "LISTEN": "127.0.0.1",
		"ABUSERS": filepath.Join(abs, "blacklist.txt"), "STATSLP": "admin:pa$$w0rd",
		"CACHE_PFX": "10.0.1", "SERVER_PFX": "10.0.2"}
	files, _ := filepath.Glob(filepath.Join(dir, "*.cfg"))
	if len(files) == 0 {
		t.Fatal("no seed configs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := parseFile(t, f, filepath.Base(f), testOpts(env))
			if err != nil {
				t.Fatalf("Parse(%s) = %v; want no error", f, err)
			}
			if len(cfg.Proxies) == 0 && !strings.Contains(f, "socket") {
				t.Errorf("Parse(%s): no proxies", f)
			}
		})
	}
}

// TestBadConfigs checks the exact alert lines for each testdata/bad/*.cfg.
func TestBadConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.cfg")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(f, ".cfg") + ".err")
			if err != nil {
				t.Fatal(err)
			}
			_, perr := parseFile(t, f, filepath.Base(f), testOpts(nil))
			var l *ErrorList
			if !errors.As(perr, &l) {
				t.Fatalf("Parse(%s) = %v; want an *ErrorList", f, perr)
			}
			got := strings.Join(l.Alerts(), "\n") + "\n"
			if got != string(want) {
				t.Errorf("Parse(%s) alerts:\n%s\nwant:\n%s", f, got, want)
			}
		})
	}
}

// TestGolden walks testdata/*.cfgtest: the input, a line "----", then the
// expected Dump or the exact alert lines.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.cfgtest")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			in, want, ok := strings.Cut(string(data), "\n----\n")
			if !ok {
				t.Fatalf("%s: no ---- separator", f)
			}
			cfg, err := Parse([]Source{{Name: "t.cfg", Data: []byte(in + "\n")}}, testOpts(map[string]string{"FOO": "foo", "LIST": "a  b c"}))
			var got string
			if err != nil {
				var l *ErrorList
				if errors.As(err, &l) {
					got = strings.Join(l.Alerts(), "\n") + "\n"
				} else {
					got = err.Error() + "\n"
				}
			} else {
				got = Dump(cfg)
			}
			if os.Getenv("GOHA_UPDATE_GOLDEN") != "" {
				os.WriteFile(f, []byte(in+"\n----\n"+got), 0o644)
				return
			}
			if got != want {
				t.Errorf("%s: got\n%s\nwant\n%s", f, got, want)
			}
		})
	}
}

func TestSplitLine(t *testing.T) {
	env := func(n string) (string, bool) {
		m := map[string]string{"A": "x y", "E": ""}
		v, ok := m[n]
		return v, ok
	}
	tests := []struct {
		in   string
		want []string
		kind tokErrKind
	}{
		{`a b  c`, []string{"a", "b", "c"}, tokOK},
		{`a 'b c' "d e"`, []string{"a", "b c", "d e"}, tokOK},
		{`"%{+Q}o %t"' %s'\ %{-Q}r`, []string{"%{+Q}o %t %s %{-Q}r"}, tokOK},
		{`a # comment`, []string{"a", ""}, tokOK},
		{`a \# b`, []string{"a", "#", "b"}, tokOK},
		{`"$A" $A '$A'`, []string{"x y", "$A", "$A"}, tokOK},
		{`"${A}z" "${B-def}" "${E-def}"`, []string{"x yz", "def", ""}, tokOK},
		{`"${A[*]}"`, []string{"x", "y"}, tokOK},
		{`"\$A" \x41 \t`, []string{"$A", "A", "\t"}, tokOK},
		{`"unterminated`, nil, tokQuote},
		{`"${A"`, nil, tokBrace},
		{`"$1"`, nil, tokVarName},
		{`\xZZ`, nil, tokHex},
		{`"${A[x]}"`, nil, tokExpand},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := splitLine(tt.in, env)
			if tt.kind != tokOK {
				if err == nil || err.Kind != tt.kind {
					t.Fatalf("splitLine(%q) err = %v; want kind %d", tt.in, err, tt.kind)
				}
				return
			}
			if err != nil {
				t.Fatalf("splitLine(%q) err = %v", tt.in, err)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("splitLine(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	env := func(n string) (string, bool) {
		if n == "X" {
			return "1", true
		}
		return "", false
	}
	tests := []struct {
		in   string
		want bool
		bad  bool
	}{
		{"1", true, false}, {"0", false, false}, {"defined(X)", true, false}, {"defined(Y)", false, false},
		{"!defined(Y) && streq(a,a)", true, false}, {"0 || strneq(a,b)", true, false},
		{"(0 || 1) && !1", false, false}, {"version_atleast(2.4)", true, false},
		{"version_before(2.6)", false, false}, {"feature(OPENSSL)", false, false},
		{"bogus(1)", false, true}, {"1 1", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := evalCondition(tt.in, env)
			if (err != nil) != tt.bad || got != tt.want {
				t.Errorf("evalCondition(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.bad)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	if got := bestMatch("sever", proxyTable.suggest); got != "server" {
		t.Errorf("bestMatch(sever) = %q; want server", got)
	}
	if got := bestMatch("wieght", serverTable.suggest, bindTable.suggest); got != "weight" {
		t.Errorf("bestMatch(wieght) = %q; want weight", got)
	}
}

func TestReadSourcesMissing(t *testing.T) {
	_, err := ReadSources([]string{"/nonexistent/x.cfg"})
	want := "Cannot open configuration file/directory /nonexistent/x.cfg : No such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("ReadSources = %v; want %q", err, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("global\n  maxconn 10\n")
	f.Add("frontend f\n  bind :80\n  http-request deny if { path_beg /x } || !TRUE\n")
	f.Fuzz(func(t *testing.T, s string) {
		opts := testOpts(map[string]string{"A": "1"})
		opts.ReadFile = func(string) ([]byte, error) { return nil, errors.New("no files in fuzzing") }
		opts.Stat = func(string) error { return errors.New("no files") }
		opts.LookupUser = func(string) (int, error) { return 0, errors.New("no users") }
		opts.LookupGroup = opts.LookupUser
		cfg, err := Parse([]Source{{Name: "f.cfg", Data: []byte(s)}}, opts)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
	})
}

func FuzzExpand(f *testing.F) {
	f.Add(`"${A}" '${A}' "${B-x}" "${A[*]}" \x41`)
	f.Fuzz(func(t *testing.T, s string) {
		env := func(n string) (string, bool) { return "v w", n == "A" }
		words, err := splitLine(s, env)
		if err == nil && len(words) == 0 {
			t.Fatal("no words without error")
		}
	})
}
