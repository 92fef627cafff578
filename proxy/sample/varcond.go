package sample

import "fmt"

// VarCond is a set of set-var conditions (set-var(txn.x,ifexists,...)):
// the variable is set only when all of them hold, as in HAProxy 2.6.
type VarCond uint8

// The set-var conditions.
const (
	IfExists    VarCond = 1 << iota // the variable has a value
	IfNotExists                     // it has none
	IfEmpty                         // the new value is an empty string
	IfNotEmpty                      // it is not
	IfSet                           // as IfExists (goha declares no proc variable ahead)
	IfNotSet                        // as IfNotExists
	IfGt                            // both integers: the old value is greater than the new one
	IfLt                            // both integers: the old value is lower
)

// varConds names the conditions, one row per keyword.
var varConds = map[string]VarCond{
	"ifexists": IfExists, "ifnotexists": IfNotExists, "ifempty": IfEmpty, "ifnotempty": IfNotEmpty,
	"ifset": IfSet, "ifnotset": IfNotSet, "ifgt": IfGt, "iflt": IfLt,
}

// ParseVarConds compiles set-var's condition keywords.
func ParseVarConds(names []string) (VarCond, error) {
	var c VarCond
	for _, n := range names {
		b, ok := varConds[n]
		if !ok {
			return 0, fmt.Errorf("unknown set-var condition %q", n)
		}
		c |= b
	}
	return c, nil
}

// allows reports whether the conditions let v replace old (exists: the
// variable has a value).
func (c VarCond) allows(old *smpVal, exists bool, v *smpVal) bool {
	if c&(IfExists|IfSet) != 0 && !exists || c&(IfNotExists|IfNotSet) != 0 && exists {
		return false
	}
	empty := v.t == stStr && len(v.s) == 0
	if c&IfEmpty != 0 && !empty || c&IfNotEmpty != 0 && empty {
		return false
	}
	if exists && old.t == stInt && v.t == stInt {
		if c&IfGt != 0 && old.i <= v.i || c&IfLt != 0 && old.i >= v.i {
			return false
		}
	}
	return true
}

// condAllows checks r's conditions against the variable's current value.
func (x *Ctx) condAllows(r *VarRef, v *smpVal) bool {
	if r.Cond == 0 {
		return true
	}
	var old smpVal
	var exists bool
	if r.Scope == ScopeProc {
		old, exists = x.ProcVars.peek(r.Name)
	} else {
		old, exists = x.store(r.Scope).get(r.Name)
	}
	return r.Cond.allows(&old, exists, v)
}

// peek returns a proc variable's value without its text (enough for the
// conditions, which compare integers and test existence).
func (p *ProcVars) peek(name string) (smpVal, bool) {
	if p == nil {
		return smpVal{}, false
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	e := p.m[name]
	if e == nil || !e.set {
		return smpVal{}, false
	}
	v := e.v
	v.s = nil
	return v, true
}
