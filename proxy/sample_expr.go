package proxy

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/tlshello"
)

// This file implements HAProxy's log-format strings as used in rule
// values (set-header, add-header, set-path, redirect location, return
// lf-string bodies, dynamic use_backend): literal text, %X log variables
// and %[fetch(args),converter(args)...] sample expressions. Everything
// is parsed once by compileLF; evaluation appends into a caller buffer
// and reuses the evalCtx's scratch buffers, so that in steady state it
// does not allocate.
//
// HAProxy semantics kept: a sample that cannot be fetched or converted
// produces nothing (rule values use LOG_OPT_HTTP, not "-"); control
// characters of a sample are written as %XX (HAProxy's http_encode_map);
// spaces are literal (no merging outside `log-format`).

// smpType is the type of a sample value.
type smpType uint8

const (
	stNone smpType = iota
	stStr
	stInt
	stBool
	stIP
)

// smpVal is a typed sample value. s points into the request buffers or
// into an evalCtx scratch buffer; it is valid until the next evaluation.
type smpVal struct {
	t  smpType
	s  []byte
	i  int64
	ip netip.Addr
}

// evalCtx is what sample fetches read: the connection, the request and
// response when there are some, and scratch space for converters.
type evalCtx struct {
	c    *connSample
	req  *http1.Request  // nil outside HTTP
	resp *http1.Response // nil before a response
	f    *Frontend
	be   *Backend
	srv  string
	nreq int // requests served before this one on the connection
	// payload is the start of a TCP stream (tcp-request content).
	payload []byte
	final   bool
	// bufs are the converters' ping-pong scratch buffers; cur is the one
	// holding the current value.
	bufs [2][]byte
	cur  int
	// v holds the value being evaluated (kept here so that it does not
	// escape to the heap on each evaluation).
	v smpVal
}

// scratch returns an empty buffer that does not alias the current value.
func (x *evalCtx) scratch() []byte { return x.bufs[x.cur^1][:0] }

// setStr makes b (obtained from scratch) the current string value.
func (x *evalCtx) setStr(v *smpVal, b []byte) {
	x.cur ^= 1
	x.bufs[x.cur] = b
	v.t, v.s = stStr, b
}

// lfNode is one piece of a compiled log-format string.
type lfNode struct {
	lit   []byte      // literal text (expr and v unset)
	expr  *sampleExpr // %[...]
	v     string      // %X variable name
	quote bool        // %{+Q}
}

// lfExpr is a compiled log-format string. A nil *lfExpr is empty.
type lfExpr struct {
	src   string
	nodes []lfNode
	// lit is the whole value when it is only literal text.
	lit    []byte
	static bool
}

// lfVars are the log-format variables rule values may use (the rest of
// HAProxy's list is refused by the config parser; see
// config.SupportedLogVars).
var lfVars = map[string]bool{
	"ci": true, "cp": true, "fi": true, "fp": true, "f": true, "ft": true, "fc": true, "b": true, "s": true,
	"H": true, "pid": true, "Ts": true, "ms": true, "HM": true, "HU": true, "HP": true, "HPO": true,
	"HQ": true, "HV": true, "ST": true, "r": true, "ac": true, "bc": true,
}

// compileLF parses a log-format string as HAProxy does for rule values.
func compileLF(s string, o *compileOpts) (*lfExpr, error) {
	e := &lfExpr{src: s}
	var lit []byte
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
		quote := false
		if s[i] == '{' {
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("log-format %q: missing '}'", s)
			}
			for _, opt := range strings.Split(s[i+1:i+j], ",") {
				if opt == "+Q" {
					quote = true
				}
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
			e.nodes = append(e.nodes, lfNode{expr: ex, quote: quote})
			i += end + 2
		case isLetter(s[i]):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			name := s[i:j]
			if !lfVars[name] {
				return nil, fmt.Errorf("log-format %q: variable %%%s is not supported in rule values", s, name)
			}
			flush()
			e.nodes = append(e.nodes, lfNode{v: name, quote: quote})
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
		case c == ']' && depth <= 0:
			return i
		}
	}
	return -1
}

