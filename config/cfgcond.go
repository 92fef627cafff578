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
	err *condError // the first error, when an outcome is condFail
}

// Parse outcomes of a piece of a condition, as HAProxy's
// cfg_parse_cond_*() report them: an error (condEval.err is set),
// nothing that parses from there, or a parsed piece.
const (
	condFail    = -1
	condNothing = 0
	condParsed  = 1
)

// evalCondition evaluates expr; an empty expression is false.
func evalCondition(expr string, env lookupFunc) (bool, *condError) {
	if expr == "" {
		return false, nil
	}
	c := &condEval{s: expr, env: env}
	st, pos, v := c.expr(0, maxCondRecursion)
	switch st {
	case condFail:
		return false, c.err
	case condNothing:
		return false, &condError{"unparsable conditional expression '" + expr + "'", pos}
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

// fail records the first error and reports condFail.
func (c *condEval) fail(msg string, pos int) (int, int, bool) {
	c.err = &condError{msg, pos}
	return condFail, pos, false
}

// expr parses an OR of ANDs from i. It returns the outcome, the position
// reached (for condNothing, where the part that did not parse starts:
// after a dangling `||` or `&&`, the operator) and the value.
func (c *condEval) expr(i, depth int) (int, int, bool) {
	return c.chain(i, depth, "||", "unparsable conditional expression '", c.and)
}

// and parses an AND of terms from i, as expr does.
func (c *condEval) and(i, depth int) (int, int, bool) {
	return c.chain(i, depth, "&&", "unparsable conditional sub-expression '", c.termAt)
}

// chain parses `sub [op chain]`: the shape of both expr and and. A
// right-hand side that does not parse leaves the position on op and the
// whole chain unparsed, as HAProxy does.
func (c *condEval) chain(i, depth int, op, unparsable string, sub func(int, int) (int, int, bool)) (int, int, bool) {
	if i >= len(c.s) {
		return condNothing, i, false
	}
	if depth <= 0 {
		return c.fail(unparsable+c.s[i:]+"'", i)
	}
	st, j, v := sub(i, depth-1)
	if st == condFail {
		return st, j, false
	}
	if st == condNothing {
		return c.fail(unparsable+c.s[j:]+"'", j)
	}
	j = skipBlanks(c.s, j)
	if !strings.HasPrefix(c.s[j:], op) {
		return condParsed, j, v
	}
	k := skipBlanks(c.s, j+len(op))
	st, k, v2 := c.chain(k, depth-1, op, unparsable, sub)
	switch {
	case st != condParsed:
		return st, j, false
	case op == "||":
		return st, k, v || v2
	default:
		return st, k, v && v2
	}
}

// termAt parses a term from i; for condNothing the position stays i.
func (c *condEval) termAt(i, depth int) (int, int, bool) {
	st, j, v := c.term(i, depth)
	if st == condNothing {
		return st, i, v
	}
	return st, j, v
}

var condPredicates = []string{"defined", "feature", "streq", "strneq", "version_atleast", "version_before",
	"openssl_version_atleast", "openssl_version_before", "ssllib_name_startswith"}

// term parses a number, `!term`, `( expr )` or a predicate from start.
func (c *condEval) term(start, depth int) (int, int, bool) {
	i := skipBlanks(c.s, start)
	if i >= len(c.s) {
		return condNothing, start, false
	}
	unparsable := "unparsable conditional expression '" + c.s[start:] + "'"
	if depth <= 0 {
		return c.fail(unparsable, start)
	}
	neg := false
	for i < len(c.s) && c.s[i] == '!' {
		neg = !neg
		i = skipBlanks(c.s, i+1)
	}
	if n, end, ok := strtol(c.s[i:]); ok {
		return condParsed, i + end, (n != 0) != neg
	}
	if i < len(c.s) && c.s[i] == '(' {
		st, k, v := c.expr(skipBlanks(c.s, i+1), depth-1)
		switch st {
		case condFail:
			return st, k, false
		case condNothing:
			return c.fail(unparsable, start)
		}
		k = skipBlanks(c.s, k)
		if k >= len(c.s) || c.s[k] != ')' {
			return c.fail("expected ')' after conditional expression '"+c.s[start:]+"'", start)
		}
		return condParsed, skipBlanks(c.s, k+1), v != neg
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
			return c.fail(msg+" of predicate '"+pred+"' used in conditional expression", i+wl+end)
		}
		return condParsed, i + wl + end, c.predicate(pred, args) != neg
	}
	return c.fail(unparsable, start)
}

// predicate evaluates a predicate on its arguments.
func (c *condEval) predicate(pred string, args []string) bool {
	switch pred {
	case "defined":
		_, ok := c.env(args[0])
		return ok
	case "feature":
		return hasFeature(args[0])
	case "streq":
		return args[0] == args[1]
	case "strneq":
		return args[0] != args[1]
	case "version_atleast":
		return compareVersion(args[0]) <= 0
	case "version_before":
		return compareVersion(args[0]) > 0
	}
	// goha has no TLS library: any OpenSSL version test is false.
	return false
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

// argEscapes are the characters a backslash escapes in a predicate's
// argument list, and what they stand for.
var argEscapes = map[byte]byte{'\\': '\\', ' ': ' ', '"': '"', '\'': '\'', 'r': '\r', 'n': '\n', 't': '\t'}

// parseArgList parses a predicate's "(a,b)" for n string arguments, as
// HAProxy's make_arg_list() does: without a '(' there is one empty
// argument; quotes group, a backslash escapes; an argument list ends at
// ')' or at the end of the text. It returns the arguments, the offset
// after the list and an error text (HAProxy's wording, with the
// argument number) if any.
func parseArgList(s string, n int) ([]string, int, string) {
	i, open := 0, len(s) > 0 && s[0] == '('
	if open {
		i = 1
	}
	var args []string
	for len(args) < n {
		arg, j, msg := readArg(s, i, open)
		if msg != "" {
			return nil, j, msg + " at position " + strconv.Itoa(len(args)+1) + " in argument " + strconv.Itoa(len(args))
		}
		args, i = append(args, arg), j
		if !open || i >= len(s) || s[i] == ')' || len(args) >= n {
			break
		}
		i++ // the comma
	}
	if len(args) < n {
		return nil, i, "missing arguments (got " + strconv.Itoa(len(args)) + "/" + strconv.Itoa(n) + "), type 'string' expected in argument " + strconv.Itoa(len(args))
	}
	if !open {
		return args, i, ""
	}
	if i < len(s) && s[i] == ')' {
		return args, i + 1, ""
	}
	at := len(args)
	if at > 1 {
		at--
	}
	msg := "expected ')'"
	if i < len(s) {
		msg = "expected ')' before '" + s[i:] + "'"
	}
	return nil, i, msg + " in argument " + strconv.Itoa(at)
}

// readArg reads one argument of an open list from i, up to an unquoted
// ',' or ')' or the end; it returns the argument and where it stopped,
// or the start of an error text for a backslash ending the text.
func readArg(s string, i int, open bool) (string, int, string) {
	var cur []byte
	squote, dquote := false, false
	for open && i < len(s) {
		ch := s[i]
		switch {
		case ch == '"' && !squote:
			dquote = !dquote
		case ch == '\'' && !dquote:
			squote = !squote
		case ch == '\\' && !squote:
			if i+1 >= len(s) {
				return "", i, "failed to parse '" + s[i:] + "' after '" + string(cur) + "' as type 'string'"
			}
			if e, ok := argEscapes[s[i+1]]; ok {
				cur = append(cur, e)
				i++
			} else {
				cur = append(cur, ch)
			}
		case !squote && !dquote && (ch == ',' || ch == ')'):
			return string(cur), i, ""
		default:
			cur = append(cur, ch)
		}
		i++
	}
	return string(cur), i, ""
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
