// Package cmdline tests goha's command line end to end: the real binary,
// its output and exit codes, as an HAProxy user's scripts see them.
package cmdline

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goha/goha/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// run runs goha to completion and returns its stdout, its stderr and its
// exit code.
func run(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := harness.Command(t, dir, env, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

func sharedCfg(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	harness.WriteFile(t, dir, "good.cfg", "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend fe\n    bind 127.0.0.1:1\n    default_backend be\nbackend be\n    server s1 127.0.0.1:2\n")
	harness.WriteFile(t, dir, "typo.cfg", "global\n    maxconn 100\n\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n\nfrontend fe\n    bind 127.0.0.1:8080\n    default_backend be\n\nbackend be\n    balance roundrobin\n    sever s1 127.0.0.1:8081\n")
	harness.WriteFile(t, dir, "nolistener.cfg", "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nbackend be\n    server s1 127.0.0.1:2\n")
	os.Mkdir(filepath.Join(dir, "conf.d"), 0o755)
	harness.WriteFile(t, filepath.Join(dir, "conf.d"), "00-defaults.cfg", "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n")
	harness.WriteFile(t, filepath.Join(dir, "conf.d"), "10-site.cfg", "frontend fe\n    bind 127.0.0.1:1\n    default_backend be\nbackend be\n    server s1 127.0.0.1:2\n")
	harness.WriteFile(t, filepath.Join(dir, "conf.d"), ".hidden.cfg", "this is not a config\n")
	harness.WriteFile(t, filepath.Join(dir, "conf.d"), "README", "not a .cfg file\n")
	tests := []struct {
		name       string
		args       []string
		env        []string
		code       int
		stdout     string // substring
		stderr     string // substring
		stderrNone string // must not appear
	}{
		{"check valid", []string{"-c", "-f", "good.cfg"}, nil, 0, "Configuration file is valid", "", "ALERT"},
		{"check valid after --", []string{"-c", "--", "good.cfg"}, nil, 0, "Configuration file is valid", "", ""},
		{"check quiet prints nothing", []string{"-c", "-q", "-f", "good.cfg"}, nil, 0, "", "", "valid"},
		{"check dir in lexical order, hidden and non-cfg skipped", []string{"-c", "-f", "conf.d"}, nil, 0, "Configuration file is valid", "", ""},
		{"typo", []string{"-c", "-f", "typo.cfg"}, nil, 1, "", "parsing [typo.cfg:16] : unknown keyword 'sever' in 'backend' section; did you mean 'server' maybe ?", ""},
		{"typo trailer", []string{"-c", "-f", "typo.cfg"}, nil, 1, "", "Fatal errors found in configuration.", ""},
		{"missing file", []string{"-c", "-f", "/nonexistent/x.cfg"}, nil, 1, "", "Cannot open configuration file/directory /nonexistent/x.cfg : No such file or directory", ""},
		{"unknown flag", []string{"-Z"}, nil, 1, "", "unknown option '-Z'", ""},
		{"missing value", []string{"-c", "-f"}, nil, 1, "", "option '-f' requires an argument", ""},
		{"no arguments prints usage", nil, nil, 1, "goha version", "Usage : goha", ""},
		{"a running master's handoff version this binary cannot read fails the preflight", []string{"-c", "-f", "good.cfg"}, []string{"GOHA_MASTER_STATE_VERSION=99"}, 1, "", "the running master hands over version 99: reload refused", ""},
		{"the handoff version it reads passes", []string{"-c", "-f", "good.cfg"}, []string{"GOHA_MASTER_STATE_VERSION=1"}, 0, "Configuration file is valid", "", ""},
		{"no listener exits 2", []string{"-c", "-f", "nolistener.cfg"}, nil, 2, "Configuration file has no error but will not start (no listener) => exit(2).", "", ""},
		{"version", []string{"-v"}, nil, 0, "goha version", "", ""},
		{"version verbose", []string{"-vv"}, nil, 0, "Go version: go1.", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, dir, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("goha %v exit code = %d; want %d\nstdout: %s\nstderr: %s", tt.args, code, tt.code, out, errOut)
			}
			if tt.stdout != "" && !strings.Contains(out, tt.stdout) {
				t.Errorf("goha %v stdout = %q; want it to contain %q", tt.args, out, tt.stdout)
			}
			if tt.stdout == "" && tt.name == "check quiet prints nothing" && out != "" {
				t.Errorf("goha %v stdout = %q; want nothing", tt.args, out)
			}
			if tt.stderr != "" && !strings.Contains(errOut, tt.stderr) {
				t.Errorf("goha %v stderr = %q; want it to contain %q", tt.args, errOut, tt.stderr)
			}
			if tt.stderrNone != "" && strings.Contains(out+errOut, tt.stderrNone) {
				t.Errorf("goha %v output contains %q:\n%s%s", tt.args, tt.stderrNone, out, errOut)
			}
		})
	}
}

// The seed configurations users start from are valid, the ${VAR} one
// with its variables set.
func TestSeedConfigs(t *testing.T) {
	td := sharedCfg(t)
	_, errOut, code := run(t, td, []string{"LOGGER=127.0.0.1", "TIMEOUT=10s", "LISTEN=127.0.0.1", "ABUSERS=" + filepath.Join(td, "blacklist.txt"), "STATSLP=admin:pa$$w0rd", "CACHE_PFX=10.0.1", "SERVER_PFX=10.0.2"}, "-c", "-f", "seed-env.cfg")
	if code != 0 {
		t.Errorf("seed-env.cfg: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := run(t, td, nil, "-c", "-f", "seed-classic.cfg"); code != 0 {
		t.Errorf("seed-classic.cfg: exit %d\n%s", code, errOut)
	}
	// Without its variables, the ${VAR} config is refused with a reason.
	if _, errOut, code := run(t, td, nil, "-c", "-f", "seed-env.cfg"); code == 0 || !strings.Contains(errOut, "seed-env.cfg") {
		t.Errorf("seed-env.cfg without variables: exit %d\n%s", code, errOut)
	}
}
