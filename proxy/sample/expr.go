package sample

import (
	"fmt"
	"strings"

	"github.com/goha/goha/proxy/stick"
)

// sampleExpr is a compiled fetch and its converters.
type sampleExpr struct {
	src   string
	fetch fetchFn
	fa    fetchArgs
	convs []conv
}

// fetchArgs are a fetch's compiled arguments.
type fetchArgs struct {
	name string // header, parameter or cookie name (lowercase for headers)
	occ  int    // header occurrence (0 = last for hdr(), all for fhdr)
	n    int64
	s    string
	full bool // req.fhdr: do not split on commas
	stk  *stick.Fetch
}

type fetchFn func(x *Ctx, a *fetchArgs, v *smpVal) bool

// eval fetches and converts the sample; false when there is none.
func (e *sampleExpr) eval(x *Ctx, v *smpVal) bool {
	*v = smpVal{}
	if !e.fetch(x, &e.fa, v) {
		return false
	}
	for i := range e.convs {
		c := &e.convs[i]
		if !c.fn(x, c, v) {
			return false
		}
	}
	return true
}

// scanTop calls at for each byte of s outside quotes, with the
// parenthesis depth, until at returns true; it returns that index, or -1.
// Backslashes escape the next byte, in quotes or not.
func scanTop(s string, at func(i int, c byte, depth int) bool) int {
	depth := 0
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == '\\' {
				i++
			} else if c == q {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		case c == '\\':
			i++
		case c == '(':
			depth++
		case c == ')':
			depth--
		default:
			if at(i, c, depth) {
				return i
			}
		}
	}
	return -1
}

// splitTop splits s at commas outside parentheses and quotes.
func splitTop(s string) []string {
	var out []string
	start := 0
	scanTop(s, func(i int, c byte, depth int) bool {
		if c == ',' && depth == 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
		return false
	})
	return append(out, s[start:])
}

// splitCall splits "name(args)" into the name and its arguments,
// unquoted; hasArgs tells "name()" from "name".
func splitCall(s string) (name string, args []string, err error) {
	s = strings.TrimSpace(s)
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return s, nil, nil
	}
	if !strings.HasSuffix(s, ")") {
		return "", nil, fmt.Errorf("missing ')' in %q", s)
	}
	name = s[:i]
	inner := s[i+1 : len(s)-1]
	if inner == "" {
		return name, nil, nil
	}
	for _, a := range splitTop(inner) {
		args = append(args, unquoteArg(strings.TrimSpace(a)))
	}
	return name, args, nil
}

// unquoteArg removes quotes and backslash escapes from an argument.
func unquoteArg(s string) string {
	if !strings.ContainsAny(s, `'"\`) {
		return s
	}
	var b strings.Builder
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte(`\\"',)`, s[i+1]) >= 0 && q != '\'':
			// \", \', \\, \, and \) stand for the character; other
			// backslashes stay (regex escapes, \1 in regsub).
			i++
			b.WriteByte(s[i])
		case q != 0 && c == q:
			q = 0
		case q == 0 && (c == '\'' || c == '"'):
			q = c
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// compileSample compiles FETCH[(ARGS)][,CONV[(ARGS)]]...
func compileSample(src string, o *Options) (*sampleExpr, error) {
	parts := splitTop(src)
	name, args, err := splitCall(parts[0])
	if err != nil {
		return nil, fmt.Errorf("sample expression %q: %w", src, err)
	}
	e := &sampleExpr{src: src}
	if err := compileFetch(e, name, args, o); err != nil {
		return nil, fmt.Errorf("sample expression %q: %w", src, err)
	}
	for _, p := range parts[1:] {
		cn, cargs, err := splitCall(p)
		if err != nil {
			return nil, fmt.Errorf("sample expression %q: %w", src, err)
		}
		c, err := compileConv(cn, cargs, o)
		if err != nil {
			return nil, fmt.Errorf("sample expression %q: converter %q: %w", src, cn, err)
		}
		e.convs = append(e.convs, c)
	}
	return e, nil
}
