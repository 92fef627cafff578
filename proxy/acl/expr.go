package acl

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/goha/goha/config"
)

// ACLs on sample expressions: a criterion that is a sample fetch with
// converters rather than one of the ACL keywords of fetch.go (var(),
// status, res.hdr(), req.hdr(host),field(1,:) ...). The sample layer,
// which imports this package, evaluates them: it sets CompileExpr.

// ExprValue is the value of a sample expression: Str for strings, Int
// for integers and booleans, IP for addresses (Kind says which).
type ExprValue struct {
	Kind ExprKind
	Str  []byte
	Int  int64
	IP   netip.Addr
}

// ExprKind is the type of an ExprValue.
type ExprKind uint8

// The kinds of ExprValue.
const (
	ExprStr ExprKind = iota + 1
	ExprInt
	ExprBool
	ExprIP
)

// Expr is a compiled sample expression an ACL matches.
type Expr interface {
	// Eval evaluates the expression on s; false when there is no value.
	Eval(s Sample) (ExprValue, bool)
}

// CompileExpr compiles a sample expression and says the type of its
// value (it decides the default match: str, int, ip or bool); set by
// package sample.
var CompileExpr func(src string) (Expr, ExprKind, error)

// buildExpr compiles an ACL whose criterion is a sample expression.
func buildExpr(a *config.ACL, name string) (*matcher, error) {
	if CompileExpr == nil {
		return nil, fmt.Errorf("sample expression %q: no sample layer", a.Expr)
	}
	e, kind, err := CompileExpr(a.Expr)
	if err != nil {
		return nil, err
	}
	def := fetchDef{typ: tStr, match: mStr}
	switch kind {
	case ExprInt:
		def.typ, def.match = tInt, mInt
	case ExprBool:
		def.typ, def.match = tBool, mBool
	case ExprIP:
		def.typ, def.match = tIP, mIP
	}
	m := &matcher{name: name, def: def, match: def.match, icase: a.IgnoreCase, expr: e}
	if a.Match != "" {
		mk, ok := matchNames[a.Match]
		if !ok {
			return nil, fmt.Errorf("unknown matching method %q", a.Match)
		}
		m.match = mk
	}
	return m, nil
}

// evalExpr evaluates an expression ACL, casting the value to what the
// match method reads.
func evalExpr(m *matcher, s Sample) bool {
	v, ok := m.expr.Eval(s)
	if !ok {
		return false
	}
	switch m.match {
	case mFound:
		return true
	case mInt, mBool:
		n := v.Int
		if v.Kind == ExprStr {
			n = atoi(v.Str)
		}
		return m.matchInt(n)
	case mIP:
		a := v.IP
		if v.Kind == ExprStr {
			p, err := netip.ParseAddr(string(v.Str))
			if err != nil {
				return false
			}
			a = p.Unmap()
		}
		return a.IsValid() && m.ipIn(a)
	}
	switch v.Kind {
	case ExprStr:
		return m.matchStr(v.Str)
	case ExprIP:
		var buf [64]byte
		return m.matchStr(v.IP.AppendTo(buf[:0]))
	}
	var buf [24]byte
	return m.matchStr(strconv.AppendInt(buf[:0], v.Int, 10))
}
