package sample

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
)

// Variables (HAProxy's set-var, unset-var, set-var-fmt and the var()
// fetch). A variable is named SCOPE.NAME; the scope says how long it
// lives:
//
//	proc  the whole process (every connection, every thread)
//	sess  the client connection
//	txn   one request and its response
//	req   the request's processing (kept with txn here)
//	res   the response's processing (kept with txn here)
//
// A Ctx finds the stores through Vars (txn, req, res), SessVars and
// ProcVars; a nil store reads as empty and drops writes, as a scope
// that does not exist yet does in HAProxy.

// VarScope is the lifetime of a variable.
type VarScope uint8

// The variable scopes.
const (
	ScopeProc VarScope = iota
	ScopeSess
	ScopeTxn
	ScopeReq
	ScopeRes
)

var scopeNames = map[string]VarScope{"proc": ScopeProc, "sess": ScopeSess, "txn": ScopeTxn, "req": ScopeReq, "res": ScopeRes}

// VarRef is a compiled variable name.
type VarRef struct {
	Scope VarScope
	// Name is the full name, scope included ("txn.path").
	Name string
	// Cond are set-var's conditions (varcond.go); 0: none.
	Cond VarCond
}

// ParseVarName checks a variable name SCOPE.NAME as HAProxy does.
func ParseVarName(s string) (VarRef, error) {
	scope, name, ok := strings.Cut(s, ".")
	sc, known := scopeNames[scope]
	if !ok || !known {
		return VarRef{}, fmt.Errorf("invalid variable name %q: the scope must be proc, sess, txn, req or res", s)
	}
	if name == "" {
		return VarRef{}, fmt.Errorf("invalid variable name %q: empty name", s)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return VarRef{}, fmt.Errorf("invalid variable name %q: character %q", s, c)
		}
	}
	return VarRef{Scope: sc, Name: s}, nil
}

// varEntry is one variable: its name and a typed copy of its value.
type varEntry struct {
	name string
	set  bool
	v    smpVal
	buf  []byte // owns v.s
}

// Vars is a store of variables of one lifetime (a request, a
// connection). Its zero value is empty; Reset empties it keeping its
// memory, so a pooled store stops allocating.
type Vars struct {
	e []varEntry
}

// Reset forgets every variable.
func (s *Vars) Reset() {
	for i := range s.e {
		s.e[i].set = false
	}
}

func (s *Vars) find(name string) *varEntry {
	for i := range s.e {
		if s.e[i].name == name {
			return &s.e[i]
		}
	}
	return nil
}

// get returns the value of name.
func (s *Vars) get(name string) (smpVal, bool) {
	if s == nil {
		return smpVal{}, false
	}
	e := s.find(name)
	if e == nil || !e.set {
		return smpVal{}, false
	}
	return e.v, true
}

// put stores a copy of v under name.
func (s *Vars) put(name string, v *smpVal) {
	if s == nil {
		return
	}
	e := s.find(name)
	if e == nil {
		s.e = append(s.e, varEntry{name: name})
		e = &s.e[len(s.e)-1]
	}
	e.buf = append(e.buf[:0], v.s...)
	e.v = *v
	e.v.s = e.buf
	if v.t != stStr {
		e.v.s = nil
	}
	e.set = true
}

// del unsets name.
func (s *Vars) del(name string) {
	if s == nil {
		return
	}
	if e := s.find(name); e != nil {
		e.set = false
	}
}

// ProcVars are the process-wide variables, shared by every connection
// and thread.
type ProcVars struct {
	mu sync.RWMutex
	m  map[string]*varEntry
}

// NewProcVars returns an empty process store.
func NewProcVars() *ProcVars { return &ProcVars{m: map[string]*varEntry{}} }

