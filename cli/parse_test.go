package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSplitCommands(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"one", "show info\n", []string{"show info"}},
		{"semicolons", "show info; show stat\n", []string{"show info", " show stat"}},
		{"escaped semicolon", `set var a\;b;x`, []string{`set var a\;b`, "x"}},
		{"escaped backslash then semicolon", `a\\;b`, []string{`a\\`, "b"}},
		{"empty commands kept", "a;;b\n", []string{"a", "", "b"}},
		{"crlf", "show info\r\nquit\r\n", []string{"show info", "quit"}},
		{"no terminator", "show info", []string{"show info"}},
		{"escaped newline", "a\\\nb\n", []string{"a\\\nb"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SplitCommands(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitCommands(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		payload  bool
	}{
		{"simple", "show stat", []string{"show", "stat"}, false},
		{"tabs and spaces", " \tshow \t stat  ", []string{"show", "stat"}, false},
		{"escaped space", `set server be/a\ b`, []string{"set", "server", "be/a b"}, false},
		{"escaped semicolon", `a\;b`, []string{"a;b"}, false},
		{"escaped backslash", `a\\b`, []string{`a\b`}, false},
		{"escape drops backslash", `\x`, []string{"x"}, false},
		{"trailing backslash", `ab\`, []string{"ab"}, false},
		{"payload", "set ssl cert x <<", []string{"set", "ssl", "cert", "x"}, true},
		{"payload alone", "<<", nil, true},
		{"payload not last", "a << b", []string{"a", "<<", "b"}, false},
		{"escaped payload", `a \<<`, []string{"a", "<<"}, false},
		{"glued payload is a word", "a<<", []string{"a<<"}, false},
		{"empty", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, payload := Words(tt.in)
			if !reflect.DeepEqual(got, tt.want) || payload != tt.payload {
				t.Errorf("Words(%q) = %q, %v; want %q, %v", tt.in, got, payload, tt.want, tt.payload)
			}
		})
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	for _, words := range [][]string{
		{"show", "stat"},
		{"set", "a b", "c;d", `e\f`, "<<", "tab\there"},
		{"x\ny"},
	} {
		q := Quote(words)
		got, payload := Words(q)
		if payload || !reflect.DeepEqual(got, words) {
			t.Errorf("Words(Quote(%q)) = %q, %v; want the words back", words, got, payload)
		}
		if cmds := SplitCommands(q); len(cmds) != 1 || cmds[0] != q {
			t.Errorf("SplitCommands(Quote(%q)) = %q; want one command", words, cmds)
		}
	}
}

func TestCommandReader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		max     int
		want    []string
		wantErr error
	}{
		{"two commands", "a b;c\n", 100, []string{"a b", "c"}, nil},
		{"escaped semicolon", `a\;b` + "\n", 100, []string{`a\;b`}, nil},
		{"last without LF", "a\nb", 100, []string{"a", "b"}, nil},
		{"too long", strings.Repeat("x", 20) + "\n", 10, nil, ErrLineTooLong},
		{"exactly max", strings.Repeat("x", 10) + "\n", 10, []string{strings.Repeat("x", 10)}, nil},
		{"binary", "show\x00info\n", 100, nil, ErrBinary},
		{"escape char", "show \x1b[A\n", 100, nil, ErrBinary},
		{"utf8 is text", "set var é\n", 100, []string{"set var é"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newCommandReader(strings.NewReader(tt.in), tt.max)
			var got []string
			var err error
			for {
				var c string
				var eof bool
				c, eof, err = r.readCommand()
				if err != nil {
					break
				}
				got = append(got, c)
				if eof {
					err = io.EOF
					break
				}
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("readCommand(%q) error = %v; want %v", tt.in, err, tt.wantErr)
				}
				return
			}
			if !errors.Is(err, io.EOF) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("readCommand(%q) = %q, %v; want %q, EOF", tt.in, got, err, tt.want)
			}
		})
	}
}

// FuzzParseLine feeds arbitrary input to the session's command reader and
// word splitter: it must never panic, never return a command over the
// limit or holding control bytes, and Quote must give the words back.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"show info\n",
		"@1 show info; @2 show stat\n",
		`set server be/s\ 1 state maint` + "\n",
		"set ssl cert x <<\nline1\n\n",
		"a\\",
		"\x00\xff;;\\\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		const max = 256
		r := newCommandReader(bytes.NewReader(in), max)
		for i := 0; i < len(in)+1; i++ {
			cmd, eof, err := r.readCommand()
			if err != nil {
				return
			}
			if len(cmd) > max {
				t.Fatalf("command of %d bytes over the limit %d", len(cmd), max)
			}
			words, _ := Words(cmd)
			for _, w := range words {
				if w == "" {
					t.Fatalf("Words(%q) returned an empty word", cmd)
				}
			}
			back, payload := Words(Quote(words))
			if payload || !reflect.DeepEqual(back, words) && len(words) > 0 {
				t.Fatalf("Words(Quote(%q)) = %q, %v", words, back, payload)
			}
			if eof {
				return
			}
		}
	})
}

// FuzzParseTarget: a master CLI prefix parses to a target whose String
// parses back to the same target, and an error says which word failed.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"@", "@master", "@0", "@1", "@!1234", "@!", "@!-1", "@+1", "@99999999999999999999", "@ 1", "@!0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, word string) {
		tg, err := ParseTarget(word)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", word)) {
				t.Fatalf("ParseTarget(%q) error %q does not name the word", word, err)
			}
			return
		}
		if tg.N < 0 || tg.Kind == TargetPID && tg.N == 0 || tg.Kind == TargetMaster && tg.N != 0 {
			t.Fatalf("ParseTarget(%q) = %+v", word, tg)
		}
		back, err := ParseTarget(tg.String())
		if err != nil || back != tg {
			t.Fatalf("ParseTarget(%q) = %+v; its String %q parses to %+v, %v", word, tg, tg.String(), back, err)
		}
	})
}

// FuzzSession runs a whole runtime API session on arbitrary client bytes
// (commands, `;` lists, `<<` payloads, prompt mode, a panicking handler):
// no panic escapes and the session ends once the client has sent
// everything and half-closed.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"show info\n",
		"prompt\necho a b\necho x <<\nl1\nl2\n\nquit\n",
		"echo a; boom; show info\n",
		"echo p <<\n" + strings.Repeat("x", 300) + "\n\n",
		"disable server\nclear counters all\n\x00\xff\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		client, server := socketPair(t)
		defer client.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			Serve(context.Background(), server, testTable(), SessionOptions{Level: LevelAdmin, MaxLine: 256, Timeout: 5 * time.Second})
		}()
		go func() {
			client.Write(in)
			client.CloseWrite()
		}()
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		out, err := io.ReadAll(client)
		if err != nil {
			t.Fatalf("reading the session's output: %v (input %q)", err, in)
		}
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the session did not end (input %q, output %d bytes)", in, len(out))
		}
	})
}
