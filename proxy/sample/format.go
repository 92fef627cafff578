package sample

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goha/goha/proxy/acl"
)

// Format is a compiled HAProxy log-format string as used in rule values
// (set-header, add-header, set-path, redirect location, return lf-string
// bodies, dynamic use_backend): literal text, %X log variables and
// %[fetch(args),converter(args)...] sample expressions. A nil *Format is
// empty. A Format is immutable and safe for concurrent use.
type Format struct {
	src   string
	nodes []lfNode
	// lit is the whole value when it is only literal text.
	lit    []byte
	static bool
}

// lfNode is one piece of a compiled log-format string.
type lfNode struct {
	lit   []byte      // literal text (expr and v unset)
	expr  *sampleExpr // %[...]
	v     logVar      // %X variable
	quote bool        // %{+Q}
}

// lfOpts are the %{...} options of a node: +Q quotes, +X writes
// addresses, ports and numbers in hexadecimal (format_hex.go).
type lfOpts struct{ quote, hex bool }

// Options carries what compilation needs besides the text: the map
// files' contents by name. It caches the compiled map tables, so one
// Options is used by one goroutine at a time (a configuration is
// compiled by one).
type Options struct {
	Maps map[string][]byte
	// Refs are the live map references the compiled tables read
	// (shared by every Options of a runtime; created when nil).
	Refs *MapRefs
	// ACLs are the live pattern references the ACLs compiled along
	// read (shared by every Options of a runtime; nil: private ones).
	ACLs *acl.Refs
	// cache shares a map file's compiled table between expressions.
	cache map[string]*mapTable
}

// ACLRefs returns o.ACLs, nil for a nil o.
func (o *Options) ACLRefs() *acl.Refs {
	if o == nil {
		return nil
	}
	return o.ACLs
}

// LiteralFormat returns a Format that is the text b, with no
// variables (b is not copied).
func LiteralFormat(b []byte) *Format { return &Format{static: true, lit: b} }

// Static reports whether the Format is only literal text (a nil Format
// is).
func (e *Format) Static() bool { return e == nil || e.static }

// Literal returns the text of a static Format (nil for a nil one).
func (e *Format) Literal() []byte {
	if e == nil {
		return nil
	}
	return e.lit
}

// CompileFormat parses a log-format string as HAProxy does for rule
// values.
func CompileFormat(s string, o *Options) (*Format, error) {
	e := &Format{src: s}
	var lit []byte
	var sticky lfOpts
	flush := func() {
		if len(lit) > 0 {
			e.nodes = append(e.nodes, lfNode{lit: lit})
			lit = nil
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			lit = append(lit, c)
			i++
			continue
		}
		i++
		if i >= len(s) {
			break // a trailing '%' is dropped
		}
		if s[i] == '%' {
			lit = append(lit, '%')
			i++
			continue
		}
		opts := sticky
		if s[i] == '{' {
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("log-format %q: missing '}'", s)
			}
			for _, opt := range strings.Split(s[i+1:i+j], ",") {
				opts.set(opt)
			}
			i += j + 1
			if i >= len(s) {
				break
			}
		}
		switch {
		case s[i] == '[':
			end := exprEnd(s[i+1:])
			if end < 0 {
				return nil, fmt.Errorf("log-format %q: missing ']' after '%s'", s, s[i+1:])
			}
			ex, err := compileSample(s[i+1:i+1+end], o)
			if err != nil {
				return nil, fmt.Errorf("log-format %q: %w", s, err)
			}
			flush()
			e.nodes = append(e.nodes, lfNode{expr: ex, quote: opts.quote})
			i += end + 2
		case isLetter(s[i]):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			name := s[i:j]
			if name == "o" {
				// %o applies its options to every later variable;
				// it prints nothing, and HAProxy drops the
				// separators at the start of a line.
				sticky = opts
				i = j
				for len(e.nodes) == 0 && len(lit) == 0 && i < len(s) && s[i] == ' ' {
					i++
				}
				continue
			}
			v := logVars[name]
			if hv := hexLogVars[name]; opts.hex && hv != nil {
				v = hv
			}
			if v == nil {
				return nil, fmt.Errorf("log-format %q: variable %%%s is not supported in rule values", s, name)
			}
			flush()
			e.nodes = append(e.nodes, lfNode{v: v, quote: opts.quote})
			i = j
		default:
			// HAProxy drops a lone '%' before another character.
		}
	}
	flush()
	e.static = true
	for _, n := range e.nodes {
		if n.lit == nil {
			e.static = false
		}
	}
	if e.static {
		for _, n := range e.nodes {
			e.lit = append(e.lit, n.lit...)
		}
		if e.lit == nil {
			e.lit = []byte{}
		}
	}
	return e, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// exprEnd returns the index of the ']' closing a sample expression (not
// inside parentheses or quotes), or -1.
func exprEnd(s string) int {
	return scanTop(s, func(_ int, c byte, depth int) bool { return c == ']' && depth <= 0 })
}

// AppendTo evaluates the format and appends the result to dst, at most
// max bytes of it (max <= 0: no limit). It does not allocate once dst
// and x's scratch buffers have grown (regsub excepted).
func (e *Format) AppendTo(dst []byte, x *Ctx, max int) []byte {
	if e == nil {
		return dst
	}
	if e.static {
		return append(dst, e.lit...)
	}
	start := len(dst)
	for i := range e.nodes {
		n := &e.nodes[i]
		if n.quote {
			dst = append(dst, '"')
		}
		switch {
		case n.expr != nil:
			v := &x.v
			if n.expr.eval(x, v) {
				dst = appendSampleHTTP(dst, v)
			}
		case n.v != nil:
			dst = n.v(dst, x)
		default:
			dst = append(dst, n.lit...)
		}
		if n.quote {
			dst = append(dst, '"')
		}
	}
	if max > 0 && len(dst)-start > max {
		dst = dst[:start+max]
	}
	return dst
}

// AppendName evaluates e, at most max bytes of it, into a buffer of x
// kept for that (a dynamic use_backend name) and returns the result,
// valid until the next AppendName on x. The buffer is not the
// converters' scratch space, which the evaluation itself uses.
func (x *Ctx) AppendName(e *Format, max int) []byte {
	x.name = e.AppendTo(x.name[:0], x, max)
	return x.name
}

// appendSampleHTTP appends a sample as a string, control characters
// encoded as %XX as HAProxy does in rule values.
func appendSampleHTTP(dst []byte, v *smpVal) []byte {
	switch v.t {
	case stStr:
		for _, c := range v.s {
			if c < 0x20 && c != '\t' || c == 0x7f {
				dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
				continue
			}
			dst = append(dst, c)
		}
		return dst
	case stInt, stBool:
		return strconv.AppendInt(dst, v.i, 10)
	case stIP:
		return v.ip.AppendTo(dst)
	}
	return dst
}

const hexDigits = "0123456789ABCDEF"
