package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testTable is a small runtime API: one command per level, a payload echo,
// a panicking command.
func testTable() *Registry {
	r := NewRegistry()
	r.MustRegister(
		Command{Words: []string{"show", "info"}, Usage: "show info", Help: "report information", Level: LevelUser,
			Handler: func(s *Session, args []string, _ string, w *Writer) error {
				w.WriteString("Name: goha\n")
				return nil
			}},
		Command{Words: []string{"clear", "counters"}, Usage: "clear counters [all]", Help: "clear counters", Level: LevelOperator,
			Handler: func(s *Session, args []string, _ string, w *Writer) error {
				if len(args) > 2 && args[2] == "all" && s.Level() < LevelAdmin {
					return ErrPermissionDenied
				}
				return nil
			}},
		Command{Words: []string{"disable", "server"}, Usage: "disable server <bk>/<srv>", Help: "disable a server", Level: LevelAdmin,
			Handler: func(s *Session, args []string, _ string, w *Writer) error {
				if len(args) < 3 {
					return errors.New("Require 'backend/server'.")
				}
				return nil
			}},
		Command{Words: []string{"echo"}, Usage: "echo <args> [<<]", Help: "print args and payload",
			Handler: func(s *Session, args []string, payload string, w *Writer) error {
				w.Printf("%q %q\n", args[1:], payload)
				return nil
			}},
		Command{Words: []string{"boom"}, Handler: func(*Session, []string, string, *Writer) error { panic("boom") }},
	)
	return r
}

// socketPair returns both ends of a connected unix stream socket pair.
func socketPair(t *testing.T) (*net.UnixConn, net.Conn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var conns [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "socketpair")
		conns[i], err = net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return conns[0].(*net.UnixConn), conns[1]
}

// exchange runs one session over a socket pair: it writes in, half-closes
// its side and returns everything the session wrote until it closed.
func exchange(t *testing.T, reg *Registry, opts SessionOptions, in string) string {
	t.Helper()
	c, s := socketPair(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		Serve(context.Background(), s, reg, opts)
	}()
	go func() {
		c.Write([]byte(in))
		c.CloseWrite()
	}()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	out, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("reading the answer to %q: %v (got %q)", in, err, out)
	}
	c.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("session for %q did not end", in)
	}
	return string(out)
}

