package config

import (
	"errors"
	"strconv"
	"strings"
)

// HAProxyVersion is the HAProxy version goha mimics: `.if
// version_atleast(X)` and `version_before(X)` compare against it.
const HAProxyVersion = "2.6.12"

// buildFeatures is the answer to `.if feature(X)`: the features of a
// goha build, in HAProxy's "+NAME"/"-NAME" notation. TLS and Lua are not
// implemented, so configurations guarded by feature(OPENSSL) or
// feature(LUA) take their fallback branch.
const buildFeatures = "+ACCEPT4 +CPU_AFFINITY -DEVICEATLAS +EPOLL +GETADDRINFO -KQUEUE +LINUX_SPLICE +LINUX_TPROXY -LUA +NETFILTER +NS -OPENSSL -PCRE +PCRE2 +POLL +PRCTL -PROMEX -QUIC +RT +TFO +THREAD +TPROXY -WURFL -ZLIB"

// condError is a failure to evaluate a `.if` expression; Pos is the
// offset in the expression of the first bad character.
type condError struct {
	Msg string
	Pos int
}

const maxCondRecursion = 1024

// condEval evaluates a `.if`/`.elif` expression as HAProxy's
// cfg_eval_condition() does: terms are integers (0 false, other true),
// predicates, `!term` and `( expr )`, combined with `&&` and `||`.
type condEval struct {
	s   string
	env lookupFunc
}

