package tlog

import (
	"errors"
	"strings"
	"testing"
)

// TestFormatExpr: %[...] steps call FormatOptions.Expr's function with
// the entry and print its value as HAProxy's lf_text_len does: "-" when
// absent or empty, "" under +Q, escaped under +E; ']' inside quotes or
// parentheses does not end the expression; a compile error names the
// format.
func TestFormatExpr(t *testing.T) {
	vals := map[string]string{"a": "x y", "empty": "", "q": `a"b]`}
	var seen []string
	opts := FormatOptions{HTTP: true, Expr: func(src string) (ExprFunc, error) {
		if src == "bad" {
			return nil, errors.New("unknown fetch")
		}
		seen = append(seen, src)
		return func(e *Entry) ([]byte, bool) {
			if e.Samples != "ctx" {
				return nil, false
			}
			v, ok := vals[src]
			return []byte(v), ok
		}, nil
	}}
	for _, tt := range []struct{ format, want string }{
		{"A=%[a] B=%[none] C=%[empty]", "A=x y B=- C=-"},
		{"%{+Q}[a] %{+Q}[none]", `"x y" ""`},
		{"%{+E}[q]", `a\"b\]`},
		{"%{+Q}o %[a] %[none]", `"x y" ""`},
		{"[%[str(])]]", "[-]"},
	} {
		f, err := Compile(tt.format, opts)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tt.format, err)
		}
		if got := string(f.Append(nil, &Entry{Samples: "ctx"})); got != tt.want {
			t.Errorf("%q = %q; want %q", tt.format, got, tt.want)
		}
	}
	if seen[len(seen)-1] != "str(])" {
		t.Errorf("the expression compiled was %q; want %q", seen[len(seen)-1], "str(])")
	}
	if f := MustCompile("%[a]", opts); string(f.Append(nil, &Entry{})) != "-" {
		t.Error("an entry without samples must print '-'")
	}
	for _, bad := range []string{"%[bad]", "%[a"} {
		if _, err := Compile(bad, opts); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("Compile(%q) error = %v; want one naming the format", bad, err)
		}
	}
}
