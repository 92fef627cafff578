package rules

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/goha/goha/proxy/sample"
)

// Rewrite and variable kinds. They start far from the kinds of rules.go
// and track.go so that kinds other files add do not collide.
const (
	SetVar Kind = 64 + iota
	UnsetVar
	ReplaceHeader
	ReplaceValue
	ReplacePath
	ReplacePathQ
	ReplaceURI
	SetPathQ
	SetQuery
	SetURI
	SetMethod
	SetStatus
	SetLogLevel
	Capture
	NormalizeURI
	SetSrc
	SetDst
	SetSrcPort
	SetDstPort
)

// Rewrite is the compiled detail of a rewrite or variable rule.
type Rewrite struct {
	// Var is the variable of set-var, set-var-fmt (Value is then its
	// format) and unset-var.
	Var sample.VarRef
	// Expr is the sample expression of set-var, capture and set-src...
	Expr *sample.Expr
	// Re is the regex of the replace-* actions.
	Re *regexp.Regexp
	// Reason is set-status's reason (nil: the standard one).
	Reason []byte
	// CaptureID is the capture slot of `capture`, CaptureLen its length.
	CaptureID, CaptureLen int
	// Level is set-log-level's level ("silent" disables the log).
	Level string
	// Normalizer is normalize-uri's normalizer; Full and Strict its
	// options.
	Normalizer    string
	Full, Strict  bool
	delMatch      string // del-header -m METHOD (not "str")
	delRe         *regexp.Regexp
	delName       []byte
	delIgnoreCase bool
}

// rewriteKinds maps an action keyword to its kind and whether it is
// valid in responses.
var rewriteKinds = map[string]struct {
	kind      Kind
	responses bool
}{
	"set-var": {SetVar, true}, "set-var-fmt": {SetVar, true}, "unset-var": {UnsetVar, true},
	"replace-header": {ReplaceHeader, true}, "replace-value": {ReplaceValue, true},
	"replace-path": {ReplacePath, false}, "replace-pathq": {ReplacePathQ, false}, "replace-uri": {ReplaceURI, false},
	"set-pathq": {SetPathQ, false}, "set-query": {SetQuery, false}, "set-uri": {SetURI, false},
	"set-method": {SetMethod, false}, "set-status": {SetStatus, true}, "set-log-level": {SetLogLevel, true},
	"capture": {Capture, true}, "normalize-uri": {NormalizeURI, false},
	"set-src": {SetSrc, false}, "set-dst": {SetDst, false}, "set-src-port": {SetSrcPort, false}, "set-dst-port": {SetDstPort, false},
}

func init() {
	for name, k := range rewriteKinds {
		httpActions[name] = struct {
			responses bool
			compile   func(c *ruleCompiler) error
		}{k.responses, rewriteCompiler(k.kind)}
	}
	httpActions["del-header"] = struct {
		responses bool
		compile   func(c *ruleCompiler) error
	}{true, (*ruleCompiler).delHeader}
}

// rewriteCompiler compiles a rewrite or variable action of kind k.
func rewriteCompiler(k Kind) func(c *ruleCompiler) error {
	return func(c *ruleCompiler) error {
		r, hr := c.r, c.hr
		hr.Kind = k
		rw := &Rewrite{CaptureID: -1}
		hr.RW = rw
		if d := r.Rewrite; d != nil {
			rw.CaptureID, rw.CaptureLen, rw.Level = d.CaptureID, d.CaptureLen, d.Level
			rw.Normalizer = d.Normalizer
			for _, o := range d.Options {
				rw.Full = rw.Full || o == "full"
				rw.Strict = rw.Strict || o == "strict"
			}
			if d.Reason != "" {
				rw.Reason = []byte(d.Reason)
			}
			if d.Regex != "" {
				re, err := regexp.Compile(d.Regex)
				if err != nil {
					return fmt.Errorf("%s: regex %q: %w", c.where, d.Regex, err)
				}
				rw.Re = re
			}
			if d.Var != "" {
				v, err := sample.ParseVarName(d.Var)
				if err != nil {
					return fmt.Errorf("%s: %w", c.where, err)
				}
				if v.Cond, err = sample.ParseVarConds(d.VarConds); err != nil {
					return fmt.Errorf("%s: %w", c.where, err)
				}
				rw.Var = v
			}
		}
		hr.Name = []byte(strings.ToLower(r.Name))
		var err error
		switch {
		case k == SetVar && (r.Rewrite == nil || !r.Rewrite.Fmt), k == Capture, k >= SetSrc && k <= SetDstPort:
			rw.Expr, err = sample.CompileExpr(r.Value, c.o)
			if err != nil {
				err = fmt.Errorf("%s: %w", c.where, err)
			}
		case r.Value != "":
			hr.Value, err = c.lf(r.Value)
		}
		return err
	}
}

// delHeader compiles del-header NAME [-m str|beg|end|sub|reg].
func (c *ruleCompiler) delHeader() error {
	r, hr := c.r, c.hr
	hr.Kind = DelHeader
	hr.Name = []byte(strings.ToLower(r.Name))
	if len(r.Flags) != 2 || r.Flags[0] != "-m" || r.Flags[1] == "str" {
		return nil
	}
	rw := &Rewrite{CaptureID: -1, delMatch: r.Flags[1], delName: hr.Name}
	switch r.Flags[1] {
	case "beg", "end", "sub":
	case "reg":
		re, err := regexp.Compile("(?i)" + r.Name)
		if err != nil {
			return fmt.Errorf("%s: regex %q: %w", c.where, r.Name, err)
		}
		rw.delRe = re
	default:
		return fmt.Errorf("%s: del-header -m %s: expects str, beg, end, sub or reg", c.where, r.Flags[1])
	}
	hr.RW = rw
	return nil
}

// Removes reports whether the rule (set-header or del-header) replaces
// or removes header name (lowercase).
func (r *HTTPRule) Removes(name []byte) bool {
	if r.Kind != SetHeader && r.Kind != DelHeader {
		return false
	}
	if r.RW == nil || r.RW.delMatch == "" {
		return bytes.Equal(r.Name, name)
	}
	rw := r.RW
	switch rw.delMatch {
	case "beg":
		return bytes.HasPrefix(name, rw.delName)
	case "end":
		return bytes.HasSuffix(name, rw.delName)
	case "sub":
		return bytes.Contains(name, rw.delName)
	case "reg":
		return rw.delRe.Match(name)
	}
	return false
}