func TestSessionAnswers(t *testing.T) {
	reg := testTable()
	usage := reg.Usage(LevelAdmin, nil, false)
	tests := []struct {
		name  string
		level Level
		in    string
		want  string
	}{
		{"one command", LevelAdmin, "show cli level\n", "admin\n\n"},
		{"default level is operator", 0, "show cli level\n", "operator\n\n"},
		{"pipelined", LevelAdmin, "show cli level; show info\n", "admin\n\nName: goha\n\n"},
		{"pipelined lines", LevelAdmin, "show info\nshow cli level\n", "Name: goha\n\nadmin\n\n"},
		{"empty command gets usage", LevelAdmin, ";\n", usage + "\n" + usage + "\n"},
		{"escapes", LevelAdmin, `echo a\ b c\;d e\\f` + "\n", `["a b" "c;d" "e\\f"] ""` + "\n\n"},
		{"payload", LevelAdmin, "echo x <<\nl1\nl2\n\nshow cli level\n", `["x"] "l1\nl2"` + "\n\nadmin\n\n"},
		{"no command gets error text", LevelAdmin, "disable server\n", "Require 'backend/server'.\n\n"},
		{"quit", LevelAdmin, "quit; show info\n", ""},
		{"panic is an answer", LevelAdmin, "boom\n", "Internal error.\n\n"},
		{"user cannot disable", LevelUser, "disable server be/s1\n", "Permission denied\n\n"},
		{"user cannot clear", LevelUser, "clear counters\n", "Permission denied\n\n"},
		{"user shows info", LevelUser, "show info\n", "Name: goha\n\n"},
		{"operator clears", LevelOperator, "clear counters\n", "\n"},
		{"operator cannot clear all", LevelOperator, "clear counters all\n", "Permission denied\n\n"},
		{"operator cannot disable", LevelOperator, "disable server be/s1\n", "Permission denied\n\n"},
		{"admin disables", LevelAdmin, "disable server be/s1\n", "\n"},
		{"admin clears all", LevelAdmin, "clear counters all\n", "\n"},
		{"lower to user", LevelAdmin, "user; show cli level; disable server be/s1\n", "\nuser\n\nPermission denied\n\n"},
		{"user cannot raise", LevelUser, "operator; show cli level\n", "Permission denied\n\nuser\n\n"},
		{"dash suppresses LF", LevelAdmin, "operator -\nshow cli level\n", "operator\n\n"},
		{"set timeout", LevelAdmin, "set timeout cli 30; set timeout cli; set timeout cli x; set timeout foo\n",
			"\nExpects an integer value.\n\nInvalid timeout value.\n\n'set timeout' only supports 'cli'.\n\n"},
		{"help at user", LevelUser, "help\n", reg.Usage(LevelUser, nil, true) + "\n"},
		{"unknown", LevelAdmin, "frobnicate now\n", reg.Usage(LevelAdmin, []string{"frobnicate", "now"}, false) + "\n"},
		{"last command without LF", LevelAdmin, "show cli level", "admin\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exchange(t, reg, SessionOptions{Level: tt.level}, tt.in)
			if got != tt.want {
				t.Errorf("session(%q) answered\n%q\nwant\n%q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSessionPrompt(t *testing.T) {
	reg := testTable()
	tests := []struct {
		name, in, want string
	}{
		{"prompt then commands", "prompt\nshow cli level\nshow info\nquit\n", "\n> admin\n\n> Name: goha\n\n> "},
		{"payload prompt", "prompt\necho <<\na\n\nquit\n", "\n> + + " + `[] "a"` + "\n\n> "},
		{"toggle back", "prompt\nprompt\nshow cli level\n", "\n> \nadmin\n\n"},
		{"EOF ends it", "prompt\nshow cli level\n", "\n> admin\n\n> "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exchange(t, reg, SessionOptions{Level: LevelAdmin}, tt.in); got != tt.want {
				t.Errorf("session(%q) answered\n%q\nwant\n%q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSessionRefusesBadLines(t *testing.T) {
	reg := testTable()
	rnd := rand.New(rand.NewSource(1))
	bin := make([]byte, 200_000)
	rnd.Read(bin)
	for i, b := range bin {
		if b == '\n' {
			bin[i] = 'x'
		}
	}
	tests := []struct {
		name, in, prefix string
	}{
		{"200 KB binary line", string(bin), "Binary data in command line"},
		{"oversized line", strings.Repeat("show ", 20_000) + "\n", "Command line too long (limit 65536 bytes)"},
		{"oversized payload line", "echo <<\n" + strings.Repeat("x", 70_000) + "\n\n", "Command line too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exchange(t, reg, SessionOptions{Level: LevelAdmin}, tt.in)
			if !strings.HasPrefix(got, tt.prefix) || !strings.HasSuffix(got, ".\n\n") || strings.Count(got, "\n") != 2 {
				t.Errorf("session(%.20q...) answered %q; want one line starting %q", tt.in, got, tt.prefix)
			}
		})
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	c, s := net.Pipe()
	defer c.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		Serve(context.Background(), s, testTable(), SessionOptions{Timeout: 50 * time.Millisecond})
	}()
	c.Write([]byte("prompt\n"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	out, _ := io.ReadAll(c) // returns once the session closes on its own
	if string(out) != "\n> " {
		t.Errorf("idle session wrote %q; want the prompt only", out)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("idle session not closed")
	}
}

func TestSessionContextCancel(t *testing.T) {
	c, s := net.Pipe()
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Serve(ctx, s, testTable(), SessionOptions{Timeout: time.Hour})
	}()
	c.Write([]byte("prompt\n"))
	buf := make([]byte, 3)
	io.ReadFull(c, buf)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("session not closed by its context")
	}
}

// TestConcurrentSessions runs 100 clients at once on a real unix socket.
func TestConcurrentSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cli.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	reg := testTable()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				Serve(ctx, conn, reg, SessionOptions{Level: LevelAdmin})
			}()
		}
	}()
	defer func() {
		cancel()
		ln.Close()
		wg.Wait()
	}()
	const n = 100
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			conn, err := net.Dial("unix", path)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(conn, "prompt\necho %d\nshow info\nquit\n", i)
			out, err := io.ReadAll(conn)
			want := fmt.Sprintf("\n> [\"%d\"] \"\"\n\n> Name: goha\n\n> ", i)
			if err == nil && string(out) != want {
				err = fmt.Errorf("client %d got %q; want %q", i, out, want)
			}
			errs <- err
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// fakeRouter knows workers 1 (pid 42) and an old one (pid 7), and answers
// every forwarded command with its own wire form.
type fakeRouter struct {
	mu   sync.Mutex
	sent []string
}

func (f *fakeRouter) Resolve(t Target) (int, bool) {
	switch {
	case t.Kind == TargetRelative && t.N == 1:
		return 42, true
	case t.Kind == TargetPID && (t.N == 42 || t.N == 7):
		return t.N, true
	}
	return 0, false
}

func (f *fakeRouter) Forward(ctx context.Context, pid int, req Forward, w io.Writer) error {
	if pid == 7 {
		return errors.New("worker 7 is gone")
	}
	f.mu.Lock()
	f.sent = append(f.sent, string(req.Wire()))
	f.mu.Unlock()
	fmt.Fprintf(w, "%d got %q\n\n", pid, req.Line)
	return nil
}

func TestMasterSession(t *testing.T) {
	reg := masterTable(t)
	tests := []struct {
		name, in, want string
		sent           []string
		level          Level
	}{
		{"one target", "@1 show info\n", "42 got \"show info\"\n\n", []string{"show info\n"}, 0},
		{"targets on one line", "@1 show info; @master show cli level;@!42 show\\ x\n",
			"42 got \"show info\"\n\nadmin\n\n42 got \"show\\\\ x\"\n\n", []string{"show info\n", "show\\ x\n"}, 0},
		{"unknown target closes", "@2 show info; show cli level\n", "Can't find the target PID matching the prefix '@2'\n", nil, 0},
		{"bad target", "@!x show info\n", "Can't find the target PID matching the prefix '@!x'\n", nil, 0},
		{"dead target", "@!7 show info; show cli level\n", "Can't connect to the target CLI!\n", nil, 0},
		{"default target", "@1; show info; @; show cli level\n", "42 got \"show info\"\n\nadmin\n\n", []string{"show info\n"}, 0},
		{"level forwarded", "user; @1 show info\n", "42 got \"show info\"\n\n", []string{"user -\nshow info\n"}, 0},
		{"payload forwarded", "@1 add map m <<\nk v\n\n", "42 got \"add map m <<\"\n\n", []string{"add map m <<\nk v\n\n"}, 0},
		{"operator from user refused", "operator; show cli level\n", "Permission denied!\n", nil, LevelUser},
		{"master help", "help\n", reg.Usage(LevelAdmin, nil, true) + "\n", nil, 0},
		{"reload needs operator", "reload\n", "Permission denied\n\n", nil, LevelUser},
		{"prompt", "prompt\nshow cli level\n@1\nshow info\n@!42\n@\nquit\n",
			"master> admin\n\nmaster> 42> 42 got \"show info\"\n\n42> 42> master> ", []string{"show info\n"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeRouter{}
			level := tt.level
			if level == 0 {
				level = LevelAdmin
			}
			got := exchange(t, reg, SessionOptions{Level: level, Router: r}, tt.in)
			if got != tt.want {
				t.Errorf("master session(%q) answered\n%q\nwant\n%q", tt.in, got, tt.want)
			}
			if fmt.Sprint(r.sent) != fmt.Sprint(tt.sent) {
				t.Errorf("master session(%q) forwarded %q; want %q", tt.in, r.sent, tt.sent)
			}
		})
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in   string
		want Target
		err  bool
	}{
		{"@", Target{Kind: TargetMaster}, false},
		{"@master", Target{Kind: TargetMaster}, false},
		{"@0", Target{Kind: TargetMaster}, false},
		{"@1", Target{Kind: TargetRelative, N: 1}, false},
		{"@!1234", Target{Kind: TargetPID, N: 1234}, false},
		{"@!", Target{}, true},
		{"@!-3", Target{}, true},
		{"@x", Target{}, true},
		{"@-1", Target{}, true},
		{"1", Target{}, true},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseTarget(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
