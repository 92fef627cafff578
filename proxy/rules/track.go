package rules

import (
	"fmt"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/sample"
)

// The stick counter actions (track-sc, sc-inc-gpc, sc-set-gpt), tarpit
// and silent-drop, for HTTP and tcp-request rules.

// HTTP rule kinds of the stick counter actions, tarpit and silent-drop.
const (
	TrackSC Kind = SetPath + 1 + iota
	IncGPC
	SetGPT
	SilentDrop
	Tarpit
	// SetMark, SetTos: set-mark and set-tos on the client connection
	// (Track.Const); SetPrioClass, SetPrioOffset: the request's place in
	// the backend's queue (Track.Value, or Track.Const).
	SetMark
	SetTos
	SetPrioClass
	SetPrioOffset
)

// trackKinds are the kinds of the actions compileTrack compiles.
var trackKinds = map[string]Kind{
	"track-sc": TrackSC, "sc-inc-gpc": IncGPC, "sc-set-gpt": SetGPT,
	"set-mark": SetMark, "set-tos": SetTos, "set-priority-class": SetPrioClass, "set-priority-offset": SetPrioOffset,
}

// Track is a compiled stick counter action: which counter, and for
// track-sc the key and the table name ("" = the rule's proxy's own
// table; the stream resolves names), for sc-inc-gpc the counter to
// increment, for sc-set-gpt the value (Value, or Const when Value is
// nil).
type Track struct {
	SC    int
	Table string
	Key   *sample.Expr
	Array bool
	Idx   int
	Value *sample.Expr
	Const int64
}

// The rows of the HTTP action table for these actions.
func init() {
	for name, k := range trackKinds {
		k := k
		httpActions[name] = struct {
			responses bool
			compile   func(c *ruleCompiler) error
		}{true, func(c *ruleCompiler) error {
			t, err := compileTrack(c.r, c.o)
			if err != nil {
				return fmt.Errorf("%s: %w", c.where, err)
			}
			c.hr.Kind, c.hr.Track = k, t
			return nil
		}}
	}
	httpActions["silent-drop"] = struct {
		responses bool
		compile   func(c *ruleCompiler) error
	}{true, func(c *ruleCompiler) error { c.hr.Kind = SilentDrop; return nil }}
	httpActions["tarpit"] = struct {
		responses bool
		compile   func(c *ruleCompiler) error
	}{false, (*ruleCompiler).tarpit}
}

// tarpit holds the request for `timeout tarpit`, then answers 500 (or
// its deny_status) as deny does.
func (c *ruleCompiler) tarpit() error {
	if c.hr.Status == 0 {
		c.hr.Status = 500
	}
	if err := c.deny(); err != nil {
		return err
	}
	c.hr.Kind = Tarpit
	return nil
}

// compileTrack compiles the stick counter detail of a rule.
func compileTrack(r *config.Rule, o *sample.Options) (*Track, error) {
	ta := r.Track
	if ta == nil {
		return nil, fmt.Errorf("%s without its stick counter", r.Action)
	}
	t := &Track{SC: ta.SC, Table: ta.Table, Array: ta.Array, Idx: ta.Idx}
	var err error
	if ta.Key != "" {
		if t.Key, err = sample.CompileExpr(ta.Key, o); err != nil {
			return nil, fmt.Errorf("key %q: %w", ta.Key, err)
		}
	}
	if ta.Value != "" {
		if n, ok := parseConst(ta.Value); ok {
			t.Const = n
		} else if t.Value, err = sample.CompileExpr(ta.Value, o); err != nil {
			return nil, fmt.Errorf("value %q: %w", ta.Value, err)
		}
	}
	return t, nil
}

// parseConst reads a decimal integer.
func parseConst(s string) (int64, bool) {
	var n int64
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// compileTCPAction fills the non-final parts of a tcp-request rule:
// stick counter actions and silent-drop; false for accept and reject.
func compileTCPAction(tr *TCPRule, r *config.Rule, o *sample.Options) (bool, error) {
	switch r.Action {
	case "silent-drop":
		tr.SilentDrop = true
		return true, nil
	case "set-var", "set-var-fmt", "unset-var":
		va, err := compileVarAction(r, o)
		tr.Var = va
		return true, err
	}
	if k, ok := trackKinds[r.Action]; ok {
		t, err := compileTrack(r, o)
		if err != nil {
			return true, err
		}
		tr.Track, tr.TrackKind = t, k
		return true, nil
	}
	return false, nil
}

// CompileSessionRules compiles a frontend's tcp-request session rules.
func CompileSessionRules(p *config.Proxy, o *sample.Options) ([]*TCPRule, error) {
	return compileTCPRules(p, p.TCPRequestSession, "session", o)
}
