package stats

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var numbers = regexp.MustCompile(`"value":[0-9]+`)

var infoLine = regexp.MustCompile(`^(\d+)\.([^.]+)\.1:(...):(\w+):(.*)$`)

// infoFromTyped rebuilds an Info from captured `show info typed` output.
func infoFromTyped(t *testing.T, typed string) Info {
	t.Helper()
	var in Info
	sc := bufio.NewScanner(strings.NewReader(typed))
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		m := infoLine.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("bad typed line %q", sc.Text())
		}
		i, _ := strconv.Atoi(m[1])
		if InfoName(i) != m[2] {
			t.Fatalf("field %d is %q here, %q in HAProxy", i, InfoName(i), m[2])
		}
		in.SetStr(i, m[5])
		if f := in.Fields[i]; f.Tags.String() != m[3] || f.Type.String() != m[4] {
			t.Errorf("field %s: %s:%s here, %s:%s in HAProxy", m[2], f.Tags, f.Type, m[3], m[4])
		}
	}
	return in
}

func TestShowInfoGolden(t *testing.T) {
	in := infoFromTyped(t, golden(t, "show_info_typed.txt"))
	tests := []struct {
		name string
		args []string
		file string
	}{
		{"typed", []string{"typed"}, "show_info_typed.txt"},
		{"json", []string{"json"}, "show_info_json.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format, desc := ParseInfoArgs(tt.args)
			var b bytes.Buffer
			if err := WriteInfo(&b, &in, format, desc); err != nil {
				t.Fatal(err)
			}
			got, want := b.String(), cliAnswer(golden(t, tt.file))
			if tt.name == "json" { // captured a moment after the typed dump
				got, want = numbers.ReplaceAllString(got, "N"), numbers.ReplaceAllString(want, "N")
			}
			if got != want {
				diff(t, got, want)
			}
		})
	}
	// The plain and desc captures were taken at another moment: compare
	// the field names in order.
	var b bytes.Buffer
	WriteInfo(&b, &in, FormatCSV, true)
	names := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if k, _, ok := strings.Cut(l, ": "); ok {
				out = append(out, k)
			}
		}
		return strings.Join(out, ",")
	}
	if got, want := names(b.String()), names(golden(t, "show_info.txt")); got != want {
		t.Errorf("show info names:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(b.String(), "Name: HAProxy:\"Product name\"\n") {
		t.Errorf("show info desc lacks the description form: %.80q", b.String())
	}
}

func TestNewInfo(t *testing.T) {
	in := NewInfo()
	in.SetUptime(26*time.Hour + 3*time.Minute + 7*time.Second)
	var b bytes.Buffer
	WriteInfo(&b, &in, FormatCSV, false)
	for _, want := range []string{"Nbproc: 1\n", "Process_num: 1\n", "Uptime: 1d 2h03m07s\n", "Uptime_sec: 93787\n", "Stopping: 0\n", "Tainted: \n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("NewInfo output lacks %q", want)
		}
	}
	if strings.Contains(b.String(), "description") || strings.Contains(b.String(), "ZlibMemUsage") {
		t.Errorf("NewInfo prints fields HAProxy shows only when set")
	}
}
