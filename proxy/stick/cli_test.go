package stick

import (
	"regexp"
	"strings"
	"testing"
)

// TestCLIAgainstHAProxy replays testdata/commands.txt on the tables of
// testdata/tables.cfg and compares every answer with what HAProxy 2.6.12
// printed (testdata/haproxy26-cli.txt, made by testdata/capture.sh).
// Entry addresses differ by nature, and the capture's exp= values carry
// HAProxy's timing: both are masked, exp= values then checked on the
// fake clock by TestShowExp.
func TestCLIAgainstHAProxy(t *testing.T) {
	c := &fakeClock{}
	c.set(1_000_000)
	// goha refuses track-sc0 until the data plane runs it: the test
	// plays its part below.
	cfg := strings.NewReplacer("@SOCK@", "/tmp/x.sock", "@PORT@", "1", "http-request track-sc0 src", "").Replace(readFile(t, "testdata/tables.cfg"))
	set := parseTables(t, cfg, c)
	fe := set.Find("fe")
	k, _ := fe.KeyAddr(mustAddr("127.0.0.1"))
	for range 3 { // the capture's three requests, each tracked by track-sc0 src
		e, err := fe.Track(k)
		if err != nil {
			t.Fatal(err)
		}
		fe.Count(e, EvHTTPReq, 1)
		c.advance(5)
		fe.Untrack(e)
	}
	mask := regexp.MustCompile(`0x[0-9a-f]+: |exp=[1-9][0-9]*`)
	want := strings.Split(readFile(t, "testdata/haproxy26-cli.txt"), "== ")[1:]
	for _, block := range want {
		cmd, out, _ := strings.Cut(block, "\n")
		var b strings.Builder
		words := cliWords(cmd)
		switch words[0] {
		case "show":
			set.Show(&b, words, true)
		case "clear":
			set.Clear(&b, words, true)
		case "set":
			set.SetData(&b, words, true)
		}
		c.advance(3)
		got := mask.ReplaceAllString(b.String(), "X")
		if w := mask.ReplaceAllString(out, "X"); got != w {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", cmd, got, w)
		}
	}
}

// TestShowExp checks exp= on the fake clock: the time left before the
// entry expires, 0 once over and for tables without expire.
func TestShowExp(t *testing.T) {
	c := &fakeClock{}
	c.set(5000)
	tb := table(t, "type ip size 10 expire 30s store gpc0", c)
	set := NewSet(tb)
	var b strings.Builder
	set.SetData(&b, cliWords("set table b key 10.0.0.1 data.gpc0 2"), true)
	c.advance(25)
	b.Reset()
	set.Show(&b, cliWords("show table b"), true)
	if !strings.Contains(b.String(), "key=10.0.0.1 use=0 exp=29975 gpc0=2\n") {
		t.Errorf("show table b after 25 ms = %q; want exp=29975", b.String())
	}
	e, _ := tb.Track(mustKey(t, tb, "10.0.0.1"))
	c.advance(40000)
	b.Reset()
	set.Show(&b, cliWords("show table b"), true)
	if !strings.Contains(b.String(), "used:1\n") || !strings.Contains(b.String(), "use=1 exp=0 gpc0=2") {
		t.Errorf("an expired entry in use must stay, with exp=0: %q", b.String())
	}
	tb.Untrack(e)
	c.advance(30000)
	b.Reset()
	set.Show(&b, cliWords("show table b"), true)
	if b.String() != "# table: b, type: ip, size:10, used:0\n" {
		t.Errorf("after expiry: %q", b.String())
	}
}

// TestShowLevel: below operator, the header and HAProxy's notice only.
func TestShowLevel(t *testing.T) {
	c := &fakeClock{}
	tb := table(t, "type ip size 10 store gpc0", c)
	set := NewSet(tb)
	var b strings.Builder
	set.SetData(&b, cliWords("set table b key 10.0.0.1 data.gpc0 2"), false)
	set.Show(&b, cliWords("show table b"), false)
	want := "# table: b, type: ip, size:10, used:0\n# contents not dumped due to insufficient privileges\n"
	if b.String() != want {
		t.Errorf("user level: %q; want %q", b.String(), want)
	}
}