// appendTo evaluates the format and appends the result to dst, at most
// max bytes of it (max <= 0: no limit).
func (e *lfExpr) appendTo(dst []byte, x *evalCtx, max int) []byte {
	if e == nil {
		return dst
	}
	if e.static {
		return append(dst, e.lit...)
	}
	start := len(dst)
	for i := range e.nodes {
		n := &e.nodes[i]
		switch {
		case n.expr != nil:
			v := &x.v
			ok := n.expr.eval(x, v)
			if n.quote {
				dst = append(dst, '"')
			}
			if ok {
				dst = appendSampleHTTP(dst, x, v)
			}
			if n.quote {
				dst = append(dst, '"')
			}
		case n.v != "":
			if n.quote {
				dst = append(dst, '"')
			}
			dst = appendLogVar(dst, x, n.v)
			if n.quote {
				dst = append(dst, '"')
			}
		default:
			dst = append(dst, n.lit...)
		}
	}
	if max > 0 && len(dst)-start > max {
		dst = dst[:start+max]
	}
	return dst
}

// appendSampleHTTP appends a sample as a string, control characters
// encoded as %XX as HAProxy does in rule values.
func appendSampleHTTP(dst []byte, x *evalCtx, v *smpVal) []byte {
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

// appendLogVar appends the value of a %X variable.
func appendLogVar(dst []byte, x *evalCtx, name string) []byte {
	c := x.c
	switch name {
	case "ci":
		if c != nil && c.src.IsValid() {
			return c.src.Addr().AppendTo(dst)
		}
	case "cp":
		if c != nil && c.src.IsValid() {
			return strconv.AppendInt(dst, int64(c.src.Port()), 10)
		}
	case "fi":
		if c != nil && c.dst.IsValid() {
			return c.dst.Addr().AppendTo(dst)
		}
	case "fp":
		if c != nil && c.dst.IsValid() {
			return strconv.AppendInt(dst, int64(c.dst.Port()), 10)
		}
	case "f", "ft":
		if x.f != nil {
			return append(dst, x.f.Name...)
		}
	case "b":
		if x.be != nil {
			return append(dst, x.be.Name...)
		}
	case "s":
		return append(dst, x.srv...)
	case "H":
		return append(dst, hostname...)
	case "pid":
		return strconv.AppendInt(dst, int64(os.Getpid()), 10)
	case "Ts":
		return strconv.AppendInt(dst, time.Now().Unix(), 10)
	case "ms":
		ms := time.Now().Nanosecond() / 1e6
		return append(dst, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	case "fc":
		if x.f != nil {
			return strconv.AppendInt(dst, x.f.Scur.Load(), 10)
		}
	case "bc":
		if x.be != nil {
			return strconv.AppendInt(dst, x.be.Scur.Load(), 10)
		}
	case "ac":
		if x.f != nil {
			return strconv.AppendInt(dst, x.f.rt.ActConn.Load(), 10)
		}
	case "ST":
		if x.resp != nil {
			return strconv.AppendInt(dst, int64(x.resp.Status), 10)
		}
	}
	r := x.req
	if r == nil {
		return dst
	}
	switch name {
	case "HM":
		return append(dst, r.Method...)
	case "HU":
		return append(dst, r.URI...)
	case "HP":
		return append(dst, uriPath(r.URI)...)
	case "HPO":
		p := uriPath(r.URI)
		return append(dst, p...)
	case "HQ":
		if q := bytes.IndexByte(r.URI, '?'); q >= 0 {
			return append(dst, r.URI[q:]...)
		}
	case "HV":
		return append(dst, r.Proto...)
	case "r":
		return append(dst, r.Line...)
	}
	return dst
}

var hostname = func() string {
	h, _ := os.Hostname()
	return h
}()

// compileOpts carries what compilation needs besides the text: map
// file contents and the backends by name (nbsrv).
type compileOpts struct {
	maps map[string][]byte
	rt   *Runtime
	// cache shares a map file's compiled table between expressions.
	cache map[string]*mapTable
}

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
}

type fetchFn func(x *evalCtx, a *fetchArgs, v *smpVal) bool

// eval fetches and converts the sample; false when there is none.
func (e *sampleExpr) eval(x *evalCtx, v *smpVal) bool {
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

// splitTop splits s at commas outside parentheses and quotes.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
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
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
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
func compileSample(src string, o *compileOpts) (*sampleExpr, error) {
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

// fetchTable maps the fetches rule values support to their compiler.
// Keep in step with config.SupportedSampleFetches (TestSampleTables).
var fetchTable = map[string]func(e *sampleExpr, args []string, o *compileOpts) error{}

func init() {
	str := func(f func(x *evalCtx) []byte) func(*sampleExpr, []string, *compileOpts) error {
		return func(e *sampleExpr, args []string, _ *compileOpts) error {
			if len(args) > 0 {
				return fmt.Errorf("no argument expected")
			}
			e.fetch = func(x *evalCtx, _ *fetchArgs, v *smpVal) bool {
				b := f(x)
				if b == nil {
					return false
				}
				v.t, v.s = stStr, b
				return true
			}
			return nil
		}
	}
	reqStr := func(f func(r *http1.Request) []byte) func(*sampleExpr, []string, *compileOpts) error {
		return str(func(x *evalCtx) []byte {
			if x.req == nil {
				return nil
			}
			return f(x.req)
		})
	}
	integer := func(f func(x *evalCtx) (int64, bool), t smpType) func(*sampleExpr, []string, *compileOpts) error {
		return func(e *sampleExpr, args []string, _ *compileOpts) error {
			if len(args) > 0 {
				return fmt.Errorf("no argument expected")
			}
			e.fetch = func(x *evalCtx, _ *fetchArgs, v *smpVal) bool {
				n, ok := f(x)
				if !ok {
					return false
				}
				v.t, v.i = t, n
				return true
			}
			return nil
		}
	}
	ip := func(f func(c *connSample) netip.AddrPort, port bool) func(*sampleExpr, []string, *compileOpts) error {
		return func(e *sampleExpr, args []string, _ *compileOpts) error {
			if len(args) > 0 {
				return fmt.Errorf("no argument expected")
			}
			e.fetch = func(x *evalCtx, _ *fetchArgs, v *smpVal) bool {
				if x.c == nil {
					return false
				}
				ap := f(x.c)
				if !ap.IsValid() {
					return false
				}
				if port {
					v.t, v.i = stInt, int64(ap.Port())
				} else {
					v.t, v.ip = stIP, ap.Addr()
				}
				return true
			}
			return nil
		}
	}
	src := func(c *connSample) netip.AddrPort { return c.src }
	dst := func(c *connSample) netip.AddrPort { return c.dst }
	for _, n := range []string{"src", "fc_src"} {
		fetchTable[n] = ip(src, false)
	}
	for _, n := range []string{"src_port", "fc_src_port"} {
		fetchTable[n] = ip(src, true)
	}
	for _, n := range []string{"dst", "fc_dst"} {
		fetchTable[n] = ip(dst, false)
	}
	for _, n := range []string{"dst_port", "fc_dst_port"} {
		fetchTable[n] = ip(dst, true)
	}
	fetchTable["path"] = reqStr(func(r *http1.Request) []byte { return uriPath(r.URI) })
	fetchTable["pathq"] = reqStr(func(r *http1.Request) []byte { return uriPathQuery(r.URI) })
	fetchTable["url"] = reqStr(func(r *http1.Request) []byte { return r.URI })
	fetchTable["query"] = reqStr(func(r *http1.Request) []byte {
		if q := bytes.IndexByte(r.URI, '?'); q >= 0 {
			return r.URI[q+1:]
		}
		return nil
	})
	fetchTable["method"] = reqStr(func(r *http1.Request) []byte { return r.Method })
	for _, n := range []string{"req.ver", "req_ver"} {
		fetchTable[n] = reqStr(func(r *http1.Request) []byte {
			if len(r.Proto) > 5 {
				return r.Proto[5:]
			}
			return nil
		})
	}
	fetchTable["capture.req.method"] = fetchTable["method"]
	fetchTable["capture.req.uri"] = fetchTable["url"]
	fetchTable["capture.req.ver"] = reqStr(func(r *http1.Request) []byte { return r.Proto })
	fetchTable["res.ver"] = str(func(x *evalCtx) []byte {
		if x.resp == nil || len(x.resp.Proto) <= 5 {
			return nil
		}
		return x.resp.Proto[5:]
	})
	fetchTable["base"] = func(e *sampleExpr, args []string, _ *compileOpts) error {
		e.fetch = fetchBase
		return nil
	}
	for _, n := range []string{"hdr", "req.hdr"} {
		fetchTable[n] = hdrFetch(false, false)
	}
	fetchTable["req.fhdr"] = hdrFetch(false, true)
	for _, n := range []string{"res.hdr", "shdr"} {
		fetchTable[n] = hdrFetch(true, false)
	}
	fetchTable["res.fhdr"] = hdrFetch(true, true)
	for _, n := range []string{"hdr_cnt", "req.hdr_cnt"} {
		fetchTable[n] = hdrCntFetch(false, false)
	}
	fetchTable["req.fhdr_cnt"] = hdrCntFetch(false, true)
	fetchTable["res.hdr_cnt"] = hdrCntFetch(true, false)
	fetchTable["res.fhdr_cnt"] = hdrCntFetch(true, true)
	for _, n := range []string{"url_param", "urlp"} {
		fetchTable[n] = func(e *sampleExpr, args []string, _ *compileOpts) error {
			if len(args) > 0 {
				e.fa.name = args[0]
			}
			e.fetch = fetchURLParam
			return nil
		}
	}
	for _, n := range []string{"cookie", "cook", "req.cook"} {
		fetchTable[n] = func(e *sampleExpr, args []string, _ *compileOpts) error {
			if len(args) > 0 {
				e.fa.name = args[0]
			}
			e.fetch = fetchCookie
			return nil
		}
	}
	fetchTable["capture.req.hdr"] = func(e *sampleExpr, args []string, _ *compileOpts) error {
		if len(args) != 1 {
			return fmt.Errorf("expects a capture slot number")
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 0 {
			return fmt.Errorf("invalid capture slot %q", args[0])
		}
		e.fa.n = int64(n)
		e.fetch = fetchCaptureReqHdr
		return nil
	}
	fetchTable["status"] = integer(func(x *evalCtx) (int64, bool) {
		if x.resp == nil {
			return 0, false
		}
		return int64(x.resp.Status), true
	}, stInt)
	fetchTable["ssl_fc"] = integer(func(*evalCtx) (int64, bool) { return 0, true }, stBool)
	fetchTable["ssl_fc_sni"] = str(func(*evalCtx) []byte { return nil })
	fetchTable["http_first_req"] = integer(func(x *evalCtx) (int64, bool) {
		if x.req == nil {
			return 0, false
		}
		if x.nreq == 0 {
			return 1, true
		}
		return 0, true
	}, stBool)
	fetchTable["always_true"] = integer(func(*evalCtx) (int64, bool) { return 1, true }, stBool)
	fetchTable["always_false"] = integer(func(*evalCtx) (int64, bool) { return 0, true }, stBool)
	fetchTable["req.proto_http"] = integer(func(x *evalCtx) (int64, bool) {
		if x.req != nil {
			return 1, true
		}
		return 0, true
	}, stBool)
	fetchTable["date"] = func(e *sampleExpr, args []string, _ *compileOpts) error {
		if len(args) > 0 {
			n, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("invalid offset %q", args[0])
			}
			e.fa.n = n
		}
		e.fetch = func(x *evalCtx, a *fetchArgs, v *smpVal) bool {
			v.t, v.i = stInt, time.Now().Unix()+a.n
			return true
		}
		return nil
	}
	fetchTable["env"] = func(e *sampleExpr, args []string, _ *compileOpts) error {
		if len(args) != 1 {
			return fmt.Errorf("expects a variable name")
		}
		val, ok := os.LookupEnv(args[0])
		b := []byte(val)
		e.fetch = func(x *evalCtx, a *fetchArgs, v *smpVal) bool {
			if !ok {
				return false
			}
			v.t, v.s = stStr, b
			return true
		}
		return nil
	}
	fetchTable["str"] = func(e *sampleExpr, args []string, _ *compileOpts) error {
		if len(args) != 1 {
			return fmt.Errorf("expects a string")
		}
		b := []byte(args[0])
		e.fetch = func(x *evalCtx, a *fetchArgs, v *smpVal) bool {
			v.t, v.s = stStr, b
			return true
		}
		return nil
	}
	fetchTable["int"] = func(e *sampleExpr, args []string, _ *compileOpts) error {
		if len(args) != 1 {
			return fmt.Errorf("expects an integer")
		}
		n, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("invalid integer %q", args[0])
		}
		e.fetch = func(x *evalCtx, a *fetchArgs, v *smpVal) bool {
			v.t, v.i = stInt, n
			return true
		}
		return nil
	}
	fetchTable["fe_name"] = str(func(x *evalCtx) []byte {
		if x.f == nil {
			return nil
		}
		return []byte(x.f.Name)
	})
	fetchTable["be_name"] = str(func(x *evalCtx) []byte {
		if x.be == nil {
			return nil
		}
		return []byte(x.be.Name)
	})
	fetchTable["nbsrv"] = func(e *sampleExpr, args []string, o *compileOpts) error {
		if len(args) > 0 {
			e.fa.s = args[0]
		}
		e.fetch = func(x *evalCtx, a *fetchArgs, v *smpVal) bool {
			be := x.be
			if a.s != "" && x.f != nil {
				be = x.f.rt.beByName[a.s]
			}
			if be == nil {
				return false
			}
			v.t, v.i = stInt, int64(nbsrvOf(be))
			return true
		}
		return nil
	}
	for _, n := range []string{"req.len", "req_len"} {
		fetchTable[n] = integer(func(x *evalCtx) (int64, bool) {
			if x.req != nil {
				return 0, false
			}
			return int64(len(x.payload)), true
		}, stInt)
	}
	for _, n := range []string{"req.ssl_sni", "req_ssl_sni"} {
		fetchTable[n] = str(func(x *evalCtx) []byte {
			if x.req != nil {
				return nil
			}
			h, st := tlshello.Parse(x.payload)
			if st != tlshello.OK || h.SNI == nil {
				return nil
			}
			return h.SNI
		})
	}
	for _, n := range []string{"req.ssl_hello_type", "req_ssl_hello_type"} {
		fetchTable[n] = integer(func(x *evalCtx) (int64, bool) {
			if x.req != nil {
				return 0, false
			}
			t, st := tlshello.HandshakeType(x.payload)
			return int64(t), st == tlshello.OK
		}, stInt)
	}
}

func compileFetch(e *sampleExpr, name string, args []string, o *compileOpts) error {
	mk, ok := fetchTable[name]
	if !ok {
		return fmt.Errorf("fetch %q is not supported", name)
	}
	return mk(e, args, o)
}

// hdrFetch compiles hdr(name[,occ]) and friends. Without occ, hdr()
// returns the last value (HAProxy's default occurrence -1); values are
// split on commas unless full (fhdr).
func hdrFetch(res, full bool) func(*sampleExpr, []string, *compileOpts) error {
	return func(e *sampleExpr, args []string, _ *compileOpts) error {
		if len(args) == 0 || args[0] == "" {
			return fmt.Errorf("expects a header name")
		}
		e.fa.name = strings.ToLower(args[0])
		e.fa.occ = -1
		e.fa.full = full
		if len(args) > 1 {
			n, err := strconv.Atoi(args[1])
			if err != nil {
				return fmt.Errorf("invalid occurrence %q", args[1])
			}
			e.fa.occ = n
		}
		if len(args) > 2 {
			return fmt.Errorf("too many arguments")
		}
		if res {
			e.fetch = fetchResHdr
		} else {
			e.fetch = fetchReqHdr
		}
		return nil
	}
}

func hdrCntFetch(res, full bool) func(*sampleExpr, []string, *compileOpts) error {
	return func(e *sampleExpr, args []string, _ *compileOpts) error {
		if len(args) > 0 {
			e.fa.name = strings.ToLower(args[0])
		}
		e.fa.full = full
		e.fetch = func(x *evalCtx, a *fetchArgs, v *smpVal) bool {
			m := msgOf(x, res)
			if m == nil {
				return false
			}
			n := 0
			walkHeader(m, a.name, a.full, func([]byte) bool { n++; return true })
			v.t, v.i = stInt, int64(n)
			return true
		}
		return nil
	}
}

func msgOf(x *evalCtx, res bool) *http1.Message {
	if res {
		if x.resp == nil {
			return nil
		}
		return &x.resp.Message
	}
	if x.req == nil {
		return nil
	}
	return &x.req.Message
}

func fetchReqHdr(x *evalCtx, a *fetchArgs, v *smpVal) bool {
	return headerOcc(msgOf(x, false), a, v)
}

func fetchResHdr(x *evalCtx, a *fetchArgs, v *smpVal) bool {
	return headerOcc(msgOf(x, true), a, v)
}

// headerOcc fetches occurrence a.occ of header a.name: positive from the
// first, negative from the last (0 behaves as -1 here: the last).
func headerOcc(m *http1.Message, a *fetchArgs, v *smpVal) bool {
	if m == nil {
		return false
	}
	occ := a.occ
	if occ <= 0 {
		total := 0
		countHeader(m, a.name, a.full, &total)
		if occ == 0 {
			occ = -1
		}
		occ = total + occ + 1
		if occ <= 0 {
			return false
		}
	}
	n := 0
	var found []byte
	ok := false
	forEachValue(m, a.name, a.full, func(b []byte) bool {
		n++
		if n == occ {
			found, ok = b, true
			return false
		}
		return true
	})
	if !ok {
		return false
	}
	v.t, v.s = stStr, found
	return true
}

func countHeader(m *http1.Message, name string, full bool, n *int) {
	forEachValue(m, name, full, func([]byte) bool { *n++; return true })
}

// walkHeader is forEachValue for callers that count.
func walkHeader(m *http1.Message, name string, full bool, fn func([]byte) bool) {
	forEachValue(m, name, full, fn)
}

// forEachValue calls fn with each value of header name (lowercase):
// whole lines when full, else split on commas and trimmed.
func forEachValue(m *http1.Message, name string, full bool, fn func([]byte) bool) {
	for i := range m.Headers {
		h := &m.Headers[i]
		if string(h.Name) != name {
			continue
		}
		val := h.Value
		if full || len(val) == 0 {
			if !fn(val) {
				return
			}
			continue
		}
		for len(val) > 0 {
			j := bytes.IndexByte(val, ',')
			var part []byte
			if j < 0 {
				part, val = val, nil
			} else {
				part, val = val[:j], val[j+1:]
			}
			if !fn(bytes.TrimSpace(part)) {
				return
			}
		}
	}
}

// fetchBase is the first Host value followed by the path.
func fetchBase(x *evalCtx, _ *fetchArgs, v *smpVal) bool {
	if x.req == nil {
		return false
	}
	host := x.req.Get("host")
	b := x.scratch()
	b = append(b, host...)
	b = append(b, uriPath(x.req.URI)...)
	x.setStr(v, b)
	return true
}

// fetchURLParam returns the first value of query parameter a.name.
func fetchURLParam(x *evalCtx, a *fetchArgs, v *smpVal) bool {
	if x.req == nil {
		return false
	}
	u := x.req.URI
	q := bytes.IndexByte(u, '?')
	if q < 0 {
		return false
	}
	rest := u[q+1:]
	for len(rest) > 0 {
		end := bytes.IndexAny(rest, "&;")
		kv := rest
		if end >= 0 {
			kv, rest = rest[:end], rest[end+1:]
		} else {
			rest = nil
		}
		name, val := kv, kv[len(kv):]
		if e := bytes.IndexByte(kv, '='); e >= 0 {
			name, val = kv[:e], kv[e+1:]
		}
		if a.name == "" || string(name) == a.name {
			v.t, v.s = stStr, val
			return true
		}
	}
	return false
}

// fetchCookie returns the first value of cookie a.name in the Cookie
// headers (any cookie when the name is empty).
func fetchCookie(x *evalCtx, a *fetchArgs, v *smpVal) bool {
	if x.req == nil {
		return false
	}
	for i := range x.req.Headers {
		h := &x.req.Headers[i]
		if string(h.Name) != "cookie" {
			continue
		}
		rest := h.Value
		for len(rest) > 0 {
			end := bytes.IndexByte(rest, ';')
			kv := rest
			if end >= 0 {
				kv, rest = rest[:end], rest[end+1:]
			} else {
				rest = nil
			}
			kv = bytes.TrimSpace(kv)
			e := bytes.IndexByte(kv, '=')
			if e < 0 {
				continue
			}
			name, val := bytes.TrimSpace(kv[:e]), bytes.TrimSpace(kv[e+1:])
			if a.name == "" || string(name) == a.name {
				v.t, v.s = stStr, val
				return true
			}
		}
	}
	return false
}

// fetchCaptureReqHdr returns what `capture request header` slot a.n
// holds: the last value of that header, cut to the capture length.
func fetchCaptureReqHdr(x *evalCtx, a *fetchArgs, v *smpVal) bool {
	if x.req == nil || x.f == nil {
		return false
	}
	caps := x.f.Cfg.CaptureRequestHeaders
	if a.n >= int64(len(caps)) {
		return false
	}
	c := caps[a.n]
	name := strings.ToLower(c.Name)
	var found []byte
	ok := false
	for i := range x.req.Headers {
		if string(x.req.Headers[i].Name) == name {
			found, ok = x.req.Headers[i].Value, true
		}
	}
	if !ok {
		return false
	}
	if c.Len > 0 && len(found) > c.Len {
		found = found[:c.Len]
	}
	v.t, v.s = stStr, found
	return true
}

// uriPathQuery returns the path and query of a request target (without
// scheme://authority for an absolute URI).
func uriPathQuery(u []byte) []byte {
	if len(u) > 0 && u[0] != '/' {
		if i := bytes.Index(u, []byte("://")); i >= 0 {
			rest := u[i+3:]
			j := bytes.IndexByte(rest, '/')
			if j < 0 {
				return nil
			}
			return rest[j:]
		}
	}
	return u
}
