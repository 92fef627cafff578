package config

import "testing"

// TestCheckCondition covers -cc: words split like a configuration line
// but without comments, joined and evaluated as `.if` does, with
// HAProxy 2.6's messages for what cannot be split or evaluated.
func TestCheckCondition(t *testing.T) {
	env := func(name string) (string, bool) {
		if name == "HOME" {
			return "/root", true
		}
		return "", false
	}
	tests := []struct {
		expr string
		want bool
		err  string
	}{
		{"1", true, ""},
		{"0", false, ""},
		{"", false, ""},
		{"defined(HOME)", true, ""},
		{"defined(NOPE)", false, ""},
		{"defined(.FILE)", false, ""},
		{`streq("$HOME",/root)`, true, ""},
		{`"1"`, true, ""},
		{"version_atleast(2.4) && !version_before(2.6)", true, ""},
		{"foo", false, "Failed to evaluate condition: unparsable conditional expression 'foo'"},
		{"1 2", false, "Failed to evaluate condition: unexpected character '2' at the end of conditional expression '1 2'"},
		{"1 # 0", false, "Failed to evaluate condition: unexpected character '#' at the end of conditional expression '1 # 0'"},
		{"(1", false, "Failed to evaluate condition: expected ')' after conditional expression '(1'"},
		{`"1`, false, "Syntax Error in condition: Unmatched quote."},
		{`\x4`, false, "Syntax Error in condition: Truncated or invalid hexadecimal sequence."},
		{`"${FOO"`, false, "Unhandled error in condition, please report this to the developers."},
		// The parser's outcomes and make_arg_list()'s texts, as 2.6 has them.
		{"1 &&", false, "Failed to evaluate condition: unparsable conditional expression '&&'"},
		{"1 ||", false, "Failed to evaluate condition: unparsable conditional expression '1 ||'"},
		{"1 && 0 &&", false, "Failed to evaluate condition: unparsable conditional expression '&& 0 &&'"},
		{"(1 &&)", false, "Failed to evaluate condition: unparsable conditional expression ')'"},
		{"defined", false, ""},
		{"defined()", false, ""},
		{"streq(,)", true, ""},
		{`streq(a\,b)`, false, ""},
		{"defined(", false, "Failed to evaluate condition: expected ')' in argument 1 of predicate 'defined' used in conditional expression"},
		{"streq(a)", false, "Failed to evaluate condition: missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression"},
		{"streq (a,b)", false, "Failed to evaluate condition: missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression"},
		{"streq(a,b,c)", false, "Failed to evaluate condition: expected ')' before ',c)' in argument 1 of predicate 'streq' used in conditional expression"},
	}
	for _, tt := range tests {
		got, err := CheckCondition(tt.expr, env)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != tt.want || msg != tt.err {
			t.Errorf("CheckCondition(%q) = %v, %q; want %v, %q", tt.expr, got, msg, tt.want, tt.err)
		}
	}
}
