package tlog

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// The formats HAProxy 2.6 uses for `option tcplog`, `option httplog` and
// `option httplog clf` (src/log.c). They are plain log-format strings.
const (
	TCPLogFormat     = "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq"
	HTTPLogFormat    = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r"
	CLFHTTPLogFormat = "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl"
)

// Node options, set with %{+X,-Y}var. optMandatory is on by default in
// log-format strings: an absent text value prints "-".
const (
	optHex uint8 = 1 << iota
	optMandatory
	optQuote
	optEsc
)

var optNames = []struct {
	name string
	bit  uint8
}{{"M", optMandatory}, {"Q", optQuote}, {"X", optHex}, {"E", optEsc}}

type opKind uint8

const (
	opText opKind = iota // no variable: the step is its separator and text
	opClientIP
	opClientPort
	opFrontendIP
	opFrontendPort
	opBackendIP
	opBackendPort
	opServerIP
	opServerPort
	opDate      // %t
	opReqDate   // %tr
	opDateGMT   // %T
	opReqGMT    // %trg
	opDateLocal // %Tl
	opReqLocal  // %trl
	opTs        // %Ts
	opMs        // %ms
	opFrontend  // %f
	opFrontendX // %ft
	opBackend   // %b
	opServer    // %s
	opTh
	opTi
	opTR
	opTq
	opTw
	opTc
	opTr
	opTd
	opTa
	opTt
	opTu
	opStatus
	opBytes
	opBytesUp
	opCC
	opCS
	opTermState   // %ts
	opTermStateCk // %tsc
	opActConn
	opFeConn
	opBeConn
	opSrvConn
	opRetries
	opSrvQueue
	opBckQueue
	opHdrReq     // %hr
	opHdrReqList // %hrl
	opHdrRes     // %hs
	opHdrResList // %hsl
	opReq        // %r
	opHTTPPath   // %HP
	opHTTPPathOnly
	opHTTPQuery
	opHTTPURI
	opHTTPMethod
	opHTTPVersion
	opCounter // %rt
	opLogCount
	opHostname
	opPID
	opUniqueID
	opSSLVersion // %sslv
	opSSLCipher  // %sslc
	opExpr       // %[...]: a sample expression (FormatOptions.Expr)
	opGlobal     // %o: only at compile time
)

// variables maps a %name to its op and whether it needs HTTP mode, as
// HAProxy 2.6's logformat_keywords table does.
var variables = map[string]struct {
	kind opKind
	http bool
}{
	"o": {opGlobal, false}, "B": {opBytes, false}, "CC": {opCC, true}, "CS": {opCS, true},
	"H": {opHostname, false}, "ID": {opUniqueID, false}, "ST": {opStatus, false},
	"T": {opDateGMT, false}, "Ta": {opTa, true}, "Tc": {opTc, false}, "Th": {opTh, false},
	"Ti": {opTi, true}, "Tl": {opDateLocal, false}, "Tq": {opTq, true}, "Tr": {opTr, true},
	"TR": {opTR, true}, "Td": {opTd, false}, "Ts": {opTs, false}, "Tt": {opTt, false},
	"Tu": {opTu, false}, "Tw": {opTw, false}, "U": {opBytesUp, false}, "ac": {opActConn, false},
	"b": {opBackend, false}, "bc": {opBeConn, false}, "bi": {opBackendIP, false},
	"bp": {opBackendPort, false}, "bq": {opBckQueue, false}, "ci": {opClientIP, false},
	"cp": {opClientPort, false}, "f": {opFrontend, false}, "fc": {opFeConn, false},
	"fi": {opFrontendIP, false}, "fp": {opFrontendPort, false}, "ft": {opFrontendX, false},
	"hr": {opHdrReq, false}, "hrl": {opHdrReqList, false}, "hs": {opHdrRes, false},
	"hsl": {opHdrResList, false}, "HM": {opHTTPMethod, true}, "HP": {opHTTPPath, true},
	"HPO": {opHTTPPathOnly, true}, "HQ": {opHTTPQuery, true}, "HU": {opHTTPURI, true},
	"HV": {opHTTPVersion, true}, "lc": {opLogCount, false}, "ms": {opMs, false},
	"pid": {opPID, false}, "r": {opReq, true}, "rc": {opRetries, false}, "rt": {opCounter, false},
	"s": {opServer, false}, "sc": {opSrvConn, false}, "si": {opServerIP, false},
	"sp": {opServerPort, false}, "sq": {opSrvQueue, false}, "t": {opDate, false},
	"tr": {opReqDate, true}, "trg": {opReqGMT, true}, "trl": {opReqLocal, true},
	"ts": {opTermState, false}, "tsc": {opTermStateCk, false},
	"sslv": {opSSLVersion, false}, "sslc": {opSSLCipher, false},
}