// getInto copies the value of name into scratch space of x (the store
// may change once the lock is released).
func (p *ProcVars) getInto(x *Ctx, name string, v *smpVal) bool {
	if p == nil {
		return false
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	e := p.m[name]
	if e == nil || !e.set {
		return false
	}
	*v = e.v
	if e.v.t == stStr {
		x.setStr(v, append(x.scratch(), e.v.s...))
	}
	return true
}

func (p *ProcVars) put(name string, v *smpVal) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.m[name]
	if e == nil {
		e = &varEntry{name: name}
		p.m[name] = e
	}
	e.buf = append(e.buf[:0], v.s...)
	e.v = *v
	e.v.s = e.buf
	e.set = true
}

func (p *ProcVars) del(name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.m[name]; e != nil {
		e.set = false
	}
}

// store returns the per-request or per-connection store of a scope
// (nil for proc).
func (x *Ctx) store(sc VarScope) *Vars {
	switch sc {
	case ScopeSess:
		return x.SessVars
	case ScopeProc:
		return nil
	}
	return x.Vars
}

// getVar reads a variable into v.
func (x *Ctx) getVar(r *VarRef, v *smpVal) bool {
	if r.Scope == ScopeProc {
		return x.ProcVars.getInto(x, r.Name, v)
	}
	val, ok := x.store(r.Scope).get(r.Name)
	if ok {
		*v = val
	}
	return ok
}

func (x *Ctx) putVar(r *VarRef, v *smpVal) {
	if !x.condAllows(r, v) {
		return
	}
	if r.Scope == ScopeProc {
		x.ProcVars.put(r.Name, v)
		return
	}
	x.store(r.Scope).put(r.Name, v)
}

// UnsetVar removes a variable (unset-var).
func (x *Ctx) UnsetVar(r *VarRef) {
	if r.Scope == ScopeProc {
		x.ProcVars.del(r.Name)
		return
	}
	x.store(r.Scope).del(r.Name)
}

// SetVar evaluates e and stores its typed value in the variable (set-var);
// a sample that cannot be fetched leaves the variable as it was.
func (x *Ctx) SetVar(r *VarRef, e *Expr) {
	v := &x.v
	if !e.e.eval(x, v) {
		return
	}
	x.putVar(r, v)
}

// SetVarFmt evaluates a log-format string and stores it as a string
// variable (set-var-fmt).
func (x *Ctx) SetVarFmt(r *VarRef, f *Format) {
	b := f.AppendTo(x.scratch(), x, 0)
	v := &x.v
	*v = smpVal{}
	x.setStr(v, b)
	x.putVar(r, v)
}

// SetVarString stores a string (global set-var at startup).
func (x *Ctx) SetVarString(r *VarRef, s []byte) {
	v := smpVal{t: stStr, s: s}
	x.putVar(r, &v)
}

// VarString returns a variable's value as text (tests and the CLI).
func (x *Ctx) VarString(r *VarRef) (string, bool) {
	v := &x.v
	if !x.getVar(r, v) || !toStr(x, v) {
		return "", false
	}
	return string(v.s), true
}

// compileVarFetch compiles var(NAME[,DEFAULT]).
func compileVarFetch(e *sampleExpr, args []string, _ *Options) error {
	if len(args) < 1 || len(args) > 2 {
		return fmt.Errorf("expects a variable name and an optional default")
	}
	r, err := ParseVarName(args[0])
	if err != nil {
		return err
	}
	ref := &r
	var def []byte
	hasDef := len(args) == 2
	if hasDef {
		def = []byte(args[1])
	}
	e.fetch = func(x *Ctx, _ *fetchArgs, v *smpVal) bool {
		if x.getVar(ref, v) {
			return true
		}
		if hasDef {
			v.t, v.s = stStr, def
			return true
		}
		return false
	}
	return nil
}

// smpValIP is the address held by an IP sample (set-src, set-dst).
func (e *Expr) IP(x *Ctx) (netip.Addr, bool) {
	v := &x.v
	if !e.e.eval(x, v) || !toIP(v) {
		return netip.Addr{}, false
	}
	return v.ip, true
}

// String evaluates the expression as text, valid until the next
// evaluation on x.
func (e *Expr) String(x *Ctx) ([]byte, bool) {
	v := &x.v
	if !e.e.eval(x, v) || !toStr(x, v) {
		return nil, false
	}
	return v.s, true
}
