package cmdline

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// haproxyBin is the reference HAProxy 2.6 the -cc cases are compared
// with when it is installed.
const haproxyBin = "/usr/sbin/haproxy"

// TestCheckConditionExitCodes runs `goha -cc EXPR` as HAProxy's own
// regression tests do: exit 0 when true, 1 when false, 2 with an alert
// when the expression is malformed. With HAProxy installed, each case's
// exit code and alert text are compared with its.
func TestCheckConditionExitCodes(t *testing.T) {
	dir := t.TempDir()
	env := []string{"CC_SET=yes"}
	tests := []struct {
		expr  string
		code  int
		alert string
	}{
		{"1", 0, ""},
		{"0", 1, ""},
		{"", 1, ""},
		{"defined(CC_SET)", 0, ""},
		{"defined(CC_UNSET)", 1, ""},
		{`streq("$CC_SET",yes) && version_atleast(2.2)`, 0, ""},
		{"version_before(2.0) || !1", 1, ""},
		{"foo", 2, "Failed to evaluate condition: unparsable conditional expression 'foo'"},
		{"1 2", 2, "Failed to evaluate condition: unexpected character '2' at the end of conditional expression '1 2'"},
		{`"1`, 2, "Syntax Error in condition: Unmatched quote."},
		{"1 &&", 2, "Failed to evaluate condition: unparsable conditional expression '&&'"},
		{"defined", 1, ""},
		{"streq(a)", 2, "Failed to evaluate condition: missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression"},
		{"streq(a,b,c)", 2, "Failed to evaluate condition: expected ')' before ',c)' in argument 1 of predicate 'streq' used in conditional expression"},
	}
	_, haveRef := os.Stat(haproxyBin)
	pid := regexp.MustCompile(`\(\d+\)`)
	alertOf := func(stderr string) string {
		for _, l := range strings.Split(stderr, "\n") {
			if strings.HasPrefix(l, "[ALERT]") {
				return pid.ReplaceAllString(l, "(PID)")
			}
		}
		return ""
	}
	for _, tt := range tests {
		_, errOut, code := run(t, dir, env, "-cc", tt.expr)
		if code != tt.code || !strings.Contains(errOut, tt.alert) {
			t.Errorf("goha -cc %q: exit %d, stderr %q; want exit %d, alert %q", tt.expr, code, errOut, tt.code, tt.alert)
		}
		if haveRef != nil {
			continue
		}
		ref := exec.Command(haproxyBin, "-cc", tt.expr)
		ref.Env = append(os.Environ(), env...)
		var refErr strings.Builder
		ref.Stderr = &refErr
		refCode := 0
		if err := ref.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("haproxy -cc %q: %v", tt.expr, err)
			}
			refCode = ee.ExitCode()
		}
		if refCode != code || alertOf(refErr.String()) != alertOf(errOut) {
			t.Errorf("goha -cc %q: exit %d, alert %q; HAProxy: exit %d, alert %q", tt.expr, code, alertOf(errOut), refCode, alertOf(refErr.String()))
		}
	}
}