// op is one step of a compiled format: an optional separator (a space
// printed unless the line already ends with one), then optional literal
// text, then a variable (opText: none). Folding text and separators into
// the variable that follows them halves the number of steps per line.
// fn is the variable's row of appenders, looked up once here rather than
// per line.
type op struct {
	kind opKind
	opts uint8
	sep  bool
	text string
	fn   appendFunc
	expr ExprFunc // opExpr
}

// FormatOptions are what a compiled format needs besides the string.
// The zero value is a TCP-mode format in local time.
type FormatOptions struct {
	// HTTP is true when the proxy is in mode http; HTTP-only variables
	// (%r, %TR, %CC, ...) are an error otherwise, as in HAProxy.
	HTTP bool
	// LogASAP is `option logasap`: %Tt, %Ta, %Tu and %B are prefixed
	// with '+' because they are not final when the line is sent.
	LogASAP bool
	// Hostname is printed by %H (empty: os.Hostname at compile time).
	Hostname string
	// PID is printed by %pid (0: os.Getpid()).
	PID int
	// Location is the time zone of %t, %tr, %Tl, %trl (nil: time.Local).
	// %T and %trg always print GMT.
	Location *time.Location
	// Expr compiles the text of a %[...] sample expression (without its
	// brackets); nil: sample expressions are an error.
	Expr func(expr string) (ExprFunc, error)
}

// ExprFunc evaluates a compiled sample expression at log time, on what
// the engine put in e.Samples: the value as text (valid until the next
// evaluation), or false when there is none, which prints like an absent
// text value.
type ExprFunc func(e *Entry) ([]byte, bool)

// Format is a compiled log-format string: a list of operations applied to
// an Entry. It is immutable and safe for concurrent use.
type Format struct {
	src   string
	ops   []op
	exprs bool // some ops are opExpr
	http  bool
	asap  bool
	host  string
	pid   int
	loc   *time.Location
	// dateCache holds the last formatted local date prefix, per second.
	dates dateCache
}

// String returns the log-format string the Format was compiled from.
func (f *Format) String() string { return f.src }

