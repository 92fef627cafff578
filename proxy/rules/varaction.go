package rules

import (
	"fmt"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/sample"
)

// VarAction is a compiled set-var, set-var-fmt or unset-var of a
// tcp-request rule (http-request rules keep theirs in HTTPRule.RW).
type VarAction struct {
	Ref   sample.VarRef
	Expr  *sample.Expr   // set-var
	Fmt   *sample.Format // set-var-fmt
	Unset bool
}

// compileVarAction compiles the variable action of rule r.
func compileVarAction(r *config.Rule, o *sample.Options) (*VarAction, error) {
	if r.Rewrite == nil {
		return nil, fmt.Errorf("%s without a variable name", r.Action)
	}
	if o == nil {
		o = &sample.Options{}
	}
	ref, err := sample.ParseVarName(r.Rewrite.Var)
	if err != nil {
		return nil, err
	}
	if ref.Cond, err = sample.ParseVarConds(r.Rewrite.VarConds); err != nil {
		return nil, err
	}
	va := &VarAction{Ref: ref}
	switch {
	case r.Action == "unset-var":
		va.Unset = true
	case r.Rewrite.Fmt:
		va.Fmt, err = sample.CompileFormat(r.Value, o)
	default:
		va.Expr, err = sample.CompileExpr(r.Value, o)
	}
	return va, err
}

// Run applies the action to the variables x reaches.
func (a *VarAction) Run(x *sample.Ctx) {
	switch {
	case a.Unset:
		x.UnsetVar(&a.Ref)
	case a.Fmt != nil:
		x.SetVarFmt(&a.Ref, a.Fmt)
	default:
		x.SetVar(&a.Ref, a.Expr)
	}
}