// evalCondition evaluates expr; an empty expression is false.
func evalCondition(expr string, env lookupFunc) (bool, *condError) {
	if expr == "" {
		return false, nil
	}
	c := &condEval{s: expr, env: env}
	pos, v, err := c.expr(0, maxCondRecursion)
	if err != nil {
		return false, err
	}
	if pos < 0 {
		return false, &condError{"unparsable conditional expression '" + expr + "'", 0}
	}
	pos = skipBlanks(expr, pos)
	if pos < len(expr) {
		return false, &condError{"unexpected character '" + string(expr[pos]) + "' at the end of conditional expression '" + expr + "'", pos}
	}
	return v, nil
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// expr parses an OR of ANDs from i; it returns the new position (-1 when
// nothing parsed) and the value.
func (c *condEval) expr(i, depth int) (int, bool, *condError) {
	if i >= len(c.s) {
		return -1, false, nil
	}
	if depth <= 0 {
		return 0, false, &condError{"unparsable conditional expression '" + c.s[i:] + "'", i}
	}
	j, v, err := c.and(i, depth-1)
	if err != nil {
		return 0, false, err
	}
	if j < 0 {
		return 0, false, &condError{"unparsable conditional expression '" + c.s[i:] + "'", i}
	}
	j = skipBlanks(c.s, j)
	if !strings.HasPrefix(c.s[j:], "||") {
		return j, v, nil
	}
	k := skipBlanks(c.s, j+2)
	k2, v2, err := c.expr(k, depth-1)
	if err != nil {
		return 0, false, err
	}
	if k2 < 0 {
		return j, v, nil
	}
	return k2, v || v2, nil
}

func (c *condEval) and(i, depth int) (int, bool, *condError) {
	if i >= len(c.s) {
		return -1, false, nil
	}
	if depth <= 0 {
		return 0, false, &condError{"unparsable conditional sub-expression '" + c.s[i:] + "'", i}
	}
	j, v, err := c.term(i, depth-1)
	if err != nil {
		return 0, false, err
	}
	if j < 0 {
		return 0, false, &condError{"unparsable conditional sub-expression '" + c.s[i:] + "'", i}
	}
	j = skipBlanks(c.s, j)
	if !strings.HasPrefix(c.s[j:], "&&") {
		return j, v, nil
	}
	k := skipBlanks(c.s, j+2)
	k2, v2, err := c.and(k, depth-1)
	if err != nil {
		return 0, false, err
	}
	if k2 < 0 {
		return j, v, nil
	}
	return k2, v && v2, nil
}

var condPredicates = []string{"defined", "feature", "streq", "strneq", "version_atleast", "version_before",
	"openssl_version_atleast", "openssl_version_before", "ssllib_name_startswith"}

func (c *condEval) term(start, depth int) (int, bool, *condError) {
	i := skipBlanks(c.s, start)
	if i >= len(c.s) {
		return -1, false, nil
	}
	if depth <= 0 {
		return 0, false, &condError{"unparsable conditional expression '" + c.s[start:] + "'", start}
	}
	neg := false
	for i < len(c.s) && c.s[i] == '!' {
		neg = !neg
		i = skipBlanks(c.s, i+1)
	}
	if n, end, ok := strtol(c.s[i:]); ok {
		return i + end, (n != 0) != neg, nil
	}
	if i < len(c.s) && c.s[i] == '(' {
		j := skipBlanks(c.s, i+1)
		k, v, err := c.expr(j, depth-1)
		if err != nil {
			return 0, false, err
		}
		if k < 0 {
			return 0, false, &condError{"unparsable conditional expression '" + c.s[start:] + "'", start}
		}
		k = skipBlanks(c.s, k)
		if k >= len(c.s) || c.s[k] != ')' {
			return 0, false, &condError{"expected ')' after conditional expression '" + c.s[start:] + "'", start}
		}
		return skipBlanks(c.s, k+1), v != neg, nil
	}
	rest := c.s[i:]
	wl := strings.IndexAny(rest, " (")
	if wl < 0 {
		wl = len(rest)
	}
	for _, pred := range condPredicates {
		if rest[:wl] != pred {
			continue
		}
		nargs := 1
		if pred == "streq" || pred == "strneq" {
			nargs = 2
		}
		args, end, msg := parseArgList(rest[wl:], nargs)
		if msg != "" {
			return 0, false, &condError{msg + " of predicate '" + pred + "' used in conditional expression", i + wl + end}
		}
		var v bool
		switch pred {
		case "defined":
			_, v = c.env(args[0])
		case "feature":
			v = hasFeature(args[0])
		case "streq":
			v = args[0] == args[1]
		case "strneq":
			v = args[0] != args[1]
		case "version_atleast":
			v = compareVersion(args[0]) <= 0
		case "version_before":
			v = compareVersion(args[0]) > 0
		default:
			// goha has no TLS library: any OpenSSL version test is false.
			v = false
		}
		return i + wl + end, v != neg, nil
	}
	return 0, false, &condError{"unparsable conditional expression '" + c.s[start:] + "'", start}
}

// strtol mimics C's strtol(s, &end, 0) enough to know whether a number
// starts s (after optional blanks and sign) and where it ends.
func strtol(s string) (int64, int, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := 10
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && isHex(s[i+2]) {
		base = 16
		i += 2
	} else if i < len(s) && s[i] == '0' {
		base = 8
	}
	j := i
	var n int64
	for j < len(s) {
		d := digitVal(s[j])
		if d < 0 || d >= base {
			break
		}
		n = n*int64(base) + int64(d)
		j++
	}
	if j == i {
		return 0, 0, false
	}
	if neg {
		n = -n
	}
	return n, j, true
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// parseArgList parses "(a,b)" for a predicate with n string arguments.
// It returns the arguments, the offset after the closing parenthesis and
// an error text (HAProxy's make_arg_list() wording) if any.
func parseArgList(s string, n int) ([]string, int, string) {
	if len(s) == 0 || s[0] != '(' {
		return nil, 0, "missing arguments (got 0/" + strconv.Itoa(n) + ") in argument 1"
	}
	var args []string
	var cur []byte
	i := 1
	squote, dquote := false, false
	for {
		if i >= len(s) {
			return nil, i, "expected ')' before end of string in argument " + strconv.Itoa(len(args)+1)
		}
		ch := s[i]
		switch {
		case ch == '\'' && !dquote:
			squote = !squote
		case ch == '"' && !squote:
			dquote = !dquote
		case ch == '\\' && !squote && i+1 < len(s):
			i++
			cur = append(cur, s[i])
		case (ch == ',' || ch == ')') && !squote && !dquote:
			args = append(args, string(cur))
			cur = cur[:0]
			if ch == ')' {
				i++
				if len(args) == 1 && args[0] == "" && n > 0 {
					return nil, i, "missing arguments (got 0/" + strconv.Itoa(n) + ") in argument 1"
				}
				if len(args) < n {
					return nil, i, "missing arguments (got " + strconv.Itoa(len(args)) + "/" + strconv.Itoa(n) + ") in argument " + strconv.Itoa(len(args)+1)
				}
				if len(args) > n {
					return nil, i, "end of arguments expected at '" + s[i-1:] + "' in argument " + strconv.Itoa(n+1)
				}
				return args, i, ""
			}
		default:
			cur = append(cur, ch)
		}
		i++
	}
}

func hasFeature(name string) bool {
	for _, f := range strings.Fields(buildFeatures) {
		if f[1:] == name {
			return f[0] == '+'
		}
	}
	return false
}

// compareVersion compares v with HAProxyVersion: -1 when v is older, 0
// when equal, 1 when newer. Unparsable versions count as newer.
func compareVersion(v string) int {
	a := versionParts(HAProxyVersion)
	b := versionParts(v)
	if b == nil {
		return 1
	}
	for i := 0; i < 4; i++ {
		if b[i] < a[i] {
			return -1
		}
		if b[i] > a[i] {
			return 1
		}
	}
	return 0
}

func versionParts(v string) []int {
	out := make([]int, 4)
	parts := strings.SplitN(v, ".", 4)
	for i, p := range parts {
		j := 0
		for j < len(p) && isDigit(p[j]) {
			j++
		}
		if j == 0 {
			if i == 0 {
				return nil
			}
			break
		}
		out[i], _ = strconv.Atoi(p[:j])
		if j < len(p) {
			break
		}
	}
	return out
}

// condTokenErrors are -cc's messages for an expression that cannot be
// split into words, HAProxy 2.6's texts.
var condTokenErrors = map[tokErrKind]string{
	tokQuote:   "Syntax Error in condition: Unmatched quote.",
	tokHex:     "Syntax Error in condition: Truncated or invalid hexadecimal sequence.",
	tokTooMany: "Error in condition: Too many words.",
}

// CheckCondition evaluates expr as the command line's -cc does: it is
// split into words like a configuration line (quotes, escapes,
// environment variables from env), the words are joined with spaces and
// the result is evaluated as a `.if` condition. The error, when the
// expression cannot be split or evaluated, carries HAProxy's message.
func CheckCondition(expr string, env func(string) (string, bool)) (bool, error) {
	words, terr := splitExpression(expr, env)
	if terr != nil {
		msg, ok := condTokenErrors[terr.Kind]
		if !ok {
			msg = "Unhandled error in condition, please report this to the developers."
		}
		return false, errors.New(msg)
	}
	v, cerr := evalCondition(strings.Join(words, " "), env)
	if cerr != nil {
		return false, errors.New("Failed to evaluate condition: " + cerr.Msg)
	}
	return v, nil
}