// Compile parses a log-format string once, the way HAProxy 2.6 does for
// `log-format` (spaces are separators that collapse, %{+Q}, %{-M} ...
// modify the next variable, %{..}o sets them for all that follow).
// Sample expressions (%[...]) are compiled by o.Expr.
func Compile(s string, o FormatOptions) (*Format, error) {
	f := &Format{src: s, http: o.HTTP, asap: o.LogASAP, host: o.Hostname, pid: o.PID, loc: o.Location}
	if f.host == "" {
		f.host, _ = os.Hostname()
	}
	if f.pid == 0 {
		f.pid = os.Getpid()
	}
	if f.loc == nil {
		f.loc = time.Local
	}
	defOpts := optMandatory
	var text strings.Builder
	cur := op{kind: opText}
	// push ends the current step with variable k (opText: none).
	push := func(k opKind, opts uint8) {
		cur.kind, cur.opts, cur.fn = k, opts, appenders[k]
		cur.text += text.String()
		text.Reset()
		f.ops = append(f.ops, cur)
		cur = op{kind: opText}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' {
			// a separator can only start a step
			if cur.sep || text.Len() > 0 {
				push(opText, 0)
			}
			cur.sep = true
			i++
			continue
		}
		if c != '%' {
			text.WriteByte(c)
			i++
			continue
		}
		// c == '%'
		start := i
		i++
		if i >= len(s) {
			return nil, fmt.Errorf("log-format %q: truncated line after '%%'", s)
		}
		args := ""
		hasArgs := false
		switch n := s[i]; {
		case n == '%':
			text.WriteByte('%')
			i++
			continue
		case n == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("log-format %q: truncated line after '%s'", s, s[i+1:])
			}
			args, hasArgs = s[i+1:i+end], true
			i += end + 1
			if i >= len(s) || !isAlnum(s[i]) && s[i] != '[' {
				return nil, fmt.Errorf("log-format %q: parse argument modifier without variable name near '%%{%s}'", s, args)
			}
		case n == '[':
		case isAlpha(n):
		case isDigit(n) || n == ' ' || n == '\t':
			return nil, fmt.Errorf("log-format %q: unexpected variable name near '%c' at position %d line : '%s'. Maybe you want to write a single '%%', use the syntax '%%%%'", s, n, i, s)
		default:
			// HAProxy drops a lone '%' before other characters.
			continue
		}
		if s[i] == '[' {
			n, fn, err := compileExpr(s, start, i, o)
			if err != nil {
				return nil, err
			}
			opts := defOpts
			if hasArgs {
				opts = parseVarArgs(args, opts)
			}
			i = n
			cur.expr, f.exprs = fn, true
			push(opExpr, opts)
			continue
		}
		j := i
		for j < len(s) && isAlnum(s[j]) {
			j++
		}
		name := s[i:j]
		i = j
		v, ok := variables[name]
		if !ok {
			return nil, fmt.Errorf("log-format %q: no such format variable '%s'. If you wanted to emit the '%%' character verbatim, you need to use '%%%%'", s, name)
		}
		if v.http && !o.HTTP {
			return nil, fmt.Errorf("log-format %q: format variable '%s' is reserved for HTTP mode", s, name)
		}
		opts := defOpts
		if hasArgs {
			opts = parseVarArgs(args, opts)
		}
		if v.kind == opGlobal {
			defOpts = opts
			continue
		}
		push(v.kind, opts)
	}
	if cur.sep || text.Len() > 0 {
		push(opText, 0)
	}
	return f, nil
}

// compileExpr compiles the sample expression whose '[' is at s[i]; it
// returns the index after the closing ']'.
func compileExpr(s string, start, i int, o FormatOptions) (int, ExprFunc, error) {
	end := exprEnd(s[i+1:])
	if end < 0 {
		return 0, nil, fmt.Errorf("log-format %q: missing ']' after '%s'", s, s[i+1:])
	}
	if o.Expr == nil {
		return 0, nil, fmt.Errorf("log-format %q: sample fetch expressions %q are not supported", s, s[start:])
	}
	fn, err := o.Expr(s[i+1 : i+1+end])
	if err != nil {
		return 0, nil, fmt.Errorf("log-format %q: %w", s, err)
	}
	return i + end + 2, fn, nil
}

// exprEnd returns the index of the ']' closing a sample expression (not
// inside parentheses or quotes), or -1.
func exprEnd(s string) int {
	depth := 0
	var q byte
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case q != 0:
			if c == '\\' {
				j++
			} else if c == q {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		case c == '\\':
			j++
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ']' && depth <= 0:
			return j
		}
	}
	return -1
}

// MustCompile is Compile for the built-in formats; it panics on error.
func MustCompile(s string, o FormatOptions) *Format {
	f, err := Compile(s, o)
	if err != nil {
		panic(err)
	}
	return f
}

// parseVarArgs applies a comma-separated list of +X / -X modifiers to
// opts; unknown names are ignored, as in HAProxy.
func parseVarArgs(args string, opts uint8) uint8 {
	for len(args) > 0 {
		item := args
		if k := strings.IndexByte(args, ','); k >= 0 {
			item, args = args[:k], args[k+1:]
		} else {
			args = ""
		}
		if len(item) < 2 {
			continue
		}
		for _, on := range optNames {
			if item[1:] != on.name {
				continue
			}
			switch item[0] {
			case '+':
				opts |= on.bit
			case '-':
				opts &^= on.bit
			}
		}
	}
	return opts
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }
