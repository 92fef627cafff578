package harness

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var (
	buildOnce sync.Once
	builtDir  string // where Bin built the binary, removed by Main
	builtBin  string
	buildErr  error
)

// Main runs a test package's tests (call it from TestMain). The test
// process becomes a child subreaper first, so that orphaned goha
// processes are re-parented to it and Alive can reap them; after the
// tests it reaps every exited child left and removes a binary Bin built.
func Main(m *testing.M) {
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	code := m.Run()
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if pid <= 0 || err != nil {
			break
		}
	}
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// Bin returns the goha binary under test: $GOHA_BIN (read at every call),
// or a static build (CGO_ENABLED=0, as `make build`) of ./cmd/goha, made
// once per test binary.
func Bin(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("GOHA_BIN"); b != "" {
		abs, err := filepath.Abs(b)
		if err != nil {
			t.Fatalf("GOHA_BIN=%q: %v", b, err)
		}
		return abs
	}
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		builtDir, err = os.MkdirTemp("", "goha-test-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(builtDir, "goha")
		cmd := exec.Command("go", "build", "-o", builtBin, "./cmd/goha")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/goha in %s: %v\n%s", root, err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// ModuleRoot returns the directory of goha's go.mod (the tests run in
// their package's directory, below it).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Command prepares the binary under test with args, run in dir (or the
// current directory) with extra environment variables; the caller
// connects its output and runs it.
func Command(t testing.TB, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(Bin(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// Run runs the binary with args in dir to completion (at most 30 s) and
// returns its combined output and exit code (-1 if a signal ended it).
// A daemon that keeps the launcher's output open cannot make it hang.
func Run(t testing.TB, dir string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := Command(t, dir, env, args...)
	var out Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("run goha %v: %v", args, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("goha %v did not return within 30s; output:\n%s", args, out.String())
	}
	return out.String(), cmd.ProcessState.ExitCode()
}
